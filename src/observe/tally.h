/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_TALLY_H
#define TCPTUNE_TALLY_H

#include <stdbool.h>
#include <stdint.h>

#include "observation.h"

#define TALLY_PORTS 65536
#define TALLY_TOP_MAX 1000
#define TALLY_PEER_SLOTS 4096 /* a power of two */

/*
 * What a socket source (sock_diag or /proc/net/tcp) accumulates while it
 * streams sockets: counts per family and state, counts per local port and
 * state, and the listeners. Its size is fixed (at most one 256 KiB array per
 * state, allocated when the state is first seen) whatever the socket count,
 * which keeps memory bounded at a million sockets.
 */
struct tally {
	uint64_t states[OBS_NFAMILY][TS_MAX];
	uint32_t *ports[TS_MAX];	/* [port] -> sockets of that state */
	uint32_t *sample_inode[TS_MAX]; /* [port] -> one socket inode, with want_inodes */
	bool want_inodes;
	struct listener *listeners;
	size_t n_listeners, cap_listeners;
	uint16_t eph_lo, eph_hi;  /* the ephemeral range: local ports of client sockets */
	struct peer_count *peers; /* open addressing, TALLY_PEER_SLOTS, count 0 = free */
	size_t n_peers;
	uint64_t peers_untracked; /* client sockets whose endpoint found no free slot */
	int error;		  /* first allocation failure met while streaming */
	/*
	 * --cgroup: only the sockets of this cgroup count (0: all). The kernel
	 * filters when it can; filter_user says it could not, and the parser
	 * drops the others by their INET_DIAG_CGROUP_ID (sockets without one,
	 * TIME_WAIT and SYN_RECV, belong to no cgroup either way).
	 */
	uint64_t only_cgroup;
	bool filter_user;
	/* The held sockets of these states (1 << state), for the owner lookup. */
	uint32_t held_states;
	struct held_socket *held[TS_MAX];
	size_t n_held[TS_MAX];
	bool held_full[TS_MAX];
	uint64_t held_cgroups[HELD_CGROUPS];
	size_t n_held_cgroups;
};

void tally_init(struct tally *t, bool want_inodes);
void tally_done(struct tally *t);

void tally_port_alloc(struct tally *t, enum tcp_state s);

/* The hot path: one call per socket. */
static inline void tally_socket(struct tally *t, enum obs_family f, enum tcp_state s,
				uint16_t sport, uint32_t inode)
{
	t->states[f][s]++;
	if (s == TS_LISTEN || s == TS_CLOSE)
		return;
	if (__builtin_expect(!t->ports[s], 0)) {
		tally_port_alloc(t, s);
		if (!t->ports[s])
			return;
	}
	t->ports[s][sport]++;
	if (t->want_inodes && inode && !t->sample_inode[s][sport])
		t->sample_inode[s][sport] = inode;
}

/* Client sockets are those whose local port lies in [lo, hi]; 0, 0 disables peers. */
void tally_set_ephemeral(struct tally *t, uint16_t lo, uint16_t hi);

void tally_peer_slow(struct tally *t, enum obs_family f, const uint8_t *daddr, uint16_t dport);

/* Counts a connection's remote endpoint when its local port makes it client-side. */
static inline void tally_peer(struct tally *t, enum obs_family f, uint16_t sport,
			      const uint8_t *daddr, uint16_t dport)
{
	if (sport >= t->eph_lo && sport <= t->eph_hi && t->eph_hi)
		tally_peer_slow(t, f, daddr, dport);
}

/* Records a held socket (inode not 0) of a state in held_states, up to HELD_MAX. */
void tally_held(struct tally *t, enum tcp_state s, uint16_t port, uint32_t inode,
		uint64_t cgroup_id);

/* Records a listener (besides counting it with tally_socket()). */
void tally_listener(struct tally *t, const struct listener *l);

/* Adds src into dst and empties src. */
void tally_merge(struct tally *dst, struct tally *src);

/*
 * Moves the result into o: state counts, the `top` busiest ports of each
 * state with their role, the listeners and the busiest remote endpoints.
 * Returns -ENOMEM on failure.
 */
int tally_finish(struct tally *t, unsigned top, struct observation *o);

#endif
