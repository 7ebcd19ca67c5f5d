// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netns.h"
#include "dirlist.h"
#include "tmpdir.h"
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

static void touch(const char *dir, const char *name)
{
	_cleanup_free_ char *p = join(dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fclose(f);
}

/* A namespace is found again by identity: names first, then processes; never a wrong one. */
static void test_find(void **state)
{
	struct tmpdir run, proc;
	struct netns_id id, here;
	char *p = NULL;

	(void)state;
	tmpdir_make(&run);
	tmpdir_make(&proc);
	touch(run.path, "blue");
	touch(run.path, "red");
	{
		_cleanup_free_ char *red = join(run.path, "red");

		assert_int_equal(netns_id_of(red, &id), 0);
	}
	assert_true(netns_id_known(&id));
	assert_int_equal(netns_find(run.path, proc.path, &id, &p), 0);
	assert_true(str_has_suffix(p, "/red"));
	free(p);
	p = NULL;
	/* Gone: no name and no process holds it. */
	{
		_cleanup_free_ char *red = join(run.path, "red");

		assert_int_equal(unlink(red), 0);
	}
	assert_int_equal(netns_find(run.path, proc.path, &id, &p), -ENOENT);
	assert_null(p);
	/* An unknown identity is never found; a missing directory is no error. */
	assert_int_equal(netns_find(run.path, proc.path, &(struct netns_id){ 0 }, &p), -ENOENT);
	/* Our own namespace, through the processes of /proc (a name directory that is absent). */
	assert_int_equal(netns_id_current(&here), 0);
	assert_int_equal(netns_find("/nonexistent", "/proc", &here, &p), 0);
	assert_true(strncmp(p, "/proc/", 6) == 0 && str_has_suffix(p, "/ns/net"));
	{
		struct netns_id back;

		assert_int_equal(netns_id_of(p, &back), 0);
		assert_true(netns_id_equal(&back, &here));
	}
	free(p);
	tmpdir_remove(&run);
	tmpdir_remove(&proc);
}

static void test_ref(void **state)
{
	struct netns_ref ref = { 0 }, copy;
	struct netns_id here;
	char *err = NULL, pid[16];

	(void)state;
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	assert_int_equal(netns_ref_resolve(NULL, pid, "/proc", &ref, &err), 0);
	assert_null(err);
	assert_true(strncmp(ref.given, "pid ", 4) == 0 && strcmp(ref.given + 4, pid) == 0);
	assert_int_equal(netns_id_current(&here), 0);
	assert_true(netns_id_equal(&ref.id, &here));
	assert_int_equal(netns_ref_copy(&copy, &ref), 0);
	assert_string_equal(copy.path, ref.path);
	assert_true(netns_id_equal(&copy.id, &ref.id));
	netns_ref_clear(&copy);
	netns_ref_clear(&ref);
	assert_null(ref.given);

	assert_int_equal(netns_ref_resolve("tcptune-does-not-exist", NULL, "/proc", &ref, &err),
			 -ENOENT);
	assert_string_equal(err, "network namespace /run/netns/tcptune-does-not-exist: No such "
				 "file or directory");
	assert_int_equal(netns_ref_resolve("..", NULL, "/proc", &ref, &err), -EINVAL);
	assert_string_equal(err, "'..' is not a namespace name or path");
	assert_int_equal(netns_ref_resolve(NULL, "0", "/proc", &ref, &err), -EINVAL);
	assert_string_equal(err, "'0' is not a process id");
	assert_null(ref.path);
	free(err);
}

/* A name that now stands for another namespace is refused before anything is entered. */
static void test_enter_checked(void **state)
{
	struct netns_id here, other;
	char *err = NULL;
	int back = -1;

	(void)state;
	assert_int_equal(netns_id_current(&here), 0);
	other = here;
	other.ino++;
	assert_int_equal(netns_enter_checked("/proc/self/ns/net", &other, &back, &err), -ESTALE);
	assert_int_equal(back, -1);
	assert_non_null(strstr(err, "/proc/self/ns/net is now another network namespace"));
	free(err);
	err = NULL;
	if (geteuid() != 0)
		return; /* setns needs CAP_SYS_ADMIN, even into our own */
	assert_int_equal(netns_enter_checked("/proc/self/ns/net", &here, &back, &err), 0);
	assert_true(back >= 0);
	assert_int_equal(netns_return(back), 0);
	/* The same inode but another cookie: a namespace that took a deleted one's number. */
	assert_true(here.cookie != 0); /* Linux 5.14+ */
	other = here;
	other.cookie++;
	back = -1;
	assert_int_equal(netns_enter_checked("/proc/self/ns/net", &other, &back, &err), -ESTALE);
	assert_int_equal(back, -1);
	assert_non_null(strstr(err, "again, but not the same namespace"));
	free(err);
	{
		struct netns_id now;

		assert_int_equal(netns_id_current(&now), 0);
		assert_memory_equal(&now, &here, sizeof(now));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),	      cmocka_unit_test(test_current),
		cmocka_unit_test(test_find),	      cmocka_unit_test(test_ref),
		cmocka_unit_test(test_enter_checked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
