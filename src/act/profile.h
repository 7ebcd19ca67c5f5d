/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_PROFILE_H
#define TCPTUNE_PROFILE_H

#include <stddef.h>

#include "loaderr.h" /* struct load_errors */
#include "dirlist.h" /* strv_free() */
#include "want.h"    /* enum rec_kind */

/*
 * Profiles: named sets of sysctls (YAML). A profile may include one other
 * (single inheritance; its own values win); cycles are refused.
 *
 *   name: high-conn
 *   description: Servers with very many short connections.
 *   include: defaults
 *   sysctl:
 *     net.core.somaxconn: {min: 4096}
 *     net.ipv4.tcp_fin_timeout: 30
 */

struct profile_entry {
	char *key;	    /* canonical dotted */
	char *value;	    /* normalised */
	enum rec_kind kind; /* REC_SET, REC_MIN (raise only), REC_MAX (lower only) */
	char *origin;	    /* "profiles/high-conn.yaml:12" */
};

struct profile {
	char *name;
	char *description;
	char *include; /* the name it includes, NULL */
	char *path;
	struct profile_entry *entries; /* after include: resolved, in key order */
	size_t n;
};

void profile_free(struct profile *p);

/*
 * Finds and loads a profile by NAME (searching dirs in order, the first
 * match wins: /etc/tcptune/profiles.d before the shipped ones) or by FILE
 * path (anything with a '/' or ending in .yaml), resolving include. Every
 * problem is gathered in errs as "file:line:column: message": unknown
 * fields, unknown keys or invalid values per the knowledge base, forbidden
 * values (removed keys; anything but {min: N} for a never-lower limit), a
 * name that differs from the file's, an include that does not exist or
 * loops ("include cycle: a -> b -> a"), files group or others may write.
 * Returns 0 and fills ret, or -ENOENT (no such profile), -EACCES (not
 * readable), -EBADMSG or -ENOMEM.
 */
int profile_load(const char *name_or_path, const char *const *dirs, struct profile *ret,
		 struct load_errors *errs);

/*
 * Names of every profile in dirs (the first of each name), sorted and
 * NULL-terminated (free with strv_free()). Missing dirs hold none.
 */
int profile_list(const char *const *dirs, char ***ret, size_t *ret_n);

#endif
