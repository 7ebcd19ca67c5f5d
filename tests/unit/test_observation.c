// SPDX-License-Identifier: GPL-2.0-or-later
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

#include "observation.h"

static struct counter *counters(const char *const *names, const int64_t *values, size_t n)
{
	struct counter *c = calloc(n, sizeof(*c));

	for (size_t i = 0; i < n; i++)
		c[i] = (struct counter){ .name = strdup(names[i]), .value = values[i] };
	return c;
}

static struct observation *sample(void)
{
	static const char *const cnames[] = { "TcpExt.ListenOverflows", "Tcp.ActiveOpens" };
	static const int64_t cvalues[] = { 40, 1000 };
	static const char *const snames[] = { "tw", "v6.inuse" };
	static const int64_t svalues[] = { 300, 7 };
	struct observation *o = observation_new();

	o->kernel_release = strdup("6.1.0-18-amd64");
	o->states[OBS_V4][TS_TIME_WAIT] = 250;
	o->states[OBS_V6][TS_TIME_WAIT] = 50;
	o->states[OBS_V4][TS_CLOSE_WAIT] = 12;
	o->client[TS_TIME_WAIT] = 280;
	o->top[TS_CLOSE_WAIT].n = 1;
	o->top[TS_CLOSE_WAIT].ports = calloc(1, sizeof(struct port_count));
	o->top[TS_CLOSE_WAIT].ports[0] = (struct port_count){
		.port = 8080,
		.count = 12,
		.server = true,
		.pid = 4242,
		.comm = strdup("java"),
	};
	o->processes = true;
	o->n_listeners = 2;
	o->listeners = calloc(2, sizeof(struct listener));
	o->listeners[0] =
		(struct listener){ .family = AF_INET, .port = 8080, .queue = 129, .backlog = 128 };
	o->listeners[1] =
		(struct listener){ .family = AF_INET, .port = 22, .queue = 1, .backlog = 4 };
	o->n_peers = 1;
	o->peers = calloc(1, sizeof(struct peer_count));
	o->peers[0] = (struct peer_count){ .family = AF_INET6, .port = 5432, .count = 950 };
	o->peers[0].addr[15] = 1;
	o->counters = counters(cnames, cvalues, 2);
	o->n_counters = 2;
	o->sockstat = counters(snames, svalues, 2);
	o->n_sockstat = 2;
	o->n_sysctls = 4;
	o->sysctls = calloc(4, sizeof(struct sysctl_reading));
	o->sysctls[3] = (struct sysctl_reading){
		.key = strdup("net.core.somaxconn"), .value = strdup("128"), .n = 1, .num = { 128 }
	};
	o->sysctls[0] = (struct sysctl_reading){ .key = strdup("net.ipv4.ip_local_port_range"),
						 .value = strdup("32768 60999"),
						 .n = 2,
						 .num = { 32768, 60999 } };
	o->sysctls[1] = (struct sysctl_reading){ .key = strdup("net.ipv4.tcp_fin_timeout"),
						 .value = strdup("60"),
						 .n = 1,
						 .num = { 60 } };
	o->sysctls[2] = (struct sysctl_reading){ .key = strdup("net.ipv4.tcp_tw_recycle") };
	return o;
}

