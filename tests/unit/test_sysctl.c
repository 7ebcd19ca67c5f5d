// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "sysctl.h"
#include "util.h"

#define SYS_ROOT FIXTURES "/proc-good/sys"

/* Out-parameters must be left alone on failure: a failing call must not touch this. */
static char sentinel[] = "untouched";

static void test_key_table(void **state)
{
	static const struct {
		const char *key;
		const char *dotted; /* NULL: refused with -EINVAL */
		const char *rel;    /* the file under the root */
	} cases[] = {
	    {"net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_fin_timeout", "net/ipv4/tcp_fin_timeout"},
	    {"net/ipv4/tcp_fin_timeout", "net.ipv4.tcp_fin_timeout", "net/ipv4/tcp_fin_timeout"},
	    {"net.core.somaxconn", "net.core.somaxconn", "net/core/somaxconn"},
	    {"fs.file-max", "fs.file-max", "fs/file-max"},
	    {"kernel", "kernel", "kernel"},
	    {"net.ipv4.conf.eth0/100.rp_filter", "net.ipv4.conf.eth0/100.rp_filter",
	     "net/ipv4/conf/eth0.100/rp_filter"},
	    {"net/ipv4/conf/eth0.100/rp_filter", "net.ipv4.conf.eth0/100.rp_filter",
	     "net/ipv4/conf/eth0.100/rp_filter"},
	    {"net/ipv4/conf/...x/y", "net.ipv4.conf.///x.y", "net/ipv4/conf/...x/y"},
	    {"../etc/passwd", NULL, NULL},
	    {"net/ipv4/../../etc/passwd", NULL, NULL},
	    {"net/./ipv4/x", NULL, NULL},
	    {"net.ipv4.//", NULL, NULL}, /* dotted "//" is the name ".." */
	    {"net.ipv4./.x", NULL, NULL},
	    {"net.ipv4.conf.eth0/../x", NULL, NULL},
	    {"net..ipv4", NULL, NULL},
	    {"net//ipv4", NULL, NULL},
	    {"/net/ipv4/x", NULL, NULL},
	    {"/etc/passwd", NULL, NULL},
	    {"net.ipv4.", NULL, NULL},
	    {"net/ipv4/", NULL, NULL},
	    {".net", NULL, NULL},
	    {".", NULL, NULL},
	    {"..", NULL, NULL},
	    {"/", NULL, NULL},
	    {"", NULL, NULL},
	    {"net.ipv4.tcp fin", NULL, NULL},
	    {"net.ipv4.tcp_fin_timeout\n", NULL, NULL},
	    {"net.ipv4.tcp_*", NULL, NULL},
	    {"net.ipv4.t\xc3\xa9", NULL, NULL},
	    {"net\\ipv4", NULL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *want = NULL;
		char *dotted = sentinel, *path = sentinel;
		int r1 = sysctl_key_normalize(cases[i].key, &dotted);
		int r2 = sysctl_key_path("/proc/sys", cases[i].key, &path);

		if (!cases[i].dotted) {
			if (r1 != -EINVAL || r2 != -EINVAL)
				fail_msg("case %zu '%s': accepted (%d, %d)", i, cases[i].key, r1,
					 r2);
			assert_ptr_equal(dotted, sentinel);
			assert_ptr_equal(path, sentinel);
			continue;
		}
		if (r1 != 0 || r2 != 0)
			fail_msg("case %zu '%s': refused (%d, %d)", i, cases[i].key, r1, r2);
		assert_true(asprintf(&want, "/proc/sys/%s", cases[i].rel) > 0);
		assert_string_equal(dotted, cases[i].dotted);
		assert_string_equal(path, want);
		free(dotted);
		free(path);
	}
	assert_int_equal(sysctl_key_normalize(NULL, &(char *){NULL}), -EINVAL);
}

/* Every component after the root is a plain name. */
static void assert_under_root(const char *root, const char *path, const char *key)
{
	size_t len = strlen(root);
	const char *p;

	if (strncmp(path, root, len) != 0 || path[len] != '/')
		fail_msg("'%s' -> '%s' is not under %s", key, path, root);
	for (p = path + len + 1;;) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			fail_msg("'%s' -> '%s' has a bad component", key, path);
		if (!p[n])
			break;
		p += n + 1;
	}
}

