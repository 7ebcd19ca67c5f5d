// SPDX-License-Identifier: GPL-2.0-or-later
/* sysctl/want: the kinds of wanted value, their YAML form, satisfied and resolve. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "kb.h"
#include "util.h"
#include "want.h"
#include "yamltree.h"

struct want_case {
	const char *key;
	enum rec_kind kind;
	const char *live; /* NULL: absent */
	const char *wanted;
	bool satisfied;
	const char *resolved; /* what to write */
};

static const struct want_case cases[] = {
	{ "net.ipv4.tcp_fin_timeout", REC_SET, "30", "30", true, "30" },
	{ "net.ipv4.tcp_fin_timeout", REC_SET, "60", "30", false, "30" },
	{ "net.ipv4.tcp_fin_timeout", REC_SET, "0x1e", "30", true, "30" },
	{ "net.ipv4.tcp_fin_timeout", REC_SET, NULL, "30", false, "30" },
	{ "net.ipv4.tcp_rmem", REC_SET, "4096\t131072\t6291456", "4096 131072 6291456", true,
	  "4096 131072 6291456" },
	{ "net.ipv4.tcp_congestion_control", REC_SET, "cubic", "bbr", false, "bbr" },
	{ "net.core.somaxconn", REC_MIN, "4096", "4096", true, "4096" },
	{ "net.core.somaxconn", REC_MIN, "65535", "4096", true, "65535" },
	{ "net.core.somaxconn", REC_MIN, "128", "4096", false, "4096" },
	{ "net.core.somaxconn", REC_MIN, "many", "4096", false, "4096" },
	{ "net.core.somaxconn", REC_MIN, NULL, "4096", false, "4096" },
	{ "net.ipv4.tcp_fin_timeout", REC_MAX, "60", "30", false, "30" },
	{ "net.ipv4.tcp_fin_timeout", REC_MAX, "15", "30", true, "15" },
	/* The kernel retries an orphan 8 times when the value is 0. */
	{ "net.ipv4.tcp_orphan_retries", REC_MAX, "0", "7", false, "7" },
	{ "net.ipv4.tcp_orphan_retries", REC_MAX, "0", "8", true, "0" },
	{ "net.ipv4.tcp_orphan_retries", REC_MIN, "0", "8", true, "0" },
	{ "net.ipv4.tcp_orphan_retries", REC_MIN, "0", "9", false, "9" },
	{ "net.ipv4.tcp_orphan_retries", REC_SET, "0", "8", false, "8" },
	{ "net.ipv4.ip_local_port_range", REC_WIDEN, "32768\t60999", "1024 65535", false,
	  "1024 65535" },
	{ "net.ipv4.ip_local_port_range", REC_WIDEN, "1024\t65535", "10000 60000", true,
	  "1024 65535" },
	{ "net.ipv4.ip_local_port_range", REC_WIDEN, "20000\t40000", "10000 30000", false,
	  "10000 40000" },
	{ "net.ipv4.ip_local_port_range", REC_WIDEN, "junk", "10000 30000", false, "10000 30000" },
	{ "net.ipv4.ip_local_port_range", REC_WIDEN, NULL, "10000 30000", false, "10000 30000" },
};

static void test_satisfied_and_resolve(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct want_case *c = &cases[i];
		const struct kb_entry *kb = kb_lookup(c->key);
		_cleanup_free_ char *v = NULL;

		assert_non_null(kb);
		if (want_satisfied(kb, c->kind, c->live, c->wanted) != c->satisfied)
			fail_msg("case %zu: %s %s '%s' vs live '%s': satisfied should be %d", i,
				 c->key, want_kind_name(c->kind), c->wanted, c->live, c->satisfied);
		v = want_resolve(kb, c->kind, c->live, c->wanted);
		assert_non_null(v);
		if (strcmp(v, c->resolved) != 0)
			fail_msg("case %zu: %s: resolved '%s', want '%s'", i, c->key, v,
				 c->resolved);
	}
}

/* A key the knowledge base does not know: compared as text, bounds as integers. */
static void test_unknown_key(void **state)
{
	(void)state;
	assert_true(want_satisfied(NULL, REC_SET, " 1 ", "1"));
	assert_false(want_satisfied(NULL, REC_SET, "1", "2"));
	assert_true(want_satisfied(NULL, REC_MIN, "0", "0"));
	assert_false(want_satisfied(NULL, REC_MIN, "0", "1"));
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(want_kind_name(REC_SET), "set");
	assert_string_equal(want_kind_name(REC_MIN), "min");
	assert_string_equal(want_kind_name(REC_MAX), "max");
	assert_string_equal(want_kind_name(REC_WIDEN), "widen");
	assert_string_equal(want_kind_name((enum rec_kind)42), "?");
}

