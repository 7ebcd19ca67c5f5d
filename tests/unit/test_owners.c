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

#include "owners.h"

static void test_parse_link(void **state)
{
	static const struct {
		const char *target;
		int r;
		uint32_t inode;
	} cases[] = {
		{ "socket:[12345]", 0, 12345 },	       { "socket:[4294967295]", 0, 4294967295u },
		{ "socket:[4294967296]", -EINVAL, 0 }, { "socket:[]", -EINVAL, 0 },
		{ "socket:[-1]", -EINVAL, 0 },	       { "socket:[12", -EINVAL, 0 },
		{ "pipe:[12345]", -EINVAL, 0 },	       { "/dev/null", -EINVAL, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ino = 0;

		assert_int_equal(owners_parse_link(cases[i].target, &ino), cases[i].r);
		assert_int_equal(ino, cases[i].inode);
	}
}

static void put(const char *root, const char *rel, const char *content)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static void mkdirs(const char *root, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void link_to(const char *root, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* A fake /proc: process 100 (java) holds sockets 4242 and 7; 200 (sshd) holds 22. */
static void test_resolve(void **state)
{
	char root[] = "/tmp/tcptune-owners-XXXXXX";
	struct observation *o = observation_new();
	char cmd[600];

	(void)state;
	assert_non_null(mkdtemp(root));
	mkdirs(root, "100");
	mkdirs(root, "100/fd");
	put(root, "100/comm", "java\n");
	link_to(root, "100/fd/0", "/dev/null");
	link_to(root, "100/fd/5", "socket:[4242]");
	link_to(root, "100/fd/6", "socket:[7]");
	mkdirs(root, "200");
	mkdirs(root, "200/fd");
	put(root, "200/comm", "sshd\n");
	link_to(root, "200/fd/3", "socket:[22]");
	mkdirs(root, "self"); /* not a pid: ignored */

	o->top[TS_CLOSE_WAIT].n = 2;
	o->top[TS_CLOSE_WAIT].ports = calloc(2, sizeof(struct port_count));
	o->top[TS_CLOSE_WAIT].ports[0] =
		(struct port_count){ .port = 8080, .count = 9, .inode = 4242 };
	o->top[TS_CLOSE_WAIT].ports[1] =
		(struct port_count){ .port = 9, .count = 1, .inode = 99999 };
	o->top[TS_TIME_WAIT].n = 1;
	o->top[TS_TIME_WAIT].ports = calloc(1, sizeof(struct port_count));
	o->top[TS_TIME_WAIT].ports[0] = (struct port_count){ .port = 8080, .count = 3 };
	o->n_listeners = 2;
	o->listeners = calloc(2, sizeof(struct listener));
	o->listeners[0] = (struct listener){ .port = 8080, .inode = 7 };
	o->listeners[1] = (struct listener){ .port = 22, .inode = 22 };

	struct owner_wants w = { .states = 1u << TS_CLOSE_WAIT | 1u << TS_TIME_WAIT,
				 .listeners = true,
				 .cgroup_root = "" };
	struct owner_stats st;

	assert_int_equal(owners_lookup(root, &w, o, &st), 0);
	assert_true(o->processes);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[0].pid, 100);
	assert_string_equal(o->top[TS_CLOSE_WAIT].ports[0].comm, "java");
	assert_true(o->top[TS_CLOSE_WAIT].ports[0].owners.looked);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[0].owners.n_pids, 1);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[0].owners.pids[0], 100);
	/* Port 9's socket is nowhere: every process was read, so the answer is whole. */
	assert_true(o->top[TS_CLOSE_WAIT].ports[1].owners.complete);
	assert_int_equal(st.processes, 2);
	assert_false(st.cut_short);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[1].pid, 0); /* nobody holds it */
	assert_null(o->top[TS_CLOSE_WAIT].ports[1].comm);
	assert_int_equal(o->top[TS_TIME_WAIT].ports[0].pid, 0); /* TIME_WAIT has no owner */
	assert_int_equal(o->listeners[0].pid, 100);
	assert_int_equal(o->listeners[1].pid, 200);
	assert_string_equal(o->listeners[1].comm, "sshd");
	assert_int_equal(o->n_notes, 0);

	observation_free(o);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_missing_root(void **state)
{
	struct observation *o = observation_new();

	(void)state;
	o->n_listeners = 1;
	o->listeners = calloc(1, sizeof(struct listener));
	o->listeners[0] = (struct listener){ .port = 22, .inode = 22 };
	struct owner_wants w = { .listeners = true };

	assert_int_equal(owners_lookup("/nonexistent-proc", &w, o, NULL), -ENOENT);
	observation_free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_link),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_missing_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
