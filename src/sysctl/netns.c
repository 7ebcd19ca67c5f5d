// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "netns.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "util.h"

int netns_path_from_name(const char *name, char **ret)
{
	char *p;

	if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	p = strchr(name, '/') ? strdup(name) : path_join("/run/netns", name);
	if (!p)
		return -ENOMEM;
	*ret = p;
	return 0;
}

int netns_path_from_pid(const char *proc_root, const char *pid, char **ret)
{
	_cleanup_free_ char *rel = NULL;
	int64_t v;
	char *p;

	if (parse_i64(pid, 1, INT32_MAX, &v) < 0)
		return -EINVAL;
	if (asprintf(&rel, "%lld/ns/net", (long long)v) < 0)
		return -ENOMEM;
	p = path_join(proc_root, rel);
	if (!p)
		return -ENOMEM;
	*ret = p;
	return 0;
}

static void id_from_stat(const struct stat *st, struct netns_id *ret)
{
	*ret = (struct netns_id){ .dev = (uint64_t)st->st_dev, .ino = (uint64_t)st->st_ino };
}

/* The cookie of the namespace we are in: 0 when the kernel cannot tell (before 5.14). */
static uint64_t current_cookie(void)
{
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint64_t cookie = 0;
	socklen_t len = sizeof(cookie);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &len) < 0)
		return 0;
	return cookie;
}

int netns_enter_checked(const char *path, const struct netns_id *id, int *ret_back, char **errmsg)
{
	_cleanup_close_ int fd = -1, back = -1;
	struct netns_id found = { 0 };
	struct stat st;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(errmsg, -errno, "network namespace %s: %m", path);
	id_from_stat(&st, &found);
	if (id && netns_id_known(id) && !netns_id_equal(id, &found))
		return err_set(errmsg, -ESTALE,
			       "%s is now another network namespace (inode %" PRIu64
			       ", not %" PRIu64 ")",
			       path, found.ino, id->ino);
	if (ret_back || (id && id->cookie)) {
		back = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
		if (back < 0)
			return err_set(errmsg, -errno, "our own network namespace: %m");
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		int r = -errno;

		if (r == -EINVAL)
			return err_set(errmsg, r, "%s: not a network namespace", path);
		return err_set(errmsg, r, "entering network namespace %s: %m", path);
	}
	/* The same inode, but a namespace that took the number of a deleted one? */
	found.cookie = current_cookie();
	if (id && !netns_id_equal(id, &found)) {
		int r = setns(back, CLONE_NEWNET) < 0 ? -errno : 0;

		if (r < 0)
			return err_set(errmsg, r, "returning from network namespace %s: %m", path);
		return err_set(errmsg, -ESTALE,
			       "%s is now another network namespace (inode %" PRIu64
			       " again, but not the same namespace)",
			       path, found.ino);
	}
	if (ret_back)
		*ret_back = TAKE_FD(back);
	return 0;
}

int netns_enter(const char *path, char **errmsg)
{
	return netns_enter_checked(path, NULL, NULL, errmsg);
}

int netns_return(int back)
{
	int r = setns(back, CLONE_NEWNET) < 0 ? -errno : 0;

	close(back);
	return r;
}

int netns_id_of(const char *path, struct netns_id *ret)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	id_from_stat(&st, ret);
	return 0;
}

int netns_id_current(struct netns_id *ret)
{
	int r = netns_id_of("/proc/thread-self/ns/net", ret);

	if (r == 0)
		ret->cookie = current_cookie();
	return r;
}

void netns_ref_clear(struct netns_ref *ref)
{
	free(ref->given);
	free(ref->path);
	*ref = (struct netns_ref){ 0 };
}

int netns_ref_copy(struct netns_ref *dst, const struct netns_ref *src)
{
	*dst = (struct netns_ref){ .id = src->id };
	if ((src->given && !(dst->given = strdup(src->given))) ||
	    (src->path && !(dst->path = strdup(src->path)))) {
		netns_ref_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

/* The cookie of ref's namespace, read from inside when we may enter it; else left 0. */
static void read_cookie(struct netns_ref *ref)
{
	struct netns_id inside = { 0 };
	int back = -1;

	if (netns_enter_checked(ref->path, &ref->id, &back, NULL) < 0)
		return;
	if (netns_id_current(&inside) == 0 && netns_id_equal(&inside, &ref->id))
		ref->id.cookie = inside.cookie;
	/* Not back home would be worse than no cookie: nothing may go on there. */
	if (netns_return(back) < 0)
		abort();
}

int netns_ref_resolve(const char *name, const char *pid, const char *proc_root,
		      struct netns_ref *ret, char **errmsg)
{
	struct netns_ref ref = { 0 };
	int r;

	if (name) {
		r = netns_path_from_name(name, &ref.path);
		if (r == 0 && !(ref.given = strdup(name)))
			r = -ENOMEM;
	} else {
		r = netns_path_from_pid(proc_root, pid, &ref.path);
		if (r == 0 && asprintf(&ref.given, "pid %s", pid) < 0)
			r = -ENOMEM;
	}
	if (r == -EINVAL)
		r = err_set(errmsg, r, "'%s' is not a %s", name ? name : pid,
			    name ? "namespace name or path" : "process id");
	else if (r == 0 && (r = netns_id_of(ref.path, &ref.id)) < 0)
		r = err_set(errmsg, r, "network namespace %s: %s", ref.path, strerror(-r));
	if (r < 0) {
		netns_ref_clear(&ref);
		return r;
	}
	read_cookie(&ref);
	*ret = ref;
	return 0;
}

/* The first name in dir (with sub appended) whose namespace is id. */
static int find_in(const char *dir, const char *sub, bool pids_only, const struct netns_id *id,
		   char **ret_path)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	r = dir_list(AT_FDCWD, dir, "", &names, &n);
	if (r < 0)
		return r == -ENOMEM ? r : -ENOENT;
	r = -ENOENT;
	for (size_t i = 0; r == -ENOENT && i < n; i++) {
		_cleanup_free_ char *p = NULL;
		struct netns_id found = { 0 };

		if (pids_only && strspn(names[i], "0123456789") != strlen(names[i]))
			continue;
		if (asprintf(&p, "%s/%s%s", dir, names[i], sub) < 0) {
			r = -ENOMEM;
		} else if (netns_id_of(p, &found) == 0 && netns_id_equal(&found, id)) {
			*ret_path = TAKE_PTR(p);
			r = 0;
		}
	}
	strv_free(names);
	return r;
}

int netns_find(const char *run_dir, const char *proc_root, const struct netns_id *id,
	       char **ret_path)
{
	int r;

	if (!netns_id_known(id))
		return -ENOENT;
	r = find_in(run_dir, "", false, id, ret_path);
	if (r == -ENOENT)
		r = find_in(proc_root, "/ns/net", true, id, ret_path);
	return r;
}

int netns_current_inode(const char *proc_root, uint64_t *ret)
{
	_cleanup_free_ char *p = path_join(proc_root, "self/ns/net");
	struct stat st;

	if (!p)
		return -ENOMEM;
	if (stat(p, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}
