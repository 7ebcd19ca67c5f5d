// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <limits.h>
#include <string.h>

#include "tcpstate.h"

static void test_names_round_trip(void **state)
{
	static const char *const expected[] = {
		"established", "syn_sent",   "syn_recv", "fin_wait1", "fin_wait2", "time_wait",
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

/*
 * Every number the kernel can put in idiag_state or /proc/net/tcp's "st"
 * (include/net/tcp_states.h), and those around them.
 */
static void test_kernel_numbers(void **state)
{
	static const struct {
		unsigned kernel;
		enum tcp_state want;
	} cases[] = {
		{ 0, 0 }, /* no such state */
		{ 1, TS_ESTABLISHED },
		{ 2, TS_SYN_SENT },
		{ 3, TS_SYN_RECV },
		{ 4, TS_FIN_WAIT1 },
		{ 5, TS_FIN_WAIT2 },
		{ 6, TS_TIME_WAIT },
		{ 7, TS_CLOSE },
		{ 8, TS_CLOSE_WAIT },
		{ 9, TS_LAST_ACK },
		{ 10, TS_LISTEN },
		{ 11, TS_CLOSING },  /* the last real state: the upper bound */
		{ 12, TS_SYN_RECV }, /* TCP_NEW_SYN_RECV: a request socket, as ss counts it */
		{ 13, 0 },	     /* TCP_BOUND_INACTIVE: not a connection */
		{ 14, 0 },
		{ 255, 0 },
		{ 256 + 1, 0 }, /* not truncated to a byte */
		{ 256 + 12, 0 },
		{ UINT_MAX, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (tcp_state_from_kernel(cases[i].kernel) != cases[i].want)
			fail_msg("kernel state %u: %d, expected %d", cases[i].kernel,
				 tcp_state_from_kernel(cases[i].kernel), cases[i].want);
	/* The enum follows the kernel's numbering, so that a state indexes it directly. */
	FOREACH_TCP_STATE(s)
		assert_int_equal(tcp_state_from_kernel((unsigned)s), s);
	assert_int_equal(TS_MAX, 12);
	assert_int_equal(TS_KERNEL_NEW_SYN_RECV, 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_kernel_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