/*
 * Every key of up to 6 characters over {a . /}: whatever is accepted stays
 * under the root, and the dotted form is canonical (idempotent, same file).
 */
static void test_key_exhaustive(void **state)
{
	static const char alphabet[] = "a./";
	char key[7];
	size_t accepted = 0, total = 0;

	(void)state;
	for (size_t len = 1; len < sizeof(key); len++) {
		size_t combos = 1;

		for (size_t i = 0; i < len; i++)
			combos *= 3;
		for (size_t c = 0; c < combos; c++) {
			_cleanup_free_ char *dotted = NULL, *again = NULL;
			_cleanup_free_ char *path = NULL, *path2 = NULL;
			size_t x = c;
			int r;

			for (size_t i = 0; i < len; i++, x /= 3)
				key[i] = alphabet[x % 3];
			key[len] = '\0';
			total++;
			r = sysctl_key_path("/r", key, &path);
			assert_int_equal(sysctl_key_normalize(key, &dotted), r);
			if (r < 0) {
				assert_int_equal(r, -EINVAL);
				continue;
			}
			accepted++;
			assert_under_root("/r", path, key);
			assert_int_equal(sysctl_key_normalize(dotted, &again), 0);
			assert_string_equal(again, dotted);
			assert_int_equal(sysctl_key_path("/r", dotted, &path2), 0);
			assert_string_equal(path2, path);
		}
	}
	assert_int_equal(total, 3 + 9 + 27 + 81 + 243 + 729);
	/* "a", "a.a", "a/a", "a.a.a", "a/.../a" ...: the check is not vacuous. */
	assert_true(accepted > 20);
	assert_true(accepted < total / 4);
}

static void test_key_path_root(void **state)
{
	char *p = sentinel;

	(void)state;
	assert_int_equal(sysctl_key_path("/proc/sys/", "net.core.somaxconn", &p), 0);
	assert_string_equal(p, "/proc/sys/net/core/somaxconn");
	free(p);
	p = sentinel;
	assert_int_equal(sysctl_key_path("", "net.core.somaxconn", &p), -EINVAL);
	assert_int_equal(sysctl_key_path(NULL, "net.core.somaxconn", &p), -EINVAL);
	assert_ptr_equal(p, sentinel);
}

static void test_read(void **state)
{
	static const struct {
		const char *key;
		int r;
		const char *value;
	} cases[] = {
	    {"net.ipv4.tcp_rmem", 0, "4096 131072 33554432"},
	    {"net/ipv4/tcp_wmem", 0, "4096 16384 4194304"},
	    {"net.ipv4.ip_local_port_range", 0, "32768 60999"},
	    {"net.ipv4.tcp_fin_timeout", 0, "60"},
	    {"net.core.somaxconn", 0, "4096"},
	    {"net.ipv4.tcp_available_congestion_control", 0, "reno bbr cubic"},
	    {"net.ipv4.ip_local_reserved_ports", 0, ""},
	    {"net.ipv4.tcp_no_such_key", -ENOENT, NULL},
	    {"net.ipv6.conf.all.disable_ipv6", -ENOENT, NULL},
	    {"net.ipv4.tcp_rmem.x", -ENOENT, NULL},
	    {"net.ipv4", -EISDIR, NULL},
	    {"../net/snmp", -EINVAL, NULL},
	    {"net.ipv4.tcp fin", -EINVAL, NULL},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *v = sentinel;
		int r = sysctl_read(SYS_ROOT, cases[i].key, &v);

		if (r != cases[i].r)
			fail_msg("case %zu '%s': r=%d want %d", i, cases[i].key, r, cases[i].r);
		if (r < 0) {
			assert_ptr_equal(v, sentinel);
			continue;
		}
		assert_string_equal(v, cases[i].value);
		free(v);
	}
}

static int write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len)
		return -EIO;
	return 0;
}