static void test_metrics(void **state)
{
	static const struct {
		const char *name;
		int r;
		double value;
	} cases[] = {
		{ "state.time_wait", 0, 300 },
		{ "state.v4.time_wait", 0, 250 },
		{ "state.v6.time_wait", 0, 50 },
		{ "state.syn_recv", 0, 0 },
		{ "state.v5.time_wait", -EINVAL, 0 },
		{ "state.timewait", -EINVAL, 0 },
		{ "client.time_wait", 0, 280 },
		{ "server.time_wait", 0, 20 },
		{ "server.close_wait", 0, 12 },
		{ "client.listen", -EINVAL, 0 },
		{ "client.bogus", -EINVAL, 0 },
		{ "sockstat.tw", 0, 300 },
		{ "sockstat.v6.inuse", 0, 7 },
		{ "sockstat.orphan", -ENODATA, 0 },
		{ "counter.TcpExt.ListenOverflows", 0, 40 },
		{ "counter.TcpExt.NoSuchThing", -ENODATA, 0 },
		{ "counter.ListenOverflows", -EINVAL, 0 },
		{ "rate.TcpExt.ListenOverflows", -ENODATA, 0 }, /* no interval */
		{ "sysctl.net.ipv4.tcp_fin_timeout", 0, 60 },
		{ "sysctl.net.ipv4.tcp_fin_timeout[0]", 0, 60 },
		{ "sysctl.net.ipv4.ip_local_port_range[1]", 0, 60999 },
		{ "sysctl.net.ipv4.ip_local_port_range[2]", -ENODATA, 0 },
		{ "sysctl.net.ipv4.ip_local_port_range", -EMEDIUMTYPE, 0 },
		{ "sysctl.net.ipv4.ip_local_port_range[x]", -EINVAL, 0 },
		{ "sysctl.net.ipv4.ip_local_port_range[1", -EINVAL, 0 },
		{ "sysctl.net.ipv4.tcp_tw_recycle", -ENODATA, 0 }, /* absent on this kernel */
		{ "sysctl.net.ipv4.not_read", -ENODATA, 0 },
		{ "sysctl.../etc/passwd", -EINVAL, 0 },
		{ "top.close_wait.port", 0, 8080 },
		{ "top.close_wait.count", 0, 12 },
		{ "top.close_wait.pid", 0, 4242 },
		{ "top.close_wait.server", 0, 1 },
		{ "top.close_wait.process", -EMEDIUMTYPE, 0 },
		{ "top.time_wait.port", -ENODATA, 0 },
		{ "top.listen.port", -EINVAL, 0 },
		{ "top.close_wait.colour", -EINVAL, 0 },
		{ "listen.count", 0, 2 },
		{ "listen.max_queue", 0, 129 },
		{ "listen.max_queue_ratio", 0, 129.0 / 128.0 },
		{ "listen.full", 0, 1 },
		{ "peer.count", 0, 950 },
		{ "peer.port", 0, 5432 },
		{ "peer.address", -EMEDIUMTYPE, 0 },
		{ "peer.name", -EINVAL, 0 },
		{ "listen.capped", 0, 1 }, /* 8080: 129 queued of 128 = somaxconn */
		{ "kernel.version_code", 0, (6 << 16) | (1 << 8) },
		{ "kernel.version", -EMEDIUMTYPE, 0 },
		{ "nonsense", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
	};
	struct observation *o = sample();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -1;
		int r = observation_metric(o, cases[i].name, &v);

		if (r != cases[i].r)
			fail_msg("%s: returned %d, expected %d", cases[i].name, r, cases[i].r);
		if (r == 0 && fabs(v - cases[i].value) > 1e-9)
			fail_msg("%s: %g, expected %g", cases[i].name, v, cases[i].value);
		/* The shape check agrees with the lookup on what is a name at all. */
		if ((metric_check(cases[i].name) == -EINVAL) != (cases[i].r == -EINVAL))
			fail_msg("%s: metric_check disagrees", cases[i].name);
	}
	observation_free(o);
}

/* Every state's metrics, by name: totals, families and roles. */
static void test_every_state(void **state)
{
	static const struct {
		const char *name;
		enum tcp_state s;
		bool role; /* listeners and closed sockets have no client or server side */
	} all[] = {
		{ "established", TS_ESTABLISHED, true },
		{ "syn_sent", TS_SYN_SENT, true },
		{ "syn_recv", TS_SYN_RECV, true },
		{ "fin_wait1", TS_FIN_WAIT1, true },
		{ "fin_wait2", TS_FIN_WAIT2, true },
		{ "time_wait", TS_TIME_WAIT, true },
		{ "close", TS_CLOSE, false },
		{ "close_wait", TS_CLOSE_WAIT, true },
		{ "last_ack", TS_LAST_ACK, true },
		{ "listen", TS_LISTEN, false },
		{ "closing", TS_CLOSING, true },
	};
	struct observation *o = observation_new();

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		o->states[OBS_V4][all[i].s] = 1 + i;
		o->states[OBS_V6][all[i].s] = 100 * (1 + i);
		o->client[all[i].s] = all[i].role ? 10 * (1 + i) : 0;
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const struct {
			const char *prefix;
			int r;
			double value;
		} m[] = {
			{ "state.", 0, 101 * (1 + i) },
			{ "state.v4.", 0, 1 + i },
			{ "state.v6.", 0, 100 * (1 + i) },
			{ "client.", all[i].role ? 0 : -EINVAL, 10 * (1 + i) },
			{ "server.", all[i].role ? 0 : -EINVAL, 91 * (1 + i) },
		};

		assert_int_equal(observation_state_total(o, all[i].s), 101 * (1 + i));
		for (size_t k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
			char name[64];
			double v = -1;
			int r;

			snprintf(name, sizeof(name), "%s%s", m[k].prefix, all[i].name);
			r = observation_metric(o, name, &v);
			if (r != m[k].r || (r == 0 && v != m[k].value))
				fail_msg("%s: %d %g, expected %d %g", name, r, v, m[k].r,
					 m[k].value);
		}
	}
	observation_free(o);
}

static void test_text(void **state)
{
	struct observation *o = sample();
	char *s;

	(void)state;
	assert_int_equal(observation_metric_text(o, "top.close_wait.process", &s), 0);
	assert_string_equal(s, "java");
	free(s);
	assert_int_equal(observation_metric_text(o, "kernel.version", &s), 0);
	assert_string_equal(s, "6.1.0-18-amd64");
	free(s);
	assert_int_equal(observation_metric_text(o, "state.time_wait", &s), 0);
	assert_string_equal(s, "300");
	free(s);
	assert_int_equal(observation_metric_text(o, "listen.max_queue_ratio", &s), 0);
	assert_string_equal(s, "1.01");
	free(s);
	assert_int_equal(observation_metric_text(o, "peer.address", &s), 0);
	assert_string_equal(s, "[::1]:5432");
	free(s);
	/* A vector is no number, but it shows whole (evidence, templates). */
	assert_int_equal(observation_metric_text(o, "sysctl.net.ipv4.ip_local_port_range", &s), 0);
	assert_string_equal(s, "32768 60999");
	free(s);
	assert_int_equal(observation_metric_text(o, "top.syn_recv.port", &s), -ENODATA);
	observation_free(o);
}

