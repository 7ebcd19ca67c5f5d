/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_OWNSCAN_H
#define TCPTUNE_OWNSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "owners.h"

/*
 * The scan of /proc/PID/fd behind owners_lookup(): which socket inodes are
 * wanted and for which key (a port of a state, or a listener), which
 * processes to look at first, and the rounds that read a little of every
 * process until the wanted sockets have holders.
 */

struct ownscan_cg {
	uint64_t id;
	size_t n;
};

#define OWNSCAN_CGROUPS 4

struct ownscan_key {
	enum tcp_state state; /* TS_LISTEN for a listener */
	uint16_t port;
	struct owner_set *out;
	int *pid;	 /* the port's or listener's first holder */
	char **comm;	 /* and its command */
	uint32_t *inode; /* the port's sample socket, NULL for a listener */
	size_t sockets;	 /* its held sockets recorded while counting */
	size_t n_wanted; /* of those, wanted by the scan */
	size_t n_found;	 /* of those, found in a process */
	struct ownscan_cg cgroup[OWNSCAN_CGROUPS]; /* the cgroups of its sockets, by count */
	size_t n_cgroups;
};

struct ownscan_want {
	uint32_t inode;
	uint32_t key;
	bool found;
};

struct ownscan_proc;

struct ownscan {
	const char *proc_root;
	int proc_dfd;
	uint64_t netns_inode; /* processes of this network namespace come before the others */
	struct ownscan_key *keys;
	size_t n_keys, n_port_keys; /* port keys first, then listeners */
	struct ownscan_want *wants; /* sorted by inode once the scan starts */
	size_t n_wants, cap_wants, n_found;
	int *first; /* processes to scan before any other (the keys' cgroups) */
	size_t n_first;
	size_t budget;		  /* descriptors read at most */
	struct timespec deadline; /* and no reading after this (CLOCK_MONOTONIC); 0: none */
	bool all_scanned;
	bool fd_counts;	  /* fd directories have the count of descriptors as size */
	size_t unsampled; /* port keys with none of their sockets recorded */
	struct owner_stats stats;
	int error;
};

int ownscan_init(struct ownscan *sc, const char *proc_root, uint64_t netns_inode, size_t budget);
void ownscan_done(struct ownscan *sc);

/* Wants the holder of a socket inode for key. */
int ownscan_want(struct ownscan *sc, uint32_t inode, size_t key);
/* Counts a socket of the key in its cgroup (0: none known). */
void ownscan_key_cgroup(struct ownscan_key *k, uint64_t cgroup_id);
/* The cgroup most of a key's sockets are in; 0 when none is known. */
uint64_t ownscan_key_main_cgroup(const struct ownscan_key *k);
/* Stops reading descriptors seconds from now (the budget in time). */
void ownscan_set_deadline(struct ownscan *sc, double seconds);
/* Processes to scan first (appended; duplicates ignored). */
int ownscan_first(struct ownscan *sc, const int *pids, size_t n);

/*
 * Scans the processes: those given to ownscan_first(), then those of the
 * network namespace, then the rest, each group in rounds. Stops once every
 * wanted socket is found, or once every key with a wanted socket has a holder
 * at the end of a round, or at the budget (stats.cut_short). -ENOMEM, or
 * -errno when proc_root cannot be read.
 */
int ownscan_run(struct ownscan *sc);

/* Writes each key's holders into its owner_set, pid and comm. */
void ownscan_fill(struct ownscan *sc);

#endif