/* Files the fixture tree cannot hold: too big, a NUL inside, unreadable. */
static void test_read_odd_files(void **state)
{
	char dir[] = "/tmp/tcptune-sysctl-XXXXXX";
	_cleanup_free_ char *big = NULL, *nul = NULL, *secret = NULL, *buf = NULL;
	char *v = sentinel;
	size_t big_len = 65 * 1024;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&big, "%s/big", dir) > 0);
	assert_true(asprintf(&nul, "%s/nul", dir) > 0);
	assert_true(asprintf(&secret, "%s/secret", dir) > 0);
	buf = malloc(big_len);
	assert_non_null(buf);
	memset(buf, '1', big_len);
	assert_int_equal(write_file(big, buf, big_len, 0644), 0);
	assert_int_equal(write_file(nul, "1\0002\n", 4, 0644), 0);
	assert_int_equal(write_file(secret, "1\n", 2, 0200), 0);

	assert_int_equal(sysctl_read(dir, "big", &v), -EFBIG);
	assert_int_equal(sysctl_read(dir, "nul", &v), -EBADMSG);
	assert_ptr_equal(v, sentinel);
	/* Root reads a mode 0200 file anyway: then there is nothing to check. */
	if (geteuid() != 0) {
		assert_int_equal(sysctl_read(dir, "secret", &v), -EACCES);
		assert_ptr_equal(v, sentinel);
	}
	unlink(big);
	unlink(nul);
	unlink(secret);
	rmdir(dir);
}

static void test_value_normalize(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"4096\t131072\t6291456\n", "4096 131072 6291456"},
	    {"  a  \t b \n", "a b"},
	    {"32768\t60999", "32768 60999"},
	    {"bbr\n", "bbr"},
	    {"x", "x"},
	    {"\n", ""},
	    {" \t\r\n ", ""},
	    {"", ""},
	    {"1\n2\n", "1 2"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *s = strdup(cases[i].in);

		assert_non_null(s);
		assert_ptr_equal(sysctl_value_normalize(s), s);
		assert_string_equal(s, cases[i].out);
	}
	assert_null(sysctl_value_normalize(NULL));
}

/*
 * write() as sysctl_write() calls it: tests/CMakeLists.txt links this test
 * with --wrap=write, so that the number of calls and their bytes can be seen,
 * and a short or refused write can be made up.
 */
static struct {
	bool on;
	int calls;
	char data[64];
	size_t len;
	int fail_errno;	  /* answer -1 with this errno */
	bool short_write; /* take one byte less */
} writes;

ssize_t __real_write(int fd, const void *buf, size_t count);
ssize_t __wrap_write(int fd, const void *buf, size_t count);
ssize_t __wrap_write(int fd, const void *buf, size_t count)
{
	if (!writes.on)
		return __real_write(fd, buf, count);
	writes.calls++;
	writes.len = count < sizeof(writes.data) ? count : sizeof(writes.data);
	memcpy(writes.data, buf, writes.len);
	if (writes.fail_errno) {
		errno = writes.fail_errno;
		return -1;
	}
	return __real_write(fd, buf, count - (writes.short_write && count > 0));
}

static void writes_watch(void)
{
	memset(&writes, 0, sizeof(writes));
	writes.on = true;
}

static void assert_file(const char *path, const char *want)
{
	_cleanup_free_ char *got = NULL;

	assert_int_equal(read_file_str(path, 4096, &got, NULL), 0);
	assert_string_equal(got, want);
}

static int make_dir(const char *root, const char *rel)
{
	_cleanup_free_ char *p = path_join(root, rel);

	return p && mkdir(p, 0755) == 0 ? 0 : -errno;
}

