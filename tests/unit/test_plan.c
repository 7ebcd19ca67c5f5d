// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "kb.h"
#include "loaderr.h"
#include "plan.h"
#include "util.h"

#define SRC "test"

/* A fake /proc/sys: what plan_resolve() reads the live values from. */
struct tree {
	char root[64];
};

static const struct {
	const char *rel, *text;
} live[] = {
	{ "net/ipv4/tcp_fin_timeout", "60\n" },
	{ "net/ipv4/tcp_keepalive_time", "7200\n" },
	{ "net/ipv4/tcp_rmem", "4096\t131072  6291456\n" },
	{ "net/ipv4/tcp_synack_retries", "5\n" },
	{ "net/ipv4/tcp_orphan_retries", "0\n" },
	{ "net/ipv4/ip_local_port_range", "32768\t60999\n" },
	{ "net/ipv4/tcp_max_tw_buckets", "262144\n" },
	{ "net/ipv4/tcp_timestamps", "0\n" },
	{ "net/ipv4/tcp_tw_reuse", "2\n" },
	{ "net/core/somaxconn", "4096\n" },
	{ "net/core/rmem_max", "212992\n" },
	{ "net/ipv4/tcp_new_in_some_kernel", "1\n" },
};

static void write_text(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void tree_put(const struct tree *t, const char *rel, const char *text)
{
	_cleanup_free_ char *path = path_join(t->root, rel);

	assert_non_null(path);
	write_text(path, text);
}

static int setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	static const char *const dirs[] = { "net", "net/ipv4", "net/core" };

	assert_non_null(t);
	snprintf(t->root, sizeof(t->root), "/tmp/tcptune-plan-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = path_join(t->root, dirs[i]);

		assert_non_null(path);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		tree_put(t, live[i].rel, live[i].text);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *cmd = NULL;

	/* The path is ours and made by mkdtemp: no shell quoting issues. */
	assert_true(asprintf(&cmd, "rm -rf '%s'", t->root) > 0);
	assert_int_equal(system(cmd), 0);
	free(t);
	return 0;
}

static void assert_errors(const struct load_errors *errs, const char *const *want, size_t n)
{
	for (size_t i = 0; i < errs->n && i < n; i++)
		assert_string_equal(errs->msgs[i], want[i]);
	assert_int_equal(errs->n, n);
}

/* ---- building a plan ---- */

static void test_add_replaces(void **state)
{
	struct plan p = { 0 };

	(void)state;
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "30", REC_SET, "first"), 0);
	assert_int_equal(plan_add(&p, "net.core.somaxconn", "4096", REC_MIN, "other"), 0);
	assert_int_equal(plan_add(&p, "net/ipv4/tcp_fin_timeout", "20", REC_MAX, "second"), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.items[0].key, "net.ipv4.tcp_fin_timeout");
	assert_string_equal(p.items[0].want, "20");
	assert_int_equal(p.items[0].kind, REC_MAX);
	assert_string_equal(p.items[0].source, "second");
	assert_string_equal(p.items[1].key, "net.core.somaxconn");
	assert_string_equal(p.items[1].source, "other");
	plan_free(&p);
	assert_null(p.items);
	assert_int_equal(p.n, 0);
	plan_free(&p); /* twice is harmless */
}

