/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers of the unit tests that work in a temporary directory (include after cmocka.h). */
#ifndef TCPTUNE_TEST_TMPDIR_H
#define TCPTUNE_TEST_TMPDIR_H

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* A temporary directory, and its name as the kernel reports it (for messages). */
struct tmpdir {
	char path[64];
	char real[PATH_MAX];
};

static inline void tmpdir_make(struct tmpdir *d)
{
	snprintf(d->path, sizeof(d->path), "/tmp/tcptune-test-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	assert_non_null(realpath(d->path, d->real));
}

static inline void tmpdir_remove(struct tmpdir *d)
{
	_cleanup_free_ char *cmd = NULL;

	/* The path is ours and made by mkdtemp: no shell quoting issues. */
	assert_true(asprintf(&cmd, "rm -rf '%s'", d->path) > 0);
	assert_int_equal(system(cmd), 0);
}

static inline char *join(const char *a, const char *b)
{
	char *p = path_join(a, b);

	assert_non_null(p);
	return p;
}

static inline void write_text(const char *path, const char *text, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static inline mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* The names in a directory, sorted, as one string "a b c". */
static inline char *dir_names(const char *path)
{
	struct dirent **list;
	char *out = strdup("");
	int n = scandir(path, &list, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		char *next;

		if (list[i]->d_name[0] != '.') {
			assert_true(asprintf(&next, "%s%s%s", out, *out ? " " : "",
					     list[i]->d_name) > 0);
			free(out);
			out = next;
		}
		free(list[i]);
	}
	free(list);
	return out;
}

#endif
