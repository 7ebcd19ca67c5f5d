/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_EXPR_H
#define TCPTUNE_EXPR_H

#include <stddef.h>

#include "observation.h"

/*
 * The condition language of rules, parsed once at load time into a tree:
 *
 *   expr    := or
 *   or      := and ( "||" and )*
 *   and     := not ( "&&" not )*
 *   not     := "!" not | cmp
 *   cmp     := sum ( ( "<" | "<=" | ">" | ">=" | "==" | "!=" ) sum )?   (no chaining)
 *   sum     := product ( ( "+" | "-" ) product )*
 *   product := unary ( ( "*" | "/" ) unary )*
 *   unary   := "-" unary | primary
 *   primary := NUMBER | METRIC | "(" expr ")"
 *
 * NUMBER: decimal, optional fraction and exponent (1, 0.8, 1e6). METRIC: a
 * dotted name of the metric registry (observe/metrics.h), optionally with an
 * index ("sysctl.net.ipv4.ip_local_port_range[1]"); every metric is checked
 * against the registry at parse time, and one the registry knows as text
 * (peer.address, kernel.version, top.<state>.process) is refused. Truth
 * values are numbers: comparisons give 1 or 0, && and || take any non-zero
 * number as true and short-circuit.
 */

struct expr;

/*
 * Parses text. On error returns -EINVAL, sets *ret_column to the 1-based
 * column of the offending character and *errmsg to a message without a
 * position, e.g. "unknown metric 'state.timewait'", "expected ')'",
 * "unexpected end of expression", "comparisons cannot be chained",
 * "'peer.address' is text, not a number".
 */
int expr_parse(const char *text, struct expr **ret, unsigned *ret_column, char **errmsg);
struct expr *expr_free(struct expr *e);

/*
 * Evaluates against a snapshot. 0 and *ret on success. -ENODATA when a
 * metric the result depends on is not available in this snapshot, with
 * *why = "rate.TcpExt.ListenOverflows is not available" (a rule is then
 * "not evaluated", never a false finding); -EDOM on a division by zero,
 * *why = "division by zero in 'a / b'". Short-circuiting means a metric
 * that the result does not depend on may be unavailable.
 */
int expr_eval(const struct expr *e, const struct observation *o, double *ret, char **why);

/*
 * Calls fn for every metric name in the expression, in order of appearance,
 * each name once. Rules use it for evidence and to know which sysctls to read.
 */
void expr_foreach_metric(const struct expr *e, void (*fn)(const char *name, void *data),
			 void *data);

#endif