static void test_add_canonical_keys(void **state)
{
	static const struct {
		const char *in, *key; /* key NULL: refused with -EINVAL */
	} cases[] = {
		{ "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_fin_timeout" },
		{ "net/ipv4/tcp_fin_timeout", "net.ipv4.tcp_fin_timeout" },
		{ "net/core/somaxconn", "net.core.somaxconn" },
		{ "", NULL },
		{ "net..ipv4", NULL },
		{ "net/../../etc/passwd", NULL },
		{ "net.ipv4.tcp fin", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct plan p = { 0 };
		int r = plan_add(&p, cases[i].in, "1", REC_SET, SRC);

		if (!cases[i].key) {
			assert_int_equal(r, -EINVAL);
			assert_int_equal(p.n, 0);
		} else {
			assert_int_equal(r, 0);
			assert_int_equal(p.n, 1);
			assert_string_equal(p.items[0].key, cases[i].key);
		}
		plan_free(&p);
	}
}

/* ---- resolving against the live values ---- */

static void test_resolve_values(void **state)
{
	static const struct {
		const char *key, *want;
		enum rec_kind kind;
		const char *current, *value;
		bool change;
	} cases[] = {
		{ "net.ipv4.tcp_fin_timeout", "30", REC_SET, "60", "30", true },
		{ "net/ipv4/tcp_fin_timeout", "60", REC_SET, "60", "60", false },
		/* Whitespace is not a difference: the kernel prints tabs. */
		{ "net.ipv4.tcp_rmem", "4096 131072 6291456", REC_SET, "4096 131072 6291456",
		  "4096 131072 6291456", false },
		{ "net.ipv4.tcp_rmem", "4096 131072 16777216", REC_SET, "4096 131072 6291456",
		  "4096 131072 16777216", true },
		/* {min}: a higher current value stays, a lower one is raised. */
		{ "net.core.somaxconn", "1024", REC_MIN, "4096", "4096", false },
		{ "net.core.somaxconn", "4096", REC_MIN, "4096", "4096", false },
		{ "net.core.somaxconn", "8192", REC_MIN, "4096", "8192", true },
		/* {max}: a lower current value stays, a higher one is lowered. */
		{ "net.ipv4.tcp_synack_retries", "8", REC_MAX, "5", "5", false },
		{ "net.ipv4.tcp_synack_retries", "3", REC_MAX, "5", "3", true },
		/* 0 orphan retries means 8. */
		{ "net.ipv4.tcp_orphan_retries", "3", REC_MAX, "0", "3", true },
		{ "net.ipv4.tcp_orphan_retries", "8", REC_MAX, "0", "0", false },
		{ "net.ipv4.tcp_orphan_retries", "4", REC_MIN, "0", "0", false },
		{ "net.ipv4.tcp_orphan_retries", "9", REC_MIN, "0", "9", true },
		/* widen: covers the current range and the wanted one, never narrows. */
		{ "net.ipv4.ip_local_port_range", "1024 65535", REC_WIDEN, "32768 60999",
		  "1024 65535", true },
		{ "net.ipv4.ip_local_port_range", "40000 50000", REC_WIDEN, "32768 60999",
		  "32768 60999", false },
		{ "net.ipv4.ip_local_port_range", "10000 50000", REC_WIDEN, "32768 60999",
		  "10000 60999", true },
		{ "net.ipv4.ip_local_port_range", "40000 65000", REC_WIDEN, "32768 60999",
		  "32768 65000", true },
		/* never_lower allows raising and keeping. */
		{ "net.ipv4.tcp_max_tw_buckets", "262144", REC_SET, "262144", "262144", false },
		{ "net.ipv4.tcp_max_tw_buckets", "2000000", REC_SET, "262144", "2000000", true },
	};
	struct tree *t = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct load_errors errs = { 0 };
		struct plan p = { 0 };

		assert_int_equal(plan_add(&p, cases[i].key, cases[i].want, cases[i].kind, SRC), 0);
		assert_int_equal(plan_resolve(&p, t->root, KB_VERSION(6, 8, 0), &errs), 0);
		assert_int_equal(errs.n, 0);
		assert_string_equal(p.items[0].current, cases[i].current);
		assert_string_equal(p.items[0].value, cases[i].value);
		assert_int_equal(p.items[0].change, cases[i].change);
		assert_int_equal(plan_changes(&p), cases[i].change);
		plan_free(&p);
		load_errors_free(&errs);
	}
}

/* Resolving again reads the live values again. */
static void test_resolve_again(void **state)
{
	struct tree *t = *state;
	struct load_errors errs = { 0 };
	struct plan p = { 0 };

	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "30", REC_SET, SRC), 0);
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), 0);
	assert_true(p.items[0].change);
	tree_put(t, "net/ipv4/tcp_fin_timeout", "30\n");
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), 0);
	assert_string_equal(p.items[0].current, "30");
	assert_false(p.items[0].change);
	assert_int_equal(errs.n, 0);
	plan_free(&p);
}

