// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "util.h"

static void expr_freep(struct expr **e)
{
	expr_free(*e);
}
#define _cleanup_expr_ _cleanup_(expr_freep)

#define RATE "rate.TcpExt.ListenOverflows"
#define RANGE "sysctl.net.ipv4.ip_local_port_range"

static void add_sysctl(struct observation *o, const char *key, const char *value, size_t n,
		       const int64_t *num)
{
	struct sysctl_reading *s = &o->sysctls[o->n_sysctls++];

	s->key = strdup(key);
	s->value = value ? strdup(value) : NULL;
	s->n = n;
	for (size_t i = 0; i < n; i++)
		s->num[i] = num[i];
}

/* A snapshot whose values the expected results below are computed from. */
static struct observation *make_obs(double interval)
{
	struct observation *o = observation_new();

	assert_non_null(o);
	o->states[OBS_V4][TS_TIME_WAIT] = 100;
	o->states[OBS_V6][TS_TIME_WAIT] = 20;
	o->states[OBS_V4][TS_ESTABLISHED] = 7;
	o->counters = calloc(1, sizeof(*o->counters));
	o->counters[0] = (struct counter){ strdup("TcpExt.ListenOverflows"), 5, 0.5 };
	o->n_counters = 1;
	o->interval = interval;
	o->sysctls = calloc(4, sizeof(*o->sysctls));
	add_sysctl(o, "net.ipv4.tcp_max_tw_buckets", "262144", 1, (int64_t[]){ 262144 });
	add_sysctl(o, "net.ipv4.ip_local_port_range", "32768 60999", 2,
		   (int64_t[]){ 32768, 60999 });
	add_sysctl(o, "net.ipv4.tcp_congestion_control", "cubic", 0, NULL);
	add_sysctl(o, "net.ipv4.tcp_fin_timeout", NULL, 0, NULL);
	return o;
}

static struct expr *parse(const char *text)
{
	struct expr *e = NULL;
	char *msg = NULL;
	unsigned col = 0;

	if (expr_parse(text, &e, &col, &msg) < 0)
		fail_msg("'%s': %u: %s", text, col, msg ? msg : "?");
	return e;
}

