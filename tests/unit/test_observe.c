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

#include "observe.h"
#include "util.h"

/* A fake /proc assembled from the fixtures: counters and sysctls of proc-good,
 * sockets of procnet. */
static char root[] = "/tmp/tcptune-observe-XXXXXX";

static void link_fixture(const char *target, const char *rel)
{
	_cleanup_free_ char *t = path_join(FIXTURES, target), *p = path_join(root, rel);

	assert_int_equal(symlink(t, p), 0);
}

static int setup(void **state)
{
	_cleanup_free_ char *net = NULL;

	(void)state;
	if (!mkdtemp(root))
		return -1;
	net = path_join(root, "net");
	if (mkdir(net, 0755) < 0)
		return -1;
	link_fixture("proc-good/sys", "sys");
	link_fixture("proc-good/net/sockstat", "net/sockstat");
	link_fixture("proc-good/net/sockstat6", "net/sockstat6");
	link_fixture("proc-good/net/snmp", "net/snmp");
	link_fixture("proc-good/net/netstat", "net/netstat");
	link_fixture("procnet/net/tcp", "net/tcp");
	link_fixture("procnet/net/tcp6", "net/tcp6");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static struct observe_opts opts(void)
{
	static char sys[128];

	snprintf(sys, sizeof(sys), "%s/sys", root);
	return (struct observe_opts){
		.proc_root = root, .sysctl_root = sys, .source = OBS_SOURCE_PROC, .top = 3,
	};
}

static void test_fake_root(void **state)
{
	static const char *const extra[] = { "net.ipv4.tcp_congestion_control", NULL };
	struct observe_opts op = opts();
	struct observation *o = NULL;
	char *errmsg = NULL;
	double v;

	(void)state;
	op.extra_sysctls = extra;
	assert_int_equal(observe(&op, &o, &errmsg), 0);
	assert_string_equal(o->source, "proc");
	assert_int_equal(observation_state_total(o, TS_ESTABLISHED), 13);
	assert_int_equal(observation_state_total(o, TS_SYN_RECV), 1);
	assert_string_equal(o->kernel_release, "6.18.44-fc-v509");
	assert_int_equal(observation_metric(o, "sockstat.tw", &v), 0);
	assert_true(v == 4312);
	assert_int_equal(observation_metric(o, "sysctl.net.ipv4.ip_local_port_range[0]", &v), 0);
	assert_true(v == 32768);
	assert_int_equal(observation_metric(o, "sysctl.net.ipv4.tcp_rmem[2]", &v), 0);
	assert_true(v == 33554432);
	/* The fixture has no tcp_tw_recycle: absent, not 0. */
	assert_int_equal(observation_metric(o, "sysctl.net.ipv4.tcp_tw_recycle", &v), -ENODATA);
	assert_null(observation_sysctl(o, "net.ipv4.tcp_tw_recycle")->value);
	assert_string_equal(observation_sysctl(o, "net.ipv4.tcp_congestion_control")->value,
			    "bbr");
	assert_int_equal(observation_sysctl(o, "net.ipv4.tcp_congestion_control")->n, 0);
	assert_non_null(observation_counter(o, "TcpExt.ListenOverflows"));
	assert_non_null(observation_counter(o, "Tcp.CurrEstab"));
	/* The /proc source cannot tell queue limits, and says so. */
	assert_int_equal(o->n_notes, 1);
	assert_non_null(strstr(o->notes[0], "accept-queue limits"));
	observation_free(o);
	free(errmsg);
}

static void test_missing_file(void **state)
{
	_cleanup_free_ char *p = path_join(root, "net/netstat");
	struct observe_opts op = opts();
	struct observation *o = NULL;
	char *errmsg = NULL;

	(void)state;
	assert_int_equal(unlink(p), 0);
	assert_int_equal(observe(&op, &o, &errmsg), -ENOENT);
	assert_null(o);
	assert_non_null(strstr(errmsg, "net/netstat"));
	link_fixture("proc-good/net/netstat", "net/netstat");

	p = (free(p), path_join(root, "net/tcp"));
	assert_int_equal(unlink(p), 0);
	assert_int_equal(observe(&op, &o, &errmsg), -ENOENT);
	assert_non_null(strstr(errmsg, "net/tcp: No such file or directory"));
	link_fixture("procnet/net/tcp", "net/tcp");
	free(errmsg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_root),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
