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

#include "cgroup.h"
#include "tmpdir.h"

/* A fake cgroup2 tree: a hybrid host's /sys/fs/cgroup/unified with systemd's slices. */
static const char *const tree_dirs[] = {
	"unified",
	"unified/system.slice",
	"unified/system.slice/nginx.service",
	"unified/system.slice/docker-3f2a.scope",
	"unified/system.slice/docker-3f2a.scope/init",
	"unified/user.slice",
	"unified/user.slice/user-1000.slice",
	"unified/user.slice/user-1000.slice/session-3.scope",
	"unified/kubepods",
	"unified/kubepods/pod1",
	"unified/other",
	"unified/other/nginx.service",
};

static uint64_t ino_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_ino;
}

static void make_tree(struct tmpdir *d)
{
	tmpdir_make(d);
	for (size_t i = 0; i < ARRAY_SIZE(tree_dirs); i++) {
		_cleanup_free_ char *p = join(d->path, tree_dirs[i]);

		assert_int_equal(mkdir(p, 0755), 0);
	}
}

static void test_find_mount(void **state)
{
	static const struct {
		const char *text;
		int r;
		const char *path;
	} cases[] = {
		/* This machine: v1 controllers under a tmpfs, v2 at unified. */
		{ "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		  "31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		  "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n",
		  0, "/sys/fs/cgroup/unified" },
		/* A unified host; optional fields before the separator. */
		{ "25 1 0:22 / / rw - ext4 /dev/vda1 rw\n"
		  "35 25 0:30 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 "
		  "rw,nsdelegate\n",
		  0, "/sys/fs/cgroup" },
		/* An escaped blank in the mount point. */
		{ "50 25 0:40 / /tmp/my\\040cg rw - cgroup2 none rw\n", 0, "/tmp/my cg" },
		/* v1 only, and a malformed line: no cgroup2. */
		{ "31 30 0:28 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\nnonsense\n", -ENOENT,
		  NULL },
		{ "", -ENOENT, NULL },
	};
	struct tmpdir d;

	(void)state;
	tmpdir_make(&d);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *mi = join(d.path, "mountinfo"), *path = NULL;

		write_text(mi, cases[i].text, 0644);
		assert_int_equal(cgroup_find_mount(mi, &path), cases[i].r);
		if (cases[i].path)
			assert_string_equal(path, cases[i].path);
	}
	{
		_cleanup_free_ char *missing = join(d.path, "absent"), *path = NULL;

		assert_int_equal(cgroup_find_mount(missing, &path), -ENOENT);
	}
	tmpdir_remove(&d);
}

static void test_paths(void **state)
{
	struct tmpdir d;
	_cleanup_free_ char *root = NULL, *nginx = NULL, *init = NULL, *pod = NULL;
	uint64_t ids[5];
	char *paths[5];

	(void)state;
	make_tree(&d);
	root = join(d.path, "unified");
	nginx = join(root, "system.slice/nginx.service");
	init = join(root, "system.slice/docker-3f2a.scope/init");
	pod = join(root, "kubepods/pod1");
	ids[0] = ino_of(nginx);
	ids[1] = ino_of(root);
	ids[2] = 1; /* no directory has inode 1 here */
	ids[3] = ino_of(init);
	ids[4] = ino_of(nginx); /* asked twice */
	assert_int_equal(cgroup_paths(root, ids, 5, paths), 0);
	assert_string_equal(paths[0], "/system.slice/nginx.service");
	assert_string_equal(paths[1], "/");
	assert_null(paths[2]);
	assert_string_equal(paths[3], "/system.slice/docker-3f2a.scope/init");
	assert_string_equal(paths[4], "/system.slice/nginx.service");
	for (size_t i = 0; i < 5; i++)
		free(paths[i]);
	ids[0] = ino_of(pod);
	assert_int_equal(cgroup_paths(root, ids, 1, paths), 0);
	assert_string_equal(paths[0], "/kubepods/pod1");
	free(paths[0]);
	assert_int_equal(cgroup_paths("/nonexistent-cgroup-root", ids, 1, paths), -ENOENT);
	tmpdir_remove(&d);
}

