// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static void test_parse_i64(void **state)
{
	static const struct {
		const char *s;
		int64_t min, max;
		int r;
		int64_t v;
	} cases[] = {
		{ "0", 0, 10, 0, 0 },
		{ "10", 0, 10, 0, 10 },
		{ "11", 0, 10, -ERANGE, 0 },
		{ "-1", -5, 5, 0, -1 },
		{ "-6", -5, 5, -ERANGE, 0 },
		{ "", 0, 10, -EINVAL, 0 },
		{ "1x", 0, 10, -EINVAL, 0 },
		{ " 1", 0, 10, 0, 1 },
		{ "1 ", 0, 10, -EINVAL, 0 },
		{ "99999999999999999999", INT64_MIN, INT64_MAX, -ERANGE, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t v = 0;

		assert_int_equal(parse_i64(cases[i].s, cases[i].min, cases[i].max, &v), cases[i].r);
		assert_int_equal(v, cases[i].v);
	}
}

static void test_parse_u64(void **state)
{
	uint64_t v = 7;

	(void)state;
	assert_int_equal(parse_u64("4294967295", UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(parse_u64("4294967296", UINT32_MAX, &v), -ERANGE);
	assert_int_equal(parse_u64("-1", UINT64_MAX, &v), -EINVAL); /* strtoull would negate */
	assert_int_equal(parse_u64("+1", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(parse_u64("", UINT64_MAX, &v), -EINVAL);
	assert_int_equal(v, UINT32_MAX);
}

/* Clauses of one failure, joined with "; "; a NULL target is ignored. */
static void test_str_appendf(void **state)
{
	_cleanup_free_ char *msg = NULL;

	(void)state;
	str_appendf(&msg, "restoring %s failed: %s", "a", "EIO");
	assert_string_equal(msg, "restoring a failed: EIO");
	str_appendf(&msg, "%d left", 2);
	assert_string_equal(msg, "restoring a failed: EIO; 2 left");
	str_appendf(NULL, "ignored");
}

static void test_path_join(void **state)
{
	char *p;

	(void)state;
	p = path_join("/proc/", "/net/tcp");
	assert_string_equal(p, "/proc/net/tcp");
	free(p);
	p = path_join("/", "sys");
	assert_string_equal(p, "/sys");
	free(p);
}

static void test_split_and_read(void **state)
{
	char s[] = "  a\tbb  c\n";
	char *f[4];
	char *buf = NULL;
	size_t len;

	(void)state;
	assert_int_equal(split_fields(s, f, 4), 3);
	assert_string_equal(f[1], "bb");
	assert_string_equal(f[2], "c");
	assert_int_equal(read_file_str("/proc/self/stat", 1 << 16, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	free(buf);
	/* Too large for the cap: refused, not truncated; exactly the cap fits. */
	assert_int_equal(read_file_str("/proc/self/maps", 16, &buf, &len), -EFBIG);
	{
		char path[] = "/tmp/tcptune-util-XXXXXX";
		int fd = mkstemp(path);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "0123456789", 10), 10);
		close(fd);
		assert_int_equal(read_file_str(path, 10, &buf, &len), 0);
		assert_string_equal(buf, "0123456789");
		free(buf);
		assert_int_equal(read_file_str(path, 9, &buf, &len), -EFBIG);
		assert_int_equal(read_file_str(path, 5000, &buf, &len), 0);
		assert_int_equal(len, 10);
		free(buf);
		unlink(path);
	}
	assert_int_equal(read_file_str("/nonexistent", 16, &buf, &len), -ENOENT);
}

static void test_kernel_release(void **state)
{
	static const struct {
		const char *release;
		int r;
		unsigned code;
	} cases[] = {
		{ "6.1.0-18-amd64", 0, (6 << 16) | (1 << 8) },
		{ "6.18.44-fc-v509", 0, (6 << 16) | (18 << 8) | 44 },
		{ "4.12", 0, (4 << 16) | (12 << 8) },
		{ "5.4.300", 0, (5 << 16) | (4 << 8) | 255 }, /* capped, as the kernel does */
		{ "3.10.0-1160.el7.x86_64", 0, (3 << 16) | (10 << 8) },
		{ "6", -EINVAL, 0 },
		{ "6.x", -EINVAL, 0 },
		{ "v6.1", -EINVAL, 0 },
		{ "", -EINVAL, 0 },
		{ "256.1", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned code = 0;

		assert_int_equal(parse_kernel_release(cases[i].release, &code), cases[i].r);
		assert_int_equal(code, cases[i].code);
	}
	assert_int_equal(parse_kernel_release(NULL, &(unsigned){ 0 }), -EINVAL);
}

static void test_err_set(void **state)
{
	char *msg = NULL;

	(void)state;
	assert_int_equal(err_set(&msg, -EINVAL, "%s:%d: bad", "f", 3), -EINVAL);
	assert_string_equal(msg, "f:3: bad");
	assert_int_equal(err_set(&msg, -ENOENT, "again"), -ENOENT);
	assert_string_equal(msg, "again");
	assert_int_equal(err_set(NULL, -EIO, "ignored"), -EIO);
	free(msg);
}

/* A message stays one line whatever it quotes: control characters and DEL escaped. */
static void test_escape_controls(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain text, 'quoted' and \\backslash", "plain text, 'quoted' and \\backslash" },
		{ "30\nnet.core.somaxconn = 1", "30\\nnet.core.somaxconn = 1" },
		{ "a\tb", "a\\tb" },
		{ "cr\rlf\n", "cr\\x0dlf\\n" },
		{ "\x1b[2Jclear", "\\x1b[2Jclear" },
		{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
		{ "caf\xc3\xa9 \xe2\x86\x92", "caf\xc3\xa9 \xe2\x86\x92" }, /* UTF-8 is kept */
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = str_escape_controls(cases[i].in);

		assert_non_null(out);
		assert_string_equal(out, cases[i].out);
		free(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_str_appendf),    cmocka_unit_test(test_parse_i64),
		cmocka_unit_test(test_parse_u64),      cmocka_unit_test(test_path_join),
		cmocka_unit_test(test_split_and_read), cmocka_unit_test(test_kernel_release),
		cmocka_unit_test(test_err_set),	       cmocka_unit_test(test_escape_controls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
