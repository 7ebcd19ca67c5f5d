// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "dirlist.h"
#include "util.h"

#define LOCK_POLL_MS 50

/* Where an fd points, for messages: the kernel's name for it, or NULL. */
static char *fd_path(int fd)
{
	char link[64];
	_cleanup_free_ char *buf = malloc(PATH_MAX);
	ssize_t n;

	if (!buf)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, PATH_MAX - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return TAKE_PTR(buf);
}

char *state_path(int dirfd, const char *name)
{
	_cleanup_free_ char *dir = fd_path(dirfd);

	return dir ? path_join(dir, name) : strdup(name);
}

/* The checks run on the opened directory itself, so that a rename in between changes nothing. */
static int check_dir(int fd, const char *path, char **errmsg)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(errmsg, -errno, "cannot stat state directory %s: %s", path,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(errmsg, -EPERM, "state directory %s is not a directory", path);
	if (st.st_uid != geteuid())
		return err_set(errmsg, -EPERM,
			       "state directory %s is owned by uid %u, not by uid %u", path,
			       (unsigned)st.st_uid, (unsigned)geteuid());
	/* Whoever can write there can forge the history that rollback trusts. */
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_set(errmsg, -EPERM,
			       "state directory %s is writable by group or others (mode %04o)",
			       path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int state_dir_open(const char *shown, bool create, int *ret_fd, char **errmsg)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *path = NULL;
	bool created = false;
	size_t len;
	int r;

	if (!shown || !*shown || !ret_fd)
		return -EINVAL;
	/* "LINK/" resolves LINK whatever O_NOFOLLOW says: open the name without the slashes. */
	len = strlen(shown);
	while (len > 1 && shown[len - 1] == '/')
		len--;
	path = strndup(shown, len);
	if (!path)
		return -ENOMEM;
	if (create) {
		if (mkdir(path, 0700) == 0)
			created = true;
		else if (errno != EEXIST)
			return err_set(errmsg, -errno, "cannot create state directory %s: %s",
				       shown, strerror(errno));
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;

		r = -errno;
		/* O_NOFOLLOW|O_DIRECTORY says ENOTDIR or ELOOP for a symlink: say which it is. */
		if ((r == -ELOOP || r == -ENOTDIR) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return err_set(errmsg, -EPERM, "state directory %s is a symlink", shown);
		if (r == -ENOTDIR || r == -ELOOP)
			return err_set(errmsg, -EPERM, "state directory %s is not a directory",
				       shown);
		if (r == -ENOENT)
			return err_set(errmsg, r, "state directory %s does not exist", shown);
		return err_set(errmsg, r, "cannot open state directory %s: %s", shown,
			       strerror(-r));
	}
	/* mkdir() honours the umask: make sure of 0700 (0000 would lock us out). */
	if (created && fchmod(fd, 0700) < 0)
		return err_set(errmsg, -errno, "cannot chmod state directory %s: %s", shown,
			       strerror(errno));
	r = check_dir(fd, shown, errmsg);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Polls rather than blocks for a bounded wait: flock() has no timeout, and
 * an alarm signal would reach the whole process.
 */
static int lock_wait(int fd, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (flock(fd, LOCK_EX | (timeout_ms < 0 ? 0 : LOCK_NB)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (now_ms() >= deadline)
			return timeout_ms == 0 ? -EWOULDBLOCK : -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = LOCK_POLL_MS * 1000000L }, NULL);
	}
}

int state_lock(int dirfd, int timeout_ms, int *ret_lockfd, char **errmsg)
{
	_cleanup_free_ char *path = state_path(dirfd, "lock");
	_cleanup_close_ int fd = -1;
	int r;

	if (!ret_lockfd)
		return -EINVAL;
	fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(errmsg, -errno, "cannot open lock %s: %s", path ? path : "lock",
			       strerror(errno));
	r = lock_wait(fd, timeout_ms);
	if (r == -EWOULDBLOCK || r == -ETIMEDOUT)
		return err_set(errmsg, r, "another tcptune transaction is running (lock %s)",
			       path ? path : "lock");
	if (r < 0)
		return err_set(errmsg, r, "cannot lock %s: %s", path ? path : "lock", strerror(-r));
	*ret_lockfd = TAKE_FD(fd);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes, flushes and closes the temporary file; the caller renames it. */
static int write_tmp(int dirfd, const char *tmp, const char *text, mode_t mode)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	/* O_TRUNC keeps a leftover file's mode, and the umask may have narrowed ours. */
	if (fchmod(fd, mode) < 0)
		return -errno;
	r = write_all(fd, text, strlen(text));
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return -errno;
	if (close(TAKE_FD(fd)) < 0)
		return -errno;
	return 0;
}

int file_write_atomic(int dirfd, const char *name, const char *text, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	int r;

	if (asprintf(&tmp, "%s.tmp", name) < 0)
		return -ENOMEM;
	r = write_tmp(dirfd, tmp, text, mode);
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename is durable only once the directory is. */
	return fsync(dirfd) < 0 ? -errno : 0;
}

void state_clean_tmp(int dirfd)
{
	char **names = NULL;
	size_t n = 0;

	if (dir_list(dirfd, ".", ".json.tmp", &names, &n) < 0)
		return;
	/* Only under the lock, so no writer is between its write and its rename. */
	for (size_t i = 0; i < n; i++)
		unlinkat(dirfd, names[i], 0);
	strv_free(names);
}