static void test_values(void **state)
{
	_cleanup_observation_ struct observation *o = make_obs(2);
	static const struct {
		const char *text;
		double value;
	} cases[] = {
		/* precedence and associativity */
		{ "1 + 2 * 3", 7 },
		{ "2 * 3 + 1", 7 },
		{ "1+2*3", 7 },
		{ "8 / 4 / 2", 1 },
		{ "1 - 2 - 3", -4 },
		{ "-2 * 3", -6 },
		{ "- -2", 2 },
		{ "1 - -1", 2 },
		{ "(1 + 2) * 3", 9 },
		{ "2 * (3 + 1)", 8 },
		{ "((1))", 1 },
		{ "!0", 1 },
		{ "!!5", 1 },
		{ "!5", 0 },
		{ "!1 < 2", 0 }, /* ! binds looser than a comparison: !(1 < 2) */
		{ "1 < 2 && 3 > 2 || 0", 1 },
		{ "1 || 0 && 0", 1 }, /* && binds tighter than || */
		{ "0 || 0 && 1", 0 },
		{ "1 + 1 == 2", 1 },
		{ "-(1 < 2)", -1 },
		/* truth values */
		{ "2 && 3", 1 },
		{ "0 || 7", 1 },
		{ "0 && 0", 0 },
		/*
		 * Every comparison with its left operand below, equal to and above the
		 * right one: rules' thresholds sit on the equal case, where "<" and "<="
		 * (or "==" and ">=") differ. Metrics as well as numbers, and a fraction
		 * for thresholds like 0.01 * established.
		 */
		{ "1 < 2", 1 },
		{ "2 < 2", 0 },
		{ "3 < 2", 0 },
		{ "1 <= 2", 1 },
		{ "2 <= 2", 1 },
		{ "3 <= 2", 0 },
		{ "1 > 2", 0 },
		{ "2 > 2", 0 },
		{ "3 > 2", 1 },
		{ "1 >= 2", 0 },
		{ "2 >= 2", 1 },
		{ "3 >= 2", 1 },
		{ "1 == 2", 0 },
		{ "2 == 2", 1 },
		{ "3 == 2", 0 },
		{ "1 != 2", 1 },
		{ "2 != 2", 0 },
		{ "3 != 2", 1 },
		{ "state.time_wait < 120", 0 },
		{ "state.time_wait <= 120", 1 },
		{ "state.time_wait > 120", 0 },
		{ "state.time_wait >= 120", 1 },
		{ "state.time_wait == 120", 1 },
		{ "state.time_wait != 120", 0 },
		{ "state.time_wait > 119", 1 },
		{ "state.time_wait >= 121", 0 },
		{ "state.time_wait < 121", 1 },
		{ "state.time_wait <= 119", 0 },
		{ "0.5 < 0.5", 0 },
		{ "0.5 >= 0.5", 1 },
		{ "0.49 >= 0.5", 0 },
		{ "0.51 > 0.5", 1 },
		{ "-1 < 0", 1 },
		{ "0 > -1", 1 },
		{ "-1 >= -1", 1 },
		/* numbers */
		{ "0.5 * 4", 2 },
		{ "1e3", 1000 },
		{ "2.5e-1", 0.25 },
		{ "1E+2", 100 },
		{ "10 / 4", 2.5 },
		/* metrics */
		{ "state.time_wait", 120 },
		{ "state.v6.time_wait", 20 },
		{ "state.established + state.time_wait", 127 },
		{ "state.time_wait > 0.8 * sysctl.net.ipv4.tcp_max_tw_buckets", 0 },
		{ "counter.TcpExt.ListenOverflows * 2", 10 },
		{ RATE, 0.5 },
		{ RANGE "[1] - " RANGE "[0]", 28231 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_expr_ struct expr *e = parse(cases[i].text);
		_cleanup_free_ char *why = NULL;
		double v = NAN;
		int r;

		r = expr_eval(e, o, &v, &why);
		if (r < 0 || v != cases[i].value)
			fail_msg("'%s': %d %g (%s), expected %g", cases[i].text, r, v,
				 why ? why : "", cases[i].value);
		assert_null(why);
	}
}

/* Unavailable metrics, and && and || deciding with one side unavailable. */
static void test_unavailable(void **state)
{
	_cleanup_observation_ struct observation *o = make_obs(0); /* no rates */
	static const struct {
		const char *text;
		int r;
		double value;
		const char *why;
	} cases[] = {
		{ RATE " > 0", -ENODATA, 0, RATE " is not available" },
		{ "sysctl.net.ipv4.tcp_fin_timeout > 30", -ENODATA, 0,
		  "sysctl.net.ipv4.tcp_fin_timeout is not available" },
		{ "sysctl.net.core.somaxconn", -ENODATA, 0,
		  "sysctl.net.core.somaxconn is not available" },
		{ RANGE "[5]", -ENODATA, 0, RANGE "[5] is not available" },
		{ "sysctl.net.ipv4.tcp_congestion_control > 0", -ENODATA, 0,
		  "sysctl.net.ipv4.tcp_congestion_control is not a number" },
		{ RANGE " > 0", -ENODATA, 0, RANGE " is not a number" },
		{ "!(" RATE " > 0)", -ENODATA, 0, RATE " is not available" },
		{ "-" RATE, -ENODATA, 0, RATE " is not available" },
		/* && is false when either side is false */
		{ RATE " > 0 && 0", 0, 0, NULL },
		{ "0 && " RATE " > 0", 0, 0, NULL },
		{ RATE " > 0 && state.time_wait > 1000", 0, 0, NULL },
		{ RATE " > 0 && 1", -ENODATA, 0, RATE " is not available" },
		{ "1 && " RATE " > 0", -ENODATA, 0, RATE " is not available" },
		/* || is true when either side is true */
		{ RATE " > 0 || 1", 0, 1, NULL },
		{ "1 || " RATE, 0, 1, NULL },
		{ "(" RATE " > 0 || state.time_wait > 100) && 1", 0, 1, NULL },
		{ RATE " > 0 || 0", -ENODATA, 0, RATE " is not available" },
		{ "0 || " RATE " > 0", -ENODATA, 0, RATE " is not available" },
		/* both unavailable: the first one is named */
		{ RATE " || sysctl.net.core.somaxconn", -ENODATA, 0, RATE " is not available" },
		{ "sysctl.net.core.somaxconn && " RATE, -ENODATA, 0,
		  "sysctl.net.core.somaxconn is not available" },
		/* division by zero */
		{ "1 / 0", -EDOM, 0, "division by zero in '1 / 0'" },
		{ "state.close_wait + 1 / (state.time_wait - 120)", -EDOM, 0,
		  "division by zero in '1 / (state.time_wait - 120)'" },
		{ "0 && 1 / 0", 0, 0, NULL },
		{ RATE " > 0 && 1 / 0", -EDOM, 0, "division by zero in '1 / 0'" },
		{ "1 / 0 || 1", -EDOM, 0, "division by zero in '1 / 0'" },
		{ "0 / 1", 0, 0, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_expr_ struct expr *e = parse(cases[i].text);
		_cleanup_free_ char *why = NULL;
		double v = -42;
		int r;

		r = expr_eval(e, o, &v, &why);
		if (r != cases[i].r)
			fail_msg("'%s': %d (%s), expected %d", cases[i].text, r, why ? why : "",
				 cases[i].r);
		if (r == 0) {
			assert_null(why);
			if (v != cases[i].value)
				fail_msg("'%s': %g, expected %g", cases[i].text, v, cases[i].value);
		} else {
			assert_non_null(why);
			assert_string_equal(why, cases[i].why);
			assert_true(v == -42); /* untouched on failure */
		}
	}
}

static char *repeat(const char *prefix, size_t n, const char *middle, const char *suffix)
{
	size_t lp = strlen(prefix), ls = strlen(suffix), lm = strlen(middle);
	char *s = malloc(n * (lp + ls) + lm + 1), *p = s;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++, p += lp)
		memcpy(p, prefix, lp);
	memcpy(p, middle, lm);
	p += lm;
	for (size_t i = 0; i < n; i++, p += ls)
		memcpy(p, suffix, ls);
	*p = '\0';
	return s;
}

static void test_parse_errors(void **state)
{
	_cleanup_free_ char *parens = repeat("(", 65, "1", ")"), *nots = repeat("!", 65, "1", ""),
			    *negs = repeat("-", 65, "1", ""), *ok = repeat("(", 63, "-1", ")"),
			    *chain = repeat("1+", 2047, "11", ""),
			    *longer = repeat("1+", 2048, "1", "");
	const struct {
		const char *text;
		unsigned column;
		const char *msg;
	} cases[] = {
		{ "1 +", 4, "unexpected end of expression" },
		{ "(1", 3, "expected ')'" },
		{ "(1 2)", 4, "expected ')'" },
		{ "1)", 2, "unexpected ')'" },
		{ "()", 2, "unexpected ')'" },
		{ "!", 2, "unexpected end of expression" },
		{ "a.b.c", 1, "unknown metric 'a.b.c'" },
		{ "1 + state.timewait", 5, "unknown metric 'state.timewait'" },
		{ "state.time_wait[1]", 1, "unknown metric 'state.time_wait[1]'" },
		{ "state.time_wait >", 18, "unexpected end of expression" },
		{ "1 2", 3, "unexpected '2'" },
		{ "1 state.time_wait", 3, "unexpected 'state.time_wait'" },
		{ "&& 1", 1, "unexpected '&&'" },
		{ "1 && || 1", 6, "unexpected '||'" },
		{ "1e", 1, "malformed number '1e'" },
		{ "2 * 1e+", 5, "malformed number '1e+'" },
		{ "0x10", 1, "malformed number '0x10'" },
		{ "1.2.3", 1, "malformed number '1.2.3'" },
		{ "3abc", 1, "malformed number '3abc'" },
		{ "1e999", 1, "number out of range '1e999'" },
		{ "state.time_wait[", 17, "expected an index after '['" },
		{ "state.time_wait[x]", 17, "expected an index after '['" },
		{ RANGE "[1", 38, "expected ']'" },
		{ "", 1, "empty expression" },
		{ "   ", 1, "empty expression" },
		{ "1 < 2 < 3", 7, "comparisons cannot be chained" },
		{ "1 == 2 != 3", 8, "comparisons cannot be chained" },
		{ "1 = 1", 3, "unexpected character '='" },
		{ "1 & 2", 3, "unexpected character '&'" },
		{ "1 + \xc3\xa9", 5, "unexpected byte 0xc3" },
		{ "kernel.version > 1", 1, "'kernel.version' is text, not a number" },
		{ "1 + top.close_wait.process", 5,
		  "'top.close_wait.process' is text, not a number" },
		{ "top.bogus.process", 1, "unknown metric 'top.bogus.process'" },
		/* Text is refused when the rule loads, not left never evaluated. */
		{ "peer.address > 0", 1, "'peer.address' is text, not a number" },
		{ "state.time_wait + peer.address", 19, "'peer.address' is text, not a number" },
		{ "!peer.address", 2, "'peer.address' is text, not a number" },
		{ parens, 65, "expression nested deeper than 64 levels" },
		{ nots, 65, "expression nested deeper than 64 levels" },
		{ negs, 65, "expression nested deeper than 64 levels" },
		{ longer, 4097, "expression longer than 4096 characters" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct expr *e = (struct expr *)&e;
		char *msg = NULL;
		unsigned col = 0;
		int r;

		r = expr_parse(cases[i].text, &e, &col, &msg);
		if (r != -EINVAL || col != cases[i].column || !msg ||
		    strcmp(msg, cases[i].msg) != 0)
			fail_msg("'%.40s': %d %u '%s', expected %u '%s'", cases[i].text, r, col,
				 msg ? msg : "(null)", cases[i].column, cases[i].msg);
		assert_ptr_equal(e, &e);
		free(msg);
	}
	/* Just inside the caps: 63 parentheses and a minus are 64 levels. */
	assert_int_equal(strlen(chain), 4096);
	expr_free(parse(ok));
	expr_free(parse(chain));
	assert_null(expr_free(NULL));
}

struct seen {
	const char *names[8];
	size_t n;
};

static void collect(const char *name, void *data)
{
	struct seen *s = data;

	assert_true(s->n < ARRAY_SIZE(s->names));
	s->names[s->n++] = name;
}

static void test_foreach_metric(void **state)
{
	static const struct {
		const char *text;
		const char *names[4];
	} cases[] = {
		{ "1 + 2", { NULL } },
		{ "state.time_wait", { "state.time_wait" } },
		{ "state.time_wait > 1 && sysctl.a.b + state.time_wait > " RATE " || sysctl.a.b",
		  { "state.time_wait", "sysctl.a.b", RATE } },
		{ "!(" RANGE "[1] - " RANGE "[0] < 1000) || " RANGE "[1] > 1",
		  { RANGE "[1]", RANGE "[0]" } },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_expr_ struct expr *e = parse(cases[i].text);
		struct seen s = { .n = 0 };
		size_t n = 0;

		expr_foreach_metric(e, collect, &s);
		while (n < ARRAY_SIZE(cases[i].names) && cases[i].names[n])
			n++;
		assert_int_equal(s.n, n);
		for (size_t j = 0; j < n; j++)
			assert_string_equal(s.names[j], cases[i].names[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_foreach_metric),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
