// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "sysctl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * A key names a file under the sysctl root. In the slashed form the key is
 * that relative path. In the dotted form '.' separates and '/' stands for a
 * '.' inside a name, as procps' sysctl(8) writes an interface "eth0.100":
 * net.ipv4.conf.eth0/100.rp_filter. The first separator decides the form,
 * as in systemd's sysctl_normalize(). Everything below works on the path
 * form, so that the checks that keep a key under the root see what open() sees.
 */

static bool key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '/';
}

/* Turns one form into the other, in place. */
static void key_swap_separators(char *s)
{
	for (; *s; s++) {
		if (*s == '.')
			*s = '/';
		else if (*s == '/')
			*s = '.';
	}
}

/*
 * A relative path stays under its root when every component is a plain name.
 * An empty component would also make "/net" absolute or "net/" a directory.
 */
static bool relpath_is_safe(const char *p)
{
	for (;;) {
		size_t len = strcspn(p, "/");

		if (len == 0)
			return false;
		if (p[0] == '.' && (len == 1 || (len == 2 && p[1] == '.')))
			return false;
		if (!p[len])
			return true;
		p += len + 1;
	}
}

/* The key as a validated path relative to the sysctl root. */
static int key_to_relpath(const char *key, char **ret)
{
	_cleanup_free_ char *p = NULL;

	if (!key || !*key)
		return -EINVAL;
	for (const char *c = key; *c; c++)
		if (!key_char_ok(*c))
			return -EINVAL;
	p = strdup(key);
	if (!p)
		return -ENOMEM;
	if (key[strcspn(key, "./")] == '.')
		key_swap_separators(p);
	if (!relpath_is_safe(p))
		return -EINVAL;
	*ret = TAKE_PTR(p);
	return 0;
}

int sysctl_key_normalize(const char *key, char **ret)
{
	char *p;
	int r;

	r = key_to_relpath(key, &p);
	if (r < 0)
		return r;
	key_swap_separators(p);
	*ret = p;
	return 0;
}

int sysctl_key_path(const char *root, const char *key, char **ret)
{
	_cleanup_free_ char *rel = NULL;
	char *p;
	int r;

	/* path_join("", rel) would be "/rel": an empty root must not mean "/". */
	if (!root || !*root)
		return -EINVAL;
	r = key_to_relpath(key, &rel);
	if (r < 0)
		return r;
	p = path_join(root, rel);
	if (!p)
		return -ENOMEM;
	*ret = p;
	return 0;
}
