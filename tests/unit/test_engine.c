// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

static struct ruleset rules;

static int setup(void **state)
{
	struct load_errors errs = { 0 };

	(void)state;
	return ruleset_load(&rules, FIXTURES "/rules/good.yaml", &errs);
}

static int teardown(void **state)
{
	(void)state;
	ruleset_free(&rules);
	return 0;
}

static void set_sysctl(struct observation *o, const char *key, const char *value, int64_t num)
{
	struct sysctl_reading *s = realloc(o->sysctls, (o->n_sysctls + 1) * sizeof(*s));

	assert_non_null(s);
	o->sysctls = s;
	s[o->n_sysctls++] = (struct sysctl_reading){
		.key = strdup(key),
		.value = value ? strdup(value) : NULL,
		.n = value ? 1 : 0,
		.num = { num },
	};
}

static struct observation *snapshot(uint64_t close_wait, uint64_t time_wait, const char *buckets)
{
	struct observation *o = observation_new();

	o->states[OBS_V4][TS_CLOSE_WAIT] = close_wait;
	o->states[OBS_V6][TS_TIME_WAIT] = time_wait;
	if (buckets)
		set_sysctl(o, "net.ipv4.tcp_max_tw_buckets", buckets, strtoll(buckets, NULL, 10));
	set_sysctl(o, "net.ipv4.tcp_fin_timeout", "20", 20);
	set_sysctl(o, "net.ipv4.tcp_tw_reuse", "2", 2);
	return o;
}

static void test_findings(void **state)
{
	struct observation *o = snapshot(50, 700, "1000");
	struct judgement *j = NULL;
	const struct finding *f;

	(void)state;
	assert_int_equal(engine_judge(&rules, o, &j), 0);
	assert_int_equal(j->n_findings, 2);
	assert_int_equal(j->n_evaluated, 2);
	assert_int_equal(j->worst, SEV_CRITICAL);

	/* Most severe first. */
	f = &j->findings[0];
	assert_string_equal(f->rule->id, "tw-cap");
	assert_string_equal(f->summary, "TIME_WAIT at 700");
	assert_int_equal(f->n_evidence, 3);
	assert_string_equal(f->evidence[1].metric, "sysctl.net.ipv4.tcp_max_tw_buckets");
	assert_string_equal(f->evidence[1].value, "1000");
	assert_null(f->evidence[2].value); /* sockstat.tw: not in this snapshot */
	assert_int_equal(f->n_changes, 3);
	/* {min: 2 * current}: evaluated on this machine. */
	assert_string_equal(f->changes[0].key, "net.ipv4.tcp_max_tw_buckets");
	assert_string_equal(f->changes[0].value, "2000");
	assert_string_equal(f->changes[0].current, "1000");
	assert_true(f->changes[0].needed);
	/* {max: 30} with 20 now: nothing to do. */
	assert_string_equal(f->changes[1].value, "30");
	assert_false(f->changes[1].needed);
	assert_string_equal(f->changes[2].value, "1");
	assert_true(f->changes[2].needed);

	f = &j->findings[1];
	assert_string_equal(f->rule->id, "many-close-wait");
	/* No close_wait top port in this snapshot: the fallback text. */
	assert_string_equal(f->summary, "50 in CLOSE_WAIT on no port");
	assert_int_equal(f->n_changes, 0);

	judgement_filter(j, SEV_CRITICAL);
	assert_int_equal(j->n_findings, 1);
	assert_int_equal(j->worst, SEV_CRITICAL);
	judgement_free(j);
	observation_free(o);
}

/*
 * --min-severity: what is left, and the worst severity, which diagnose turns
 * into its exit status. Both rules fire; their severities vary per case.
 */
