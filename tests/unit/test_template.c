// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

static void test_interpolate(void **state)
{
	static const struct {
		const char *tmpl, *want;
	} cases[] = {
		{ "{state.close_wait} in CLOSE_WAIT", "7 in CLOSE_WAIT" },
		{ "{{literal}} {nope.metric}", "{literal}} ?" },
		{ "held by {top.close_wait.process|an unknown process}",
		  "held by an unknown process" },
		{ "{top.close_wait.service|no service}", "no service" },
		{ "unclosed {state.close_wait", "unclosed {state.close_wait" },
		{ "", "" },
	};
	struct observation *o = observation_new();

	(void)state;
	assert_non_null(o);
	o->states[OBS_V4][TS_CLOSE_WAIT] = 7;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = rule_interpolate(cases[i].tmpl, o);

		assert_non_null(s);
		assert_string_equal(s, cases[i].want);
		free(s);
	}
	observation_free(o);
}

/* Appends "name;" to the list, a 256-byte buffer: bounded, never past its end. */
static void collect(const char *name, void *data)
{
	char *list = data;
	size_t len = strlen(list);

	snprintf(list + len, 256 - len, "%s;", name);
}

/* The metric names of a template, without fallbacks, literals or an unclosed brace. */
static void test_foreach(void **state)
{
	char list[256] = "";

	(void)state;
	rule_template_foreach("{state.close_wait} on {top.close_wait.port}, held by "
			      "{top.close_wait.process|nobody} {{not.a.metric}} {unclosed",
			      collect, list);
	assert_string_equal(list, "state.close_wait;top.close_wait.port;top.close_wait.process;");
	list[0] = '\0';
	rule_template_foreach(NULL, collect, list);
	assert_string_equal(list, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interpolate),
		cmocka_unit_test(test_foreach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
