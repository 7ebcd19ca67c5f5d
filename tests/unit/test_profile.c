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

#include "kb.h"
#include "profile.h"

#define DIR FIXTURES "/profiles"
#define F(name) DIR "/" name ".yaml"
#define SHIPPED TCPTUNE_SOURCE_DIR "/profiles"

static const char *const dirs[] = { DIR, NULL };

static const struct profile_entry *entry(const struct profile *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->entries[i].key, key) == 0)
			return &p->entries[i];
	return NULL;
}

static void assert_entry(const struct profile *p, const char *key, enum rec_kind kind,
			 const char *value, const char *origin)
{
	const struct profile_entry *e = entry(p, key);

	if (!e)
		fail_msg("no %s in profile %s", key, p->name);
	assert_int_equal(e->kind, kind);
	assert_string_equal(e->value, value);
	if (origin)
		assert_string_equal(e->origin, origin);
}

/* Every form of value, normalised: dotted keys, decimal numbers, single blanks, sorted. */
static void test_good(void **state)
{
	struct load_errors errs = { 0 };
	struct profile p = { 0 };

	(void)state;
	assert_int_equal(profile_load("good", dirs, &p, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(p.name, "good");
	assert_string_equal(p.description, "A profile that sets things.");
	assert_null(p.include);
	assert_string_equal(p.path, F("good"));
	assert_int_equal(p.n, 7);
	for (size_t i = 1; i < p.n; i++)
		assert_true(strcmp(p.entries[i - 1].key, p.entries[i].key) < 0);
	assert_entry(&p, "net.ipv4.tcp_fin_timeout", REC_SET, "30", F("good") ":7");
	assert_entry(&p, "net.ipv4.ip_local_port_range", REC_SET, "10240 65535", NULL);
	assert_entry(&p, "net.core.somaxconn", REC_MIN, "4096", F("good") ":9");
	assert_entry(&p, "net.ipv4.tcp_synack_retries", REC_MAX, "3", NULL);
	assert_entry(&p, "net.ipv4.tcp_max_tw_buckets", REC_MIN, "262144", NULL);
	assert_entry(&p, "net.ipv4.tcp_fastopen", REC_SET, "3", NULL);
	assert_entry(&p, "net.ipv4.tcp_congestion_control", REC_SET, "cubic", NULL);
	profile_free(&p);
	profile_free(&p); /* cleared: a second free is harmless */
}

/* The including profile's value wins; each key once, with the origin of the value kept. */
static void test_include_chain(void **state)
{
	struct load_errors errs = { 0 };
	struct profile p = { 0 };

	(void)state;
	assert_int_equal(profile_load("chain-top", dirs, &p, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(p.name, "chain-top");
	assert_string_equal(p.include, "chain-mid");
	assert_int_equal(p.n, 4);
	assert_string_equal(p.entries[0].key, "net.core.somaxconn");
	assert_entry(&p, "net.core.somaxconn", REC_MIN, "8192", F("chain-top") ":6");
	assert_entry(&p, "net.ipv4.tcp_fin_timeout", REC_SET, "30", F("chain-top") ":5");
	assert_entry(&p, "net.ipv4.tcp_syn_retries", REC_SET, "4", F("chain-mid") ":6");
	assert_entry(&p, "net.ipv4.tcp_keepalive_time", REC_SET, "7200", F("chain-base") ":6");
	profile_free(&p);
}

struct bad_case {
	const char *name;
	const char *const msgs[8];
};

/* Every problem of a profile and of what it includes, each with its position. */
static const struct bad_case bad_cases[] = {
	{ "a", { F("b") ":3:10: include cycle: a -> b -> a" } },
	{ "self", { F("self") ":3:10: include cycle: self -> self" } },
	{ "unknown-field",
	  { F("unknown-field") ":3:1: unknown field 'colour'",
	    F("unknown-field") ":6:29: net.ipv4.tcp_syn_retries: expected a value, {min: N} or "
			       "{max: N}" } },
	{ "unknown-key",
	  { /* A key outside the knowledge base is fine; it is checked when applied. */
	    F("unknown-key") ":5:3: 'net.ipv4..tcp_fin_timeout' is not a sysctl key",
	    F("unknown-key") ":7:3: net.ipv4.tcp_fin_timeout is set twice (first at " F(
		    "unknown-key") ":6)" } },
	{ "invalid-value",
	  { F("invalid-value") ":4:29: net.ipv4.tcp_fin_timeout = -5: -5 is below the minimum 1",
	    F("invalid-value") ":5:33: net.ipv4.ip_local_port_range = 61000 32768: low end 61000 "
			       "is not below high end 32768",
	    F("invalid-value") ":6:28: net.ipv4.tcp_syncookies = yes: 'yes' is not an integer",
	    F("invalid-value") ":7:32: net.ipv4.tcp_keepalive_time: expected a value, {min: N} "
			       "or {max: N}" } },
	{ "removed",
	  { F("removed") ":4:3: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 and must not "
			 "be set" } },
	{ "name-mismatch",
	  { F("name-mismatch") ":1:7: name 'other' does not match the file name "
			       "'name-mismatch.yaml'" } },
	{ "bounds",
	  { F("bounds") ":4:24: net.core.somaxconn: 'widen' is not min or max",
	    F("bounds") ":5:33: net.ipv4.ip_local_port_range: {min: N} and {max: N} need an "
			"integer key",
	    F("bounds") ":6:35: net.ipv4.tcp_syn_retries: {max: 200}: 200 is above the maximum "
			"127",
	    F("bounds") ":7:32: net.ipv4.tcp_max_tw_buckets: only {min: N} is allowed: the "
			"kernel documentation says this limit must not be lowered",
	    F("bounds") ":8:29: net.ipv4.tcp_max_orphans: only {min: N} is allowed: the kernel "
			"documentation says this limit must not be lowered",
	    F("bounds") ":9:39: net.ipv4.tcp_max_syn_backlog: {min: many}: 'many' is not an "
			"integer" } },
	{ "include-missing",
	  { F("include-missing") ":3:10: include: no profile 'nowhere' in " DIR } },
	{ "include-bad",
	  { F("include-bad") ":5:29: net.ipv4.tcp_fin_timeout = 0: 0 is below the minimum 1",
	    F("unknown-key") ":5:3: 'net.ipv4..tcp_fin_timeout' is not a sysctl key",
	    F("unknown-key") ":7:3: net.ipv4.tcp_fin_timeout is set twice (first at " F(
		    "unknown-key") ":6)" } },
	{ "missing-fields",
	  { F("missing-fields") ":1:1: a profile needs a name",
	    F("missing-fields") ":1:1: a profile needs a description",
	    F("missing-fields") ":1:10: include: 'Not/A/Name' is not a profile name",
	    F("missing-fields") ":2:9: sysctl: expected a mapping of sysctl keys to values" } },
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct load_errors errs = { 0 };
		struct profile p = { 0 };
		size_t n = 0;

		while (n < 8 && c->msgs[n])
			n++;
		print_message("profile %s\n", c->name);
		assert_int_equal(profile_load(c->name, dirs, &p, &errs), -EBADMSG);
		for (size_t j = 0; j < errs.n; j++)
			print_message("  %s\n", errs.msgs[j]);
		assert_int_equal(errs.n, n);
		for (size_t j = 0; j < n; j++)
			assert_string_equal(errs.msgs[j], c->msgs[j]);
		/* Nothing is handed out on failure. */
		assert_null(p.name);
		assert_int_equal(p.n, 0);
		load_errors_free(&errs);
	}
}

static void test_missing_and_paths(void **state)
{
	static const char *const two[] = { DIR "/local", DIR, NULL };
	struct load_errors errs = { 0 };
	struct profile p = { 0 };

	(void)state;
	assert_int_equal(profile_load("nope", two, &p, &errs), -ENOENT);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], "no profile 'nope' in " DIR "/local, " DIR);
	load_errors_free(&errs);

	assert_int_equal(profile_load(DIR "/nope.yaml", two, &p, &errs), -ENOENT);
	assert_string_equal(errs.msgs[0], DIR "/nope.yaml: No such file or directory");
	load_errors_free(&errs);

	/* A path is taken as given: its name need not match the file's. */
	assert_int_equal(profile_load(F("name-mismatch"), two, &p, &errs), 0);
	assert_string_equal(p.name, "other");
	profile_free(&p);

	/* The first directory wins. */
	assert_int_equal(profile_load("good", two, &p, &errs), 0);
	assert_string_equal(p.path, DIR "/local/good.yaml");
	assert_int_equal(p.n, 1);
	assert_entry(&p, "net.ipv4.tcp_fin_timeout", REC_SET, "20", NULL);
	profile_free(&p);
	assert_int_equal(errs.n, 0);
}

/*
 * A 0644 profile owned by another user is refused, found by name or given as
 * a path, and so is one reached through include (chown needs root).
 */
static void test_foreign_owner(void **state)
{
	char dir[] = "/tmp/tcptune-profile-XXXXXX", path[128], top[128], want[256];
	const char *const tmp_dirs[] = { dir, NULL };
	struct load_errors errs = { 0 };
	struct profile p = { 0 };
	FILE *f;

	(void)state;
	if (geteuid() != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/theirs.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("name: theirs\ndescription: x\nsysctl:\n  net.ipv4.tcp_fin_timeout: 30\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(top, sizeof(top), "%s/mine.yaml", dir);
	f = fopen(top, "w");
	assert_non_null(f);
	fputs("name: mine\ndescription: y\ninclude: theirs\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(chmod(top, 0644), 0);
	assert_int_equal(profile_load("mine", tmp_dirs, &p, &errs), 0);
	profile_free(&p);

	assert_int_equal(chown(path, 65534, 65534), 0);
	snprintf(want, sizeof(want), "%s: owned by uid 65534, not by root or uid 0: refusing it",
		 path);
	assert_int_equal(profile_load("theirs", tmp_dirs, &p, &errs), -EBADMSG);
	assert_int_equal(profile_load(path, tmp_dirs, &p, &errs), -EBADMSG);
	assert_int_equal(profile_load("mine", tmp_dirs, &p, &errs), -EBADMSG);
	assert_int_equal(errs.n, 3);
	for (size_t i = 0; i < errs.n; i++)
		assert_string_equal(errs.msgs[i], want);
	assert_null(p.name);
	load_errors_free(&errs);
	unlink(path);
	unlink(top);
	rmdir(dir);
}

/* A profile that group or others may write is refused, like a rule file. */
static void test_writable(void **state)
{
	char dir[] = "/tmp/tcptune-profile-XXXXXX", path[128], want[256];
	const char *const tmp_dirs[] = { dir, NULL };
	struct load_errors errs = { 0 };
	struct profile p = { 0 };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("name: w\ndescription: writable\nsysctl:\n  net.ipv4.tcp_fin_timeout: 30\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(profile_load("w", tmp_dirs, &p, &errs), 0);
	profile_free(&p);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(profile_load("w", tmp_dirs, &p, &errs), -EBADMSG);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s: refusing a profile that group or others may write", path);
	assert_string_equal(errs.msgs[0], want);
	load_errors_free(&errs);

	/* An empty file, and one that is not YAML. */
	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(profile_load("w", tmp_dirs, &p, &errs), -EBADMSG);
	snprintf(want, sizeof(want),
		 "%s: empty profile: it needs a name, a description and sysctl settings", path);
	assert_string_equal(errs.msgs[0], want);
	load_errors_free(&errs);
	f = fopen(path, "w");
	fputs("name: [w\n", f);
	fclose(f);
	assert_int_equal(profile_load("w", tmp_dirs, &p, &errs), -EBADMSG);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], "/w.yaml:"));
	load_errors_free(&errs);
	unlink(path);
	rmdir(dir);
}

static void test_list(void **state)
{
	static const char *const two[] = { DIR "/local", DIR, "/nonexistent", NULL };
	static const char *const want[] = {
		"a",
		"b",
		"bounds",
		"chain-base",
		"chain-mid",
		"chain-top",
		"extra",
		"faults20",
		"good",
		"include-bad",
		"include-missing",
		"invalid-value",
		"missing-fields",
		"name-mismatch",
		"removed",
		"self",
		"unknown-field",
		"unknown-key",
	};
	char **names = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(profile_list(two, &names, &n), 0);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++)
		assert_string_equal(names[i], want[i]);
	assert_null(names[n]);
	strv_free(names);
}

/* The shipped profiles: all valid, and honest about the keys that matter. */
static void test_shipped(void **state)
{
	static const char *const shipped[] = { SHIPPED, NULL };
	char **names = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(profile_list(shipped, &names, &n), 0);
	assert_true(n >= 5);
	for (size_t i = 0; i < n; i++) {
		struct load_errors errs = { 0 };
		struct profile p = { 0 };
		int r = profile_load(names[i], shipped, &p, &errs);

		for (size_t j = 0; j < errs.n; j++)
			print_message("%s\n", errs.msgs[j]);
		assert_int_equal(r, 0);
		assert_true(p.n > 0);
		/* Never the removed key, and never tcp_tw_reuse for a server profile. */
		assert_null(entry(&p, "net.ipv4.tcp_tw_recycle"));
		if (strcmp(p.name, "high-conn") == 0 || strcmp(p.name, "syn-flood") == 0)
			assert_null(entry(&p, "net.ipv4.tcp_tw_reuse"));
		profile_free(&p);
		load_errors_free(&errs);
	}
	strv_free(names);
}

static void test_shipped_values(void **state)
{
	static const char *const shipped[] = { SHIPPED, NULL };
	struct load_errors errs = { 0 };
	struct profile p = { 0 };

	(void)state;
	assert_int_equal(profile_load("high-conn", shipped, &p, &errs), 0);
	assert_entry(&p, "net.ipv4.tcp_syncookies", REC_SET, "1", NULL);
	assert_entry(&p, "net.core.somaxconn", REC_MIN, "4096", NULL);
	assert_entry(&p, "net.ipv4.tcp_max_syn_backlog", REC_MIN, "4096", NULL);
	assert_entry(&p, "net.ipv4.tcp_fin_timeout", REC_SET, "30", NULL);
	assert_int_equal(entry(&p, "net.ipv4.tcp_max_tw_buckets")->kind, REC_MIN);
	profile_free(&p);

	assert_int_equal(profile_load("defaults", shipped, &p, &errs), 0);
	assert_entry(&p, "net.ipv4.tcp_fin_timeout", REC_SET, "60", NULL);
	assert_entry(&p, "net.core.somaxconn", REC_SET, "4096", NULL);
	assert_entry(&p, "net.ipv4.tcp_tw_reuse", REC_SET, "2", NULL);
	assert_entry(&p, "net.ipv4.ip_local_port_range", REC_SET, "32768 60999", NULL);
	/* Computed at boot: no value restores them. */
	assert_null(entry(&p, "net.ipv4.tcp_max_tw_buckets"));
	assert_null(entry(&p, "net.ipv4.tcp_max_syn_backlog"));
	profile_free(&p);

	assert_int_equal(profile_load("client-heavy", shipped, &p, &errs), 0);
	assert_entry(&p, "net.ipv4.tcp_tw_reuse", REC_SET, "1", NULL);
	assert_entry(&p, "net.ipv4.tcp_timestamps", REC_SET, "1", NULL);
	assert_entry(&p, "net.ipv4.ip_local_port_range", REC_SET, "10240 65535", NULL);
	profile_free(&p);

	assert_int_equal(profile_load("syn-flood", shipped, &p, &errs), 0);
	assert_entry(&p, "net.ipv4.tcp_syncookies", REC_SET, "1", NULL);
	assert_entry(&p, "net.ipv4.tcp_synack_retries", REC_SET, "2", NULL);
	assert_entry(&p, "net.ipv4.tcp_max_syn_backlog", REC_MIN, "8192", NULL);
	profile_free(&p);
	assert_int_equal(errs.n, 0);
}

/* defaults must restore every key another shipped profile sets, unless computed at boot. */
static void test_defaults_cover(void **state)
{
	static const char *const shipped[] = { SHIPPED, NULL };
	static const char *const others[] = { "high-conn", "client-heavy", "low-latency",
					      "syn-flood" };
	struct load_errors errs = { 0 };
	struct profile def = { 0 };

	(void)state;
	assert_int_equal(profile_load("defaults", shipped, &def, &errs), 0);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		struct profile p = { 0 };

		assert_int_equal(profile_load(others[i], shipped, &p, &errs), 0);
		for (size_t j = 0; j < p.n; j++) {
			const struct kb_entry *kb = kb_lookup(p.entries[j].key);

			if (kb->def && !entry(&def, p.entries[j].key))
				fail_msg("defaults lacks %s (set by %s)", p.entries[j].key,
					 others[i]);
			if (!kb->def)
				assert_int_equal(p.entries[j].kind, REC_MIN);
		}
		profile_free(&p);
	}
	/* ... and each of its values is the knowledge base's default. */
	for (size_t j = 0; j < def.n; j++)
		assert_true(kb_values_equal(kb_lookup(def.entries[j].key), def.entries[j].value,
					    kb_lookup(def.entries[j].key)->def));
	profile_free(&def);
	assert_int_equal(errs.n, 0);
}