static void test_plan_changes(void **state)
{
	struct tree *t = *state;
	struct load_errors errs = { 0 };
	struct plan p = { 0 };

	assert_int_equal(plan_changes(&p), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "30", REC_SET, SRC), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_keepalive_time", "7200", REC_SET, SRC), 0);
	assert_int_equal(plan_add(&p, "net.core.somaxconn", "8192", REC_MIN, SRC), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_synack_retries", "9", REC_MAX, SRC), 0);
	/* Not resolved yet: nothing is known to change. */
	assert_int_equal(plan_changes(&p), 0);
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), 0);
	assert_int_equal(plan_changes(&p), 2);
	plan_free(&p);
}

/* ---- what is refused, all at once ---- */

static void test_resolve_every_error(void **state)
{
	static const char *const want[] = {
		"net.ipv4.tcp_bogus: absent on this kernel or in this network namespace "
		"(from profile x)",
		"net.ipv4.tcp_fastopen: absent on this kernel or in this network namespace "
		"(from profile x)",
		"net.ipv4.tcp_mem: absent on this kernel or in this network namespace; it exists "
		"only in the initial namespace (from --set)",
		"net.ipv4.tcp_tw_recycle: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 "
		"(from profile x)",
		"net.ipv4.tcp_fin_timeout = abc: 'abc' is not an integer (from profile x)",
		"net.ipv4.tcp_max_tw_buckets = 1000: must not be lowered below 262144 (its "
		"current value): the kernel documentation says this limit only guards against "
		"simple DoS attacks and must not be lowered artificially; raise it instead "
		"(from profile x)",
		"net.ipv4.tcp_tw_reuse = 1 needs TCP timestamps, but net.ipv4.tcp_timestamps "
		"would be 0: set it to 1 too",
	};
	struct tree *t = *state;
	struct load_errors errs = { 0 };
	struct plan p = { 0 };

	assert_int_equal(plan_add(&p, "net.ipv4.tcp_bogus", "1", REC_SET, "profile x"), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fastopen", "3", REC_SET, "profile x"), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_mem", "1 2 3", REC_SET, "--set"), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_tw_recycle", "0", REC_SET, "profile x"), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "abc", REC_SET, "profile x"), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_max_tw_buckets", "1000", REC_SET, "profile x"),
			 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_tw_reuse", "1", REC_SET, "profile x"), 0);
	assert_int_equal(plan_add(&p, "net.core.somaxconn", "8192", REC_SET, "profile x"), 0);
	assert_int_equal(plan_resolve(&p, t->root, KB_VERSION(6, 8, 0), &errs), -EBADMSG);
	assert_errors(&errs, want, ARRAY_SIZE(want));
	/* Absent keys have no current value; a valid item is still resolved. */
	assert_null(p.items[1].current);
	assert_null(p.items[2].current);
	assert_string_equal(p.items[7].value, "8192");
	assert_true(p.items[7].change);
	plan_free(&p);
	load_errors_free(&errs);
}

/* Errors are added to what the caller already gathered; the result counts only new ones. */
static void test_resolve_keeps_earlier_errors(void **state)
{
	struct tree *t = *state;
	struct load_errors errs = { 0 };
	struct plan p = { 0 };

	assert_int_equal(load_errors_add(&errs, "earlier"), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "30", REC_SET, SRC), 0);
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), 0);
	assert_int_equal(errs.n, 1);
	plan_free(&p);
	load_errors_free(&errs);
}

