/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_NETNS_H
#define TCPTUNE_NETNS_H

#include <stdint.h>

/* "blue" -> "/run/netns/blue"; a name with a '/' is taken as a path. */
int netns_path_from_name(const char *name, char **ret);
/* PID -> "<proc_root>/PID/ns/net". */
int netns_path_from_pid(const char *proc_root, const char *pid, char **ret);

/*
 * Moves the calling thread (call it before any other thread starts) into the
 * network namespace at path, so that netlink sockets, /proc/net and
 * /proc/sys/net all show that namespace. -ENOENT, -EACCES/-EPERM, -EINVAL
 * (not a network namespace) with a message.
 */
int netns_enter(const char *path, char **errmsg);

/* The inode of the namespace we are in (what `ip netns identify` compares). */
int netns_current_inode(const char *proc_root, uint64_t *ret);

#endif