static void test_filter(void **state)
{
	static const struct {
		enum severity close_wait, time_wait, min;
		size_t kept;
		const char *first; /* the most severe finding kept */
		enum severity worst;
	} cases[] = {
		{ SEV_WARNING, SEV_INFO, SEV_INFO, 2, "many-close-wait", SEV_WARNING },
		{ SEV_WARNING, SEV_INFO, SEV_WARNING, 1, "many-close-wait", SEV_WARNING },
		/* Nothing left: the worst is none, not the warning that was dropped. */
		{ SEV_WARNING, SEV_INFO, SEV_CRITICAL, 0, NULL, 0 },
		{ SEV_INFO, SEV_INFO, SEV_INFO, 2, "many-close-wait", SEV_INFO },
		{ SEV_INFO, SEV_INFO, SEV_WARNING, 0, NULL, 0 },
		{ SEV_INFO, SEV_CRITICAL, SEV_WARNING, 1, "tw-cap", SEV_CRITICAL },
		{ SEV_WARNING, SEV_CRITICAL, SEV_WARNING, 2, "tw-cap", SEV_CRITICAL },
		{ SEV_WARNING, SEV_CRITICAL, SEV_CRITICAL, 1, "tw-cap", SEV_CRITICAL },
		{ SEV_CRITICAL, SEV_CRITICAL, SEV_CRITICAL, 2, "many-close-wait", SEV_CRITICAL },
	};
	struct rule *cw = (struct rule *)ruleset_find(&rules, "many-close-wait");
	struct rule *tw = (struct rule *)ruleset_find(&rules, "tw-cap");
	const enum severity cw_was = cw->severity, tw_was = tw->severity;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct observation *o = snapshot(50, 700, "1000");
		struct judgement *j = NULL;

		cw->severity = cases[i].close_wait;
		tw->severity = cases[i].time_wait;
		assert_int_equal(engine_judge(&rules, o, &j), 0);
		assert_int_equal(j->n_findings, 2);
		judgement_filter(j, cases[i].min);
		if (j->n_findings != cases[i].kept || j->worst != cases[i].worst)
			fail_msg("case %zu: %zu findings, worst %d; expected %zu, worst %d", i,
				 j->n_findings, j->worst, cases[i].kept, cases[i].worst);
		for (size_t k = 0; k < j->n_findings; k++)
			assert_true(j->findings[k].rule->severity >= cases[i].min);
		if (cases[i].first)
			assert_string_equal(j->findings[0].rule->id, cases[i].first);
		judgement_free(j);
		observation_free(o);
	}
	cw->severity = cw_was;
	tw->severity = tw_was;
}

static void test_quiet_and_not_evaluated(void **state)
{
	struct observation *o = snapshot(3, 700, NULL);
	struct judgement *j = NULL;

	(void)state;
	assert_int_equal(engine_judge(&rules, o, &j), 0);
	assert_int_equal(j->n_findings, 0);
	assert_int_equal(j->worst, 0);
	assert_int_equal(j->n_evaluated, 1);
	/* Without tcp_max_tw_buckets the rule cannot be judged: never a false alarm. */
	assert_int_equal(j->n_skipped, 1);
	assert_string_equal(j->skipped[0].rule->id, "tw-cap");
	assert_string_equal(
		j->skipped[0].reason,
		"sysctl.net.ipv4.tcp_max_tw_buckets is not available (the key is absent on "
		"this kernel or in this network namespace)");
	judgement_free(j);
	observation_free(o);
}

static void test_min_never_lowers(void **state)
{
	struct observation *o = snapshot(0, 700, "1000");
	struct judgement *j = NULL;
	struct rule *r = (struct rule *)ruleset_find(&rules, "tw-cap");

	(void)state;
	/* Pretend the bound asks for less than the machine has: it must not lower it. */
	expr_free(r->recommend[0].bound);
	assert_int_equal(expr_parse("sysctl.net.ipv4.tcp_max_tw_buckets / 2",
				    &r->recommend[0].bound, &(unsigned){ 0 }, NULL),
			 0);
	assert_int_equal(engine_judge(&rules, o, &j), 0);
	assert_int_equal(j->n_findings, 1);
	assert_string_equal(j->findings[0].changes[0].value, "500");
	assert_false(j->findings[0].changes[0].needed);
	judgement_free(j);
	observation_free(o);
}

static void test_disabled(void **state)
{
	struct observation *o = snapshot(50, 700, "1000");
	struct rule *r = (struct rule *)ruleset_find(&rules, "many-close-wait");
	struct judgement *j = NULL;

	(void)state;
	r->enabled = false;
	assert_int_equal(engine_judge(&rules, o, &j), 0);
	assert_int_equal(j->n_findings, 1);
	assert_string_equal(j->findings[0].rule->id, "tw-cap");
	r->enabled = true;
	judgement_free(j);
	observation_free(o);
}

static void test_interpolate(void **state)
{
	struct observation *o = snapshot(7, 0, NULL);
	char *s;

	(void)state;
	s = rule_interpolate("{state.close_wait} x {{literal}} {nope.metric} {top.syn_recv.port|-}",
			     o);
	assert_string_equal(s, "7 x {literal}} ? -");
	free(s);
	observation_free(o);
}

