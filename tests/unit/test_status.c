// SPDX-License-Identifier: GPL-2.0-or-later
/* diagnose's status line (report/status.c), alone and at the top of the text report. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render.h"
#include "report.h"
#include "util.h"

static struct rule rule_crit = { .id = "port-exhaustion", .severity = SEV_CRITICAL };
static struct rule rule_warn = { .id = "close-wait-leak", .severity = SEV_WARNING };
static struct rule rule_info = { .id = "many-established", .severity = SEV_INFO };

static const struct report_perf perf[] = {
	{ "established", 1234 },
	{ "time_wait", 0 },
};

#define PERF " | 'established'=1234;;;0 'time_wait'=0;;;0"

static void test_states(void **state)
{
	struct finding warn = { .rule = &rule_warn,
				.summary = "4812 CLOSE_WAIT on port 8080 (nginx)" };
	struct finding crit = { .rule = &rule_crit, .summary = "28000 sockets to 10.0.0.5:5432" };
	struct finding info = { .rule = &rule_info, .summary = "13 established" };
	static const struct {
		struct report_status status;
		const char *line;
	} cases[] = {
		{ { .state = REPORT_PLUGIN_OK, .n_rules = 23 },
		  "TCPTUNE OK - 23 rules, no findings\n" },
		{ { .state = REPORT_PLUGIN_OK, .n_rules = 1, .perf = perf, .n_perf = 2 },
		  "TCPTUNE OK - 1 rules, no findings" PERF "\n" },
		{ { .state = REPORT_PLUGIN_UNKNOWN, .reason = "/proc/net/tcp: No such file" },
		  "TCPTUNE UNKNOWN - /proc/net/tcp: No such file\n" },
		{ { .state = REPORT_PLUGIN_UNKNOWN }, "TCPTUNE UNKNOWN - could not observe\n" },
	};
	struct {
		struct report_status status;
		const char *line;
	} named[] = {
		{ { .state = REPORT_PLUGIN_WARNING, .top = &warn, .n_rules = 23 },
		  "TCPTUNE WARNING - close-wait-leak: 4812 CLOSE_WAIT on port 8080 (nginx)\n" },
		{ { .state = REPORT_PLUGIN_CRITICAL,
		    .top = &crit,
		    .n_more = 2,
		    .perf = perf,
		    .n_perf = 2 },
		  "TCPTUNE CRITICAL - port-exhaustion: 28000 sockets to 10.0.0.5:5432 (+2 "
		  "more)" PERF "\n" },
		{ { .state = REPORT_PLUGIN_OK, .top = &info, .n_more = 1 },
		  "TCPTUNE OK - many-established: 13 established (+1 more)\n" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *line = NULL;

		RENDER(report_status_text(f, &cases[i].status), &line);
		assert_string_equal(line, cases[i].line);
	}
	for (size_t i = 0; i < ARRAY_SIZE(named); i++) {
		_cleanup_free_ char *line = NULL;

		RENDER(report_status_text(f, &named[i].status), &line);
		assert_string_equal(line, named[i].line);
	}
}

/*
 * One line, whatever a summary holds: process names are anyone's, and a '|'
 * would start the performance data early.
 */
static void test_one_line(void **state)
{
	struct finding odd = { .rule = &rule_warn,
			       .summary = "  held by\n\"a|b\033[2J\"\tnow\xff " };
	struct finding bare = { .rule = &rule_warn };
	struct report_status s = {
		.state = REPORT_PLUGIN_WARNING, .top = &odd, .perf = perf, .n_perf = 1
	};
	struct report_status unknown = { .state = REPORT_PLUGIN_UNKNOWN,
					 .reason = "netns /run/netns/x|y\nz" };
	_cleanup_free_ char *line = NULL, *none = NULL, *why = NULL;

	(void)state;
	RENDER(report_status_text(f, &s), &line);
	assert_string_equal(line, "TCPTUNE WARNING - close-wait-leak: held by \"a/b?[2J\" now? | "
				  "'established'=1234;;;0\n");
	s.top = &bare;
	RENDER(report_status_text(f, &s), &none);
	assert_string_equal(none, "TCPTUNE WARNING - close-wait-leak | 'established'=1234;;;0\n");
	RENDER(report_status_text(f, &unknown), &why);
	assert_string_equal(why, "TCPTUNE UNKNOWN - netns /run/netns/x/y z\n");
}

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The text report starts with the status and a blank line when it is given one. */
static void test_diagnose_text(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	struct finding warn = { .rule = &rule_warn, .summary = "4812 CLOSE_WAIT" };
	struct judgement j = { .findings = &warn, .n_findings = 1, .n_evaluated = 23 };
	struct report_status status = { .state = REPORT_PLUGIN_WARNING, .top = &warn };
	struct report_diagnose_opts opts = { .status = &status };
	_cleanup_free_ char *with = NULL, *without = NULL;

	(void)state;
	assert_non_null(o);
	o->source = "proc";
	RENDER(report_diagnose_text(f, o, &j, &opts), &with);
	assert_true(starts(with, "TCPTUNE WARNING - close-wait-leak: 4812 CLOSE_WAIT\n\n"
				 "TCP sockets from proc, own namespace"));
	assert_non_null(strstr(with, "\nFindings: 1, 23 rules evaluated.\n"));
	opts.status = NULL;
	RENDER(report_diagnose_text(f, o, &j, &opts), &without);
	assert_true(starts(without, "TCP sockets from proc"));
	assert_null(strstr(without, "TCPTUNE"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_diagnose_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
