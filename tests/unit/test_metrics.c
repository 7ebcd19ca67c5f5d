// SPDX-License-Identifier: GPL-2.0-or-later
/* The metric registry (observe/metrics.c): every family validated and resolved. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "observation.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct counter *counters(const char *const *names, const int64_t *values, size_t n)
{
	struct counter *c = calloc(n, sizeof(*c));

	for (size_t i = 0; i < n; i++)
		c[i] = (struct counter){ .name = strdup(names[i]),
					 .value = values[i],
					 .rate = 1.5 };
	return c;
}

static void add_sysctl(struct observation *o, const char *key, const char *value, size_t n,
		       const int64_t *num)
{
	struct sysctl_reading *s = &o->sysctls[o->n_sysctls++];

	*s = (struct sysctl_reading){ .key = strdup(key), .value = value ? strdup(value) : NULL };
	s->n = n;
	for (size_t i = 0; i < n; i++)
		s->num[i] = num[i];
}

/* A snapshot with something for every family; the expected values below come from it. */
static struct observation *sample(void)
{
	static const char *const cnames[] = { "TcpExt.ListenOverflows", "Tcp.ActiveOpens" };
	static const int64_t cvalues[] = { 40, 1000 };
	static const char *const snames[] = { "tw", "v6.inuse" };
	static const int64_t svalues[] = { 300, 7 };
	struct observation *o = observation_new();

	o->kernel_release = strdup("5.15.0-91-generic");
	o->states[OBS_V4][TS_ESTABLISHED] = 70;
	o->states[OBS_V6][TS_ESTABLISHED] = 30;
	o->states[OBS_V4][TS_LISTEN] = 3;
	o->client[TS_ESTABLISHED] = 60;
	o->top[TS_ESTABLISHED].n = 1;
	o->top[TS_ESTABLISHED].ports = calloc(1, sizeof(struct port_count));
	o->top[TS_ESTABLISHED].ports[0] = (struct port_count){
		.port = 443, .count = 25, .server = true, .pid = 77, .comm = strdup("nginx")
	};
	o->processes = true;
	o->n_listeners = 3;
	o->listeners = calloc(3, sizeof(struct listener));
	o->listeners[0] =
		(struct listener){ .family = AF_INET, .port = 443, .queue = 2, .backlog = 4 };
	o->listeners[1] =
		(struct listener){ .family = AF_INET, .port = 80, .queue = 5, .backlog = 4 };
	o->listeners[2] =
		(struct listener){ .family = AF_INET, .port = 22, .queue = 0, .backlog = 4 };
	o->n_peers = 1;
	o->peers = calloc(1, sizeof(struct peer_count));
	o->peers[0] = (struct peer_count){ .family = AF_INET, .port = 6379, .count = 900 };
	inet_pton(AF_INET, "192.0.2.7", o->peers[0].addr);
	o->states[OBS_V4][TS_FIN_WAIT2] = 50;
	o->unheld[TS_FIN_WAIT2] = 20;
	o->unheld[TS_FIN_WAIT1] = 4;
	o->unheld[TS_TIME_WAIT] = 300; /* TIME_WAIT is no orphan of the namespace */
	o->stalled[STALL_RETRANS] = (struct stalled){ .sockets = 120, .orphaned = 3, .n_peers = 1 };
	o->stalled[STALL_RETRANS].peers = calloc(1, sizeof(struct peer_count));
	o->stalled[STALL_RETRANS].peers[0] = (struct peer_count){
		.family = AF_INET6, .port = 5432, .count = 100, .idle = 200, .retries = 9
	};
	inet_pton(AF_INET6, "2001:db8::9", o->stalled[STALL_RETRANS].peers[0].addr);
	o->stalled[STALL_ZERO_WINDOW] =
		(struct stalled){ .sockets = 30, .orphaned = 25, .n_peers = 1 };
	o->stalled[STALL_ZERO_WINDOW].peers = calloc(1, sizeof(struct peer_count));
	o->stalled[STALL_ZERO_WINDOW].peers[0] =
		(struct peer_count){ .family = AF_INET, .count = 28 };
	inet_pton(AF_INET, "198.51.100.3", o->stalled[STALL_ZERO_WINDOW].peers[0].addr);
	o->counters = counters(cnames, cvalues, 2);
	o->n_counters = 2;
	o->sockstat = counters(snames, svalues, 2);
	o->n_sockstat = 2;
	o->interval = 2;
	o->sysctls = calloc(4, sizeof(struct sysctl_reading));
	add_sysctl(o, "net.core.somaxconn", "4", 1, (int64_t[]){ 4 });
	add_sysctl(o, "net.ipv4.tcp_rmem", "4096 131072 6291456", 3,
		   (int64_t[]){ 4096, 131072, 6291456 });
	add_sysctl(o, "net.ipv4.tcp_congestion_control", "cubic", 0, NULL);
	add_sysctl(o, "net.ipv4.tcp_tw_recycle", NULL, 0, NULL);
	return o;
}