/* tcp_tw_reuse = 1 needs timestamps in the state the plan leaves behind. */
static void test_resolve_tw_reuse_needs_timestamps(void **state)
{
	static const struct {
		const char *live_ts, *live_reuse; /* in the tree */
		const char *plan_ts, *plan_reuse; /* set by the plan, or NULL */
		bool ok;
	} cases[] = {
		{ "0\n", "2\n", NULL, "1", false },
		{ "0\n", "2\n", "1", "1", true },
		{ "0\n", "2\n", "2", "1", true },
		{ "1\n", "2\n", NULL, "1", true },
		{ "1\n", "2\n", "0", "1", false },
		{ "0\n", "2\n", NULL, "2", true },
		{ "0\n", "2\n", NULL, "0", true },
		{ "0\n", "2\n", NULL, "0x1", false }, /* the kernel reads hex */
		/* Turning timestamps off under a live tcp_tw_reuse = 1. */
		{ "1\n", "1\n", "0", NULL, false },
		{ "1\n", "1\n", "0", "0", true },
		{ "1\n", "2\n", "0", NULL, true },
	};
	struct tree *t = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct load_errors errs = { 0 };
		struct plan p = { 0 };

		tree_put(t, "net/ipv4/tcp_timestamps", cases[i].live_ts);
		tree_put(t, "net/ipv4/tcp_tw_reuse", cases[i].live_reuse);
		if (cases[i].plan_reuse)
			assert_int_equal(plan_add(&p, "net.ipv4.tcp_tw_reuse", cases[i].plan_reuse,
						  REC_SET, SRC),
					 0);
		if (cases[i].plan_ts)
			assert_int_equal(plan_add(&p, "net.ipv4.tcp_timestamps", cases[i].plan_ts,
						  REC_SET, SRC),
					 0);
		assert_int_equal(plan_resolve(&p, t->root, 0, &errs), cases[i].ok ? 0 : -EBADMSG);
		assert_int_equal(errs.n, cases[i].ok ? 0 : 1);
		if (!cases[i].ok)
			assert_non_null(strstr(errs.msgs[0], "needs TCP timestamps"));
		plan_free(&p);
		load_errors_free(&errs);
	}
}

/* A known key that cannot be read is an error naming it and why. */
static void test_resolve_unreadable(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *path = path_join(t->root, "net/ipv4/tcp_fin_timeout");
	struct load_errors errs = { 0 };
	struct plan p = { 0 };

	assert_non_null(path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "30", REC_SET, SRC), 0);
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), -EBADMSG);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], "net.ipv4.tcp_fin_timeout: cannot read the current "
					  "value: Is a directory (from test)");
	assert_false(p.items[0].change);
	plan_free(&p);
	load_errors_free(&errs);
}

/*
 * Any existing, writable key: outside the knowledge base a value is checked
 * against the shape of the live one (one integer, N integers, text).
 */
static void test_resolve_any_key(void **state)
{
	static const struct {
		const char *key, *live, *want;
		enum rec_kind kind;
		const char *value; /* what the plan writes; NULL: refused with error */
		const char *error;
	} cases[] = {
		{ "net.ipv4.tcp_ecn", "2\n", "1", REC_SET, "1", NULL },
		{ "net.ipv4.tcp_ecn", "2\n", "0x1", REC_SET, "0x1", NULL },
		{ "net.ipv4.tcp_ecn", "2\n", "5", REC_MIN, "5", NULL },
		{ "net.ipv4.tcp_ecn", "2\n", "1", REC_MIN, "2", NULL },
		{ "net.ipv4.tcp_ecn", "2\n", "on", REC_SET, NULL,
		  "net.ipv4.tcp_ecn = on: 'on' is not an integer (the shape of its live value) "
		  "(from test)" },
		{ "kernel.printk", "4\t4\t1\t7\n", "3 4 1 7", REC_SET, "3 4 1 7", NULL },
		{ "kernel.printk", "4\t4\t1\t7\n", "3 4", REC_SET, NULL,
		  "kernel.printk = 3 4: expects 4 integers, got 2 (the shape of its live value) "
		  "(from test)" },
		{ "kernel.printk", "4\t4\t1\t7\n", "3", REC_MAX, NULL,
		  "kernel.printk: {max: N} needs a key holding one integer, not '4 4 1 7' (from "
		  "test)" },
		{ "kernel.core_pattern", "core\n", "|/usr/lib/x %p", REC_SET, "|/usr/lib/x %p",
		  NULL },
		{ "kernel.core_pattern", "core\n", "a\nb", REC_SET, NULL,
		  "kernel.core_pattern = a\nb: the value holds a control character (the shape of "
		  "its live value) (from test)" },
		{ "vm.lowmem_reserve_ratio", "256\t256\t32\t0\t0\t0\t0\t0\t0\n", "1", REC_SET, "1",
		  NULL },
		{ "fs.file-nr", "1\t0\t9\n", "1 0 9", REC_SET, NULL,
		  "fs.file-nr: read-only here (in this network namespace) (from test)" },
		{ "net.ipv4.tcp_nothing", NULL, "1", REC_SET, NULL,
		  "net.ipv4.tcp_nothing: absent on this kernel or in this network namespace (from "
		  "test)" },
	};
	struct tree *t = *state;
	static const char *const dirs[] = { "kernel", "vm", "fs" };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = path_join(t->root, dirs[i]);

		assert_non_null(path);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *rel = strdup(cases[i].key), *path = NULL;
		struct load_errors errs = { 0 };
		struct plan p = { 0 };
		int r;

		for (char *c = rel; *c; c++)
			if (*c == '.')
				*c = '/';
		path = path_join(t->root, rel);
		if (cases[i].live)
			tree_put(t, rel, cases[i].live);
		if (strcmp(cases[i].key, "fs.file-nr") == 0)
			assert_int_equal(chmod(path, 0444), 0);
		assert_int_equal(plan_add(&p, cases[i].key, cases[i].want, cases[i].kind, SRC), 0);
		r = plan_resolve(&p, t->root, 0, &errs);
		if (cases[i].value) {
			if (r < 0)
				fail_msg("case %zu: %s", i, errs.msgs[0]);
			assert_string_equal(p.items[0].value, cases[i].value);
			assert_true(p.items[0].unknown);
		} else {
			assert_int_equal(r, -EBADMSG);
			assert_int_equal(errs.n, 1);
			if (strcmp(errs.msgs[0], cases[i].error) != 0)
				fail_msg("case %zu: '%s', want '%s'", i, errs.msgs[0],
					 cases[i].error);
		}
		plan_free(&p);
		load_errors_free(&errs);
	}
}

