/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_WANT_H
#define TCPTUNE_WANT_H

#include <stdbool.h>

#include "kb.h"
#include "loaderr.h"

/*
 * A wanted value: what a rule recommends, a profile sets or --set asks for,
 * and how it relates to the live value. The one place that knows what each
 * kind means; rules (judge), plans and profiles (act) and `profiles show`
 * (cmd) all ask here, so they cannot disagree on whether a value is met.
 *
 *   30                   REC_SET    exactly this value
 *   {min: 4096}          REC_MIN    at least this: never lowers what is there
 *   {max: 30}            REC_MAX    at most this: never raises what is there
 *   {widen: 1024 65535}  REC_WIDEN  a range covering this one: never narrows
 */
enum rec_kind {
	REC_SET,
	REC_MIN,
	REC_MAX,
	REC_WIDEN,
};

/* "set", "min", "max", "widen". */
const char *want_kind_name(enum rec_kind kind);

/* Which forms a file accepts, and how its messages name the field. */
struct want_syntax {
	unsigned kinds;	  /* WANT_KINDS(REC_MIN, ...): the forms besides a plain value */
	bool bound_expr;  /* {min: EXPR}/{max: EXPR} may be an expression (rules) */
	const char *what; /* prefix of messages: "recommend: " or "" */
};
#define WANT_KIND(k) (1u << (k))

/*
 * Parses the YAML form of one wanted value of key (known to the knowledge
 * base as kb): a scalar, or a one-entry map {min|max|widen: scalar}. Returns
 * the scalar node and sets *ret_kind, or reports why in c and returns NULL:
 * a kind the syntax does not accept, a bound on a key that is not one
 * integer, widen on a key that is not a pair, a value that is not a scalar.
 * The scalar itself is checked by the caller (kb_check_set(), or as an
 * expression where syntax->bound_expr allows).
 */
const struct ynode *want_parse(const struct load_ctx *c, const struct want_syntax *syntax,
			       const char *key, const struct kb_entry *kb, const struct ynode *v,
			       enum rec_kind *ret_kind);

/* Whether the key can take this kind: a bound one integer, widen a pair; a value any key. */
bool want_kind_fits(const struct kb_entry *kb, enum rec_kind kind);

/*
 * Whether live already satisfies wanted of this kind, compared as the kernel
 * acts on them (kb_effective(): tcp_orphan_retries 0 means 8). kb may be
 * NULL for a key the knowledge base does not know. False when live is NULL
 * (absent) or either value does not parse for the key.
 */
bool want_satisfied(const struct kb_entry *kb, enum rec_kind kind, const char *live,
		    const char *wanted);

/*
 * The value to write on this machine: wanted for REC_SET; the live value
 * when a bound already holds, else the bound; for REC_WIDEN the smallest
 * range covering both. wanted when live is NULL or does not parse. A copy
 * to free, NULL on ENOMEM.
 */
char *want_resolve(const struct kb_entry *kb, enum rec_kind kind, const char *live,
		   const char *wanted);

#endif
