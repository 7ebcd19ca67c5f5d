// SPDX-License-Identifier: GPL-2.0-or-later
/* tcptune top's model and layout, from fixed snapshots: no terminal needed. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "fakeobs.h"
#include "top.h"
#include "util.h"

static void test_ring(void **state)
{
	struct top_ring r = { 0 };

	(void)state;
	for (uint64_t v = 1; v <= 3; v++)
		top_ring_push(&r, v);
	assert_int_equal(r.n, 3);
	assert_int_equal(top_ring_get(&r, 0), 1);
	assert_int_equal(top_ring_get(&r, 2), 3);
	/* Bounded however long it runs: the oldest go. */
	for (uint64_t v = 4; v <= 1000; v++)
		top_ring_push(&r, v);
	assert_int_equal(r.n, TOP_HISTORY);
	assert_int_equal(top_ring_get(&r, 0), 1000 - TOP_HISTORY + 1);
	assert_int_equal(top_ring_get(&r, TOP_HISTORY - 1), 1000);
}

static void test_sparkline(void **state)
{
	struct top_ring r = { 0 };
	char buf[256];

	(void)state;
	/* Nothing held yet: blanks, right-aligned history. */
	assert_string_equal(top_sparkline(&r, 4, false, buf, sizeof(buf)), "    ");
	top_ring_push(&r, 0);
	top_ring_push(&r, 7);
	top_ring_push(&r, 14);
	assert_string_equal(top_sparkline(&r, 5, false, buf, sizeof(buf)), "  _=#");
	assert_string_equal(top_sparkline(&r, 3, true, buf, sizeof(buf)), "\u2581\u2585\u2588");
	/* Narrower than the history: the newest values, scaled to the largest shown. */
	assert_string_equal(top_sparkline(&r, 2, false, buf, sizeof(buf)), "=#");
	/* A flat series is the lowest block, not a division by zero. */
	r = (struct top_ring){ 0 };
	top_ring_push(&r, 0);
	top_ring_push(&r, 0);
	assert_string_equal(top_sparkline(&r, 2, true, buf, sizeof(buf)), "\u2581\u2581");
	/* A buffer too small is cut at a whole character. */
	assert_string_equal(top_sparkline(&r, 2, true, buf, 5), "\u2581");
}

static void test_fit(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(top_fit("short enough", 12, true, buf, sizeof(buf)), "short enough");
	/* Cut at a space, never inside a word, and said. */
	assert_string_equal(
		top_fit("4812 sockets in CLOSE_WAIT on port 8080", 20, true, buf, sizeof(buf)),
		"4812 sockets in\u2026");
	assert_string_equal(top_fit("4812 sockets in CLOSE_WAIT", 15, false, buf, sizeof(buf)),
			    "4812 sockets...");
	assert_string_equal(top_fit("4812 sockets in CLOSE_WAIT", 14, false, buf, sizeof(buf)),
			    "4812...");
	/* A first word longer than the room: none of it. */
	assert_string_equal(top_fit("supercalifragilistic word", 8, true, buf, sizeof(buf)),
			    "\u2026");
	assert_int_equal(top_text_cols("a\u2026b"), 3);
	assert_string_equal(top_grouped(1234567, buf, sizeof(buf)), "1,234,567");
	assert_string_equal(top_grouped(999, buf, sizeof(buf)), "999");
}

/* ---- snapshots and judgements ---- */

static struct observation *busy(uint64_t established, uint64_t close_wait)
{
	struct observation *o = observation_new();

