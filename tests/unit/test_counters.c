// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "counters.h"
#include "util.h"

struct want {
	const char *name;
	int64_t value;
};

static const struct counter *find(const struct counter *arr, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(arr[i].name, name) == 0)
			return &arr[i];
	return NULL;
}

static void check_value(const struct counter *arr, size_t n, const char *name, int64_t value)
{
	const struct counter *c = find(arr, n, name);

	if (!c)
		fail_msg("counter %s missing", name);
	if (c->value != value)
		fail_msg("%s: got %" PRId64 ", want %" PRId64, name, c->value, value);
}

/* The observation fields counters_read() fills, freed without observation.c. */
static void obs_clear(struct observation *o)
{
	counters_free(o->sockstat, o->n_sockstat);
	counters_free(o->counters, o->n_counters);
	*o = (struct observation){0};
}

static void test_read_good(void **state)
{
	static const struct want sockstat[] = {
	    {"sockets_used", 1410}, {"inuse", 912}, {"orphan", 3},    {"tw", 4312},
	    {"alloc", 1040},	    {"mem", 2381},  {"v6.inuse", 37},
	};
	static const struct want counters[] = {
	    {"Tcp.RtoAlgorithm", 1},
	    {"Tcp.RtoMin", 200},
	    {"Tcp.RtoMax", 120000},
	    {"Tcp.MaxConn", -1},
	    {"Tcp.ActiveOpens", 183342},
	    {"Tcp.CurrEstab", 873},
	    {"Tcp.InSegs", 512338291},
	    {"Tcp.RetransSegs", 48213},
	    {"Tcp.InCsumErrors", 3},
	    {"TcpExt.SyncookiesSent", 311},
	    {"TcpExt.TW", 98231},
	    {"TcpExt.ListenOverflows", 1523},
	    {"TcpExt.ListenDrops", 1531},
	    {"TcpExt.TCPTimeouts", 3412},
	    {"TcpExt.TCPOrigDataSent", 497120331},
	    {"TcpExt.TCPAODroppedIcmps", 0},
	};
	struct observation o = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(counters_read(FIXTURES "/proc-good", &o, &msg), 0);
	assert_null(msg);
	/* Exact sizes: the UDP lines and the Ip/IpExt/MPTcpExt sections were left out. */
	assert_int_equal(o.n_sockstat, ARRAY_SIZE(sockstat));
	assert_int_equal(o.n_counters, 15 + 135);
	for (size_t i = 0; i < ARRAY_SIZE(sockstat); i++)
		check_value(o.sockstat, o.n_sockstat, sockstat[i].name, sockstat[i].value);
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		check_value(o.counters, o.n_counters, counters[i].name, counters[i].value);
	assert_string_equal(o.counters[0].name, "Tcp.RtoAlgorithm");
	assert_null(find(o.counters, o.n_counters, "IpExt.InOctets"));
	assert_true(o.counters[0].rate == 0.0);
	obs_clear(&o);
}

static void test_read_no_sockstat6(void **state)
{
	struct observation o = {0};
	char *msg = NULL;

	(void)state;
	assert_int_equal(counters_read(FIXTURES "/proc-nov6", &o, &msg), 0);
	assert_null(msg);
	assert_int_equal(o.n_sockstat, 6);
	assert_null(find(o.sockstat, o.n_sockstat, "v6.inuse"));
	check_value(o.sockstat, o.n_sockstat, "tw", 4312);
	obs_clear(&o);
}

/* Appends to what the observation already holds, and keeps it. */
static void test_read_appends(void **state)
{
	struct observation o = {0};

	(void)state;
	assert_int_equal(counters_read(FIXTURES "/proc-good", &o, NULL), 0);
	assert_int_equal(counters_read(FIXTURES "/proc-good", &o, NULL), 0);
	assert_int_equal(o.n_sockstat, 14);
	assert_int_equal(o.n_counters, 300);
	assert_string_equal(o.sockstat[7].name, "sockets_used");
	obs_clear(&o);
}

