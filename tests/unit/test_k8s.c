// SPDX-License-Identifier: GPL-2.0-or-later
/* sysctl_k8s_safe(): the kubelet's safe set, and nothing else. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include <cmocka.h>

#include "sysctl.h"

static void test_k8s_safe(void **state)
{
	static const char *const safe[] = {
		"kernel.shm_rmid_forced",	 "net.ipv4.ip_local_port_range",
		"net.ipv4.tcp_syncookies",	 "net.ipv4.ping_group_range",
		"net.ipv4.ip_unprivileged_port_start", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time",	 "net.ipv4.tcp_fin_timeout",
		"net.ipv4.tcp_keepalive_intvl",	 "net.ipv4.tcp_keepalive_probes",
	};
	static const char *const unsafe[] = {
		"net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog", "net.core.rmem_max",
		"net.ipv4.tcp_fin_timeout2", "net.ipv4", "kernel.shm", "", "net/ipv4/tcp_syncookies",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(safe) / sizeof(*safe); i++)
		assert_true(sysctl_k8s_safe(safe[i]));
	for (size_t i = 0; i < sizeof(unsafe) / sizeof(*unsafe); i++)
		assert_false(sysctl_k8s_safe(unsafe[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_k8s_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
