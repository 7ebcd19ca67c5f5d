// SPDX-License-Identifier: GPL-2.0-or-later
/* act/store: the state directory's checks, its lock, cleaning and the atomic writer. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "store.h"
#include "tmpdir.h"
#include "util.h"

#define ID1 "20261121-063000-4f2a"
#define ID2 "20261121-063512-0001"
#define ID3 "20261122-000000-ffff"

static void assert_dir_refused(const char *path, bool create, int want_r, const char *want_msg)
{
	_cleanup_free_ char *msg = NULL;
	int fd = -2;
	int r = state_dir_open(path, create, &fd, &msg);

	if (r != want_r || !msg || strcmp(msg, want_msg) != 0)
		fail_msg("%s: r=%d msg '%s', want %d '%s'", path, r, msg ? msg : "(null)", want_r,
			 want_msg);
	assert_int_equal(fd, -2);
}

static void assert_dir_opens(const char *path, bool create)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_close_ int fd = -1;
	struct stat st;

	assert_int_equal(state_dir_open(path, create, &fd, &msg), 0);
	assert_null(msg);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
}

static void test_state_dir(void **state)
{
	struct tmpdir d;
	_cleanup_free_ char *state_dir = NULL, *link = NULL, *file = NULL, *open_dir = NULL;
	_cleanup_free_ char *missing = NULL, *deep = NULL, *msg = NULL;
	mode_t old_umask;

	(void)state;
	tmpdir_make(&d);
	state_dir = join(d.path, "state");
	link = join(d.path, "link");
	file = join(d.path, "file");
	open_dir = join(d.path, "open");
	missing = join(d.path, "missing");
	deep = join(d.path, "no/such");

	/* Created 0700, even under a umask that would leave it unusable. */
	old_umask = umask(0777);
	assert_dir_opens(state_dir, true);
	umask(old_umask);
	assert_int_equal(mode_of(state_dir), 0700);
	/* An existing 0700 directory is fine, created or not. */
	assert_dir_opens(state_dir, true);
	assert_dir_opens(state_dir, false);

	assert_int_equal(symlink(state_dir, link), 0);
	assert_int_equal(asprintf(&msg, "state directory %s is a symlink", link) > 0, 1);
	assert_dir_refused(link, false, -EPERM, msg);
	assert_dir_refused(link, true, -EPERM, msg);
	free(msg);
	/* "LINK/" would follow the link whatever O_NOFOLLOW says. */
	free(link);
	assert_int_equal(asprintf(&link, "%s/link//", d.path) > 0, 1);
	assert_int_equal(asprintf(&msg, "state directory %s is a symlink", link) > 0, 1);
	assert_dir_refused(link, false, -EPERM, msg);
	assert_dir_refused(link, true, -EPERM, msg);
	free(msg);
	/* A real directory given with slashes is fine. */
	assert_int_equal(asprintf(&msg, "%s//", state_dir) > 0, 1);
	assert_dir_opens(msg, false);
	free(msg);

	write_text(file, "x", 0600);
	assert_int_equal(asprintf(&msg, "state directory %s is not a directory", file) > 0, 1);
	assert_dir_refused(file, true, -EPERM, msg);
	free(msg);

	assert_int_equal(mkdir(open_dir, 0700), 0);
	assert_int_equal(chmod(open_dir, 0777), 0);
	assert_int_equal(asprintf(&msg,
				  "state directory %s is writable by group or others (mode 0777)",
				  open_dir) > 0,
			 1);
	assert_dir_refused(open_dir, true, -EPERM, msg);
	free(msg);
	assert_int_equal(chmod(open_dir, 0720), 0);
	assert_int_equal(asprintf(&msg,
				  "state directory %s is writable by group or others (mode 0720)",
				  open_dir) > 0,
			 1);
	assert_dir_refused(open_dir, false, -EPERM, msg);
	free(msg);
	/* Readable by others is no threat to the history. */
	assert_int_equal(chmod(open_dir, 0755), 0);
	assert_dir_opens(open_dir, false);

	/* Only root can give a directory away to test the owner check. */
	if (geteuid() == 0) {
		assert_int_equal(chown(open_dir, 65534, 65534), 0);
		assert_int_equal(asprintf(&msg,
					  "state directory %s is owned by uid 65534, not by uid 0",
					  open_dir) > 0,
				 1);
		assert_dir_refused(open_dir, false, -EPERM, msg);
		free(msg);
	}

	assert_int_equal(asprintf(&msg, "state directory %s does not exist", missing) > 0, 1);
	assert_dir_refused(missing, false, -ENOENT, msg);
	free(msg);
	assert_int_equal(asprintf(&msg,
				  "cannot create state directory %s: No such file or directory",
				  deep) > 0,
			 1);
	assert_dir_refused(deep, true, -ENOENT, msg);
	free(msg);
	msg = NULL;
	tmpdir_remove(&d);
}

