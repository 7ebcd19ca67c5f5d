// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules.h"
#include "util.h"

#define DIR FIXTURES "/rules/"

static void test_good(void **state)
{
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };
	const struct rule *r;
	char **keys;

	(void)state;
	assert_int_equal(ruleset_load(&rs, DIR "good.yaml", &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(rs.n, 2);
	r = ruleset_find(&rs, "tw-cap");
	assert_non_null(r);
	assert_int_equal(r->severity, SEV_CRITICAL);
	assert_string_equal(r->origin, DIR "good.yaml:9");
	assert_int_equal(r->n_recommend, 3);
	assert_string_equal(r->recommend[0].key, "net.ipv4.tcp_max_tw_buckets");
	assert_int_equal(r->recommend[0].kind, REC_MIN);
	assert_non_null(r->recommend[0].bound);
	/* The slashed key is stored in its canonical form. */
	assert_string_equal(r->recommend[1].key, "net.ipv4.tcp_fin_timeout");
	assert_int_equal(r->recommend[1].kind, REC_MAX);
	assert_null(r->recommend[1].bound);
	assert_int_equal(r->recommend[2].kind, REC_SET);
	/* Evidence: the condition's metrics, then the listed ones. */
	assert_int_equal(r->n_evidence, 3);
	assert_string_equal(r->evidence[0], "state.time_wait");
	assert_string_equal(r->evidence[1], "sysctl.net.ipv4.tcp_max_tw_buckets");
	assert_string_equal(r->evidence[2], "sockstat.tw");
	assert_int_equal(r->n_see, 1);

	keys = ruleset_sysctl_keys(&rs);
	assert_non_null(keys);
	assert_string_equal(keys[0], "net.ipv4.tcp_max_tw_buckets");
	assert_string_equal(keys[1], "net.ipv4.tcp_fin_timeout");
	assert_string_equal(keys[2], "net.ipv4.tcp_tw_reuse");
	assert_null(keys[3]);
	strv_free(keys);
	ruleset_free(&rs);
}

/* Every problem of a file at once, each with its position; nothing loaded. */
static void test_bad(void **state)
{
	static const char *const expected[] = {
		DIR "bad.yaml:11:5: unknown field 'colour'",
		DIR "bad.yaml:2:9: id 'Bad_Id' must be lower-case letters, digits and '-'",
		DIR "bad.yaml:3:15: severity 'urgent' is not one of info, warning, critical",
		DIR "bad.yaml:4:11: when: unknown metric 'state.timewait'",
		DIR "bad.yaml:5:14: summary: unknown metric '{state.nothing}'",
		DIR
		"bad.yaml:7:7: recommend: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 and "
		"must not be recommended",
		DIR "bad.yaml:8:7: recommend: unknown sysctl 'net.ipv4.no_such_key' (not in the "
		    "knowledge base)",
		NULL, /* tcp_fin_timeout = -5: the knowledge base's reason */
		NULL, /* the port range: low end not below high end */
		DIR "bad.yaml:12:5: rule 'no-when' needs a 'when' condition",
		DIR "bad.yaml:17:14: when: unexpected end of expression",
		DIR "bad.yaml:23:5: duplicate rule id 'dup' (first at " DIR "bad.yaml:19)",
	};
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };

	(void)state;
	assert_int_equal(ruleset_load(&rs, DIR "bad.yaml", &errs), -EBADMSG);
	assert_int_equal(rs.n, 0);
	for (size_t i = 0; i < errs.n; i++)
		printf("  %s\n", errs.msgs[i]);
	assert_int_equal(errs.n, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < errs.n; i++)
		if (expected[i])
			assert_string_equal(errs.msgs[i], expected[i]);
	assert_non_null(
		strstr(errs.msgs[7], "bad.yaml:9:33: recommend: net.ipv4.tcp_fin_timeout = -5: "));
	assert_non_null(strstr(errs.msgs[8],
			       "bad.yaml:10:37: recommend: net.ipv4.ip_local_port_range = "
			       "60000 1024: "));
	load_errors_free(&errs);
}

/* Writes text to a fresh file of mode 0644 and loads it as a rule file. */
static int load_text(const char *text, char *path, struct ruleset *rs, struct load_errors *errs)
{
	int fd = mkstemps(path, 5);

	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, 0644), 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return ruleset_load(rs, path, errs);
}

#define RULE_HEAD "rules:\n  - id: r\n    severity: info\n    when: state.listen > 0\n"

/* Exactly one error, "<path>:<msg>". */
static void expect_one_error(size_t i, const char *path, const char *msg,
			     const struct load_errors *errs)
{
	_cleanup_free_ char *want = NULL;

	assert_true(asprintf(&want, "%s:%s", path, msg) > 0);
	if (errs->n != 1 || strcmp(errs->msgs[0], want) != 0)
		fail_msg("case %zu: %zu error(s), first '%s', want '%s'", i, errs->n,
			 errs->n ? errs->msgs[0] : "", want);
}

