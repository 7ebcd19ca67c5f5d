// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lint.h"
#include "util.h"

#define LINT_FX FIXTURES "/lint"
#define SYS LINT_FX "/sys"

static struct lint_report *sentinel = (struct lint_report *)&sentinel;

struct want {
	const char *file;
	unsigned line;
	const char *key; /* NULL: none */
	enum lint_severity severity;
	const char *message;
};

static void assert_findings(const struct lint_report *rep, const struct want *want, size_t n)
{
	for (size_t i = 0; i < rep->n && i < n; i++) {
		const struct lint_finding *f = &rep->findings[i];

		if (strcmp(f->file, want[i].file) != 0 || f->line != want[i].line ||
		    strcmp(f->message, want[i].message) != 0)
			fail_msg("finding %zu:\n  got  %s:%u: %s\n  want %s:%u: %s", i, f->file,
				 f->line, f->message, want[i].file, want[i].line, want[i].message);
		if (want[i].key ? !f->key || strcmp(f->key, want[i].key) != 0 : f->key != NULL)
			fail_msg("finding %zu: key '%s', want '%s'", i, f->key, want[i].key);
		assert_int_equal(f->severity, want[i].severity);
	}
	if (rep->n != n)
		fail_msg("%zu findings, want %zu", rep->n, n);
}

/* systemd's order: masking by name, sorted by name across directories, sysctl.conf last. */
static void test_default_files(void **state)
{
	static const char *const want[] = {
		"/etc/sysctl.d/10-tcp.conf",
		"/run/sysctl.d/15-runtime.conf",
		"/usr/lib/sysctl.d/20-vendor.conf",
		"/usr/local/lib/sysctl.d/30-local.conf",
		"/etc/sysctl.conf",
	};
	char **files = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(lint_default_files(LINT_FX "/root", &files, &n), 0);
	for (size_t i = 0; i < n && i < ARRAY_SIZE(want); i++)
		assert_string_equal(files[i], want[i]);
	assert_int_equal(n, ARRAY_SIZE(want));
	lint_files_free(files, n);

	/* No directories at all is an empty set, not an error. */
	assert_int_equal(lint_default_files(LINT_FX "/sys", &files, &n), 0);
	assert_int_equal(n, 0);
	lint_files_free(files, n);
}

