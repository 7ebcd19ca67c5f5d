// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "tcpstate.h"

static void test_names_round_trip(void **state)
{
	static const char *const expected[] = {
		"established", "syn_sent", "syn_recv",	 "fin_wait1", "fin_wait2", "time_wait",
		"close",       "close_wait", "last_ack", "listen",    "closing",
	};
	size_t i = 0;

	(void)state;
	FOREACH_TCP_STATE(s) {
		assert_string_equal(tcp_state_name(s), expected[i++]);
		assert_int_equal(tcp_state_from_name(tcp_state_name(s)), s);
	}
	assert_int_equal(i, 11);
	assert_int_equal(tcp_state_from_name("TIME-WAIT"), 0);
	assert_null(tcp_state_name(0));
	assert_null(tcp_state_name(TS_MAX));
}

static void test_kernel_numbers(void **state)
{
	(void)state;
	assert_int_equal(tcp_state_from_kernel(1), TS_ESTABLISHED);
	assert_int_equal(tcp_state_from_kernel(6), TS_TIME_WAIT);
	assert_int_equal(tcp_state_from_kernel(12), TS_SYN_RECV); /* TCP_NEW_SYN_RECV */
	assert_int_equal(tcp_state_from_kernel(13), 0);		  /* TCP_BOUND_INACTIVE */
	assert_int_equal(tcp_state_from_kernel(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_kernel_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