/* Widening never narrows; 0 orphan retries means 8, above a {max: 3}. */
static void test_widen_and_zero_means(void **state)
{
	static const struct {
		const char *range, *retries, *want_range;
		bool range_needed, retries_needed;
	} cases[] = {
		{ "32768 60999", "0", "10240 65535", true, true },
		{ "1024 60999", "2", "1024 65535", true, false },
		{ "1024 65535", "3", "1024 65535", false, false },
		{ "40000 40999", "4", "10240 65535", true, true },
	};
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };

	(void)state;
	assert_int_equal(ruleset_load(&rs, FIXTURES "/rules/widen.yaml", &errs), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct observation *o = observation_new();
		struct judgement *j = NULL;

		set_sysctl(o, "net.ipv4.ip_local_port_range", cases[i].range, 0);
		set_sysctl(o, "net.ipv4.tcp_orphan_retries", cases[i].retries,
			   strtoll(cases[i].retries, NULL, 10));
		assert_int_equal(engine_judge(&rs, o, &j), 0);
		assert_int_equal(j->n_findings, 1);
		assert_string_equal(j->findings[0].changes[0].value, cases[i].want_range);
		assert_int_equal(j->findings[0].changes[0].needed, cases[i].range_needed);
		assert_int_equal(j->findings[0].changes[0].kind, REC_WIDEN);
		assert_int_equal(j->findings[0].changes[1].needed, cases[i].retries_needed);
		judgement_free(j);
		observation_free(o);
	}
	ruleset_free(&rs);
}

/* One condition, one finding: the worse level supersedes the lesser when both fire. */
static void test_supersedes(void **state)
{
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };
	struct observation *small = snapshot(50, 0, NULL), *big = snapshot(150, 0, NULL);
	struct judgement *j = NULL;

	(void)state;
	assert_int_equal(ruleset_load(&rs, FIXTURES "/rules/supersedes.yaml", &errs), 0);
	assert_int_equal(ruleset_check(&rs, &errs), 0);
	assert_int_equal(engine_judge(&rs, small, &j), 0);
	assert_int_equal(j->n_findings, 1);
	assert_string_equal(j->findings[0].rule->id, "cw-small");
	assert_int_equal(j->worst, SEV_WARNING);
	judgement_free(j);
	assert_int_equal(engine_judge(&rs, big, &j), 0);
	assert_int_equal(j->n_evaluated, 2);
	assert_int_equal(j->n_findings, 1);
	assert_string_equal(j->findings[0].rule->id, "cw-big");
	assert_string_equal(j->findings[0].summary, "150 in CLOSE_WAIT, a leak that dominates");
	assert_int_equal(j->worst, SEV_CRITICAL);
	judgement_free(j);
	observation_free(small);
	observation_free(big);
	ruleset_free(&rs);
}

/*
 * Whose holders to look for: before judging, the states any rule may name
 * (the held sockets observing records; not listeners, whose inodes it keeps
 * anyway); after, those the findings name, and TS_LISTEN for a full queue.
 */
static void test_owner_states(void **state)
{
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };
	struct observation *o = snapshot(50, 0, NULL);
	struct judgement *j = NULL;
	struct listener l = { .family = 2, .port = 80, .queue = 9, .backlog = 8 };

	(void)state;
	assert_int_equal(ruleset_load(&rs, FIXTURES "/rules/owners.yaml", &errs), 0);
	assert_int_equal(engine_owner_states(&rs, NULL),
			 1u << TS_CLOSE_WAIT | 1u << TS_FIN_WAIT2 | 1u << TS_TIME_WAIT);
	assert_int_equal(engine_judge(&rs, o, &j), 0);
	assert_int_equal(engine_owner_states(&rs, j), 1u << TS_CLOSE_WAIT);
	judgement_free(j);
	o->listeners = calloc(1, sizeof(l));
	assert_non_null(o->listeners);
	o->listeners[0] = l;
	o->n_listeners = 1;
	o->states[OBS_V4][TS_LISTEN] = 1;
	assert_int_equal(engine_judge(&rs, o, &j), 0);
	assert_int_equal(engine_owner_states(&rs, j), 1u << TS_CLOSE_WAIT | 1u << TS_LISTEN);
	judgement_free(j);
	observation_free(o);
	ruleset_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_quiet_and_not_evaluated),
		cmocka_unit_test(test_min_never_lowers),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_interpolate),
		cmocka_unit_test(test_widen_and_zero_means),
		cmocka_unit_test(test_supersedes),
		cmocka_unit_test(test_owner_states),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
