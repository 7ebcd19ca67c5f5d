// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "dirlist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

bool str_has_suffix(const char *s, const char *suffix)
{
	size_t len = strlen(s), n = strlen(suffix);

	return len > n && strcmp(s + len - n, suffix) == 0;
}

int strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static void closedirp(DIR **d)
{
	if (*d)
		closedir(*d);
}

/* Appends a copy of name to the NULL-terminated array *v of *n names. */
static int strv_push(char ***v, size_t *n, const char *name)
{
	char **grown = reallocarray(*v, *n + 2, sizeof(**v));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	grown[*n] = strdup(name);
	if (!grown[*n])
		return -ENOMEM;
	grown[++*n] = NULL;
	return 0;
}

int dir_list(int dirfd, const char *path, const char *suffix, char ***ret, size_t *ret_n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char **names = calloc(1, sizeof(*names));
	size_t n = 0;
	int fd, r = 0;

	if (!names)
		return -ENOMEM;
	/* Its own open file description, so that readdir leaves dirfd's offset alone. */
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		free(names);
		return r;
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de) {
			r = -errno;
			break;
		}
		if (de->d_name[0] == '.' || !str_has_suffix(de->d_name, suffix))
			continue;
		r = strv_push(&names, &n, de->d_name);
		if (r < 0)
			break;
	}
	if (r < 0) {
		strv_free(names);
		return r;
	}
	qsort(names, n, sizeof(*names), strv_cmp);
	*ret = names;
	*ret_n = n;
	return 0;
}