/* Load time: every family's shape, its type, and why a name is refused. */
static void test_validate(void **state)
{
	static const struct {
		const char *name;
		int r;
		enum metric_type type;
		const char *reason;
	} cases[] = {
		{ "state.time_wait", 0, METRIC_NUMBER, NULL },
		{ "state.v4.established", 0, METRIC_NUMBER, NULL },
		{ "state.v6.listen", 0, METRIC_NUMBER, NULL },
		{ "state.timewait", -EINVAL, 0, "'timewait' is not a TCP state" },
		{ "state.v4.timewait", -EINVAL, 0, "'timewait' is not a TCP state" },
		{ "state.", -EINVAL, 0, "expected state.<state>" },
		{ "client.syn_sent", 0, METRIC_NUMBER, NULL },
		{ "server.close_wait", 0, METRIC_NUMBER, NULL },
		{ "client.listen", -EINVAL, 0, "'listen' is not a state of a connection" },
		{ "server.close", -EINVAL, 0, "'close' is not a state of a connection" },
		{ "sockstat.tw", 0, METRIC_NUMBER, NULL },
		{ "sockstat.v6.inuse", 0, METRIC_NUMBER, NULL },
		{ "sockstat..tw", -EINVAL, 0, "'.tw' is not a sockstat field" },
		{ "sockstat.a-b", -EINVAL, 0, "'a-b' is not a sockstat field" },
		{ "counter.TcpExt.ListenOverflows", 0, METRIC_NUMBER, NULL },
		{ "counter.ListenOverflows", -EINVAL, 0, "'ListenOverflows' is not Section.Name" },
		{ "rate.Tcp.ActiveOpens", 0, METRIC_NUMBER, NULL },
		{ "rate.Tcp", -EINVAL, 0, "'Tcp' is not Section.Name" },
		{ "sysctl.net.core.somaxconn", 0, METRIC_NUMBER_OR_TEXT, NULL },
		{ "sysctl.net.ipv4.tcp_rmem[2]", 0, METRIC_NUMBER, NULL },
		{ "sysctl.net.ipv4.tcp_rmem[8]", -EINVAL, 0, "'8': an index is 0 to 7" },
		{ "sysctl.net.ipv4.tcp_rmem[1", -EINVAL, 0,
		  "'net.ipv4.tcp_rmem[1': expected an index [0] to [7]" },
		{ "sysctl.../etc/passwd", -EINVAL, 0, "'../etc/passwd' is not a sysctl key" },
		{ "sysctl.a..b[0]", -EINVAL, 0, "'a..b' is not a sysctl key" },
		{ "top.close_wait.port", 0, METRIC_NUMBER, NULL },
		{ "top.close_wait.count", 0, METRIC_NUMBER, NULL },
		{ "top.close_wait.pid", 0, METRIC_NUMBER, NULL },
		{ "top.close_wait.server", 0, METRIC_NUMBER, NULL },
		{ "top.close_wait.process", 0, METRIC_TEXT, NULL },
		{ "top.close_wait.service", 0, METRIC_TEXT, NULL },
		{ "top.listen.port", -EINVAL, 0, "'listen' is not a state of a connection" },
		{ "top.bogus.process", -EINVAL, 0, "'bogus' is not a TCP state" },
		{ "top.close_wait.colour", -EINVAL, 0,
		  "expected top.<state>.port, top.<state>.count, top.<state>.pid, "
		  "top.<state>.process, top.<state>.service, top.<state>.server" },
		{ "peer.count", 0, METRIC_NUMBER, NULL },
		{ "peer.port", 0, METRIC_NUMBER, NULL },
		{ "peer.address", 0, METRIC_TEXT, NULL },
		{ "peer.name", -EINVAL, 0, "expected peer.count, peer.port, peer.address" },
		{ "listen.count", 0, METRIC_NUMBER, NULL },
		{ "listen.max_queue", 0, METRIC_NUMBER, NULL },
		{ "listen.max_queue_ratio", 0, METRIC_NUMBER, NULL },
		{ "listen.full", 0, METRIC_NUMBER, NULL },
		{ "listen.capped", 0, METRIC_NUMBER, NULL },
		{ "listen.backlog", -EINVAL, 0,
		  "expected listen.count, listen.max_queue, listen.max_queue_ratio, listen.full, "
		  "listen.capped, listen.fullest" },
		{ "listen.fullest", 0, METRIC_TEXT, NULL },
		{ "orphaned.fin_wait2", 0, METRIC_NUMBER, NULL },
		{ "held.fin_wait2", 0, METRIC_NUMBER, NULL },
		{ "held.listen", -EINVAL, 0, "'listen' is not a state of a connection" },
		{ "held.established", 0, METRIC_NUMBER, NULL },
		{ "orphaned.established", -EINVAL, 0,
		  "'established' is no state of an orphan: fin_wait1, fin_wait2, closing, "
		  "last_ack" },
		{ "orphaned.time_wait", -EINVAL, 0,
		  "'time_wait' is no state of an orphan: fin_wait1, fin_wait2, closing, last_ack" },
		{ "orphans.count", 0, METRIC_NUMBER, NULL },
		{ "retrans.count", 0, METRIC_NUMBER, NULL },
		{ "retrans.orphaned", 0, METRIC_NUMBER, NULL },
		{ "retrans.peer.address", 0, METRIC_TEXT, NULL },
		{ "retrans.peer.count", 0, METRIC_NUMBER, NULL },
		{ "retrans.peer.retries", 0, METRIC_NUMBER, NULL },
		{ "retrans.peer.idle", 0, METRIC_NUMBER, NULL },
		{ "zero_window.peer.address", 0, METRIC_TEXT, NULL },
		{ "zero_window.peer", -EINVAL, 0,
		  "expected zero_window.count, zero_window.orphaned, zero_window.peer.address, "
		  "zero_window.peer.count, zero_window.peer.retries, zero_window.peer.idle" },
		{ "kernel.version", 0, METRIC_TEXT, NULL },
		{ "kernel.version_code", 0, METRIC_NUMBER, NULL },
		{ "kernel.release", -EINVAL, 0, "expected kernel.version, kernel.version_code" },
		{ "nonsense", -EINVAL, 0, "no metric begins with 'nonsense'" },
		{ "foo.bar", -EINVAL, 0, "no metric begins with 'foo'" },
		{ "", -EINVAL, 0, "no metric begins with ''" },
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		enum metric_type type = (enum metric_type) - 1;
		char *reason = NULL;
		int r = metric_validate(cases[i].name, &type, &reason);

		if (r != cases[i].r)
			fail_msg("%s: %d, expected %d", cases[i].name, r, cases[i].r);
		if (r == 0 && type != cases[i].type)
			fail_msg("%s: type %d, expected %d", cases[i].name, type, cases[i].type);
		if (r < 0 && (!reason || strcmp(reason, cases[i].reason) != 0))
			fail_msg("%s: '%s', expected '%s'", cases[i].name,
				 reason ? reason : "(null)", cases[i].reason);
		if (r == 0)
			assert_null(reason);
		free(reason);
		/* The fronts agree: metric_check() and metric_is_text(). */
		assert_int_equal(metric_check(cases[i].name), cases[i].r);
		assert_int_equal(metric_validate(cases[i].name, NULL, NULL), cases[i].r);
		assert_int_equal(metric_is_text(cases[i].name),
				 cases[i].r == 0 && cases[i].type == METRIC_TEXT);
	}
}

