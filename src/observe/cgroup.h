/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_CGROUP_H
#define TCPTUNE_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/*
 * The cgroup v2 hierarchy, for naming the service that holds a socket. The
 * kernel tags every full socket with the id of its creator's cgroup
 * (INET_DIAG_CGROUP_ID); a cgroup's id is the inode number of its directory
 * in the cgroup2 file system, so one walk of that tree maps ids to paths.
 */

/*
 * Where cgroup2 is mounted, from a mountinfo file (/proc/self/mountinfo): the
 * first "cgroup2" mount, e.g. /sys/fs/cgroup, or /sys/fs/cgroup/unified on a
 * hybrid host. -ENOENT when there is none, -errno when the file is unreadable.
 */
int cgroup_find_mount(const char *mountinfo, char **ret_path);

/*
 * Walks the tree under root once and sets paths[i] (relative to root, "/" for
 * root itself, "/system.slice/nginx.service") for every ids[i] found; ids not
 * found stay NULL. Depth is bounded; unreadable directories are skipped.
 */
int cgroup_paths(const char *root, const uint64_t *ids, size_t n, char **paths);

/*
 * What a person calls the cgroup: the deepest systemd unit in the path (a
 * ".service" or ".scope": "nginx.service", "docker-3f2a.scope"), else the path
 * itself; NULL for the root cgroup (no service) or out of memory.
 */
char *cgroup_service_name(const char *path);

/*
 * The id of the cgroup at path, relative to root ("/system.slice/x.service")
 * or absolute under root. -ENOENT when there is none, -ENOTDIR, -EINVAL when
 * path leaves root ("..").
 */
int cgroup_id_of(const char *root, const char *path, uint64_t *ret_id);

/*
 * The cgroup of a systemd unit ("nginx.service"): the directory of that name
 * in the tree, searched breadth first. -ENOENT when there is none, -EEXIST
 * when several (the message names two), -EINVAL for a name with a '/'.
 */
int cgroup_find_unit(const char *root, const char *unit, char **ret_path, char **errmsg);

/* The processes of a cgroup (its cgroup.procs), in the file's order. */
int cgroup_procs(const char *root, const char *path, int **ret_pids, size_t *ret_n);

#endif
