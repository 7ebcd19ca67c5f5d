// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>

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

int netns_enter(const char *path, char **errmsg)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errmsg, -errno, "network namespace %s: %m", path);
	if (setns(fd, CLONE_NEWNET) < 0) {
		int r = -errno;

		if (r == -EINVAL)
			return err_set(errmsg, r, "%s: not a network namespace", path);
		return err_set(errmsg, r, "entering network namespace %s: %m", path);
	}
	return 0;
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
