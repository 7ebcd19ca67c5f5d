/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_DIRLIST_H
#define TCPTUNE_DIRLIST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The names in a directory that end in suffix (".yaml", ".json", ".conf")
 * with something before it, hidden ones (".x.yaml") left out, sorted
 * bytewise as sort(1) with LC_ALL=C would, NULL-terminated (free with
 * strv_free()). The directory is path relative to dirfd (AT_FDCWD, or an
 * open directory with path "."; its offset is not moved). 0, or -errno from
 * opening or reading it (-ENOENT, -ENOTDIR, -EACCES...) or -ENOMEM.
 */
int dir_list(int dirfd, const char *path, const char *suffix, char ***ret, size_t *ret_n);

/* Whether s ends in suffix, with at least one character before it. */
bool str_has_suffix(const char *s, const char *suffix);

/* qsort() comparator of an array of strings, bytewise. */
int strv_cmp(const void *a, const void *b);

/* Frees a NULL-terminated array of strings and the array. */
void strv_free(char **v);

#endif
