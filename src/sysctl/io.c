// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Values are a line; the largest (ip_local_reserved_ports) are a few KiB. */
#define SYSCTL_MAX_VALUE (64 * 1024)

int sysctl_read(const char *root, const char *key, char **ret_value)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = sysctl_key_path(root, key, &path);
	if (r < 0)
		return r;
	r = read_file_str(path, SYSCTL_MAX_VALUE, &buf, &len);
	/* "net.ipv4.tcp_rmem.x": a component is a file, so there is no such key. */
	if (r == -ENOTDIR)
		return -ENOENT;
	if (r < 0)
		return r;
	/* A NUL inside would silently cut the value short. */
	if (strlen(buf) != len)
		return -EBADMSG;
	*ret_value = sysctl_value_normalize(TAKE_PTR(buf));
	return 0;
}

int sysctl_writable(const char *root, const char *key)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;
	int r;

	r = sysctl_key_path(root, key, &path);
	if (r < 0)
		return r;
	if (stat(path, &st) < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	return st.st_mode & S_IWUSR ? 0 : -EROFS;
}

int sysctl_write(const char *root, const char *key, const char *value)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	ssize_t n;
	int r;

	/* A second line would be a second value to the kernel: refuse it here. */
	if (!value || strchr(value, '\n'))
		return -EINVAL;
	r = sysctl_key_path(root, key, &path);
	if (r < 0)
		return r;
	len = strlen(value);
	buf = malloc(len + 2);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, value, len);
	buf[len++] = '\n';
	buf[len] = '\0';
	/* O_TRUNC does nothing to /proc/sys, and makes a fake tree of plain files behave alike. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR ? -ENOENT : -errno;
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	return 0;
}

char *sysctl_value_normalize(char *s)
{
	char *w = s;
	bool blank = false;

	if (!s)
		return NULL;
	for (const char *r = s; *r; r++) {
		if (strchr(" \t\n\r\v\f", *r)) {
			/* Only between words: leading and trailing runs vanish. */
			blank = w != s;
			continue;
		}
		if (blank)
			*w++ = ' ';
		blank = false;
		*w++ = *r;
	}
	*w = '\0';
	return s;
}