static void test_root_tree(void **state)
{
#define TCP "/etc/sysctl.d/10-tcp.conf"
#define LOCAL "/usr/local/lib/sysctl.d/30-local.conf"
	static const struct want want[] = {
		{ TCP, 2, "net.ipv4.tcp_fin_timeout", LINT_WARNING,
		  "net.ipv4.tcp_fin_timeout = 30 is set again on line 8 of this file (= 20)" },
		{ TCP, 3, "net.ipv4.tcp_tw_recycle", LINT_ERROR,
		  "net.ipv4.tcp_tw_recycle was removed in Linux 4.12: setting it makes `sysctl -p` "
		  "fail on current kernels; delete the line" },
		{ TCP, 4, "net.ipv4.tcp_tw_reuse", LINT_WARNING,
		  "net.ipv4.tcp_tw_reuse = 1 needs TCP timestamps, but net.ipv4.tcp_timestamps = 0 "
		  "is set at /run/sysctl.d/15-runtime.conf:1" },
		{ TCP, 6, "net.ipv4.tcp_max_tw_buckets", LINT_ERROR,
		  "net.ipv4.tcp_max_tw_buckets = 5000: must not be lowered below 262144 (its "
		  "current "
		  "value): the kernel documentation says this limit only guards against simple DoS "
		  "attacks and must not be lowered artificially; raise it instead" },
		{ TCP, 8, "net.ipv4.tcp_fin_timeout", LINT_WARNING,
		  "net.ipv4.tcp_fin_timeout = 20 here is overridden by /etc/sysctl.conf:2 (= 15)" },
		{ TCP, 11, "net.ipv4.tcp_no_such_key", LINT_ERROR,
		  "unknown key net.ipv4.tcp_no_such_key: not in tcptune's knowledge base and not "
		  "present in the running kernel" },
		{ TCP, 12, "net.ipv4.tcp_syncookies", LINT_ERROR,
		  "net.ipv4.tcp_syncookies = 3: 3 is above the maximum 2" },
		{ TCP, 13, "net.ipv4.ip_local_port_range", LINT_WARNING,
		  "net.ipv4.ip_local_port_range = 1024 65534: both ends are even; the kernel "
		  "documentation advises one even and one odd end" },
		{ TCP, 14, "net.ipv4.tcp_keepalive_probes", LINT_ERROR,
		  "net.ipv4.tcp_keepalive_probes = 5 # fewer probes: expects 1 integer, got 4 (a "
		  "comment must be on a line of its own)" },
		{ TCP, 15, NULL, LINT_ERROR, "line is not a 'key = value' assignment" },
		{ TCP, 16, "net.core.somaxconn", LINT_WARNING,
		  "net.core.somaxconn = 65535 here is overridden by "
		  "/usr/lib/sysctl.d/20-vendor.conf:2 "
		  "(= 1024)" },
		{ TCP, 17, "net.ipv4.tcp_mem", LINT_WARNING,
		  "net.ipv4.tcp_mem does not exist on this kernel or in this network namespace; it "
		  "exists only in the initial network namespace" },
		{ TCP, 18, NULL, LINT_ERROR, "'bad key!' is not a valid sysctl key" },
		{ LOCAL, 1, "net.ipv4.tcp_rmem", LINT_ERROR,
		  "net.ipv4.tcp_rmem = 4096 131072: expects 3 integers, got 2" },
		{ LOCAL, 2, "net.ipv4.tcp_tw_reuse_delay", LINT_WARNING,
		  "net.ipv4.tcp_tw_reuse_delay does not exist on this kernel or in this network "
		  "namespace; it was added in Linux 6.14" },
	};
	struct lint_opts o = { .root = LINT_FX "/root", .sysctl_root = SYS };
	struct lint_report *rep = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(lint_run(&o, &rep, &err), 0);
	assert_null(err);
	/* The masked 50-masked.conf and the shadowed /lib one are not read. */
	assert_int_equal(rep->n_files, 5);
	assert_findings(rep, want, ARRAY_SIZE(want));
	lint_report_free(rep);
#undef TCP
#undef LOCAL
}

/* Debian links sysctl.d/99-sysctl.conf to ../sysctl.conf: one file, read once. */
static void test_clean_tree(void **state)
{
	struct lint_opts o = { .root = LINT_FX "/clean", .sysctl_root = SYS };
	struct lint_report *rep = NULL;

	(void)state;
	assert_int_equal(lint_run(&o, &rep, NULL), 0);
	assert_int_equal(rep->n_files, 2);
	assert_findings(rep, NULL, 0);
	lint_report_free(rep);
}

/* Named files are read in the order given, shown as given. */
static void test_named_files(void **state)
{
	const char *files[] = {
		LINT_FX "/root/run/sysctl.d/15-runtime.conf",
		LINT_FX "/root/usr/lib/sysctl.d/20-vendor.conf",
	};
	const struct want want[] = {
		{ files[1], 2, "net.core.somaxconn", LINT_WARNING,
		  "net.core.somaxconn = 1024 here is overridden by " LINT_FX
		  "/clean/usr/lib/sysctl.d/50-default.conf:4 (= 8192)" },
	};
	const char *three[] = { files[0], files[1],
				LINT_FX "/clean/usr/lib/sysctl.d/50-default.conf" };
	struct lint_opts o = { .sysctl_root = SYS, .files = three, .n_files = 3 };
	struct lint_report *rep = NULL;

	(void)state;
	assert_int_equal(lint_run(&o, &rep, NULL), 0);
	assert_int_equal(rep->n_files, 3);
	assert_findings(rep, want, ARRAY_SIZE(want));
	lint_report_free(rep);
}

