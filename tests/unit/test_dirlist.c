// SPDX-License-Identifier: GPL-2.0-or-later
/* util/dirlist: listing a directory by suffix, sorted; the string-array helpers. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dirlist.h"
#include "tmpdir.h"
#include "util.h"

/* The names listed, as one string "a b c". */
static char *joined(char **v, size_t n)
{
	char *out = strdup("");

	assert_non_null(v);
	assert_null(v[n]);
	for (size_t i = 0; i < n; i++) {
		char *next;

		assert_true(asprintf(&next, "%s%s%s", out, *out ? " " : "", v[i]) > 0);
		free(out);
		out = next;
	}
	return out;
}

static void test_list(void **state)
{
	static const char *const files[] = { "b.yaml", "a.yaml", "B.yaml",     ".hidden.yaml",
					     ".yaml",  "c.yml",	 "d.yaml.tmp", "10-x.yaml" };
	struct tmpdir d;
	char **v = NULL;
	size_t n = 99;
	_cleanup_free_ char *got = NULL, *sub = NULL;
	_cleanup_close_ int dirfd = -1;

	(void)state;
	tmpdir_make(&d);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *p = join(d.path, files[i]);

		write_text(p, "", 0600);
	}
	sub = join(d.path, "sub.yaml");
	assert_int_equal(mkdir(sub, 0700), 0);

	assert_int_equal(dir_list(AT_FDCWD, d.path, ".yaml", &v, &n), 0);
	got = joined(v, n);
	/* Bytewise: digits, then upper case, then lower; what the suffix names, even a directory.
	 */
	assert_string_equal(got, "10-x.yaml B.yaml a.yaml b.yaml sub.yaml");
	strv_free(v);

	/* Through an open directory: its offset stays where it was. */
	dirfd = open(d.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dirfd >= 0);
	assert_int_equal(dir_list(dirfd, ".", ".tmp", &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0], "d.yaml.tmp");
	strv_free(v);
	assert_int_equal(lseek(dirfd, 0, SEEK_CUR), 0);

	tmpdir_remove(&d);
}

static void test_errors(void **state)
{
	char **v = (char **)&v;
	size_t n = 99;

	(void)state;
	assert_int_equal(dir_list(AT_FDCWD, "/nonexistent/x", ".yaml", &v, &n), -ENOENT);
	assert_int_equal(dir_list(AT_FDCWD, "/etc/passwd", ".yaml", &v, &n), -ENOTDIR);
	/* Nothing returned on failure. */
	assert_ptr_equal(v, (char **)&v);
	assert_int_equal(n, 99);
}

static void test_strings(void **state)
{
	const char *s[] = { "b", "a", "B" };
	char **v = calloc(3, sizeof(*v));

	(void)state;
	assert_true(str_has_suffix("x.yaml", ".yaml"));
	assert_false(str_has_suffix(".yaml", ".yaml"));
	assert_false(str_has_suffix("yaml", ".yaml"));
	assert_false(str_has_suffix("x.yaml.tmp", ".yaml"));
	qsort(s, ARRAY_SIZE(s), sizeof(s[0]), strv_cmp);
	assert_string_equal(s[0], "B");
	assert_string_equal(s[1], "a");
	assert_string_equal(s[2], "b");
	/* strv_free() frees up to the NULL, and takes NULL. */
	assert_non_null(v);
	v[0] = strdup("x");
	v[1] = strdup("y");
	strv_free(v);
	strv_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
