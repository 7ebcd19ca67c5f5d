// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kb.h"
#include "sysctl.h"
#include "util.h"

/* Out-parameters must be left alone on failure. */
static char sentinel[] = "untouched";

/* kb_lookup() searches in halves: the table must be sorted, its keys canonical and unique. */
static void test_table_sorted_and_valid(void **state)
{
	size_t n;
	const struct kb_entry *t = kb_entries(&n);

	(void)state;
	assert_true(n >= 35);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *dotted = NULL;

		assert_int_equal(sysctl_key_normalize(t[i].key, &dotted), 0);
		if (strcmp(dotted, t[i].key) != 0)
			fail_msg("%s is not in canonical dotted form", t[i].key);
		if (i > 0 && strcmp(t[i - 1].key, t[i].key) >= 0)
			fail_msg("%s and %s are out of order or duplicated", t[i - 1].key,
				 t[i].key);
		assert_ptr_equal(kb_lookup(t[i].key), &t[i]);
	}
}

static void test_entries_complete(void **state)
{
	size_t n;
	const struct kb_entry *t = kb_entries(&n);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct kb_entry *e = &t[i];

		if (!e->summary || !*e->summary || !e->doc || !*e->doc || !e->ref || !*e->ref)
			fail_msg("%s lacks summary, doc or ref", e->key);
		/* A default is either known or explained. */
		if (!e->def == !e->def_note)
			fail_msg("%s needs exactly one of def and def_note", e->key);
		if (e->type == KB_INT && e->n != 1)
			fail_msg("%s: an integer has n = 1", e->key);
		if (e->type == KB_VEC && (e->n < 2 || e->n > KB_MAX_VEC))
			fail_msg("%s: bad vector size %u", e->key, e->n);
		for (unsigned j = 0; e->type != KB_STRING && j < e->n; j++)
			if (e->range[j].min > e->range[j].max)
				fail_msg("%s: empty range for element %u", e->key, j);
		/* The default must pass the entry's own checks. */
		if (e->def && kb_parse_value(e, e->def, NULL, NULL, NULL) != 0)
			fail_msg("%s: default '%s' does not parse", e->key, e->def);
		if (e->removed && e->since && e->since >= e->removed)
			fail_msg("%s: removed before it was added", e->key);
	}
}

static void test_lookup(void **state)
{
	(void)state;
	assert_non_null(kb_lookup("net.ipv4.tcp_fin_timeout"));
	assert_ptr_equal(kb_lookup("net/ipv4/tcp_fin_timeout"),
			 kb_lookup("net.ipv4.tcp_fin_timeout"));
	assert_non_null(kb_lookup("net.core.somaxconn"));
	assert_null(kb_lookup("net.ipv4.tcp_fin_timeou"));
	assert_null(kb_lookup("net.ipv4.tcp_fin_timeout_"));
	assert_null(kb_lookup("net.ipv4"));
	assert_null(kb_lookup(""));
	assert_null(kb_lookup("../net/ipv4/tcp_fin_timeout"));
	assert_null(kb_lookup("net.ipv4.tcp_*"));
}

static void test_facts(void **state)
{
	const struct kb_entry *e;

	(void)state;
	e = kb_lookup("net.ipv4.tcp_tw_recycle");
	assert_int_equal(e->removed, KB_VERSION(4, 12, 0));
	e = kb_lookup("net.ipv4.tcp_tw_reuse");
	assert_string_equal(e->def, "2");
	assert_int_equal(e->range[0].max, 2);
	assert_string_equal(kb_lookup("net.core.somaxconn")->def, "4096");
	assert_true(kb_lookup("net.core.somaxconn")->per_netns);
	assert_false(kb_lookup("net.ipv4.tcp_mem")->per_netns);
	assert_false(kb_lookup("net.ipv4.tcp_max_orphans")->per_netns);
	assert_false(kb_lookup("net.core.netdev_max_backlog")->per_netns);
	assert_true(kb_lookup("net.ipv4.tcp_max_tw_buckets")->never_lower);
	assert_true(kb_lookup("net.ipv4.tcp_max_orphans")->never_lower);
	assert_null(kb_lookup("net.ipv4.tcp_max_tw_buckets")->def);
	assert_null(kb_lookup("net.ipv4.tcp_mem")->def);
	assert_string_equal(kb_lookup("net.ipv4.tcp_mem")->unit, "pages");
	assert_non_null(
		strstr(kb_lookup("net.ipv4.tcp_fin_timeout")->doc, "does not shorten TIME_WAIT"));
	assert_non_null(strstr(kb_lookup("net.core.somaxconn")->doc, "listen"));
	assert_non_null(strstr(kb_lookup("net.ipv4.tcp_keepalive_time")->doc, "SO_KEEPALIVE"));
	assert_int_equal(kb_lookup("net.ipv4.tcp_tw_reuse_delay")->since, KB_VERSION(6, 14, 0));
}

