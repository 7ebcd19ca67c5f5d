/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_LOADERR_H
#define TCPTUNE_LOADERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct ynode;

/*
 * What the loaders of configuration files (rules, profiles) share: every
 * problem is gathered rather than the first one returned, each as
 * "file:line:column: message", so that one run shows the user all of them.
 */
struct load_errors {
	char **msgs;
	size_t n;
};

void load_errors_free(struct load_errors *e);
int load_errors_add(struct load_errors *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Adds "file:line:column: message" for the position of node n. */
void load_errors_at(struct load_errors *e, const char *file, const struct ynode *n, const char *fmt,
		    ...) __attribute__((format(printf, 4, 5)));
void load_errors_vat(struct load_errors *e, const char *file, const struct ynode *n,
		     const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Where a loader is: the file its messages name, and where they are gathered. */
struct load_ctx {
	const char *file;
	struct load_errors *errs;
};

/* load_errors_at() for the loader's file. */
void load_bad(const struct load_ctx *c, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The text of a scalar node, or NULL after "FIELD: expected a scalar, found a KIND". */
const char *load_scalar(const struct load_ctx *c, const struct ynode *n, const char *field);

/* An identifier (a rule id, a profile name): 1 to 64 lower-case letters, digits and '-'. */
bool load_valid_id(const char *id);

/*
 * Opens a rule file or profile for reading and checks the opened file itself
 * (fstat() of the descriptor the caller then reads, so that a file swapped in
 * after the check is never read): it must be owned by root or by the
 * effective uid, and not writable by group or others, since such a file would
 * let another user change what root is told or made to do. Returns the
 * descriptor, or a negative errno after adding one message to errs:
 * "path: owned by uid N, not by root or uid M: refusing it" or
 * "path: refusing a <what> that group or others may write" (-EPERM),
 * "path: not a regular file" (-EINVAL: a FIFO is refused, not waited on), or
 * "path: <strerror>" when it cannot be opened (open()'s -errno).
 */
int load_open_safe(const char *path, const char *what, struct load_errors *errs);

#endif
