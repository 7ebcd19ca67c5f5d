// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rule condition language (judge/expr.h): the input is one expression.
 * Parsed, it is evaluated against a snapshot with every kind of metric and
 * against an empty one, and every metric it names is formatted; the input
 * is also expanded as a summary template (rule_interpolate()), whose
 * "{metric|fallback}" names go through the same metric lookup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "expr.h"
#include "rules.h"
#include "util.h"

static void format_metric(const char *name, void *data)
{
	_cleanup_free_ char *text = NULL;
	double v;
	int r;

	fuzz_assert(metric_check(name) == 0);
	r = observation_metric_text(data, name, &text);
	fuzz_assert(r == 0 || r == -ENODATA);
	fuzz_assert((r == 0) == (text != NULL));
	r = observation_metric(data, name, &v);
	fuzz_assert(r == 0 || r == -ENODATA || r == -EMEDIUMTYPE);
}

static void evaluate(const struct expr *e, const struct observation *o)
{
	_cleanup_free_ char *why = NULL;
	double v;
	int r;

	r = expr_eval(e, o, &v, &why);
	/* Unavailable or a division by zero, each with a reason; nothing else. */
	fuzz_assert(r == 0 || r == -ENODATA || r == -EDOM);
	fuzz_assert(r == 0 || (why && *why));
	expr_foreach_metric(e, format_metric, (void *)o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_strdup(data, size), *msg = NULL, *expanded = NULL;
	struct expr *e = NULL;
	unsigned column = 0;
	int r;

	r = expr_parse(text, &e, &column, &msg);
	if (r < 0) {
		/* A message and a column inside the text (or just after its end). */
		fuzz_assert(r == -EINVAL);
		fuzz_assert(msg && *msg);
		fuzz_assert(column >= 1 && column <= strlen(text) + 1);
	} else {
		fuzz_assert(e);
		evaluate(e, fuzz_snapshot());
		evaluate(e, fuzz_empty_snapshot());
		expr_free(e);
	}
	expanded = rule_interpolate(text, fuzz_snapshot());
	fuzz_assert(expanded);
	return 0;
}