static void test_write(void **state)
{
	static const struct {
		const char *key, *value;
		int r;
		const char *file, *content; /* the file written, and what it holds after */
	} cases[] = {
		{ "net.ipv4.tcp_fin_timeout", "30", 0, "net/ipv4/tcp_fin_timeout", "30\n" },
		{ "net/ipv4/tcp_rmem", "4096 262144 16777216", 0, "net/ipv4/tcp_rmem",
		  "4096 262144 16777216\n" },
		/* Shorter than before: nothing of the old value may remain. */
		{ "net.ipv4.tcp_rmem", "1", 0, "net/ipv4/tcp_rmem", "1\n" },
		{ "net.ipv4.tcp_fin_timeout", "", 0, "net/ipv4/tcp_fin_timeout", "\n" },
		/* A second line would be a second write to the kernel. */
		{ "net.ipv4.tcp_fin_timeout", "30\n31", -EINVAL, "net/ipv4/tcp_fin_timeout", "\n" },
		{ "net.ipv4.tcp_fin_timeout", NULL, -EINVAL, "net/ipv4/tcp_fin_timeout", "\n" },
		{ "net.ipv4.tcp_no_such_key", "1", -ENOENT, "net/ipv4/tcp_no_such_key", NULL },
		{ "net.ipv4.tcp_rmem.x", "1", -ENOENT, "net/ipv4/tcp_rmem", "1\n" },
		{ "net.ipv4", "1", -EISDIR, NULL, NULL },
		{ "../escape", "1", -EINVAL, "../escape", NULL },
		{ "net/../../escape", "1", -EINVAL, "../escape", NULL },
		{ "/escape", "1", -EINVAL, "escape", NULL },
	};
	static const char *const dirs[] = { "root/net/ipv4", "root/net", "root", "" };
	char dir[] = "/tmp/tcptune-sysctl-XXXXXX";
	_cleanup_free_ char *fin = NULL, *rmem = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* Files below the root, the escapes' targets beside it. */
	assert_int_equal(make_dir(dir, "root"), 0);
	assert_int_equal(make_dir(dir, "root/net"), 0);
	assert_int_equal(make_dir(dir, "root/net/ipv4"), 0);
	fin = path_join(dir, "root/net/ipv4/tcp_fin_timeout");
	rmem = path_join(dir, "root/net/ipv4/tcp_rmem");
	assert_int_equal(write_file(fin, "60\n", 3, 0644), 0);
	assert_int_equal(write_file(rmem, "4096\t131072\t6291456\n", 20, 0644), 0);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *root = path_join(dir, "root");
		_cleanup_free_ char *file = NULL;
		int r;

		writes_watch();
		r = sysctl_write(root, cases[i].key, cases[i].value);
		writes.on = false;
		if (r != cases[i].r)
			fail_msg("case %zu '%s': r=%d want %d", i, cases[i].key, r, cases[i].r);
		/* The value and its newline in exactly one write(), or none at all. */
		if (r == 0) {
			assert_int_equal(writes.calls, 1);
			assert_int_equal(writes.len, strlen(cases[i].value) + 1);
			assert_memory_equal(writes.data, cases[i].content, writes.len);
		} else {
			assert_int_equal(writes.calls, 0);
		}
		if (!cases[i].file)
			continue;
		file = path_join(root, cases[i].file);
		if (cases[i].content)
			assert_file(file, cases[i].content);
		else
			assert_int_equal(access(file, F_OK), -1); /* never created */
	}
	unlink(fin);
	unlink(rmem);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *p = path_join(dir, dirs[i]);

		assert_int_equal(rmdir(p), 0);
	}
}

/* What the kernel answers comes back as is; a short write is -EIO. */
static void test_write_refused(void **state)
{
	char dir[] = "/tmp/tcptune-sysctl-XXXXXX";
	_cleanup_free_ char *file = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	file = path_join(dir, "tcp_fin_timeout");
	assert_int_equal(write_file(file, "60\n", 3, 0644), 0);

	writes_watch();
	writes.fail_errno = EINVAL;
	assert_int_equal(sysctl_write(dir, "tcp_fin_timeout", "abc"), -EINVAL);
	assert_int_equal(writes.calls, 1);
	writes_watch();
	writes.fail_errno = EPERM;
	assert_int_equal(sysctl_write(dir, "tcp_fin_timeout", "1"), -EPERM);
	writes_watch();
	writes.short_write = true;
	assert_int_equal(sysctl_write(dir, "tcp_fin_timeout", "31"), -EIO);
	assert_int_equal(writes.calls, 1);
	writes.on = false;
	assert_file(file, "31");

	/* Root writes a mode 0444 file anyway: then there is nothing to check. */
	assert_int_equal(chmod(file, 0444), 0);
	if (geteuid() != 0)
		assert_int_equal(sysctl_write(dir, "tcp_fin_timeout", "1"), -EACCES);
	unlink(file);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_table),	   cmocka_unit_test(test_key_exhaustive),
	    cmocka_unit_test(test_key_path_root),  cmocka_unit_test(test_read),
	    cmocka_unit_test(test_read_odd_files), cmocka_unit_test(test_value_normalize),
	    cmocka_unit_test(test_write),	   cmocka_unit_test(test_write_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