/* Every shape a rule file can get wrong, each with its one message and position. */
static void test_bad_shapes(void **state)
{
	static const struct {
		const char *text, *msg; /* msg after "<file>:" */
	} cases[] = {
		{ RULE_HEAD "    summary: x\n    supersedes: other\n",
		  "6:17: supersedes: expected a list" },
		{ RULE_HEAD "    summary: x\n    supersedes: [Other_Rule]\n",
		  "6:17: supersedes: 'Other_Rule' is not a rule id" },
		{ RULE_HEAD "    summary: \"{state.listen sockets\"\n",
		  "5:14: summary: '{' without a closing '}'" },
		{ RULE_HEAD "    summary: x\n    recommend:\n      net..x: 1\n",
		  "7:7: recommend: 'net..x' is not a sysctl key" },
		{ RULE_HEAD "    summary: x\n    recommend: [1]\n",
		  "6:16: recommend: expected a mapping of sysctl keys to values" },
		{ RULE_HEAD
		  "    summary: x\n    recommend:\n      net.core.somaxconn: {least: 4096}\n",
		  "7:28: recommend: net.core.somaxconn: 'least' is not min, max or widen" },
		{ RULE_HEAD "    summary: x\n    recommend:\n"
			    "      net.ipv4.ip_local_port_range: {min: 1024}\n",
		  "7:37: recommend: net.ipv4.ip_local_port_range: {min: N} and {max: N} need an "
		  "integer key" },
		{ RULE_HEAD
		  "    summary: x\n    recommend:\n      net.core.somaxconn: {widen: 1 2}\n",
		  "7:27: recommend: net.core.somaxconn: widen needs a range of two integers" },
		{ RULE_HEAD "    summary: x\n    evidence: state.listen\n",
		  "6:15: evidence: expected a list" },
		{ RULE_HEAD "    summary: x\n    evidence: [state.nothing]\n",
		  "6:16: evidence: unknown metric 'state.nothing'" },
		{ RULE_HEAD
		  "    summary: x\n    recommend:\n      net.ipv4.tcp_rmem: {max: 4096}\n",
		  "7:26: recommend: net.ipv4.tcp_rmem: {min: N} and {max: N} need an integer key" },
		{ "rules:\n  - just a string\n", "2:5: a rule must be a mapping, found a scalar" },
		{ "rules:\n  - severity: info\n    when: state.listen > 0\n    summary: x\n",
		  "2:5: a rule needs an id" },
		{ "rules: []\ncolour: red\n", "2:1: unknown field 'colour'" },
		{ "- id: x\n", "1:1: expected a mapping with a 'rules:' list" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char path[] = "/tmp/test_rules_XXXXXX.yaml";
		struct ruleset rs = { 0 };
		struct load_errors errs = { 0 };

		assert_int_equal(load_text(cases[i].text, path, &rs, &errs), -EBADMSG);
		expect_one_error(i, path, cases[i].msg, &errs);
		assert_int_equal(rs.n, 0);
		load_errors_free(&errs);
		unlink(path);
	}
}

/* What only the whole set can tell: the rules a rule supersedes exist, and not in a circle. */
static void test_supersedes_check(void **state)
{
	static const struct {
		const char *text, *msg; /* msg after "<file>:" */
	} cases[] = {
		{ RULE_HEAD "    summary: x\n    supersedes: [nope]\n",
		  "2: rule 'r' supersedes 'nope', which no rule defines" },
		{ RULE_HEAD "    summary: x\n    supersedes: [r]\n",
		  "2: rule 'r' supersedes itself" },
		{ RULE_HEAD "    summary: x\n    supersedes: [s]\n"
			    "  - id: s\n    severity: info\n    when: state.listen > 1\n"
			    "    summary: y\n    supersedes: [r]\n",
		  "2: rules 'r' and 's' supersede each other" },
		/* A longer circle would drop all its findings: one error, from its first rule. */
		{ RULE_HEAD "    summary: x\n    supersedes: [s]\n"
			    "  - id: s\n    severity: info\n    when: state.listen > 1\n"
			    "    summary: y\n    supersedes: [t]\n"
			    "  - id: t\n    severity: info\n    when: state.listen > 2\n"
			    "    summary: z\n    supersedes: [r]\n"
			    "  - id: u\n    severity: info\n    when: state.listen > 3\n"
			    "    summary: w\n    supersedes: [r]\n",
		  "2: rules 'r', 's', 't' supersede one another in a circle" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char path[] = "/tmp/test_rules_XXXXXX.yaml";
		struct ruleset rs = { 0 };
		struct load_errors errs = { 0 };

		/* Each file loads: a later layer may define what it names. */
		assert_int_equal(load_text(cases[i].text, path, &rs, &errs), 0);
		assert_int_equal(ruleset_check(&rs, &errs), -EBADMSG);
		expect_one_error(i, path, cases[i].msg, &errs);
		load_errors_free(&errs);
		ruleset_free(&rs);
		unlink(path);
	}
}

/* An empty file holds no rules, and is no error. */
static void test_empty_file(void **state)
{
	char path[] = "/tmp/test_rules_XXXXXX.yaml";
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };

	(void)state;
	assert_int_equal(load_text("", path, &rs, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(rs.n, 0);
	ruleset_free(&rs);
	unlink(path);
}

static void test_layers(void **state)
{
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };
	const struct rule *r;

	(void)state;
	assert_int_equal(ruleset_load(&rs, DIR "good.yaml", &errs), 0);
	assert_int_equal(ruleset_load(&rs, DIR "override.yaml", &errs), 0);
	assert_int_equal(rs.n, 2);
	r = ruleset_find(&rs, "many-close-wait");
	assert_int_equal(r->severity, SEV_CRITICAL);
	assert_string_equal(r->summary, "overridden");
	r = ruleset_find(&rs, "tw-cap");
	assert_false(r->enabled);
	assert_int_equal(r->severity, SEV_CRITICAL); /* disabled, otherwise untouched */

	/* A failing layer leaves what was loaded as it was. */
	assert_int_equal(ruleset_load(&rs, DIR "bad.yaml", &errs), -EBADMSG);
	assert_int_equal(rs.n, 2);
	assert_string_equal(ruleset_find(&rs, "many-close-wait")->summary, "overridden");
	load_errors_free(&errs);
	ruleset_free(&rs);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/tcptune-rules-XXXXXX", path[128];
	struct ruleset rs = { 0 };
	struct load_errors errs = { 0 };
	FILE *f;

	(void)state;
	assert_int_equal(ruleset_load(&rs, DIR "nonexistent.yaml", &errs), -ENOENT);
	assert_string_equal(errs.msgs[0], DIR "nonexistent.yaml: No such file or directory");
	load_errors_free(&errs);
	assert_int_equal(ruleset_load(&rs, DIR "notrules.yaml", &errs), -EBADMSG);
	assert_string_equal(errs.msgs[0], DIR "notrules.yaml:1:1: expected a mapping with a "
					      "'rules:' list");
	load_errors_free(&errs);

	/* A directory: its *.yaml files in name order, others ignored; writable files refused. */
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/b.yaml", dir);
	f = fopen(path, "w");
	fputs("rules:\n  - id: b\n    severity: info\n    when: 1\n    summary: b\n", f);
	fclose(f);
	chmod(path, 0644);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	f = fopen(path, "w");
	fputs("not yaml: [", f);
	fclose(f);
	assert_int_equal(ruleset_load(&rs, dir, &errs), 0);
	assert_int_equal(rs.n, 1);
	snprintf(path, sizeof(path), "%s/b.yaml", dir);
	chmod(path, 0666);
	assert_int_equal(ruleset_load(&rs, dir, &errs), -EBADMSG);
	assert_non_null(
		strstr(errs.msgs[0], "refusing a rule file that group or others may write"));
	load_errors_free(&errs);
	ruleset_free(&rs);
	unlink(path);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	unlink(path);
	rmdir(dir);
}

/* A rule file owned by another user is refused even at mode 0644 (chown needs root). */
static void test_foreign_owner(void **state)
{
	char path[] = "/tmp/tcptune-rules-XXXXXX", want[160];
	struct load_errors errs = { 0 };
	struct ruleset rs = { 0 };
	FILE *f;
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("rules:\n  - id: b\n    severity: info\n    when: 1\n    summary: b\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(ruleset_load(&rs, path, &errs), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(ruleset_load(&rs, path, &errs), -EBADMSG);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s: owned by uid 65534, not by root or uid 0: refusing it",
		 path);
	assert_string_equal(errs.msgs[0], want);
	assert_int_equal(rs.n, 1); /* left as it was */
	load_errors_free(&errs);
	ruleset_free(&rs);
	unlink(path);
}

static void test_severity_names(void **state)
{
	(void)state;
	assert_int_equal(severity_from_name("warning"), SEV_WARNING);
	assert_int_equal(severity_from_name("Warning"), 0);
	assert_string_equal(severity_name(SEV_CRITICAL), "critical");
	assert_string_equal(severity_name(0), "ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_shapes),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_layers),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_supersedes_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
