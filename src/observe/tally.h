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
 * Remote endpoints and what their sockets tell, in a table of fixed size:
 * open addressing over TALLY_PEER_SLOTS slots (count 0 = free).
 */
struct peer_table {
	struct peer_count *slots;
	size_t n;
	uint64_t untracked; /* sockets whose endpoint found no free slot */
};

/* The timer a source reports for a socket (idiag_timer, the "tr" of /proc/net/tcp). */
enum tcp_timer {
	TIMER_NONE,
	TIMER_RETRANS, /* retransmission, or a loss probe */
	TIMER_KEEPALIVE,
	TIMER_TIME_WAIT,
	TIMER_PROBE0, /* probing the peer's zero window */
};

/* A connection (any state but LISTEN) as a source reports it. */
struct conn {
	enum obs_family f;
	enum tcp_state s;
	uint16_t sport, dport;
	const uint8_t *daddr;
	uint32_t inode;	 /* 0: no process holds it (an orphan, TIME_WAIT, not accepted yet) */
	uint32_t wqueue; /* bytes sent but unacknowledged or not yet sent */
	uint8_t timer;	 /* enum tcp_timer */
	uint8_t retries; /* retransmissions (RETRANS), probes unanswered (KEEPALIVE, PROBE0) */
};

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
	uint16_t eph_lo, eph_hi; /* the ephemeral range: local ports of client sockets */
	struct peer_table peers; /* client sockets by remote endpoint */
	uint64_t unheld[TS_MAX]; /* sockets without an inode, per state */
	/* Connections stalled on their peer, by remote endpoint (see tally_conn()). */
	struct peer_table stalled[STALL_N];
	uint64_t stalled_sockets[STALL_N], stalled_orphaned[STALL_N];
	int error; /* first allocation failure met while streaming */
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

static inline bool tally_client_side(const struct tally *t, uint16_t sport)
{
	return sport >= t->eph_lo && sport <= t->eph_hi && t->eph_hi;
}

void tally_peer_slow(struct tally *t, const struct conn *c);
void tally_stalled(struct tally *t, const struct conn *c);

/*
 * The connection states whose timer speaks of the peer: the handshake has
 * completed and the connection is not yet in TIME_WAIT. (SYN_RECV's timer
 * retransmits SYN-ACKs, a matter of its own rules.)
 */
#define STALL_STATES                                                                            \
	(1u << TS_ESTABLISHED | 1u << TS_FIN_WAIT1 | 1u << TS_FIN_WAIT2 | 1u << TS_CLOSE_WAIT | \
	 1u << TS_LAST_ACK | 1u << TS_CLOSING)

/*
 * Besides tally_socket(), for every socket but listeners: whether a process
 * holds it, its remote endpoint when its local port makes it client-side,
 * and, by endpoint, the connections stalled on their peer: retransmitting
 * (the retransmission timer fired at least once, or keepalive probes went
 * unanswered) or probing a zero window.
 */
static inline void tally_conn(struct tally *t, const struct conn *c)
{
	if (!c->inode)
		t->unheld[c->s]++;
	if (__builtin_expect(
		    ((c->timer == TIMER_RETRANS || c->timer == TIMER_KEEPALIVE) && c->retries) ||
			    c->timer == TIMER_PROBE0,
		    0) &&
	    (STALL_STATES >> c->s) & 1)
		tally_stalled(t, c);
	if (tally_client_side(t, c->sport))
		tally_peer_slow(t, c);
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
 * state with their role, the listeners, the busiest remote endpoints, and
 * those of stalled connections (with the idle connections to each).
 * Returns -ENOMEM on failure.
 */
int tally_finish(struct tally *t, unsigned top, struct observation *o);

#endif