/* tcp_timestamps = 0 against a kernel that already has tcp_tw_reuse = 1. */
static void test_timestamps_vs_kernel(void **state)
{
	const char *files[] = { LINT_FX "/root/run/sysctl.d/15-runtime.conf" };
	const struct want want[] = {
		{ files[0], 1, "net.ipv4.tcp_timestamps", LINT_WARNING,
		  "net.ipv4.tcp_timestamps = 0 disables TIME_WAIT reuse: net.ipv4.tcp_tw_reuse is "
		  "1 "
		  "in the running kernel and needs timestamps" },
	};
	struct lint_opts o = { .sysctl_root = FIXTURES "/lint/sys-reuse",
			       .files = files,
			       .n_files = 1 };
	struct lint_report *rep = NULL;

	(void)state;
	assert_int_equal(lint_run(&o, &rep, NULL), 0);
	assert_findings(rep, want, ARRAY_SIZE(want));
	lint_report_free(rep);

	/* With the default tcp_tw_reuse (2, loopback only) there is nothing to say. */
	o.sysctl_root = SYS;
	assert_int_equal(lint_run(&o, &rep, NULL), 0);
	assert_findings(rep, NULL, 0);
	lint_report_free(rep);
}

/*
 * A NUL byte ends a C string, not the file: the lines after it are still read
 * (as `sysctl -p` reads them), and the line that holds it is a finding.
 */
static void test_nul_byte(void **state)
{
	static const char text[] = "net.ipv4.tcp_fin_timeout = 30\0\nnet.ipv4.tcp_tw_recycle = 1\n"
				   "x\0 = 1";
	char path[] = "/tmp/tcptune-lint-XXXXXX";
	const char *files[] = { path };
	const struct want want[] = {
		{ path, 1, NULL, LINT_ERROR,
		  "line holds a NUL byte: sysctl.d files are text; remove it" },
		{ path, 2, "net.ipv4.tcp_tw_recycle", LINT_ERROR,
		  "net.ipv4.tcp_tw_recycle was removed in Linux 4.12: setting it makes `sysctl -p` "
		  "fail on current kernels; delete the line" },
		{ path, 3, NULL, LINT_ERROR,
		  "line holds a NUL byte: sysctl.d files are text; remove it" },
	};
	struct lint_opts o = { .sysctl_root = SYS, .files = files, .n_files = 1 };
	struct lint_report *rep = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), (ssize_t)sizeof(text) - 1);
	close(fd);
	assert_int_equal(lint_run(&o, &rep, NULL), 0);
	unlink(path);
	assert_findings(rep, want, ARRAY_SIZE(want));
	lint_report_free(rep);
}

static void test_errors(void **state)
{
	const char *missing[] = { LINT_FX "/root/etc/sysctl.d/10-tcp.conf", LINT_FX "/nope.conf" };
	const char *dir[] = { LINT_FX "/root/etc" };
	struct lint_opts o = { .sysctl_root = SYS, .files = missing, .n_files = 2 };
	struct lint_report *rep = sentinel;
	char *err = NULL;

	(void)state;
	assert_int_equal(lint_run(&o, &rep, &err), -ENOENT);
	assert_string_equal(err, LINT_FX "/nope.conf: No such file or directory");
	assert_ptr_equal(rep, sentinel);
	free(err);
	err = NULL;

	o.files = dir;
	o.n_files = 1;
	assert_int_equal(lint_run(&o, &rep, &err), -EISDIR);
	assert_string_equal(err, LINT_FX "/root/etc: Is a directory");
	free(err);
	err = NULL;

	o.sysctl_root = LINT_FX "/no-such-sys";
	assert_int_equal(lint_run(&o, &rep, &err), -ENOENT);
	assert_string_equal(err, LINT_FX "/no-such-sys: No such file or directory");
	free(err);
	err = NULL;

	o.sysctl_root = LINT_FX "/root/etc/sysctl.conf";
	assert_int_equal(lint_run(&o, &rep, &err), -ENOTDIR);
	assert_ptr_equal(rep, sentinel);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_files),
		cmocka_unit_test(test_root_tree),
		cmocka_unit_test(test_clean_tree),
		cmocka_unit_test(test_named_files),
		cmocka_unit_test(test_timestamps_vs_kernel),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