struct parse_case {
	const char *key;
	const char *yaml; /* the value of "v: ..." */
	unsigned kinds;
	enum rec_kind kind; /* when accepted */
	const char *scalar; /* when accepted; NULL: refused */
	const char *error;  /* when refused */
};

#define ALL (WANT_KIND(REC_MIN) | WANT_KIND(REC_MAX) | WANT_KIND(REC_WIDEN))
#define BOUNDS (WANT_KIND(REC_MIN) | WANT_KIND(REC_MAX))

static const struct parse_case parse_cases[] = {
	{ "net.core.somaxconn", "4096", ALL, REC_SET, "4096", NULL },
	{ "net.core.somaxconn", "{min: 4096}", ALL, REC_MIN, "4096", NULL },
	{ "net.core.somaxconn", "{max: 2 * sysctl.x}", ALL, REC_MAX, "2 * sysctl.x", NULL },
	{ "net.ipv4.ip_local_port_range", "{widen: 1024 65535}", ALL, REC_WIDEN, "1024 65535",
	  NULL },
	{ "net.core.somaxconn", "{least: 1}", ALL, REC_SET, NULL,
	  "t:1:5: W net.core.somaxconn: 'least' is not min, max or widen" },
	{ "net.core.somaxconn", "{widen: 1 2}", BOUNDS, REC_SET, NULL,
	  "t:1:5: W net.core.somaxconn: 'widen' is not min or max" },
	{ "net.ipv4.tcp_rmem", "{max: 1}", ALL, REC_SET, NULL,
	  "t:1:4: W net.ipv4.tcp_rmem: {min: N} and {max: N} need an integer key" },
	{ "net.ipv4.tcp_congestion_control", "{max: 1}", BOUNDS, REC_SET, NULL,
	  "t:1:4: W net.ipv4.tcp_congestion_control: {min: N} and {max: N} need an integer key" },
	{ "net.core.somaxconn", "{widen: 1 2}", ALL, REC_SET, NULL,
	  "t:1:4: W net.core.somaxconn: widen needs a range of two integers" },
	{ "net.core.somaxconn", "[1]", ALL, REC_SET, NULL,
	  "t:1:4: W net.core.somaxconn: expected a value, {min: N}, {max: N} or {widen: LO HI}" },
	{ "net.core.somaxconn", "{min: [1]}", BOUNDS, REC_SET, NULL,
	  "t:1:10: W net.core.somaxconn: expected a value, {min: N} or {max: N}" },
	{ "net.core.somaxconn", "{min: 1, max: 2}", BOUNDS, REC_SET, NULL,
	  "t:1:4: W net.core.somaxconn: expected a value, {min: N} or {max: N}" },
};

static void test_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *pc = &parse_cases[i];
		const struct want_syntax syntax = { .kinds = pc->kinds, .what = "W " };
		_cleanup_free_ char *text = NULL, *err = NULL;
		_cleanup_ynode_ struct ynode *root = NULL;
		struct load_errors errs = { 0 };
		const struct load_ctx c = { .file = "t", .errs = &errs };
		enum rec_kind kind = REC_WIDEN;
		const struct ynode *v;

		assert_true(asprintf(&text, "v: %s\n", pc->yaml) > 0);
		assert_int_equal(ytree_load_string(text, strlen(text), "t", &root, &err), 0);
		v = want_parse(&c, &syntax, pc->key, kb_lookup(pc->key), ynode_get(root, "v"),
			       &kind);
		if (pc->scalar) {
			if (!v || errs.n)
				fail_msg("case %zu (%s): refused: %s", i, pc->yaml,
					 errs.n ? errs.msgs[0] : "?");
			assert_string_equal(v->value, pc->scalar);
			assert_int_equal(kind, pc->kind);
		} else {
			assert_null(v);
			assert_int_equal(errs.n, 1);
			if (strcmp(errs.msgs[0], pc->error) != 0)
				fail_msg("case %zu: '%s', want '%s'", i, errs.msgs[0], pc->error);
		}
		load_errors_free(&errs);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_satisfied_and_resolve),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
