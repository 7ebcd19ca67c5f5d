/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_OWNERS_H
#define TCPTUNE_OWNERS_H

#include <stdbool.h>
#include <stdint.h>

#include "observation.h"

/* Parses a /proc/PID/fd link target "socket:[12345]"; -EINVAL when it is not a socket. */
int owners_parse_link(const char *target, uint32_t *ret_inode);

/*
 * Which holders to look for: those of the ports a report or a finding names,
 * not of every socket. Looking them up costs a read of /proc/PID/fd/N per
 * descriptor tried, so the lookup is asked for after judging.
 */
enum owner_listeners {
	OWNERS_NO_LISTENERS,
	OWNERS_ALL_LISTENERS,
	OWNERS_FULL_LISTENERS, /* those whose accept queue is over its limit or half full */
};

struct owner_wants {
	uint32_t states; /* bit (1 << state): the top ports of these states */
	unsigned ports;	 /* how many top ports of each; 0: all that were kept */
	enum owner_listeners listeners;
	const char *cgroup_root; /* the cgroup2 mount; NULL: from mountinfo; "": none */
	double seconds;		 /* time the lookup may take; 0: no limit but the descriptors */
};

/* What the lookup did, for tests and the bench. */
struct owner_stats {
	size_t processes; /* processes whose descriptors were read */
	size_t links;	  /* descriptors read */
	size_t denied;	  /* processes we may not inspect */
	bool cut_short;	  /* stopped at its budget (time or descriptors) with a port unowned */
};

/*
 * Finds the processes holding the sockets of the wanted ports and listeners
 * (as `ss -p` does, socket inode against /proc/PID/fd links) and fills their
 * owner_set, pid and comm, and their cgroup and service when the kernel tags
 * sockets with a cgroup id and cgroup2 is mounted. With the netlink source it
 * looks for the held sockets of those ports that observing recorded
 * (observation.held); else for the sample socket of each. Processes of this network
 * namespace and of the sockets' cgroups (but the root cgroup) come first,
 * then those of the namespace, then those of the cgroups, then the rest; each
 * process's descriptors are tried lowest first interleaved with a spread
 * order, a little of every process per round, so that a port with many
 * sockets is found after a few reads. The lookup stops once every socket is
 * found, or at the end of a round once every port has a holder, or at its
 * budget (w->seconds, and descriptors in proportion to the sockets); notes
 * say what it could not tell. It degrades, it does not fail: only -ENOMEM and
 * an unreadable proc_root are errors.
 */
int owners_lookup(const char *proc_root, const struct owner_wants *w, struct observation *o,
		  struct owner_stats *ret_stats);

#endif