	assert_non_null(o);
	o->states[OBS_V4][TS_ESTABLISHED] = established;
	o->states[OBS_V6][TS_ESTABLISHED] = 3;
	o->states[OBS_V4][TS_CLOSE_WAIT] = close_wait;
	o->states[OBS_V4][TS_TIME_WAIT] = 15000;
	o->states[OBS_V4][TS_LISTEN] = 4;
	o->interval = 2;
	add_port(o, TS_CLOSE_WAIT, 8080, (uint32_t)close_wait, true, 4321, "java");
	add_port(o, TS_TIME_WAIT, 443, 9000, true, 812, "nginx");
	add_port(o, TS_TIME_WAIT, 5432, 4000, false, 0, NULL);
	add_listener(o, AF_INET, "0.0.0.0", 443, 3, 511, 812, "nginx");
	add_listener(o, AF_INET, "127.0.0.1", 8080, 128, 128, 4321, "java");
	add_listener(o, AF_INET6, "::", 22, 0, 128, 900, "sshd");
	add_counter(&o->counters, &o->n_counters, "TcpExt.ListenOverflows", 17, 4.5);
	add_counter(&o->counters, &o->n_counters, "TcpExt.ListenDrops", 17, 4.5);
	add_counter(&o->counters, &o->n_counters, "Tcp.RetransSegs", 4567, 0);
	return o;
}

static struct rule leak = { .id = (char *)"close-wait-leak", .severity = SEV_WARNING };
static struct rule full = { .id = (char *)"accept-queue-full", .severity = SEV_CRITICAL };

/* A judgement with the findings of rules[0..n), each with its summary. */
static struct judgement *judged(struct rule *const *rules, const char *const *summaries, size_t n)
{
	struct judgement *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->findings = calloc(n + 1, sizeof(*j->findings));
	assert_non_null(j->findings);
	for (size_t i = 0; i < n; i++)
		j->findings[i] =
			(struct finding){ .rule = rules[i], .summary = xstrdup(summaries[i]) };
	j->n_findings = n;
	j->n_evaluated = 19;
	return j;
}

static void test_model(void **state)
{
	struct rule *const both[] = { &leak, &full };
	const char *const texts[] = { "87 sockets in CLOSE_WAIT on port 8080",
				      "the accept queue of 127.0.0.1:8080 is full" };
	_cleanup_observation_ struct observation *o1 = busy(1200, 87), *o2 = busy(1180, 120),
						 *o3 = busy(1180, 0);
	struct judgement *j1 = judged(both, texts, 1), *j2 = judged(both, texts, 2),
			 *j3 = judged(NULL, NULL, 0);
	struct top_model m;

	(void)state;
	top_model_init(&m, 2, true);
	assert_int_equal(top_model_update(&m, o1, j1, 100), 0);
	assert_int_equal(m.count[TS_ESTABLISHED], 1203);
	assert_int_equal(m.delta[TS_ESTABLISHED], 0);
	assert_int_equal(m.n_findings, 1);

	assert_int_equal(top_model_update(&m, o2, j2, 102), 0);
	assert_int_equal(m.delta[TS_ESTABLISHED], -20);
	assert_int_equal(m.delta[TS_CLOSE_WAIT], 33);
	assert_int_equal(m.history[TS_CLOSE_WAIT].n, 2);
	/* Newest first: the one that just appeared, then the one already there. */
	assert_int_equal(m.n_findings, 2);
	assert_string_equal(m.findings[0].id, "accept-queue-full");
	assert_int_equal(m.findings[0].refreshes, 0);
	assert_string_equal(m.findings[1].id, "close-wait-leak");
	assert_int_equal(m.findings[1].refreshes, 1);
	assert_true(m.findings[1].since == 100);

	/* Both clear: kept, dimmed, for a few refreshes, then gone. */
	assert_int_equal(top_model_update(&m, o3, j3, 104), 0);
	assert_int_equal(m.n_findings, 2);
	assert_true(m.findings[0].cleared == 104 && m.findings[1].cleared == 104);
	for (int i = 0; i < TOP_CLEARED_REFRESHES; i++)
		assert_int_equal(top_model_update(&m, o3, j3, 106 + i), 0);
	assert_int_equal(m.n_findings, 0);
	top_model_free(&m);
	judgement_free(j1);
	judgement_free(j2);
	judgement_free(j3);
}

/* The whole screen as text, one row a line, for messages and searches. */
static char *screen(const struct top_grid *g)
{
	char *out = NULL, row[4096];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	for (int r = 0; r < g->rows; r++)
		fprintf(f, "%s\n", top_grid_row(g, r, row, sizeof(row)));
	fclose(f);
	return out;
}