/* Read-only keys of the knowledge base are refused before anything is written too. */
static void test_resolve_read_only(void **state)
{
	struct tree *t = *state;
	_cleanup_free_ char *path = path_join(t->root, "net/core/somaxconn");
	struct load_errors errs = { 0 };
	struct plan p = { 0 };

	assert_int_equal(chmod(path, 0444), 0);
	assert_int_equal(plan_add(&p, "net.core.somaxconn", "8192", REC_SET, SRC), 0);
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), -EBADMSG);
	assert_int_equal(errs.n, 1);
	assert_string_equal(
		errs.msgs[0],
		"net.core.somaxconn: read-only here (in this network namespace) (from test)");
	assert_false(p.items[0].unknown);
	plan_free(&p);
	load_errors_free(&errs);
}

/* A plan for another namespace takes only its keys; host-wide ones are refused, each named. */
static void test_resolve_netns(void **state)
{
	static const char *const want[] = {
		"net.core.rmem_max: not per network namespace: setting it in blue would change "
		"the host's value (from test)",
		"vm.swappiness: not per network namespace: setting it in blue would change the "
		"host's value (from test)",
	};
	struct tree *t = *state;
	_cleanup_free_ char *vm = path_join(t->root, "vm");
	struct load_errors errs = { 0 };
	struct plan p = { .netns = "blue" };

	assert_int_equal(mkdir(vm, 0755), 0);
	tree_put(t, "vm/swappiness", "60\n");

	assert_int_equal(plan_add(&p, "net.ipv4.tcp_fin_timeout", "30", REC_SET, SRC), 0);
	assert_int_equal(plan_add(&p, "net.core.rmem_max", "4194304", REC_SET, SRC), 0);
	assert_int_equal(plan_add(&p, "vm.swappiness", "10", REC_SET, SRC), 0);
	/* Outside the knowledge base: present and writable there, so the namespace's own. */
	assert_int_equal(plan_add(&p, "net.ipv4.tcp_new_in_some_kernel", "0", REC_SET, SRC), 0);
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), -EBADMSG);
	assert_errors(&errs, want, ARRAY_SIZE(want));
	assert_true(p.items[0].change);
	assert_true(p.items[3].change && p.items[3].unknown);
	load_errors_free(&errs);

	/* The same keys for the namespace tcptune runs in: all taken. */
	p.netns = NULL;
	assert_int_equal(plan_resolve(&p, t->root, 0, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(plan_changes(&p), 4);
	plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_replaces),
		cmocka_unit_test(test_add_canonical_keys),
		cmocka_unit_test_setup_teardown(test_resolve_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_every_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_keeps_earlier_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_tw_reuse_needs_timestamps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resolve_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_any_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_netns, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
