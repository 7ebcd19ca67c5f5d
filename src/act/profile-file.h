/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_PROFILE_FILE_H
#define TCPTUNE_PROFILE_FILE_H

#include "loaderr.h"
#include "profile.h"

/* For profile.c: one file of a profile, before its include is resolved. */

#define PROFILE_SUFFIX ".yaml" /* a profile NAME is the file NAME.yaml */

struct profile_ctx {
	struct load_ctx lc;
	unsigned include_line, include_column; /* where `include:` points, for its errors */
};

/*
 * Parses the file c->lc.file into p (entries in file order, include
 * unresolved). expect: the name the file was found by, NULL for a path.
 * Returns 0, or the -errno of a file that could not be read; content
 * problems only go to c->lc.errs.
 */
int profile_parse_file(struct profile_ctx *c, const char *expect, struct profile *p);

void profile_entry_clear(struct profile_entry *e);
/* The entry of key in p, or NULL. */
const struct profile_entry *profile_find_entry(const struct profile *p, const char *key);
/* Appends *e to p, taking its strings over: 0 or -ENOMEM (e is left to the caller). */
int profile_append_entry(struct profile *p, struct profile_entry *e);

#endif
