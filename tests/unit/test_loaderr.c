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

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* What a descriptor reads, from its start. */
static void assert_reads(int fd, const char *want)
{
	char buf[64] = "";

	assert_true(pread(fd, buf, sizeof(buf) - 1, 0) >= 0);
	assert_string_equal(buf, want);
}

/* Group- or world-writable files are refused; a missing one is named. */
static void test_open_safe_mode(void **state)
{
	char path[] = "/tmp/tcptune-loaderr-XXXXXX", want[128];
	struct load_errors errs = { 0 };
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "a: 1\n", 0644);
	fd = load_open_safe(path, "profile", &errs);
	assert_true(fd >= 0);
	assert_reads(fd, "a: 1\n");
	close(fd);
	assert_int_equal(errs.n, 0);
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(load_open_safe(path, "profile", &errs), -EPERM);
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(load_open_safe(path, "rule file", &errs), -EPERM);
	assert_int_equal(errs.n, 2);
	snprintf(want, sizeof(want), "%s: refusing a profile that group or others may write", path);
	assert_string_equal(errs.msgs[0], want);
	snprintf(want, sizeof(want), "%s: refusing a rule file that group or others may write",
		 path);
	assert_string_equal(errs.msgs[1], want);
	unlink(path);
	assert_int_equal(load_open_safe(path, "profile", &errs), -ENOENT);
	assert_int_equal(errs.n, 3);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(errs.msgs[2], want);
	/* A FIFO (or a directory) is refused at once, never waited on or read. */
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(load_open_safe(path, "profile", &errs), -EINVAL);
	assert_int_equal(errs.n, 4);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(errs.msgs[3], want);
	unlink(path);
	load_errors_free(&errs);
}

/*
 * A 0644 file owned by another user than root or us is refused as well: its
 * owner could change it at will. Giving a file away needs root.
 */
static void test_open_safe_owner(void **state)
{
	char path[] = "/tmp/tcptune-loaderr-XXXXXX", want[160];
	struct load_errors errs = { 0 };
	int fd;

	(void)state;
	if (geteuid() != 0)
		skip(); /* chown() to another user needs root */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, "a: 1\n", 0644);
	assert_int_equal(chown(path, 65534, 65534), 0);
	assert_int_equal(load_open_safe(path, "profile", &errs), -EPERM);
	assert_int_equal(errs.n, 1);
	snprintf(want, sizeof(want), "%s: owned by uid 65534, not by root or uid 0: refusing it",
		 path);
	assert_string_equal(errs.msgs[0], want);
	load_errors_free(&errs);

	/* Ours again (root's): accepted. */
	assert_int_equal(chown(path, 0, 0), 0);
	fd = load_open_safe(path, "profile", &errs);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(errs.n, 0);
	unlink(path);
}

/*
 * The file checked is the file read: once opened, a foreign file renamed
 * over the path changes nothing for the descriptor the loader reads.
 */
static void test_open_safe_checks_the_descriptor(void **state)
{
	char dir[] = "/tmp/tcptune-loaderr-XXXXXX", path[64], other[64];
	struct load_errors errs = { 0 };
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.yaml", dir);
	snprintf(other, sizeof(other), "%s/evil.yaml", dir);
	write_file(path, "good: 1\n", 0644);
	write_file(other, "evil: 1\n", 0666);
	fd = load_open_safe(path, "rule file", &errs);
	assert_true(fd >= 0);
	assert_int_equal(rename(other, path), 0);
	assert_reads(fd, "good: 1\n");
	close(fd);
	/* Opened again, the path is the writable file: refused. */
	assert_int_equal(load_open_safe(path, "rule file", &errs), -EPERM);
	assert_int_equal(errs.n, 1);
	load_errors_free(&errs);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gather),
		cmocka_unit_test(test_scalar),
		cmocka_unit_test(test_valid_id),
		cmocka_unit_test(test_open_safe_mode),
		cmocka_unit_test(test_open_safe_owner),
		cmocka_unit_test(test_open_safe_checks_the_descriptor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
