// SPDX-License-Identifier: GPL-2.0-or-later
/* util/jsonutil: json_add() takes its value over, and a NULL value is ENOMEM. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "jsonutil.h"

static void test_add(void **state)
{
	_cleanup_json_ json_object *o = json_object_new_object();

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_add(o, "n", json_object_new_int(3)), 0);
	assert_int_equal(json_add(o, "failed", NULL), -ENOMEM);
	assert_int_equal(json_add(o, "n", json_object_new_string("x")), 0);
	assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
			    "{\"n\":\"x\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