static void test_service_name(void **state)
{
	static const struct {
		const char *path, *name;
	} cases[] = {
		{ "/system.slice/nginx.service", "nginx.service" },
		{ "/system.slice/docker-3f2a.scope/init", "docker-3f2a.scope" },
		{ "/user.slice/user-1000.slice/session-3.scope", "session-3.scope" },
		{ "/system.slice/a.service/b.service", "b.service" },
		{ "/kubepods/pod1", "/kubepods/pod1" },
		{ "/system.slice", "/system.slice" },
		{ "/.service", "/.service" },
		{ "/", NULL },
		{ "", NULL },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *name = cgroup_service_name(cases[i].path);

		if (cases[i].name)
			assert_string_equal(name, cases[i].name);
		else
			assert_null(name);
	}
}

static void test_id_and_unit(void **state)
{
	_cleanup_free_ char *root = NULL, *nginx = NULL, *path = NULL, *err = NULL;
	struct tmpdir d;
	uint64_t id;

	(void)state;
	make_tree(&d);
	root = join(d.path, "unified");
	nginx = join(root, "system.slice/nginx.service");
	assert_int_equal(cgroup_id_of(root, "/system.slice/nginx.service", &id), 0);
	assert_int_equal(id, ino_of(nginx));
	assert_int_equal(cgroup_id_of(root, "system.slice/nginx.service", &id), 0);
	assert_int_equal(id, ino_of(nginx));
	assert_int_equal(cgroup_id_of(root, nginx, &id), 0); /* absolute, under the mount */
	assert_int_equal(id, ino_of(nginx));
	assert_int_equal(cgroup_id_of(root, "/", &id), 0);
	assert_int_equal(id, ino_of(root));
	assert_int_equal(cgroup_id_of(root, "/system.slice/../../etc", &id), -EINVAL);
	assert_int_equal(cgroup_id_of(root, "/nope.service", &id), -ENOENT);

	/* Two directories are called nginx.service: the name alone is ambiguous. */
	assert_int_equal(cgroup_find_unit(root, "nginx.service", &path, &err), -EEXIST);
	assert_non_null(strstr(err, "nginx.service"));
	assert_int_equal(cgroup_find_unit(root, "session-3.scope", &path, &err), 0);
	assert_string_equal(path, "/user.slice/user-1000.slice/session-3.scope");
	assert_int_equal(cgroup_find_unit(root, "ghost.service", &path, &err), -ENOENT);
	assert_int_equal(cgroup_find_unit(root, "../x.service", &path, &err), -EINVAL);
	tmpdir_remove(&d);
}

static void test_procs(void **state)
{
	_cleanup_free_ char *root = NULL, *procs = NULL;
	_cleanup_free_ int *pids = NULL;
	struct tmpdir d;
	size_t n = 0;

	(void)state;
	make_tree(&d);
	root = join(d.path, "unified");
	procs = join(root, "system.slice/nginx.service/cgroup.procs");
	write_text(procs, "1234\n1235\nbogus\n7\n", 0644);
	assert_int_equal(cgroup_procs(root, "/system.slice/nginx.service", &pids, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 1234);
	assert_int_equal(pids[1], 1235);
	assert_int_equal(pids[2], 7);
	assert_int_equal(cgroup_procs(root, "/kubepods", &pids, &n), -ENOENT);
	assert_int_equal(cgroup_procs(root, "/../x", &pids, &n), -EINVAL);
	tmpdir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_mount),   cmocka_unit_test(test_paths),
		cmocka_unit_test(test_service_name), cmocka_unit_test(test_id_and_unit),
		cmocka_unit_test(test_procs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