static void test_read_bad(void **state)
{
	static const struct {
		const char *dir, *file;
		int r;
		const char *msg;
	} cases[] = {
	    {"proc-bad-truncated", "netstat", -EBADMSG,
	     "line 2: expected 'TcpExt:' values but found 'IpExt:'"},
	    {"proc-bad-counts", "netstat", -EBADMSG,
	     "line 2: 'TcpExt:' has 135 names but 134 values"},
	    {"proc-bad-number", "snmp", -EBADMSG, "line 8: 'Tcp:' RetransSegs: bad number '48x13'"},
	    {"proc-bad-sockstat", "sockstat", -EBADMSG, "line 2: 'TCP:' key 'mem' has no value"},
	    {"proc-bad-nosnmp", "snmp", -ENOENT, "No such file or directory"},
	    {"no-such-dir", "sockstat", -ENOENT, "No such file or directory"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct observation o = {0};
		_cleanup_free_ char *root = NULL;
		_cleanup_free_ char *want = NULL;
		char *msg = NULL;

		assert_true(asprintf(&root, "%s/%s", FIXTURES, cases[i].dir) > 0);
		assert_true(asprintf(&want, "%s/net/%s: %s", root, cases[i].file, cases[i].msg) >
			    0);
		assert_int_equal(counters_read(root, &o, &msg), cases[i].r);
		assert_non_null(msg);
		assert_string_equal(msg, want);
		/* Nothing half-read is left behind. */
		assert_null(o.sockstat);
		assert_null(o.counters);
		assert_int_equal(o.n_sockstat + o.n_counters, 0);
		free(msg);
	}
}

static const char *const tcp_only[] = {"Tcp", NULL};
static const char *const tcp_udp[] = {"Tcp", "Udp", NULL};

static void test_parse_pairs(void **state)
{
	static const struct {
		const char *text;
		const char *const *sections;
		int r;
		const char *msg; /* on failure */
		size_t n;	 /* on success: how many counters, of which want[] are checked */
		struct want want[3];
	} cases[] = {
	    {"Tcp: A B\nTcp: -1 7\n", tcp_only, 0, NULL, 2, {{"Tcp.A", -1}, {"Tcp.B", 7}}},
	    /* Blank lines are skipped; no final newline is needed. */
	    {"\nUdp: X\nUdp: 5\n\nTcp: A\n\nTcp: 9223372036854775807",
	     tcp_udp,
	     0,
	     NULL,
	     2,
	     {{"Udp.X", 5}, {"Tcp.A", INT64_MAX}}},
	    {"Tcp:  A\t B \nTcp: -9223372036854775808 0\n",
	     tcp_only,
	     0,
	     NULL,
	     2,
	     {{"Tcp.A", INT64_MIN}, {"Tcp.B", 0}}},
	    /* Sections we do not keep are checked for pairing only. */
	    {"Ip: A B\nIp: 1 x y\nTcp: A\nTcp: 4\n", tcp_only, 0, NULL, 1, {{"Tcp.A", 4}}},
	    {"Tcp: A B\n", tcp_only, -EBADMSG, "line 1: 'Tcp:' has no value line"},
	    {"Tcp: A\nTcp: 1\nIp: A\n", tcp_only, -EBADMSG, "line 3: 'Ip:' has no value line"},
	    {"Tcp: A B\nUdp: 1 2\n", tcp_only, -EBADMSG,
	     "line 2: expected 'Tcp:' values but found 'Udp:'"},
	    {"Tcp: A B\nTcp: 1\n", tcp_only, -EBADMSG, "line 2: 'Tcp:' has 2 names but 1 values"},
	    {"\nTcp: A\n\nTcp: 1 2\n", tcp_only, -EBADMSG,
	     "line 4: 'Tcp:' has 1 names but 2 values"},
	    {"Tcp: A B\nTcp: 1 x\n", tcp_only, -EBADMSG, "line 2: 'Tcp:' B: bad number 'x'"},
	    {"Tcp: A\nTcp: 1.5\n", tcp_only, -EBADMSG, "line 2: 'Tcp:' A: bad number '1.5'"},
	    {"Tcp: A\nTcp: 0x10\n", tcp_only, -EBADMSG, "line 2: 'Tcp:' A: bad number '0x10'"},
	    {"Tcp: A\nTcp: 9223372036854775808\n", tcp_only, -EBADMSG,
	     "line 2: 'Tcp:' A: number out of range '9223372036854775808'"},
	    {"Tcp A\nTcp 1\n", tcp_only, -EBADMSG, "line 1: 'Tcp' is not a section tag"},
	    {"Tcp: A\nTcp: 1\nTcp: A\nTcp: 2\n", tcp_only, -EBADMSG,
	     "line 3: second 'Tcp:' section"},
	    {"Udp: A\nUdp: 1\n", tcp_only, -EBADMSG, "no 'Tcp:' section"},
	    {"Tcp: A\nTcp: 1\n", tcp_udp, -EBADMSG, "no 'Udp:' section"},
	    {"", tcp_only, -EBADMSG, "no 'Tcp:' section"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct counter *arr = NULL;
		size_t n = 0;
		char *msg = NULL;
		int r = counters_parse_pairs(cases[i].text, cases[i].sections, &arr, &n, &msg);

		if (r != cases[i].r)
			fail_msg("case %zu: r=%d want %d (%s)", i, r, cases[i].r, msg ? msg : "");
		if (r < 0) {
			assert_non_null(msg);
			assert_string_equal(msg, cases[i].msg);
			assert_null(arr);
			assert_int_equal(n, 0);
			free(msg);
			continue;
		}
		assert_null(msg);
		assert_int_equal(n, cases[i].n);
		for (size_t j = 0; j < ARRAY_SIZE(cases[i].want) && cases[i].want[j].name; j++)
			check_value(arr, n, cases[i].want[j].name, cases[i].want[j].value);
		counters_free(arr, n);
	}
}

static void test_parse_sockstat(void **state)
{
	static const struct {
		const char *text, *tag, *prefix;
		int r;
		const char *msg;
		size_t n;
		struct want want[3];
	} cases[] = {
	    {"sockets: used 5\nTCP: inuse 1 orphan 2 tw 3 alloc 4 mem 5\nUDP: inuse 9 mem 8\n",
	     "TCP",
	     "",
	     0,
	     NULL,
	     6,
	     {{"sockets_used", 5}, {"inuse", 1}, {"mem", 5}}},
	    {"TCP6: inuse 4\nUDP6: inuse 1\n", "TCP6", "v6.", 0, NULL, 1, {{"v6.inuse", 4}}},
	    /* Other protocols' lines are not ours, malformed or not. */
	    {"UDP: inuse x odd\nTCP: inuse 1\n", "TCP", "", 0, NULL, 1, {{"inuse", 1}}},
	    {"TCP: inuse 1 orphan\n", "TCP", "", -EBADMSG,
	     "line 1: 'TCP:' key 'orphan' has no value"},
	    {"sockets: used x\nTCP: inuse 1\n", "TCP", "", -EBADMSG,
	     "line 1: 'sockets:' used: bad number 'x'"},
	    {"\nTCP: inuse -\n", "TCP", "", -EBADMSG, "line 2: 'TCP:' inuse: bad number '-'"},
	    {"TCP: inuse 1\nTCP: inuse 2\n", "TCP", "", -EBADMSG, "line 2: second 'TCP:' line"},
	    {"UDP: inuse 1\n", "TCP", "", -EBADMSG, "no 'TCP:' line"},
	    {"TCP6: inuse 1\n", "TCP", "", -EBADMSG, "no 'TCP:' line"},
	    {"TCP: inuse 1\n", "TCP6", "v6.", -EBADMSG, "no 'TCP6:' line"},
	    {"", "TCP", "", -EBADMSG, "no 'TCP:' line"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct counter *arr = NULL;
		size_t n = 0;
		char *msg = NULL;
		int r = counters_parse_sockstat(cases[i].text, cases[i].tag, cases[i].prefix, &arr,
						&n, &msg);

		if (r != cases[i].r)
			fail_msg("case %zu: r=%d want %d (%s)", i, r, cases[i].r, msg ? msg : "");
		if (r < 0) {
			assert_non_null(msg);
			assert_string_equal(msg, cases[i].msg);
			assert_null(arr);
			assert_int_equal(n, 0);
			free(msg);
			continue;
		}
		assert_null(msg);
		assert_int_equal(n, cases[i].n);
		for (size_t j = 0; j < ARRAY_SIZE(cases[i].want) && cases[i].want[j].name; j++)
			check_value(arr, n, cases[i].want[j].name, cases[i].want[j].value);
		counters_free(arr, n);
	}
}

/* A failed parse leaves the caller's array as it was; a good one appends. */
static void test_parse_keeps_existing(void **state)
{
	struct counter *arr = NULL;
	size_t n = 0;
	char *msg = NULL;

	(void)state;
	assert_int_equal(counters_parse_sockstat("TCP: inuse 7\n", "TCP", "", &arr, &n, NULL), 0);
	assert_int_equal(counters_parse_pairs("Tcp: A\nTcp: x\n", tcp_only, &arr, &n, &msg),
			 -EBADMSG);
	assert_int_equal(n, 1);
	assert_string_equal(arr[0].name, "inuse");
	assert_int_equal(counters_parse_pairs("Tcp: A\nTcp: 2\n", tcp_only, &arr, &n, &msg), 0);
	assert_int_equal(n, 2);
	check_value(arr, n, "inuse", 7);
	check_value(arr, n, "Tcp.A", 2);
	/* A success leaves an earlier message alone: callers look at the return value. */
	assert_string_equal(msg, "line 2: 'Tcp:' A: bad number 'x'");
	free(msg);
	counters_free(arr, n);
	counters_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_read_good),
	    cmocka_unit_test(test_read_no_sockstat6),
	    cmocka_unit_test(test_read_appends),
	    cmocka_unit_test(test_read_bad),
	    cmocka_unit_test(test_parse_pairs),
	    cmocka_unit_test(test_parse_sockstat),
	    cmocka_unit_test(test_parse_keeps_existing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