/* Evaluation time: every family's value in a snapshot that has it. */
static void test_resolve(void **state)
{
	static const struct {
		const char *name;
		double num;
		const char *text; /* NULL: a number */
	} cases[] = {
		{ "state.established", 100, NULL },
		{ "state.v4.established", 70, NULL },
		{ "state.v6.established", 30, NULL },
		{ "state.listen", 3, NULL },
		{ "client.established", 60, NULL },
		{ "server.established", 40, NULL },
		{ "sockstat.tw", 300, NULL },
		{ "sockstat.v6.inuse", 7, NULL },
		{ "counter.TcpExt.ListenOverflows", 40, NULL },
		{ "rate.Tcp.ActiveOpens", 1.5, NULL },
		{ "sysctl.net.core.somaxconn", 4, NULL },
		{ "sysctl.net.core.somaxconn[0]", 4, NULL },
		{ "sysctl.net.ipv4.tcp_rmem[2]", 6291456, NULL },
		{ "sysctl.net.ipv4.tcp_rmem", 0, "4096 131072 6291456" },
		{ "sysctl.net.ipv4.tcp_congestion_control", 0, "cubic" },
		{ "top.established.port", 443, NULL },
		{ "top.established.count", 25, NULL },
		{ "top.established.pid", 77, NULL },
		{ "top.established.server", 1, NULL },
		{ "top.established.process", 0, "nginx" },
		{ "peer.count", 900, NULL },
		{ "peer.port", 6379, NULL },
		{ "peer.address", 0, "192.0.2.7:6379" },
		{ "listen.count", 3, NULL },
		{ "listen.max_queue", 5, NULL },
		{ "listen.max_queue_ratio", 1.25, NULL },
		{ "listen.full", 1, NULL },
		{ "listen.capped", 2, NULL },	       /* 443 (2 of 4) and 80 (5 of 4) */
		{ "listen.fullest", 0, "0.0.0.0:80" }, /* 5 of 4 */
		{ "orphaned.fin_wait2", 20, NULL },
		{ "held.fin_wait2", 30, NULL },
		{ "orphans.count", 24, NULL },
		{ "retrans.count", 120, NULL },
		{ "retrans.orphaned", 3, NULL },
		{ "retrans.peer.address", 0, "[2001:db8::9]:5432" },
		{ "retrans.peer.count", 100, NULL },
		{ "retrans.peer.retries", 9, NULL },
		{ "retrans.peer.idle", 200, NULL },
		{ "zero_window.count", 30, NULL },
		{ "zero_window.orphaned", 25, NULL },
		{ "zero_window.peer.address", 0, "198.51.100.3" }, /* a server's peer: the host */
		{ "zero_window.peer.count", 28, NULL },
		{ "kernel.version", 0, "5.15.0-91-generic" },
		{ "kernel.version_code", (5 << 16) | (15 << 8), NULL },
	};
	_cleanup_observation_ struct observation *o = sample();

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct metric_value v;
		int r = metric_resolve(o, cases[i].name, &v);

		if (r != 0)
			fail_msg("%s: %d", cases[i].name, r);
		if (cases[i].text) {
			assert_int_equal(v.type, METRIC_TEXT);
			assert_string_equal(v.text, cases[i].text);
		} else if (v.type != METRIC_NUMBER || v.num != cases[i].num) {
			fail_msg("%s: type %d %g, expected %g", cases[i].name, v.type, v.num,
				 cases[i].num);
		}
	}
	assert_int_equal(metric_resolve(o, "state.timewait", &(struct metric_value){ 0 }), -EINVAL);
}

