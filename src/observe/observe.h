/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_OBSERVE_H
#define TCPTUNE_OBSERVE_H

#include <stdbool.h>

#include "observation.h"

struct observe_opts {
	const char *proc_root;	 /* "/proc" */
	const char *sysctl_root; /* NULL: "<proc_root>/sys" */
	enum obs_source source;	 /* AUTO: netlink, else /proc/net/tcp */
	unsigned top;		 /* busiest ports kept per state */
	bool processes;		 /* owners will be looked up (owners_lookup()) */
	uint64_t cgroup_id;	 /* only the sockets of this cgroup; 0: all */
	uint32_t held_states;	 /* with processes, record held sockets of these (0: all) */
	const char *const *extra_sysctls; /* more keys to read, NULL-terminated */
};

/* The sysctls every snapshot reads: those DOMAIN knowledge reasons about. */
extern const char *const observe_default_sysctls[];

/*
 * Takes one snapshot of the current network namespace. With source AUTO a
 * failing netlink falls back to /proc/net/tcp and says so in a note. Errors:
 * negative errno and a one-line message naming what failed and where.
 */
int observe(const struct observe_opts *opts, struct observation **ret, char **errmsg);

#endif