static void assert_row_has(const struct top_grid *g, int r, const char *want)
{
	char row[4096];

	top_grid_row(g, r, row, sizeof(row));
	if (!strstr(row, want))
		fail_msg("row %d is '%s', without '%s'", r, row, want);
}

/* Lays out two refreshes of a busy server at rows x cols; checks what every size must show. */
static void layout(int rows, int cols, bool unicode, struct top_grid *g, struct top_model *m,
		   struct observation *o1, struct observation *o2, struct judgement *j)
{
	_cleanup_free_ char *text = NULL;

	top_model_init(m, 2, unicode);
	m->where = "blue";
	assert_int_equal(top_model_update(m, o1, j, 100), 0);
	assert_int_equal(top_model_update(m, o2, j, 102), 0);
	assert_int_equal(top_grid_init(g, rows, cols), 0);
	top_render(m, g);
	text = screen(g);
	/* Every state, the counters, the tables, the findings, the bars. */
	for (const char *const *w =
		     (const char *const[]){ "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1",
					    "FIN-WAIT-2", "TIME-WAIT", "CLOSE-WAIT", "LAST-ACK",
					    "CLOSING", "LISTEN", "CLOSE ", NULL };
	     *w; w++)
		if (!strstr(text, *w))
			fail_msg("%dx%d: no %s in:\n%s", cols, rows, *w, text);
	assert_non_null(strstr(text, "ListenOverflows"));
	assert_non_null(strstr(text, "4.5"));
	assert_non_null(strstr(text, "PORT ROLE"));
	assert_non_null(strstr(text, " 8080 server  CLOSE-WAIT"));
	assert_non_null(strstr(text, "127.0.0.1:8080"));
	assert_non_null(strstr(text, "100%"));
	assert_non_null(strstr(text, "findings: 1 (19 rules evaluated)"));
	assert_non_null(strstr(text, "close-wait-leak"));
	assert_row_has(g, 0, "tcptune top  netns blue  every 2 s");
	assert_row_has(g, 0, "? keys  q quit");
	assert_row_has(g, rows - 1, "sort: count  focus: all  owners: off (p)");
	for (int r = 0; r < rows; r++) {
		char row[4096];

		if (top_text_cols(top_grid_row(g, r, row, sizeof(row))) > (size_t)cols)
			fail_msg("row %d is wider than %d: '%s'", r, cols, row);
	}
}

static void test_layout(void **state)
{
	struct rule *const one[] = { &leak };
	const char *const texts[] = {
		"87 sockets of port 8080 wait in CLOSE_WAIT for the application to close them "
		"(held by java, pid 4321): a descriptor leak, no sysctl shortens it"
	};
	_cleanup_observation_ struct observation *o1 = busy(1200, 87), *o2 = busy(1180, 120);
	struct judgement *j = judged(one, texts, 1);
	struct top_model m;
	struct top_grid g;
	char row[4096];
	int found = -1;

	(void)state;
	layout(24, 80, true, &g, &m, o1, o2, j);
	/* The summary is cut at a word, with an ellipsis, and fits. */
	for (int r = 0; r < g.rows; r++)
		if (strstr(top_grid_row(&g, r, row, sizeof(row)), "close-wait-leak"))
			found = r;
	assert_true(found > 0);
	top_grid_row(&g, found, row, sizeof(row));
	assert_non_null(strstr(row, "warning  close-wait-leak"));
	assert_non_null(strstr(row, "\u2026"));
	assert_non_null(strstr(row, " 87 sockets of port"));
	{
		/* What precedes the ellipsis ends a word of the summary. */
		char *dots = strstr(row, "\u2026"), *start = strstr(row, "87 sockets");
		size_t kept = (size_t)(dots - start);

		assert_true(texts[0][kept] == ' ');
	}
	/* CLOSE-WAIT grew from 87 to 120: its sparkline says so. */
	{
		_cleanup_free_ char *text = screen(&g);
		char *cw = strstr(text, "CLOSE-WAIT");

		assert_non_null(cw);
		assert_true(strncmp(cw, "CLOSE-WAIT          120      +33 ", 33) == 0);
		assert_non_null(strstr(cw, "\u2586\u2588"));
	}
	top_grid_free(&g);
	top_model_free(&m);

	/* Wide and tall: more columns of states, the whole summary, room to spare. */
	layout(60, 200, false, &g, &m, o1, o2, j);
	{
		_cleanup_free_ char *text = screen(&g);

		assert_non_null(strstr(text, texts[0]));
	}
	top_grid_free(&g);

	/* The key help replaces the body; the bars stay. */
	m.help = true;
	assert_int_equal(top_grid_init(&g, 24, 80), 0);
	top_render(&m, &g);
	assert_row_has(&g, 2, "q        quit");
	assert_row_has(&g, 23, "sort: count");
	top_grid_free(&g);

	/* A snapshot that failed: the status bar says so. */
	m.help = false;
	snprintf(m.status, sizeof(m.status), " snapshot failed: netlink: Operation not permitted");
	assert_int_equal(top_grid_init(&g, 24, 80), 0);
	top_render(&m, &g);
	assert_row_has(&g, 23, "snapshot failed: netlink");
	assert_true(g.cells[23 * 80].attr == TOP_ERROR);
	top_grid_free(&g);
	top_model_free(&m);
	judgement_free(j);
}

