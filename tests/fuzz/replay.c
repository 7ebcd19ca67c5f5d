// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replays inputs through a fuzz target without libFuzzer, so that every
 * crash ever found, and the seeds, stay tests of the ordinary build:
 *
 *   replay_<target> FILE|DIR...
 *
 * A directory stands for its files, recursively, in name order; names
 * starting with '.' are skipped (.gitkeep). Each input's name is printed
 * before it runs, so that the last line names the one that crashed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util.h"

/* Larger than any seed or crash libFuzzer writes with its default -max_len. */
#define REPLAY_MAX_INPUT (16 * 1024 * 1024)

static int replay_file(const char *path, size_t *count)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = read_file_str(path, REPLAY_MAX_INPUT, &buf, &len);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return r;
	}
	printf("replay %s\n", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	(*count)++;
	return 0;
}

static int skip_hidden(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int replay_path(const char *path, size_t *count);

static int replay_dir(const char *dir, size_t *count)
{
	struct dirent **names;
	int n, r = 0;

	n = scandir(dir, &names, skip_hidden, alphasort);
	if (n < 0) {
		r = -errno;
		fprintf(stderr, "%s: %s\n", dir, strerror(-r));
		return r;
	}
	for (int i = 0; i < n; i++) {
		_cleanup_free_ char *p = path_join(dir, names[i]->d_name);

		if (r == 0)
			r = p ? replay_path(p, count) : -ENOMEM;
		free(names[i]);
	}
	free(names);
	return r;
}

static int replay_path(const char *path, size_t *count)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		int r = -errno;

		fprintf(stderr, "%s: %s\n", path, strerror(-r));
		return r;
	}
	return S_ISDIR(st.st_mode) ? replay_dir(path, count) : replay_file(path, count);
}

int main(int argc, char **argv)
{
	size_t count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) < 0)
			return 1;
	/* Paths that name no input at all are a broken test, not a passing one. */
	if (count == 0) {
		fprintf(stderr, "%s: no inputs found\n", argv[0]);
		return 1;
	}
	printf("%zu inputs replayed\n", count);
	return 0;
}
