// SPDX-License-Identifier: GPL-2.0-or-later
/* Which sysctl.d files the system reads, in which order: what `lint` checks by default. */
#define _GNU_SOURCE
#include "lint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "util.h"

/* systemd-sysctl's search path, highest priority first (sysctl.d(5)). */
static const char *const conf_dirs[] = {
	"/etc/sysctl.d",     "/run/sysctl.d", "/usr/local/lib/sysctl.d",
	"/usr/lib/sysctl.d", "/lib/sysctl.d",
};
/* procps `sysctl --system` reads it after all of the above. */
#define SYSCTL_CONF "/etc/sysctl.conf"

struct conf_file {
	char *name; /* "10-x.conf": what masks and sorts */
	char *path; /* "/etc/sysctl.d/10-x.conf", relative to the root */
	bool masked;
};

static int conf_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

static bool name_seen(const struct conf_file *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return true;
	return false;
}

/* A link to /dev/null masks the name without being read, as in systemd. */
static bool is_mask(const char *path)
{
	char target[16];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "/dev/null") == 0;
}

static int add_conf_file(const char *root, const char *dir, const char *name,
			 struct conf_file **files, size_t *n)
{
	_cleanup_free_ char *rel = NULL, *full = NULL;
	struct conf_file *nf;
	struct stat st;
	bool masked;

	if (asprintf(&rel, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	full = path_join(root, rel);
	if (!full)
		return -ENOMEM;
	masked = is_mask(full);
	/* Directories and dangling links named *.conf are not configuration. */
	if (!masked && (stat(full, &st) < 0 || !S_ISREG(st.st_mode)))
		return 0;
	nf = realloc(*files, (*n + 1) * sizeof(**files));
	if (!nf)
		return -ENOMEM;
	*files = nf;
	nf[*n] =
		(struct conf_file){ .name = strdup(name), .path = TAKE_PTR(rel), .masked = masked };
	if (!nf[(*n)++].name)
		return -ENOMEM;
	return 0;
}

static int scan_dir(const char *root, const char *dir, struct conf_file **files, size_t *n)
{
	_cleanup_free_ char *path = path_join(root, dir);
	char **names = NULL;
	size_t n_names = 0;
	int r;

	if (!path)
		return -ENOMEM;
	r = dir_list(AT_FDCWD, path, ".conf", &names, &n_names);
	if (r < 0)
		return r == -ENOENT || r == -ENOTDIR ? 0 : r;
	for (size_t i = 0; r == 0 && i < n_names; i++)
		if (!name_seen(*files, *n, names[i]))
			r = add_conf_file(root, dir, names[i], files, n);
	strv_free(names);
	return r;
}

void lint_files_free(char **files, size_t n)
{
	for (size_t i = 0; files && i < n; i++)
		free(files[i]);
	free(files);
}

static void conf_files_free(struct conf_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(files[i].name);
		free(files[i].path);
	}
	free(files);
}

int lint_default_files(const char *root, char ***ret_files, size_t *ret_n)
{
	struct conf_file *files = NULL;
	_cleanup_free_ char *conf = path_join(root, SYSCTL_CONF);
	char **out = NULL;
	size_t n = 0, n_out = 0;
	struct stat st;
	int r = conf ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(conf_dirs); i++)
		r = scan_dir(root, conf_dirs[i], &files, &n);
	if (r == 0 && !(out = calloc(n + 1, sizeof(*out))))
		r = -ENOMEM;
	if (r == 0) {
		if (n)
			qsort(files, n, sizeof(*files), conf_file_cmp);
		for (size_t i = 0; i < n; i++)
			if (!files[i].masked)
				out[n_out++] = TAKE_PTR(files[i].path);
		if (stat(conf, &st) == 0 && S_ISREG(st.st_mode) &&
		    !(out[n_out++] = strdup(SYSCTL_CONF)))
			r = -ENOMEM;
	}
	conf_files_free(files, n);
	if (r < 0) {
		lint_files_free(out, n_out);
		return r;
	}
	*ret_files = out;
	*ret_n = n_out;
	return 0;
}