/* Focus and sort change the ports table; a tiny terminal gets what fits, no crash. */
static void test_focus_sort_small(void **state)
{
	_cleanup_observation_ struct observation *o = busy(1200, 87);
	struct judgement *j = judged(NULL, NULL, 0);
	struct top_model m;
	struct top_grid g;

	(void)state;
	top_model_init(&m, 2, false);
	assert_int_equal(top_model_update(&m, o, j, 100), 0);
	m.focus = TS_TIME_WAIT;
	m.sort = TOP_SORT_PORT;
	assert_int_equal(top_grid_init(&g, 24, 80), 0);
	top_render(&m, &g);
	{
		_cleanup_free_ char *text = screen(&g);
		char *a = strstr(text, "  443 server"), *b = strstr(text, " 5432 client");

		assert_non_null(a);
		assert_non_null(b);
		assert_true(a < b); /* by port */
		assert_null(strstr(text, " 8080 server  CLOSE-WAIT"));
		assert_non_null(strstr(text, "focus: TIME-WAIT"));
	}
	top_grid_free(&g);
	for (int rows = 1; rows <= 12; rows += 11)
		for (int cols = 1; cols <= 40; cols += 39) {
			assert_int_equal(top_grid_init(&g, rows, cols), 0);
			top_render(&m, &g);
			top_grid_free(&g);
		}
	top_model_free(&m);
	judgement_free(j);
}

/* Long lists: the fullest listener is found wherever it stands, each shown once. */
static void test_many_listeners(void **state)
{
	_cleanup_observation_ struct observation *o = busy(1200, 87);
	struct judgement *j = judged(NULL, NULL, 0);
	_cleanup_free_ char *text = NULL;
	struct top_model m;
	struct top_grid g;

	(void)state;
	for (int i = 0; i < 300; i++)
		add_listener(o, AF_INET, "10.0.0.1", (uint16_t)(20000 + i), i == 299 ? 9 : 0, 10, 0,
			     NULL);
	top_model_init(&m, 2, false);
	assert_int_equal(top_model_update(&m, o, j, 100), 0);
	assert_int_equal(top_grid_init(&g, 24, 80), 0);
	top_render(&m, &g);
	text = screen(&g);
	assert_non_null(strstr(text, "127.0.0.1:8080")); /* 100% */
	assert_non_null(strstr(text, "10.0.0.1:20299")); /* 90%, the 303rd */
	assert_null(strstr(strstr(text, "127.0.0.1:8080") + 1, "127.0.0.1:8080")); /* once */
	top_grid_free(&g);
	top_model_free(&m);
	judgement_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_sparkline),
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_focus_sort_small),
		cmocka_unit_test(test_many_listeners),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