/* Shapes a profile file can get wrong, each with its one message and position. */
static void test_bad_shapes(void **state)
{
	static const struct {
		const char *text, *msg; /* msg after "<file>:" */
	} cases[] = {
		{ "- a list\n", "1:1: a profile must be a mapping, found a sequence" },
		{ "name: p\ndescription: \"\"\nsysctl:\n  net.core.somaxconn: 4096\n",
		  "2:14: description: must not be empty" },
	};
	static const char *const no_dirs[] = { NULL };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[] = "/tmp/test_profile_XXXXXX.yaml";
		char *want = NULL;
		struct profile p = { 0 };
		struct load_errors errs = { 0 };
		int fd = mkstemps(path, 5), r;

		assert_true(fd >= 0);
		assert_int_equal(fchmod(fd, 0644), 0);
		assert_int_equal(write(fd, cases[i].text, strlen(cases[i].text)),
				 (ssize_t)strlen(cases[i].text));
		close(fd);
		r = profile_load(path, no_dirs, &p, &errs);
		assert_true(asprintf(&want, "%s:%s", path, cases[i].msg) > 0);
		if (r != -EBADMSG || errs.n != 1 || strcmp(errs.msgs[0], want) != 0)
			fail_msg("case %zu: r=%d, %zu error(s), first '%s', want '%s'", i, r,
				 errs.n, errs.n ? errs.msgs[0] : "", want);
		free(want);
		load_errors_free(&errs);
		unlink(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_include_chain),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_bad_shapes),
		cmocka_unit_test(test_missing_and_paths),
		cmocka_unit_test(test_writable),
		cmocka_unit_test(test_foreign_owner),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_shipped_values),
		cmocka_unit_test(test_defaults_cover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