struct parse_case {
	const char *key;
	const char *value;
	const char *reason; /* NULL: valid */
	size_t n;
	int64_t nums[KB_MAX_VEC];
};

static void test_parse_table(void **state)
{
	static const struct parse_case cases[] = {
		{ "net.ipv4.tcp_fin_timeout", "30", NULL, 1, { 30 } },
		{ "net.ipv4.tcp_fin_timeout", " 30\n", NULL, 1, { 30 } },
		{ "net.ipv4.tcp_fin_timeout", "0", "0 is below the minimum 1" },
		{ "net.ipv4.tcp_fin_timeout", "30s", "'30s' is not an integer" },
		{ "net.ipv4.tcp_fin_timeout", "+30", "'+30' is not an integer" },
		{ "net.ipv4.tcp_fin_timeout", "030",
		  "'030' has a leading zero, which the kernel would read as octal" },
		{ "net.ipv4.tcp_fin_timeout", "", "the value is empty" },
		{ "net.ipv4.tcp_fin_timeout", "30 40", "expects 1 integer, got 2" },
		{ "net.ipv4.tcp_fin_timeout", "99999999999999999999",
		  "'99999999999999999999' is too large" },
		{ "net.ipv4.tcp_tw_reuse", "2", NULL, 1, { 2 } },
		{ "net.ipv4.tcp_tw_reuse", "3", "3 is above the maximum 2" },
		{ "net.ipv4.tcp_tw_reuse", "-1", "-1 is below the minimum 0" },
		{ "net.ipv4.tcp_fastopen", "0x403", NULL, 1, { 0x403 } },
		{ "net.ipv4.tcp_fastopen", "0x", "'0x' is not an integer" },
		{ "net.ipv4.tcp_notsent_lowat", "4294967295", NULL, 1, { 4294967295LL } },
		{ "net.ipv4.tcp_notsent_lowat", "4294967296",
		  "4294967296 is above the maximum 4294967295" },
		{ "net.ipv4.ip_local_port_range", "1024 65535", NULL, 2, { 1024, 65535 } },
		{ "net.ipv4.ip_local_port_range", "1024\t\t65535", NULL, 2, { 1024, 65535 } },
		{ "net.ipv4.ip_local_port_range", "1024", "expects 2 integers, got 1" },
		{ "net.ipv4.ip_local_port_range", "1 2 3", "expects 2 integers, got 3" },
		{ "net.ipv4.tcp_rmem", "1 2 3 4 5", "expects 3 integers, got 5" },
		{ "net.ipv4.ip_local_port_range", "1024 60999x",
		  "element 2 (60999x) is not an integer" },
		{ "net.ipv4.ip_local_port_range", "1024 65536",
		  "element 2 (65536) is above the maximum 65535" },
		{ "net.ipv4.ip_local_port_range", "0 65535",
		  "element 1 (0) is below the minimum 1" },
		{ "net.ipv4.ip_local_port_range", "61000 32768",
		  "low end 61000 is not below high end 32768" },
		{ "net.ipv4.ip_local_port_range", "40000 40000",
		  "low end 40000 is not below high end 40000" },
		{ "net.ipv4.tcp_rmem", "4096 131072 6291456", NULL, 3, { 4096, 131072, 6291456 } },
		{ "net.ipv4.tcp_rmem", "4096 131072", "expects 3 integers, got 2" },
		{ "net.ipv4.tcp_rmem", "0 131072 6291456", "element 1 (0) is below the minimum 1" },
		{ "net.ipv4.tcp_mem", "188760 251683 377520", NULL, 3, { 188760, 251683, 377520 } },
		{ "net.ipv4.tcp_congestion_control", "bbr", NULL, 0 },
		{ "net.ipv4.tcp_congestion_control", " cubic ", NULL, 0 },
		{ "net.ipv4.tcp_congestion_control", "BBR",
		  "'BBR' is not a valid name (1 to 15 lowercase letters, digits or '_')" },
		{ "net.ipv4.tcp_congestion_control", "bbr cubic",
		  "'bbr cubic' is not a valid name (1 to 15 lowercase letters, digits or '_')" },
		{ "net.ipv4.tcp_congestion_control", "",
		  "'' is not a valid name (1 to 15 lowercase letters, digits or '_')" },
		{ "net.ipv4.tcp_congestion_control", "a_very_long_name",
		  "'a_very_long_name' is not a valid name (1 to 15 lowercase letters, digits or "
		  "'_')" },
		{ "net.core.default_qdisc", "fq_codel", NULL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct parse_case *c = &cases[i];
		const struct kb_entry *e = kb_lookup(c->key);
		int64_t nums[KB_MAX_VEC] = { -7, -7, -7 };
		size_t n = 99;
		char *reason = NULL;
		int r;

		assert_non_null(e);
		r = kb_parse_value(e, c->value, nums, &n, &reason);
		if (!c->reason) {
			if (r != 0)
				fail_msg("case %zu %s = '%s': refused: %s", i, c->key, c->value,
					 reason);
			assert_int_equal(n, c->n);
			for (size_t j = 0; j < c->n; j++)
				assert_int_equal(nums[j], c->nums[j]);
			assert_null(reason);
			continue;
		}
		if (r != -EINVAL)
			fail_msg("case %zu %s = '%s': got %d, want -EINVAL", i, c->key, c->value,
				 r);
		if (!reason || strcmp(reason, c->reason) != 0)
			fail_msg("case %zu %s = '%s': reason '%s', want '%s'", i, c->key, c->value,
				 reason, c->reason);
		assert_int_equal(n, 99);
		assert_int_equal(nums[0], -7);
		free(reason);
	}
}

struct check_case {
	const char *key;
	const char *value;
	unsigned kernel;
	const char *current;
	const char *reason; /* NULL: allowed */
};

static void test_check_set_table(void **state)
{
	static const struct check_case cases[] = {
		{ "net.ipv4.tcp_fin_timeout", "30", 0, NULL, NULL },
		{ "net.ipv4.tcp_fin_timeout", "x", 0, NULL, "'x' is not an integer" },
		{ "net.ipv4.tcp_tw_recycle", "0", 0, NULL,
		  "net.ipv4.tcp_tw_recycle was removed in Linux 4.12" },
		{ "net.ipv4.tcp_tw_recycle", "1", KB_VERSION(6, 1, 0), NULL,
		  "net.ipv4.tcp_tw_recycle was removed in Linux 4.12" },
		{ "net.ipv4.tcp_tw_recycle", "0", KB_VERSION(4, 9, 0), NULL, NULL },
		{ "net.ipv4.tcp_tw_reuse_delay", "100", KB_VERSION(6, 1, 0), NULL,
		  "net.ipv4.tcp_tw_reuse_delay needs Linux 6.14 or later (this kernel is 6.1)" },
		{ "net.ipv4.tcp_tw_reuse_delay", "100", KB_VERSION(6, 14, 0), NULL, NULL },
		{ "net.ipv4.tcp_tw_reuse_delay", "100", 0, NULL, NULL },
		{ "net.ipv4.tcp_tw_reuse_delay", "0", KB_VERSION(6, 18, 0), NULL,
		  "0 is below the minimum 1" },
		{ "net.ipv4.tcp_max_tw_buckets", "5000", 0, NULL, NULL },
		{ "net.ipv4.tcp_max_tw_buckets", "5000", 0, "262144",
		  "must not be lowered below 262144 (its current value): the kernel documentation "
		  "says this limit only guards against simple DoS attacks and must not be lowered "
		  "artificially; raise it instead" },
		{ "net.ipv4.tcp_max_tw_buckets", "262144", 0, "262144", NULL },
		{ "net.ipv4.tcp_max_tw_buckets", "2000000", 0, "262144", NULL },
		{ "net.ipv4.tcp_max_tw_buckets", "5000", 0, "garbage", NULL },
		{ "net.ipv4.tcp_max_orphans", "100", 0, "131072",
		  "must not be lowered below 131072 (its current value): the kernel documentation "
		  "says this limit only guards against simple DoS attacks and must not be lowered "
		  "artificially; raise it instead" },
		{ "net.ipv4.tcp_max_orphans", "-1", 0, "131072", "-1 is below the minimum 0" },
		/* Only never_lower keys care about the current value. */
		{ "net.ipv4.tcp_fin_timeout", "10", 0, "60", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct check_case *c = &cases[i];
		char *reason = NULL;
		int r = kb_check_set(kb_lookup(c->key), c->value, c->kernel, c->current, &reason);

		if (!c->reason) {
			if (r != 0)
				fail_msg("case %zu %s = %s: refused: %s", i, c->key, c->value,
					 reason);
			continue;
		}
		if (r != -EINVAL || !reason || strcmp(reason, c->reason) != 0)
			fail_msg("case %zu %s = %s: %d '%s', want '%s'", i, c->key, c->value, r,
				 reason, c->reason);
		free(reason);
	}
}

/* A never_lower key with a known default is held to it even without a current value. */
static void test_never_lower_default(void **state)
{
	struct kb_entry e = *kb_lookup("net.ipv4.tcp_max_tw_buckets");
	char *reason = NULL;

	(void)state;
	e.def = "4096";
	assert_int_equal(kb_check_set(&e, "4095", 0, NULL, &reason), -EINVAL);
	assert_non_null(strstr(reason, "below 4096 (the kernel default)"));
	free(reason);
	reason = NULL;
	assert_int_equal(kb_check_set(&e, "4096", 0, NULL, &reason), 0);
	/* The higher of default and current wins. */
	assert_int_equal(kb_check_set(&e, "5000", 0, "8192", &reason), -EINVAL);
	assert_non_null(strstr(reason, "below 8192 (its current value)"));
	free(reason);
	reason = sentinel;
	assert_int_equal(kb_check_set(&e, "8192", 0, "1024", NULL), 0);
	assert_int_equal(kb_check_set(&e, "1024", 0, "1024", NULL), -EINVAL);
	assert_ptr_equal(reason, sentinel);
}

static void test_values_equal(void **state)
{
	const struct kb_entry *rmem = kb_lookup("net.ipv4.tcp_rmem");
	const struct kb_entry *cc = kb_lookup("net.ipv4.tcp_congestion_control");
	const struct kb_entry *tfo = kb_lookup("net.ipv4.tcp_fastopen");

	(void)state;
	assert_true(kb_values_equal(rmem, "4096\t131072  6291456", "4096 131072 6291456"));
	assert_true(kb_values_equal(rmem, " 4096 131072 6291456\n", "4096\t131072\t6291456"));
	assert_false(kb_values_equal(rmem, "4096 131072 6291456", "4096 131072 6291457"));
	assert_false(kb_values_equal(rmem, "4096 131072", "4096 131072 6291456"));
	assert_true(kb_values_equal(tfo, "0x1", "1"));
	assert_true(kb_values_equal(cc, "bbr\n", "bbr"));
	assert_false(kb_values_equal(cc, "bbr", "cubic"));
	/* Unparsable values still compare as normalised text. */
	assert_true(kb_values_equal(rmem, "a  b", "a b"));
	assert_true(kb_values_equal(NULL, "1\t2", "1 2"));
	assert_false(kb_values_equal(rmem, NULL, "1 2 3"));
	assert_true(kb_values_equal(rmem, NULL, NULL));
}

/* Keys outside the knowledge base: their shape from a value, their scope from their name. */
static void test_entry_from_value(void **state)
{
	static const struct {
		const char *key, *value;
		enum kb_type type;
		unsigned n;
		bool per_netns;
	} cases[] = {
		{ "net.ipv4.tcp_ecn", "2", KB_INT, 1, true },
		{ "kernel.printk", "4\t4  1 7", KB_VEC, 4, false },
		{ "vm.lowmem_reserve_ratio", "1 2 3 4 5 6 7 8 9", KB_TEXT, 0, false },
		{ "kernel.core_pattern", "|/usr/lib/x %p", KB_TEXT, 0, false },
		{ "kernel.shmmax", "18446744073692774399", KB_TEXT, 0, false },
		{ "net.ipv4.ip_local_reserved_ports", "", KB_TEXT, 0, true },
		{ "fs.x", NULL, KB_TEXT, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct kb_entry e;

		kb_entry_from_value(cases[i].key, cases[i].value, &e);
		assert_ptr_equal(e.key, cases[i].key);
		assert_true(e.unknown);
		if (e.type != cases[i].type || e.n != cases[i].n ||
		    e.per_netns != cases[i].per_netns)
			fail_msg("case %zu: type %d n %u per_netns %d", i, e.type, e.n,
				 e.per_netns);
		assert_null(e.def);
		assert_false(e.never_lower);
	}
	/* The knowledge base's word first, for its global net.* keys too. */
	{
		size_t n, global = 0;
		const struct kb_entry *all = kb_entries(&n);

		for (size_t i = 0; i < n; i++) {
			assert_int_equal(kb_per_netns(all[i].key), all[i].per_netns);
			global += !all[i].per_netns && strncmp(all[i].key, "net.", 4) == 0;
		}
		assert_true(global > 0);
	}
	assert_true(kb_per_netns("net.ipv4.tcp_ecn"));
	assert_false(kb_per_netns("vm.swappiness"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted_and_valid),
		cmocka_unit_test(test_entries_complete),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_entry_from_value),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_check_set_table),
		cmocka_unit_test(test_never_lower_default),
		cmocka_unit_test(test_values_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
