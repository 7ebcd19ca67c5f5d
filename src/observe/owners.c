// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "owners.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>

#include "util.h"

struct owner {
	uint32_t inode;
	int pid;
};

int owners_parse_link(const char *target, uint32_t *ret_inode)
{
	_cleanup_free_ char *num = NULL;
	size_t len = strlen(target);
	uint64_t v;

	if (strncmp(target, "socket:[", 8) != 0 || len < 10 || target[len - 1] != ']')
		return -EINVAL;
	num = strndup(target + 8, len - 9);
	if (!num)
		return -ENOMEM;
	if (parse_u64(num, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret_inode = (uint32_t)v;
	return 0;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct owner *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* Marks the set's sockets that one process holds; -EACCES when we may not look. */
static int scan_process(int proc_dfd, const char *pid_name, int pid, struct owner *set, size_t n,
			size_t *found)
{
	_cleanup_free_ char *rel = NULL;
	struct dirent *e;
	int dfd;
	DIR *d;

	if (asprintf(&rel, "%s/fd", pid_name) < 0)
		return -ENOMEM;
	dfd = openat(proc_dfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while ((e = readdir(d))) {
		/* "socket:[4294967295]" fits; anything longer is no socket. */
		char target[32];
		struct owner key, *hit;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		if (len <= 0 || (size_t)len >= sizeof(target) - 1)
			continue;
		target[len] = '\0';
		if (owners_parse_link(target, &key.inode) < 0)
			continue;
		hit = bsearch(&key, set, n, sizeof(*set), cmp_owner);
		if (hit && !hit->pid) {
			hit->pid = pid;
			(*found)++;
		}
	}
	closedir(d);
	return 0;
}

static char *read_comm(const char *proc_root, int pid)
{
	_cleanup_free_ char *rel = NULL, *path = NULL;
	char *comm = NULL;

	if (asprintf(&rel, "%d/comm", pid) < 0)
		return NULL;
	path = path_join(proc_root, rel);
	if (!path || read_file_str(path, 4096, &comm, NULL) < 0)
		return NULL;
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

static int scan_all(const char *proc_root, struct owner *set, size_t n, size_t *denied)
{
	_cleanup_close_ int proc_dfd = -1;
	size_t found = 0;
	struct dirent *e;
	DIR *d;

	proc_dfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (proc_dfd < 0)
		return -errno;
	d = opendir(proc_root);
	if (!d)
		return -errno;
	while (found < n && (e = readdir(d))) {
		int64_t pid;
		int r;

		if (parse_i64(e->d_name, 1, INT32_MAX, &pid) < 0)
			continue;
		r = scan_process(proc_dfd, e->d_name, (int)pid, set, n, &found);
		if (r == -EACCES || r == -EPERM)
			(*denied)++;
		else if (r == -ENOMEM) {
			closedir(d);
			return r;
		}
		/* Processes that exit while we look (-ENOENT) simply are not there. */
	}
	closedir(d);
	return 0;
}

static int owner_of(const struct owner *set, size_t n, uint32_t inode)
{
	struct owner key = { .inode = inode }, *hit;

	if (!inode)
		return 0;
	hit = bsearch(&key, set, n, sizeof(*set), cmp_owner);
	return hit ? hit->pid : 0;
}

int owners_resolve(const char *proc_root, struct observation *o)
{
	_cleanup_free_ struct owner *set = NULL;
	size_t n = 0, cap = o->n_listeners, denied = 0;
	int r;

	FOREACH_TCP_STATE(s)
		cap += o->top[s].n;
	set = calloc(cap ? cap : 1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	FOREACH_TCP_STATE(s)
		for (size_t i = 0; i < o->top[s].n; i++)
			if (o->top[s].ports[i].inode)
				set[n++].inode = o->top[s].ports[i].inode;
	for (size_t i = 0; i < o->n_listeners; i++)
		if (o->listeners[i].inode)
			set[n++].inode = o->listeners[i].inode;
	qsort(set, n, sizeof(*set), cmp_owner);

	o->processes = true;
	if (n > 0) {
		r = scan_all(proc_root, set, n, &denied);
		if (r < 0)
			return r;
	}
	FOREACH_TCP_STATE(s)
		for (size_t i = 0; i < o->top[s].n; i++) {
			struct port_count *p = &o->top[s].ports[i];

			p->pid = owner_of(set, n, p->inode);
			p->comm = p->pid ? read_comm(proc_root, p->pid) : NULL;
		}
	for (size_t i = 0; i < o->n_listeners; i++) {
		struct listener *l = &o->listeners[i];

		l->pid = owner_of(set, n, l->inode);
		l->comm = l->pid ? read_comm(proc_root, l->pid) : NULL;
	}
	if (denied > 0)
		return observation_add_note(o,
					    "owners: %zu processes could not be inspected (not "
					    "permitted); run as root to see every owner",
					    denied);
	return 0;
}
