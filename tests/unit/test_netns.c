// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netns.h"
#include "util.h"

static void test_paths(void **state)
{
	char *p = NULL, *err = NULL;

	(void)state;
	assert_int_equal(netns_path_from_name("blue", &p), 0);
	assert_string_equal(p, "/run/netns/blue");
	free(p);
	assert_int_equal(netns_path_from_name("/proc/1/ns/net", &p), 0);
	assert_string_equal(p, "/proc/1/ns/net");
	free(p);
	assert_int_equal(netns_path_from_name("", &p), -EINVAL);
	assert_int_equal(netns_path_from_name("..", &p), -EINVAL);
	assert_int_equal(netns_path_from_pid("/proc", "42", &p), 0);
	assert_string_equal(p, "/proc/42/ns/net");
	free(p);
	assert_int_equal(netns_path_from_pid("/proc", "0", &p), -EINVAL);
	assert_int_equal(netns_path_from_pid("/proc", "4x", &p), -EINVAL);

	/* Errors name the namespace; nothing is entered. */
	assert_int_equal(netns_enter("/run/netns/tcptune-does-not-exist", &err), -ENOENT);
	assert_string_equal(err, "network namespace /run/netns/tcptune-does-not-exist: "
				 "No such file or directory");
	assert_int_equal(netns_enter("/dev/null", &err), -EINVAL);
	assert_string_equal(err, "/dev/null: not a network namespace");
	free(err);
}

static void test_current(void **state)
{
	uint64_t ino = 0;

	(void)state;
	assert_int_equal(netns_current_inode("/proc", &ino), 0);
	assert_true(ino > 0);
	assert_int_equal(netns_current_inode("/nonexistent", &ino), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_current),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