static int64_t ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

static void test_state_lock(void **state)
{
	struct tmpdir d;
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *msg = NULL, *want = NULL, *lock = NULL;
	struct timespec start;
	int fd1 = -1, fd2 = -2;

	(void)state;
	tmpdir_make(&d);
	assert_int_equal(state_dir_open(d.path, false, &dirfd, NULL), 0);
	assert_int_equal(state_lock(dirfd, 0, &fd1, &msg), 0);
	assert_null(msg);
	lock = join(d.path, "lock");
	assert_int_equal(mode_of(lock), 0600);

	/* A second open file description is a second lock to flock(). */
	assert_true(asprintf(&want, "another tcptune transaction is running (lock %s/lock)",
			     d.real) > 0);
	assert_int_equal(state_lock(dirfd, 0, &fd2, &msg), -EWOULDBLOCK);
	assert_non_null(msg);
	assert_string_equal(msg, want);
	free(msg);
	msg = NULL;
	clock_gettime(CLOCK_MONOTONIC, &start);
	assert_int_equal(state_lock(dirfd, 120, &fd2, &msg), -ETIMEDOUT);
	assert_true(ms_since(&start) >= 120);
	assert_true(ms_since(&start) < 5000);
	assert_non_null(msg);
	assert_string_equal(msg, want);
	assert_int_equal(fd2, -2);

	/* Released with its fd: the next one takes it. */
	close(fd1);
	assert_int_equal(state_lock(dirfd, 120, &fd2, NULL), 0);
	assert_true(fd2 >= 0);
	close(fd2);
	tmpdir_remove(&d);
}

/* What a killed writer leaves, and only that, goes: not journals, the lock or other files. */
static void test_clean_tmp(void **state)
{
	struct tmpdir d;
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *names = NULL;
	static const char *const files[] = { ID1 ".json", ID1 ".json.tmp", ID2 ".json.tmp",
					     "lock",	  ID3 ".try",	   "notes.tmp" };

	(void)state;
	tmpdir_make(&d);
	assert_int_equal(state_dir_open(d.path, false, &dirfd, NULL), 0);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *path = join(d.path, files[i]);

		write_text(path, "x", 0600);
	}
	state_clean_tmp(dirfd);
	names = dir_names(d.path);
	assert_string_equal(names, ID1 ".json " ID3 ".try lock notes.tmp");
	tmpdir_remove(&d);
}

/* Whole, with the mode asked (whatever the umask or an old file's), no temporary left. */
static void test_write_atomic(void **state)
{
	struct tmpdir d;
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *file = NULL, *text = NULL, *names = NULL, *sub = NULL;
	mode_t old = umask(077);

	(void)state;
	tmpdir_make(&d);
	file = join(d.path, "x.conf");
	sub = join(d.path, "dir");
	dirfd = open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);

	assert_int_equal(file_write_atomic(dirfd, "x.conf", "a = 1\n", 0644), 0);
	assert_int_equal(mode_of(file), 0644);
	assert_int_equal(read_file_str(file, 1024, &text, NULL), 0);
	assert_string_equal(text, "a = 1\n");
	free(text);
	text = NULL;

	/* Replacing: the new text, the new mode, even over a leftover temporary file. */
	write_text(file, "stale", 0600);
	{
		_cleanup_free_ char *tmp = join(d.path, "x.conf.tmp");

		write_text(tmp, "leftover from a kill", 0666);
	}
	assert_int_equal(file_write_atomic(dirfd, "x.conf", "b = 2\n", 0600), 0);
	assert_int_equal(mode_of(file), 0600);
	assert_int_equal(read_file_str(file, 1024, &text, NULL), 0);
	assert_string_equal(text, "b = 2\n");
	names = dir_names(d.path);
	assert_string_equal(names, "x.conf");
	free(names);

	/* A failure (the name is a directory) leaves no temporary file behind. */
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(file_write_atomic(dirfd, "dir", "c\n", 0600), -EISDIR);
	names = dir_names(d.path);
	assert_string_equal(names, "dir x.conf");

	umask(old);
	tmpdir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_dir),
		cmocka_unit_test(test_state_lock),
		cmocka_unit_test(test_clean_tmp),
		cmocka_unit_test(test_write_atomic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
