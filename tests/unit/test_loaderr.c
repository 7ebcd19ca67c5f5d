// SPDX-License-Identifier: GPL-2.0-or-later
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

#include "loaderr.h"
#include "yamltree.h"

static void test_gather(void **state)
{
	struct load_errors errs = { 0 };
	struct ynode at = { .line = 12, .column = 7 };

	(void)state;
	assert_int_equal(load_errors_add(&errs, "%s: %d", "x.yaml", 3), 0);
	load_errors_at(&errs, "x.yaml", &at, "unknown field '%s'", "colour");
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.msgs[0], "x.yaml: 3");
	assert_string_equal(errs.msgs[1], "x.yaml:12:7: unknown field 'colour'");
	load_errors_free(&errs);
	assert_int_equal(errs.n, 0);
	assert_null(errs.msgs);
	load_errors_free(&errs); /* cleared: harmless */
}

static void test_scalar(void **state)
{
	struct load_errors errs = { 0 };
	struct load_ctx c = { .file = "r.yaml", .errs = &errs };
	struct ynode scalar = { .kind = YNODE_SCALAR, .value = "x", .line = 1, .column = 5 };
	struct ynode seq = { .kind = YNODE_SEQ, .line = 2, .column = 9 };

	(void)state;
	assert_string_equal(load_scalar(&c, &scalar, "id"), "x");
	assert_null(load_scalar(&c, &seq, "id"));
	load_bad(&c, &scalar, "bad %s", "thing");
	assert_int_equal(errs.n, 2);
	assert_string_equal(errs.msgs[0], "r.yaml:2:9: id: expected a scalar, found a sequence");
	assert_string_equal(errs.msgs[1], "r.yaml:1:5: bad thing");
	load_errors_free(&errs);
}

static void test_valid_id(void **state)
{
	static const struct {
		const char *id;
		bool ok;
	} cases[] = {
		{ "high-conn", true }, { "a1", true },	 { "", false },	  { "High", false },
		{ "a/b", false },      { "a_b", false }, { "..", false }, { "a.yaml", false },
	};
	char long_id[66];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(load_valid_id(cases[i].id), cases[i].ok);
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	assert_true(load_valid_id(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	assert_false(load_valid_id(long_id));
}

static void test_file_safe(void **state)
{
	char path[] = "/tmp/tcptune-loaderr-XXXXXX", want[128];
	struct load_errors errs = { 0 };
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(load_check_file_safe(path, "profile", &errs), 0);
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(load_check_file_safe(path, "profile", &errs), -EPERM);
	snprintf(want, sizeof(want), "%s: refusing a profile that group or others may write", path);
	assert_string_equal(errs.msgs[0], want);
	unlink(path);
	assert_int_equal(load_check_file_safe(path, "profile", &errs), -ENOENT);
	assert_int_equal(errs.n, 2);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(errs.msgs[1], want);
	load_errors_free(&errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather),
		cmocka_unit_test(test_scalar),
		cmocka_unit_test(test_valid_id),
		cmocka_unit_test(test_file_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
