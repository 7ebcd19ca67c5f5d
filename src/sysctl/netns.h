/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_NETNS_H
#define TCPTUNE_NETNS_H

#include <stdbool.h>
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

/*
 * What a network namespace is, whatever names it. Names change hands (a pid
 * is reused, `ip netns add` binds a name again), and so do the inode numbers
 * of namespaces (a new one may get the number of one deleted); the cookie
 * (SO_NETNS_COOKIE, Linux 5.14) is never reused until reboot, but is only
 * read from inside.
 */
struct netns_id {
	uint64_t dev, ino; /* its nsfs file; both 0: unknown */
	uint64_t cookie;   /* 0: unknown (an older kernel, or not read) */
};

static inline bool netns_id_known(const struct netns_id *id)
{
	return id->ino != 0;
}

/* The same namespace: the same file, and the same cookie when both are known. */
static inline bool netns_id_equal(const struct netns_id *a, const struct netns_id *b)
{
	return a->dev == b->dev && a->ino == b->ino &&
	       (!a->cookie || !b->cookie || a->cookie == b->cookie);
}

/* The identity of the namespace at path (a /run/netns name, /proc/PID/ns/net), no cookie. */
int netns_id_of(const char *path, struct netns_id *ret);
/* The identity of the namespace the calling thread is in, its cookie too. */
int netns_id_current(struct netns_id *ret);

/*
 * A namespace as a transaction records it: how the operator named it, where
 * it was opened, and what it is.
 */
struct netns_ref {
	char *given; /* "blue", "/run/netns/blue", "pid 1234"; NULL: the one tcptune ran in */
	char *path;  /* "/run/netns/blue", "/proc/1234/ns/net"; NULL likewise */
	struct netns_id id;
};

void netns_ref_clear(struct netns_ref *ref);
int netns_ref_copy(struct netns_ref *dst, const struct netns_ref *src);

/*
 * The namespace named by --netns (name) or --netns-pid (pid, under
 * proc_root): fills given, path and id (the cookie when we may enter it for
 * a moment to read it). -EINVAL for a bad name or pid, -ENOENT (and the
 * others of open) with a message.
 */
int netns_ref_resolve(const char *name, const char *pid, const char *proc_root,
		      struct netns_ref *ret, char **errmsg);

/*
 * A path to the namespace with identity id, looked for among the names in
 * run_dir (/run/netns) and then the processes under proc_root: the one a
 * transaction changed, when the name or pid it was given by is gone.
 * -ENOENT when no name and no process holds it: it no longer exists.
 */
int netns_find(const char *run_dir, const char *proc_root, const struct netns_id *id,
	       char **ret_path);

/*
 * Enters the namespace at path only if it is id (when id is known; its
 * cookie checked once inside): -ESTALE, back where we were, when the path
 * now names another namespace. *ret_back (when not NULL) is a handle on the
 * namespace we were in, for netns_return().
 */
int netns_enter_checked(const char *path, const struct netns_id *id, int *ret_back, char **errmsg);
/* Goes back into the namespace of a handle from netns_enter_checked() and closes it. */
int netns_return(int back);

#endif