static void test_rates(void **state)
{
	struct observation *prev = sample(), *cur = sample();
	double v;

	(void)state;
	cur->counters[0].value = 100; /* ListenOverflows 40 -> 100 in 2 s */
	cur->counters[1].value = 10;  /* went backwards: no honest rate */
	observation_derive_rates(cur, prev, 2.0);
	assert_int_equal(observation_metric(cur, "rate.TcpExt.ListenOverflows", &v), 0);
	assert_true(fabs(v - 30.0) < 1e-9);
	assert_int_equal(observation_metric(cur, "rate.Tcp.ActiveOpens", &v), -ENODATA);
	assert_int_equal(observation_metric(cur, "counter.Tcp.ActiveOpens", &v), 0);
	assert_true(v == 10);
	observation_free(prev);
	observation_free(cur);
}

/* Without limits (the /proc source) queue ratios are unknown, not zero. */
static void test_listen_without_limits(void **state)
{
	struct observation *o = sample();
	double v;

	(void)state;
	o->listeners[0].backlog = o->listeners[1].backlog = -1;
	assert_int_equal(observation_metric(o, "listen.max_queue_ratio", &v), -ENODATA);
	assert_int_equal(observation_metric(o, "listen.capped", &v), -ENODATA);
	assert_int_equal(observation_metric(o, "listen.full", &v), -ENODATA);
	assert_int_equal(observation_metric(o, "listen.max_queue", &v), 0);
	assert_true(v == 129);
	observation_free(o);
}

static void test_listener_fill(void **state)
{
	struct listener l = { .queue = 3, .backlog = 4 };
	double fill;

	(void)state;
	assert_true(listener_fill(&l, &fill));
	assert_true(fill == 0.75);
	l.backlog = 0;
	assert_true(listener_fill(&l, &fill) && fill == 3);
	l.backlog = -1;
	assert_false(listener_fill(&l, &fill));
}

static void test_why(void **state)
{
	struct observation *o = sample();

	(void)state;
	assert_string_equal(observation_metric_why(o, "rate.TcpExt.ListenOverflows"),
			    "rates need two samples: run with --interval SEC");
	o->interval = 2;
	assert_string_equal(observation_metric_why(o, "rate.TcpExt.Nope"),
			    "this kernel does not report that counter");
	assert_string_equal(observation_metric_why(o, "top.time_wait.port"),
			    "no socket is in that state");
	assert_string_equal(observation_metric_why(o, "top.close_wait.process"),
			    "owners were not looked up or are not known (--processes, root)");
	assert_string_equal(observation_metric_why(o, "sysctl.net.ipv4.tcp_mem[1]"),
			    "the key is absent on this kernel or in this network namespace");
	observation_free(o);
}

/* The accessors behind the listen.* and peer.* metrics. */
static void test_listeners_and_peers(void **state)
{
	struct observation *o = sample();
	struct listen_summary ls;
	char buf[64];
	double n = -1;

	(void)state;
	ls = observation_listen_summary(o);
	assert_true(ls.max_queue == 129 && ls.full == 1 && ls.max_ratio == 129.0 / 128.0);
	assert_int_equal(observation_listen_capped(o, &n), 0);
	assert_true(n == 1);
	assert_int_equal(observation_peer_address(o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[::1]:5432");
	o->peers[0].family = AF_INET;
	memcpy(o->peers[0].addr, (uint8_t[]){ 198, 51, 100, 9 }, 4);
	assert_int_equal(observation_peer_address(o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "198.51.100.9:5432");
	o->n_peers = 0;
	assert_int_equal(observation_peer_address(o, buf, sizeof(buf)), -ENODATA);
	o->listeners[1].backlog = -1;
	ls = observation_listen_summary(o);
	assert_true(ls.max_queue == 129 && ls.full == 1);
	assert_int_equal(observation_listen_capped(o, &n), -ENODATA);
	o->listeners[0].backlog = -1;
	assert_true(observation_listen_summary(o).max_ratio == -1);
	observation_free(o);
}

static void test_notes(void **state)
{
	struct observation *o = observation_new();

	(void)state;
	assert_int_equal(observation_add_note(o, "netlink unavailable (%s)", "EPERM"), 0);
	assert_int_equal(observation_add_note(o, "second"), 0);
	assert_int_equal(o->n_notes, 2);
	assert_string_equal(o->notes[0], "netlink unavailable (EPERM)");
	observation_free(o);
	assert_null(observation_free(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_every_state),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_listen_without_limits),
		cmocka_unit_test(test_listener_fill),
		cmocka_unit_test(test_why),
		cmocka_unit_test(test_listeners_and_peers),
		cmocka_unit_test(test_notes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