/* What a snapshot cannot tell is unavailable, never 0; and why, for a person. */
static void test_unavailable(void **state)
{
	static const struct {
		const char *name;
		int r;
		const char *why;
	} cases[] = {
		{ "state.established", 0, "not in this snapshot" },
		{ "client.established", 0, "not in this snapshot" },
		{ "sockstat.tw", -ENODATA, "this kernel does not report it" },
		{ "counter.Tcp.ActiveOpens", -ENODATA, "this kernel does not report it" },
		{ "rate.Tcp.ActiveOpens", -ENODATA,
		  "rates need two samples: run with --interval SEC" },
		{ "sysctl.net.core.somaxconn", -ENODATA,
		  "the key is absent on this kernel or in this network namespace" },
		{ "sysctl.net.ipv4.tcp_rmem[1]", -ENODATA,
		  "the key is absent on this kernel or in this network namespace" },
		{ "top.time_wait.port", -ENODATA, "no socket is in that state" },
		{ "top.time_wait.count", -ENODATA, "no socket is in that state" },
		{ "top.time_wait.server", -ENODATA, "no socket is in that state" },
		{ "top.time_wait.pid", -ENODATA,
		  "owners were not looked up or are not known (--processes, root)" },
		{ "top.time_wait.process", -ENODATA,
		  "owners were not looked up or are not known (--processes, root)" },
		{ "peer.count", 0, "no client-side connection" }, /* no peers: a count of 0 */
		{ "peer.port", -ENODATA, "no client-side connection" },
		{ "peer.address", -ENODATA, "no client-side connection" },
		{ "listen.count", 0, "the /proc source does not report accept-queue limits" },
		{ "listen.max_queue_ratio", 0,
		  "the /proc source does not report accept-queue limits" },
		{ "listen.capped", -ENODATA,
		  "the /proc source does not report accept-queue limits" },
		{ "listen.fullest", -ENODATA, "no connection waits in an accept queue" },
		{ "orphaned.fin_wait2", 0, "not in this snapshot" },
		{ "retrans.peer.count", 0, "not in this snapshot" }, /* none: a count of 0 */
		{ "retrans.peer.idle", 0, "not in this snapshot" },
		{ "retrans.peer.address", -ENODATA, "no connection is stalled that way" },
		{ "zero_window.peer.address", -ENODATA, "no connection is stalled that way" },
		{ "kernel.version", -ENODATA, "not in this snapshot" },
		{ "kernel.version_code", -ENODATA, "not in this snapshot" },
		{ "no.such", -EINVAL, "not in this snapshot" },
	};
	_cleanup_observation_ struct observation *o = observation_new();

	(void)state;
	for (size_t i = 0; i < N(cases); i++) {
		struct metric_value v;
		int r = metric_resolve(o, cases[i].name, &v);

		if (r != cases[i].r)
			fail_msg("%s: %d, expected %d", cases[i].name, r, cases[i].r);
		assert_string_equal(observation_metric_why(o, cases[i].name), cases[i].why);
	}
	o->interval = 2;
	assert_string_equal(observation_metric_why(o, "rate.Tcp.ActiveOpens"),
			    "this kernel does not report that counter");
}

