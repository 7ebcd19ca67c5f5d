// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
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

#include "ownscan.h"
#include "tmpdir.h"

/*
 * A fake /proc of four processes: 100 holds sockets 1000 and 7 (a listener
 * it shares with 200), 200 holds 7 and 2000, 300 holds 3000 among 40 other
 * descriptors, 400 holds nothing of interest.
 */
static void make_proc(struct tmpdir *d)
{
	static const struct {
		int pid;
		const char *comm;
		int fd;
		const char *target;
	} links[] = {
		{ 100, "java", 0, "/dev/null" },      { 100, "java", 3, "socket:[7]" },
		{ 100, "java", 9, "socket:[1000]" },  { 200, "nginx", 3, "socket:[7]" },
		{ 200, "nginx", 4, "socket:[2000]" }, { 300, "redis", 41, "socket:[3000]" },
		{ 400, "cron", 1, "pipe:[55]" },
	};

	tmpdir_make(d);
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		char rel[64];
		_cleanup_free_ char *p = NULL;

		snprintf(rel, sizeof(rel), "%d", links[i].pid);
		p = join(d->path, rel);
		if (mkdir(p, 0755) == 0) {
			_cleanup_free_ char *fd = join(p, "fd"), *comm = join(p, "comm");

			assert_int_equal(mkdir(fd, 0755), 0);
			write_text(comm, links[i].comm, 0644);
		}
		snprintf(rel, sizeof(rel), "%d/fd/%d", links[i].pid, links[i].fd);
		free(p);
		p = join(d->path, rel);
		assert_int_equal(symlink(links[i].target, p), 0);
	}
	for (int fd = 0; fd < 40; fd++) {
		char rel[64];
		_cleanup_free_ char *p = NULL;

		snprintf(rel, sizeof(rel), "300/fd/%d", fd);
		p = join(d->path, rel);
		assert_int_equal(symlink("pipe:[1]", p), 0);
	}
}

struct fixture {
	struct tmpdir d;
	struct ownscan sc;
	struct owner_set out[3];
	int pid[3];
	char *comm[3];
};

static void setup_scan(struct fixture *f, size_t budget)
{
	memset(f, 0, sizeof(*f));
	make_proc(&f->d);
	assert_int_equal(ownscan_init(&f->sc, f->d.path, 0, budget), 0);
	f->sc.keys = calloc(3, sizeof(*f->sc.keys));
	assert_non_null(f->sc.keys);
	for (size_t i = 0; i < 3; i++)
		f->sc.keys[i] = (struct ownscan_key){ .state = TS_CLOSE_WAIT,
						      .port = (uint16_t)i,
						      .out = &f->out[i],
						      .pid = &f->pid[i],
						      .comm = &f->comm[i] };
	f->sc.n_keys = f->sc.n_port_keys = 3;
}

static void teardown_scan(struct fixture *f)
{
	for (size_t i = 0; i < 3; i++) {
		free(f->comm[i]);
		owner_set_clear(&f->out[i]);
	}
	ownscan_done(&f->sc);
	tmpdir_remove(&f->d);
}

/* Every wanted socket is found in the first process: the others are never read. */
static void test_stops_when_all_found(void **state)
{
	struct fixture f;

	(void)state;
	setup_scan(&f, 100000);
	assert_int_equal(ownscan_want(&f.sc, 1000, 0), 0);
	assert_int_equal(ownscan_run(&f.sc), 0);
	ownscan_fill(&f.sc);
	assert_int_equal(f.sc.n_found, 1);
	assert_int_equal(f.sc.stats.processes, 1);
	assert_true(f.sc.stats.links <= 3);
	assert_int_equal(f.pid[0], 100);
	assert_string_equal(f.comm[0], "java");
	/* Processes 200 to 400 were not read: others may share the socket. */
	assert_false(f.out[0].complete);
	assert_false(f.sc.all_scanned);
	teardown_scan(&f);
}

/* The processes of the socket's cgroup come first; the lookup ends in them. */
static void test_first_processes(void **state)
{
	const int first[] = { 300 };
	struct fixture f;

	(void)state;
	setup_scan(&f, 100000);
	assert_int_equal(ownscan_want(&f.sc, 3000, 0), 0);
	assert_int_equal(ownscan_first(&f.sc, first, 1), 0);
	assert_int_equal(ownscan_run(&f.sc), 0);
	ownscan_fill(&f.sc);
	assert_int_equal(f.pid[0], 300);
	assert_int_equal(f.sc.stats.processes, 1);
	teardown_scan(&f);
}

/* A listener shared by two processes: both listed once the scan reads both. */
static void test_shared_and_missing(void **state)
{
	struct fixture f;

	(void)state;
	setup_scan(&f, 100000);
	assert_int_equal(ownscan_want(&f.sc, 7, 0), 0);
	assert_int_equal(ownscan_want(&f.sc, 2000, 1), 0);
	assert_int_equal(ownscan_want(&f.sc, 424242, 2), 0); /* nobody holds it */
	assert_int_equal(ownscan_run(&f.sc), 0);
	ownscan_fill(&f.sc);
	/* Key 2 never has a holder: every process is read, so every answer is whole. */
	assert_true(f.sc.all_scanned);
	assert_int_equal(f.sc.stats.processes, 4);
	assert_int_equal(f.out[0].n_pids, 2);
	assert_int_equal(f.out[0].pids[0], 100);
	assert_int_equal(f.out[0].pids[1], 200);
	assert_true(f.out[0].complete);
	assert_int_equal(f.pid[1], 200);
	assert_int_equal(f.out[2].n_pids, 0);
	assert_true(f.out[2].complete);
	assert_false(f.sc.stats.cut_short);
	teardown_scan(&f);
}

/* The budget ends the lookup and says so; what was found stays found. */
static void test_budget(void **state)
{
	struct fixture f;

	(void)state;
	setup_scan(&f, 4);
	assert_int_equal(ownscan_want(&f.sc, 1000, 0), 0);
	assert_int_equal(ownscan_want(&f.sc, 3000, 1), 0);
	assert_int_equal(ownscan_run(&f.sc), 0);
	ownscan_fill(&f.sc);
	assert_true(f.sc.stats.cut_short);
	assert_true(f.sc.stats.links <= 4);
	assert_int_equal(f.pid[0], 100);
	assert_int_equal(f.pid[1], 0);
	assert_false(f.out[1].complete);
	teardown_scan(&f);
}

static void test_cgroups_of_key(void **state)
{
	struct ownscan_key k = { 0 };

	(void)state;
	assert_int_equal(ownscan_key_main_cgroup(&k), 0);
	ownscan_key_cgroup(&k, 0); /* no cgroup: not counted */
	ownscan_key_cgroup(&k, 11);
	ownscan_key_cgroup(&k, 22);
	ownscan_key_cgroup(&k, 22);
	assert_int_equal(ownscan_key_main_cgroup(&k), 22);
	for (uint64_t id = 30; id < 40; id++) /* more cgroups than slots: the first kept */
		ownscan_key_cgroup(&k, id);
	assert_int_equal(k.n_cgroups, OWNSCAN_CGROUPS);
	assert_int_equal(ownscan_key_main_cgroup(&k), 22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stops_when_all_found), cmocka_unit_test(test_first_processes),
		cmocka_unit_test(test_shared_and_missing),   cmocka_unit_test(test_budget),
		cmocka_unit_test(test_cgroups_of_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
