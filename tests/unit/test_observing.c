// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "profile.h"
#include "util.h"

static void test_parse(void **state)
{
	static const struct {
		int opt;
		const char *arg;
		int r;
	} cases[] = {
		{ 'f', "json", 0 },	     { 'f', "prometheus", 0 },
		{ 'f', "yaml", EXIT_USAGE }, { 's', "proc", 0 },
		{ 's', "ebpf", EXIT_USAGE }, { 't', "0", 0 },
		{ 't', "1000", 0 },	     { 't', "1001", EXIT_USAGE },
		{ 't', "-1", EXIT_USAGE },   { 'i', "0.5", 0 },
		{ 'i', "0", EXIT_USAGE },    { 'i', "nan", EXIT_USAGE },
		{ 'i', "5s", EXIT_USAGE },   { 'N', "1", 0 },
		{ 'N', "abc", EXIT_USAGE },  { 'x', NULL, 1 },
	};
	struct observe_args a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		observe_args_init(&a);
		if (observe_args_parse(&a, cases[i].opt, cases[i].arg) != cases[i].r)
			fail_msg("-%c %s: expected %d", cases[i].opt, cases[i].arg, cases[i].r);
	}
	observe_args_init(&a);
	assert_int_equal(observe_args_parse(&a, 'f', "json"), 0);
	assert_int_equal(a.format, FORMAT_JSON);
	assert_int_equal(observe_args_parse(&a, 'i', "2.5"), 0);
	assert_true(a.interval == 2.5);
	assert_int_equal(observe_args_parse(&a, 't', "12"), 0);
	assert_int_equal(a.opts.top, 12);
	assert_int_equal(a.opts.top, 12);
	assert_string_equal(a.opts.proc_root, "/proc");
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(exit_code_from_errno(-ENOENT), EXIT_NOINPUT);
	assert_int_equal(exit_code_from_errno(-EACCES), EXIT_NOPERM);
	assert_int_equal(exit_code_from_errno(-EPERM), EXIT_NOPERM);
	assert_int_equal(exit_code_from_errno(-EBADMSG), EXIT_DATAERR);
	assert_int_equal(exit_code_from_errno(-ENOMEM), EXIT_OSERR);
}

static void test_format_text_json(void **state)
{
	enum report_format f = FORMAT_PROMETHEUS;

	(void)state;
	assert_int_equal(parse_format_text_json("json", &f), 0);
	assert_int_equal(f, FORMAT_JSON);
	assert_int_equal(parse_format_text_json("text", &f), 0);
	assert_int_equal(f, FORMAT_TEXT);
	assert_int_equal(parse_format_text_json("prometheus", &f), EXIT_USAGE);
	assert_int_equal(f, FORMAT_TEXT);
}

/* Profiles by name from $TCPTUNE_DATADIR/profiles, or by path: the exit code of each failure. */
static void test_profile_load_cmd(void **state)
{
	struct profile p = { 0 };

	(void)state;
	assert_int_equal(setenv("TCPTUNE_DATADIR", FIXTURES, 1), 0);
	assert_int_equal(profile_load_cmd("good", &p), 0);
	assert_string_equal(p.name, "good");
	profile_free(&p);
	assert_int_equal(profile_load_cmd("no-such-profile", &p), EXIT_NOINPUT);
	assert_int_equal(profile_load_cmd(FIXTURES "/profiles/invalid-value.yaml", &p),
			 EXIT_DATAERR);
	assert_int_equal(profile_load_cmd(FIXTURES "/profiles/nope.yaml", &p), EXIT_NOINPUT);
	assert_null(p.name);
	unsetenv("TCPTUNE_DATADIR");
}

/* A fake proc root that lacks files: the error code, no report. */
static void test_run_missing_root(void **state)
{
	struct observation *o = NULL;
	struct observe_args a;

	(void)state;
	observe_args_init(&a);
	a.opts.proc_root = "/nonexistent-proc";
	assert_int_equal(observe_args_run(&a, &o), EXIT_NOINPUT);
	assert_null(o);
	assert_int_equal(a.opts.source, OBS_SOURCE_PROC); /* a fake root implies its sockets */
}

/* What log_error() writes to fd 2, read back from a file put in its place. */
static char *capture_log(const char *value)
{
	char path[] = "/tmp/tcptune-log-XXXXXX";
	char *text = NULL;
	int fd, saved;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	log_error("--set: '%s' is not a sysctl key", value);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	close(fd);
	assert_int_equal(read_file_str(path, 4096, &text, NULL), 0);
	unlink(path);
	return text;
}

/* Each error is one line: a newline in a value must not start a second one. */
static void test_log_error_one_line(void **state)
{
	char *text;

	(void)state;
	text = capture_log("net.ipv4.tcp_fin_timeout=30\nnet.core.somaxconn=1");
	assert_string_equal(text, "tcptune: --set: 'net.ipv4.tcp_fin_timeout=30\\nnet.core."
				  "somaxconn=1' is not a sysctl key\n");
	free(text);
	text = capture_log("\x1b]0;owned\x07\tx\x7f");
	assert_string_equal(text,
			    "tcptune: --set: '\\x1b]0;owned\\x07\\tx\\x7f' is not a sysctl key\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_exit_codes),
		cmocka_unit_test(test_format_text_json),
		cmocka_unit_test(test_profile_load_cmd),
		cmocka_unit_test(test_run_missing_root),
		cmocka_unit_test(test_log_error_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