/* Owners unknown (no --processes): the port is known, its process is not. */
static void test_owners_unknown(void **state)
{
	_cleanup_observation_ struct observation *o = sample();
	struct metric_value v;

	(void)state;
	o->processes = false;
	assert_int_equal(metric_resolve(o, "top.established.port", &v), 0);
	assert_int_equal(metric_resolve(o, "top.established.pid", &v), -ENODATA);
	assert_int_equal(metric_resolve(o, "top.established.process", &v), -ENODATA);
	o->processes = true;
	free(o->top[TS_ESTABLISHED].ports[0].comm);
	o->top[TS_ESTABLISHED].ports[0].comm = NULL;
	assert_int_equal(metric_resolve(o, "top.established.process", &v), 0);
	assert_string_equal(v.text, "?");
}

/* The fronts: numbers only from observation_metric(), anything as text. */
static void test_fronts(void **state)
{
	_cleanup_observation_ struct observation *o = sample();
	char *s = NULL;
	double d = -1;

	(void)state;
	assert_int_equal(observation_metric(o, "peer.address", &d), -EMEDIUMTYPE);
	assert_int_equal(observation_metric(o, "sysctl.net.ipv4.tcp_congestion_control", &d),
			 -EMEDIUMTYPE);
	assert_true(d == -1);
	assert_int_equal(observation_metric(o, "peer.port", &d), 0);
	assert_true(d == 6379);
	assert_int_equal(observation_metric_text(o, "peer.address", &s), 0);
	assert_string_equal(s, "192.0.2.7:6379");
	free(s);
	assert_int_equal(observation_metric_text(o, "rate.Tcp.ActiveOpens", &s), 0);
	assert_string_equal(s, "1.50");
	free(s);
	assert_int_equal(observation_metric_text(o, "nonsense", &s), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),    cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_unavailable), cmocka_unit_test(test_owners_unknown),
		cmocka_unit_test(test_fronts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
