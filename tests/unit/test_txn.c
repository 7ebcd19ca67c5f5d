// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "loaderr.h"
#include "plan.h"
#include "sysctl.h"
#include "txn.h"
#include "util.h"

/* Ids of journals crafted by hand: older than any the tests make, so listed first. */
#define OLD_ID1 "20200101-000000-0001"
#define OLD_ID2 "20200101-000000-0002"
#define NO_ID "20200101-000000-ffff"

#define REBOOTED                                                                             \
	"the machine rebooted since: runtime values were already reset; only the persisted " \
	"file was restored"

/* A temporary directory holding a fake /proc/sys ("sys") and a state directory ("state"). */
struct env {
	char dir[64];
	char *root;
	char *state;
	struct txn_ctx ctx;
};

static const struct {
	const char *rel, *text;
} live[] = {
	{ "net/ipv4/tcp_fin_timeout", "60\n" },
	{ "net/ipv4/tcp_keepalive_time", "7200\n" },
	{ "net/ipv4/tcp_keepalive_intvl", "75\n" },
	{ "net/ipv4/tcp_synack_retries", "5\n" },
	{ "net/ipv4/tcp_rmem", "4096\t131072\t6291456\n" },
	{ "net/core/somaxconn", "4096\n" },
	{ "kernel/random/boot_id", "aaa\n" },
};

static char *join(const char *a, const char *b)
{
	char *p = path_join(a, b);

	assert_non_null(p);
	return p;
}

static void write_text(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void tree_put(const struct env *e, const char *rel, const char *text)
{
	_cleanup_free_ char *path = join(e->root, rel);

	write_text(path, text);
}

static void assert_live(const struct env *e, const char *key, const char *want)
{
	_cleanup_free_ char *v = NULL;

	assert_int_equal(sysctl_read(e->root, key, &v), 0);
	assert_string_equal(v, want);
}

/* The key's file becomes something else: a directory (write fails) or a FIFO (fake_key). */
static char *tree_path_of(const struct env *e, const char *key)
{
	_cleanup_free_ char *path = NULL;

	assert_int_equal(sysctl_key_path(e->root, key, &path), 0);
	assert_int_equal(unlink(path), 0);
	return TAKE_PTR(path);
}

static void env_init(struct env *e)
{
	static const char *const dirs[] = { "net", "net/ipv4", "net/core", "kernel",
					    "kernel/random" };
	_cleanup_free_ char *msg = NULL;

	memset(e, 0, sizeof(*e));
	snprintf(e->dir, sizeof(e->dir), "/tmp/tcptune-txn-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	e->root = join(e->dir, "sys");
	e->state = join(e->dir, "state");
	assert_int_equal(mkdir(e->root, 0755), 0);
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char *path = join(e->root, dirs[i]);

		assert_int_equal(mkdir(path, 0755), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(live); i++)
		tree_put(e, live[i].rel, live[i].text);
	assert_int_equal(state_dir_open(e->state, true, &e->ctx.dirfd, &msg), 0);
	e->ctx.sysctl_root = e->root;
}

static void env_free(struct env *e)
{
	_cleanup_free_ char *cmd = NULL;

	if (e->ctx.dirfd >= 0)
		close(e->ctx.dirfd);
	/* The path is ours and made by mkdtemp: no shell quoting issues. */
	assert_true(asprintf(&cmd, "rm -rf '%s'", e->dir) > 0);
	assert_int_equal(system(cmd), 0);
	free(e->root);
	free(e->state);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	env_init(e);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	env_free(*state);
	free(*state);
	return 0;
}

struct want {
	const char *key, *value;
};

/* A resolved plan of REC_SET items that must all be valid. */
static void make_plan(const struct env *e, const struct want *items, size_t n, struct plan *p)
{
	struct load_errors errs = { 0 };

	for (size_t i = 0; i < n; i++)
		assert_int_equal(plan_add(p, items[i].key, items[i].value, REC_SET, "test"), 0);
	assert_int_equal(plan_resolve(p, e->root, 0, &errs), 0);
	load_errors_free(&errs);
}

/* Applies key = value pairs; returns the committed (or pending) transaction. */
static struct txn *apply(const struct env *e, const struct want *items, size_t n,
			 int64_t try_seconds, const struct txn_persist *ps)
{
	_cleanup_free_ char *msg = NULL;
	struct plan p = { 0 };
	struct txn *t = NULL;

	struct txn_result res;

	make_plan(e, items, n, &p);
	assert_int_equal(txn_apply(&e->ctx, &p, "test", try_seconds, ps, &t, &res, &msg), 0);
	assert_null(msg);
	assert_non_null(t);
	assert_int_equal(res.outcome, TXN_DONE);
	plan_free(&p);
	return t;
}

static struct txn *load(const struct env *e, const char *id)
{
	struct txn *t = NULL;

	assert_int_equal(journal_load(e->ctx.dirfd, id, &t, NULL), 0);
	return t;
}

static size_t journal_count(const struct env *e)
{
	struct txn **list = NULL;
	size_t n = 0;

	assert_int_equal(journal_list(e->ctx.dirfd, &list, &n, NULL), 0);
	journal_list_free(list, n);
	return n;
}

/* Nothing but journals and perhaps the lock: no temporary file left behind. */
static void assert_no_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)))
		assert_null(strstr(de->d_name, "tmp"));
	closedir(d);
}

static void assert_key(const struct txn_key *k, const char *key, const char *old, const char *new)
{
	assert_string_equal(k->key, key);
	assert_string_equal(k->old, old);
	assert_string_equal(k->new, new);
}

/* A journal crafted as if a process had died, or was waiting, mid-transaction. */
static void craft(const struct env *e, const char *id, enum txn_status status)
{
	struct txn *t = txn_new();

	assert_non_null(t);
	t->id = strdup(id);
	t->time = 1577836800;
	t->boot_id = strdup("aaa");
	t->source = strdup("profile crafted");
	t->status = status;
	t->deadline = status == TXN_PENDING ? 1577836830 : 0;
	assert_int_equal(txn_add_key(t, "net.ipv4.tcp_fin_timeout", "60", "30"), 0);
	assert_int_equal(txn_add_key(t, "net.ipv4.tcp_keepalive_time", "7200", "600"), 0);
	assert_int_equal(journal_save(e->ctx.dirfd, t, NULL), 0);
	txn_free(t);
}

static const struct want two[] = {
	{ "net.ipv4.tcp_fin_timeout", "30" },
	{ "net.ipv4.tcp_keepalive_time", "600" },
};

/* ---- a fake kernel key: a FIFO served by a thread ---- */

/*
 * Each round the thread takes what txn writes and answers the read-back
 * that follows with a reply of its choosing: the moment of the first write
 * can be watched, and a kernel that keeps another value imitated.
 */
struct fake_key {
	const char *path;
	int dirfd;
	size_t rounds;
	const char *replies[2];
	char written[2][64];
	/* The journals as they were when the first write arrived. */
	size_t n_journals;
	enum txn_status status;
	size_t n_keys;
	/* At the first write, take the journal's temporary name: later saves fail. */
	bool block_saves;
};

static void *fake_key_serve(void *arg)
{
	struct fake_key *f = arg;

	for (size_t i = 0; i < f->rounds; i++) {
		size_t len = 0;
		ssize_t n;
		int fd;

		fd = open(f->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		if (i == 0) {
			struct txn **list = NULL;

			if (journal_list(f->dirfd, &list, &f->n_journals, NULL) == 0 &&
			    f->n_journals > 0) {
				char tmp[64];

				f->status = list[0]->status;
				f->n_keys = list[0]->n_keys;
				snprintf(tmp, sizeof(tmp), "%s.json.tmp", list[0]->id);
				if (f->block_saves)
					mkdirat(f->dirfd, tmp, 0700);
			}
			journal_list_free(list, f->n_journals);
		}
		while ((n = read(fd, f->written[i] + len, sizeof(f->written[i]) - 1 - len)) > 0)
			len += (size_t)n;
		close(fd);
		fd = open(f->path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		if (write(fd, f->replies[i], strlen(f->replies[i])) < 0) {
			close(fd);
			return NULL;
		}
		close(fd);
	}
	return NULL;
}

/* Replaces key's file by a FIFO that a thread serves as f says; returns its path. */
static char *fake_key_start(const struct env *e, const char *key, struct fake_key *f, pthread_t *th)
{
	char *path = tree_path_of(e, key);

	assert_int_equal(mkfifo(path, 0600), 0);
	f->path = path;
	f->dirfd = e->ctx.dirfd;
	assert_int_equal(pthread_create(th, NULL, fake_key_serve, f), 0);
	return path;
}

/* ---- apply ---- */

static void test_apply_commits(void **state)
{
	static const struct want items[] = {
		{ "net.ipv4.tcp_fin_timeout", "30" },
		{ "net.core.somaxconn", "4096" }, /* no change: not in the journal */
		{ "net/ipv4/tcp_rmem", "4096 262144 16777216" },
	};
	struct env *e = *state;
	_cleanup_txn_ struct txn *t = apply(e, items, ARRAY_SIZE(items), 0, NULL);
	_cleanup_txn_ struct txn *disk = NULL;

	assert_int_equal(t->status, TXN_COMMITTED);
	assert_int_equal(strlen(t->id), strlen(OLD_ID1));
	assert_string_equal(t->boot_id, "aaa");
	assert_string_equal(t->source, "test");
	assert_null(t->undoes);
	assert_null(t->error);
	assert_int_equal(t->deadline, 0);
	assert_null(t->persist_path);
	assert_int_equal(t->n_keys, 2);
	assert_key(&t->keys[0], "net.ipv4.tcp_fin_timeout", "60", "30");
	assert_key(&t->keys[1], "net.ipv4.tcp_rmem", "4096 131072 6291456", "4096 262144 16777216");
	assert_live(e, "net.ipv4.tcp_fin_timeout", "30");
	assert_live(e, "net.ipv4.tcp_rmem", "4096 262144 16777216");
	assert_live(e, "net.core.somaxconn", "4096");

	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_COMMITTED);
	assert_int_equal(disk->n_keys, 2);
	assert_key(&disk->keys[0], "net.ipv4.tcp_fin_timeout", "60", "30");
	assert_key(&disk->keys[1], "net.ipv4.tcp_rmem", "4096 131072 6291456",
		   "4096 262144 16777216");
	assert_int_equal(journal_count(e), 1);
	assert_no_tmp(e->state);
}

/* The journal is on disk, in progress, with every key, when the first value is written. */
static void test_apply_journal_first(void **state)
{
	static const struct want items[] = {
		{ "net.ipv4.tcp_keepalive_intvl", "30" },
		{ "net.ipv4.tcp_fin_timeout", "30" },
	};
	struct env *e = *state;
	_cleanup_free_ char *path = NULL, *msg = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	struct fake_key f = { .rounds = 1, .replies = { "30\n" } };
	struct txn_result res;
	struct plan p = { 0 };
	pthread_t th;

	make_plan(e, items, ARRAY_SIZE(items), &p);
	path = fake_key_start(e, "net.ipv4.tcp_keepalive_intvl", &f, &th);
	assert_int_equal(txn_apply(&e->ctx, &p, "test", 0, NULL, &t, &res, &msg), 0);
	assert_int_equal(pthread_join(th, NULL), 0);

	assert_string_equal(f.written[0], "30\n");
	assert_int_equal(f.n_journals, 1);
	assert_int_equal(f.status, TXN_IN_PROGRESS);
	assert_int_equal(f.n_keys, 2);
	assert_int_equal(t->status, TXN_COMMITTED);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "30");
	plan_free(&p);
}

/* The kernel keeps another value than the one written: both keys go back. */
static void test_apply_readback_differs(void **state)
{
	static const struct want items[] = {
		{ "net.ipv4.tcp_fin_timeout", "30" },
		{ "net.ipv4.tcp_keepalive_intvl", "30" },
	};
	static const char why[] = "net.ipv4.tcp_keepalive_intvl = 30: the kernel kept 31";
	struct env *e = *state;
	_cleanup_free_ char *path = NULL, *msg = NULL;
	_cleanup_txn_ struct txn *t = NULL, *disk = NULL;
	struct fake_key f = { .rounds = 2, .replies = { "31\n", "75\n" } };
	struct txn_result res;
	struct plan p = { 0 };
	pthread_t th;

	make_plan(e, items, ARRAY_SIZE(items), &p);
	path = fake_key_start(e, "net.ipv4.tcp_keepalive_intvl", &f, &th);
	assert_int_equal(txn_apply(&e->ctx, &p, "test", 0, NULL, &t, &res, &msg), -EIO);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(res.outcome, TXN_UNDONE);
	assert_true(res.refused); /* bad data, not a failing system */

	assert_string_equal(msg, why);
	assert_string_equal(f.written[0], "30\n");
	assert_string_equal(f.written[1], "75\n"); /* the key that read back wrong is restored */
	assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
	assert_non_null(t);
	assert_int_equal(t->status, TXN_ROLLED_BACK);
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_ROLLED_BACK);
	assert_string_equal(disk->error, why);
	plan_free(&p);
}

/* The kernel refuses the k-th key: every key before it goes back to its old value. */
static void test_apply_failure_restores(void **state)
{
	static const struct want items[] = {
		{ "net.ipv4.tcp_fin_timeout", "30" },
		{ "net.ipv4.tcp_keepalive_time", "600" },
		{ "net.ipv4.tcp_synack_retries", "3" },
	};
	static const char *const old[] = { "60", "7200", "5" };

	(void)state;
	for (size_t k = 0; k < ARRAY_SIZE(items); k++) {
		_cleanup_free_ char *path = NULL, *msg = NULL, *why = NULL;
		_cleanup_txn_ struct txn *t = NULL, *disk = NULL;
		struct txn_result res;
		struct plan p = { 0 };
		struct env e;

		env_init(&e);
		make_plan(&e, items, ARRAY_SIZE(items), &p);
		path = tree_path_of(&e, items[k].key);
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(txn_apply(&e.ctx, &p, "test", 0, NULL, &t, &res, &msg), -EISDIR);
		assert_int_equal(res.outcome, TXN_UNDONE);
		assert_false(res.refused); /* a failing system, not a value the kernel refused */
		assert_true(asprintf(&why, "%s = %s: writing it failed: Is a directory",
				     items[k].key, items[k].value) > 0);
		assert_string_equal(msg, why);
		for (size_t i = 0; i < ARRAY_SIZE(items); i++)
			if (i != k)
				assert_live(&e, items[i].key, old[i]);
		assert_non_null(t);
		assert_int_equal(t->status, TXN_ROLLED_BACK);
		assert_string_equal(t->error, why);
		disk = load(&e, t->id);
		assert_int_equal(disk->status, TXN_ROLLED_BACK);
		assert_string_equal(disk->error, why);
		assert_int_equal(disk->n_keys, 3);
		for (size_t i = 0; i < disk->n_keys; i++)
			assert_false(disk->keys[i].left_changed);
		assert_true(disk->rollback_time > 0);
		/* A failed apply is nothing to roll back. */
		assert_int_equal(txn_rollback(&e.ctx, NULL, false, NULL, &res, NULL), -ENOENT);
		assert_int_equal(res.outcome, TXN_UNCHANGED);
		plan_free(&p);
		env_free(&e);
	}
}

/* No journal, no write: a state directory that cannot take one stops the transaction. */
static void test_apply_journal_unwritable(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	struct txn_result res;
	struct plan p = { 0 };

	make_plan(e, two, ARRAY_SIZE(two), &p);
	/* The directory behind the fd is gone: even root cannot create a file in it. */
	assert_int_equal(rmdir(e->state), 0);
	assert_true(txn_apply(&e->ctx, &p, "test", 0, NULL, &t, &res, &msg) < 0);
	assert_non_null(msg);
	/* No transaction is named that does not exist. */
	assert_null(t);
	assert_int_equal(res.outcome, TXN_UNCHANGED);
	assert_non_null(strstr(msg, "; nothing was changed"));
	assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
	assert_live(e, "net.ipv4.tcp_keepalive_time", "7200");
	plan_free(&p);
}

/* ---- blocking transactions, --try and confirm ---- */

static void test_find_blocking(void **state)
{
	struct env *e = *state;
	struct txn *t = NULL;
	_cleanup_txn_ struct txn *done = NULL;

	assert_int_equal(txn_find_blocking(&e->ctx, &t, NULL), 0);
	assert_null(t);
	done = apply(e, two, 1, 0, NULL);
	assert_int_equal(txn_find_blocking(&e->ctx, &t, NULL), 0);
	assert_null(t);

	craft(e, OLD_ID1, TXN_IN_PROGRESS);
	assert_int_equal(txn_find_blocking(&e->ctx, &t, NULL), 0);
	assert_non_null(t);
	assert_string_equal(t->id, OLD_ID1);
	assert_int_equal(t->status, TXN_IN_PROGRESS);
	assert_int_equal(t->n_keys, 2);
	t = txn_free(t);

	craft(e, OLD_ID1, TXN_ROLLED_BACK);
	craft(e, OLD_ID2, TXN_PENDING);
	assert_int_equal(txn_find_blocking(&e->ctx, &t, NULL), 0);
	assert_non_null(t);
	assert_string_equal(t->id, OLD_ID2);
	assert_int_equal(t->status, TXN_PENDING);
	t = txn_free(t);
}

static void test_try_and_confirm(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL;
	_cleanup_txn_ struct txn *t = apply(e, two, ARRAY_SIZE(two), 30, NULL);
	_cleanup_txn_ struct txn *blocking = NULL, *confirmed = NULL, *disk = NULL;
	struct txn *none = NULL;

	assert_int_equal(t->status, TXN_PENDING);
	assert_int_equal(t->deadline, t->time + 30);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "30");
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_PENDING);
	assert_int_equal(disk->deadline, t->time + 30);
	assert_int_equal(txn_find_blocking(&e->ctx, &blocking, NULL), 0);
	assert_non_null(blocking);
	assert_string_equal(blocking->id, t->id);

	assert_int_equal(txn_confirm(&e->ctx, NO_ID, &none, &msg), -ENOENT);
	assert_string_equal(msg, "no transaction " NO_ID " waits for confirmation");
	assert_null(none);
	assert_int_equal(txn_confirm(&e->ctx, t->id, &confirmed, NULL), 0);
	assert_string_equal(confirmed->id, t->id);
	assert_int_equal(confirmed->status, TXN_COMMITTED);
	assert_int_equal(confirmed->deadline, 0);
	disk = txn_free(disk);
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_COMMITTED);
	assert_int_equal(disk->deadline, 0);

	assert_int_equal(txn_confirm(&e->ctx, NULL, &none, &msg), -ENOENT);
	assert_string_equal(msg, "no transaction waits for confirmation");
	assert_null(none);
	assert_int_equal(txn_find_blocking(&e->ctx, &none, NULL), 0);
	assert_null(none);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "30");
}

/* A pending transaction past its deadline: abandoned only when nobody holds its watch. */
static void test_try_watch(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	struct txn *none = NULL;
	int watch = -1, other = -1;

	craft(e, OLD_ID2, TXN_PENDING); /* its deadline, 1577836830, is long gone */
	t = load(e, OLD_ID2);
	assert_false(txn_try_abandoned(&e->ctx, t, t->deadline)); /* not yet past it */
	assert_int_equal(txn_try_hold(&e->ctx, t, &watch), 0);
	/* A second watcher cannot take it, and a waiter holding it is not abandoned. */
	assert_int_equal(txn_try_hold(&e->ctx, t, &other), -EWOULDBLOCK);
	assert_false(txn_try_abandoned(&e->ctx, t, t->deadline + 1));
	txn_try_release(&e->ctx, t, watch);
	assert_true(txn_try_abandoned(&e->ctx, t, t->deadline + 1));
	/* Confirming after the window is refused, and hands the transaction to roll back. */
	assert_int_equal(txn_confirm(&e->ctx, OLD_ID2, &none, &msg), -ETIMEDOUT);
	assert_true(strncmp(msg, "the --try window of " OLD_ID2 " closed ", 40) == 0);
	assert_non_null(none);
	assert_string_equal(none->id, OLD_ID2);
	assert_int_equal(none->status, TXN_PENDING);
	none = txn_free(none);
	t->status = TXN_COMMITTED;
	assert_false(txn_try_abandoned(&e->ctx, t, t->deadline + 1));
}

/* An interrupted transaction is no pending one: confirm does not commit it. */
static void test_confirm_not_in_progress(void **state)
{
	struct env *e = *state;
	struct txn *t = NULL;

	craft(e, OLD_ID1, TXN_IN_PROGRESS);
	assert_int_equal(txn_confirm(&e->ctx, NULL, &t, NULL), -ENOENT);
	assert_int_equal(txn_confirm(&e->ctx, OLD_ID1, &t, NULL), -ENOENT);
	assert_null(t);
}

/* ---- rollback ---- */

/* Rolls back (id NULL: the default target) and checks the target it returns. */
static struct txn *rollback_ok(const struct env *e, const char *id, bool force, const char *target)
{
	_cleanup_free_ char *msg = NULL;
	_cleanup_txn_ struct txn *disk = NULL;
	struct txn_result res;
	struct txn *r = NULL;

	assert_int_equal(txn_rollback(&e->ctx, id, force, &r, &res, &msg), 0);
	assert_int_equal(res.outcome, TXN_DONE);
	assert_non_null(r);
	assert_string_equal(r->id, target);
	assert_int_equal(r->status, TXN_ROLLED_BACK);
	assert_true(r->rollback_time > 0);
	/* What the journal says is what is true. */
	disk = load(e, target);
	assert_int_equal(disk->status, TXN_ROLLED_BACK);
	assert_int_equal(disk->rollback_time, r->rollback_time);
	for (size_t i = 0; i < disk->n_keys; i++) {
		assert_false(disk->keys[i].left_changed);
		assert_live(e, disk->keys[i].key, disk->keys[i].old);
	}
	return r;
}

static void test_rollback_last_committed(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL;
	_cleanup_txn_ struct txn *t1 = apply(e, two, 1, 0, NULL);
	_cleanup_txn_ struct txn *t2 = apply(e, two + 1, 1, 0, NULL);
	_cleanup_txn_ struct txn *r2 = NULL, *r1 = NULL;
	struct txn_result res;

	r2 = rollback_ok(e, NULL, false, t2->id);
	assert_int_equal(r2->n_keys, 1);
	assert_key(&r2->keys[0], "net.ipv4.tcp_keepalive_time", "7200", "600");
	assert_live(e, "net.ipv4.tcp_keepalive_time", "7200");
	assert_live(e, "net.ipv4.tcp_fin_timeout", "30");

	/* The rolled-back one is not the next target: the transaction before is. */
	r1 = rollback_ok(e, NULL, false, t1->id);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
	assert_int_equal(txn_rollback(&e->ctx, NULL, false, NULL, &res, &msg), -ENOENT);
	assert_string_equal(msg, "no transaction to roll back");
	/* A rollback is recorded in its target: no second transaction to contradict it. */
	assert_int_equal(journal_count(e), 2);
	assert_no_tmp(e->state);
}

/* An open transaction (pending here) is the default target even when not the last. */
static void test_rollback_blocking_first(void **state)
{
	struct env *e = *state;
	_cleanup_txn_ struct txn *pending = apply(e, two, 1, 30, NULL);
	_cleanup_txn_ struct txn *later = apply(e, two + 1, 1, 0, NULL);
	_cleanup_txn_ struct txn *r = rollback_ok(e, NULL, false, pending->id);

	assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
	assert_live(e, "net.ipv4.tcp_keepalive_time", "600");
}

static void test_rollback_drift(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL, *want = NULL;
	_cleanup_txn_ struct txn *t = apply(e, two, ARRAY_SIZE(two), 0, NULL);
	_cleanup_txn_ struct txn *r = NULL, *disk = NULL;
	struct txn_result res;
	struct txn *none = NULL;

	tree_put(e, "net/ipv4/tcp_fin_timeout", "45\n");
	assert_int_equal(txn_rollback(&e->ctx, NULL, false, &none, &res, &msg), -EBUSY);
	assert_int_equal(res.outcome, TXN_UNCHANGED);
	assert_true(asprintf(&want,
			     "changed by someone else since: net.ipv4.tcp_fin_timeout is 45, not "
			     "the 30 that %s set (--force restores the values anyway)",
			     t->id) > 0);
	assert_string_equal(msg, want);
	assert_null(none);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "45");
	assert_live(e, "net.ipv4.tcp_keepalive_time", "600");
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_COMMITTED);

	r = rollback_ok(e, NULL, true, t->id);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
	assert_live(e, "net.ipv4.tcp_keepalive_time", "7200");
}

/* A committed key that someone set back to its old value is drift too: it changed since. */
static void test_rollback_drift_to_old(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL, *want = NULL;
	_cleanup_txn_ struct txn *t = apply(e, two, ARRAY_SIZE(two), 0, NULL);
	struct txn_result res;
	struct txn *none = NULL;

	tree_put(e, "net/ipv4/tcp_fin_timeout", "60\n");
	assert_int_equal(txn_rollback(&e->ctx, NULL, false, &none, &res, &msg), -EBUSY);
	assert_true(asprintf(&want,
			     "changed by someone else since: net.ipv4.tcp_fin_timeout is 60, not "
			     "the 30 that %s set (--force restores the values anyway)",
			     t->id) > 0);
	assert_string_equal(msg, want);
	assert_live(e, "net.ipv4.tcp_keepalive_time", "600");
}

/* Writes a journal as tcptune 0.1 did, with its rollback as a record of its own. */
static void craft_v1_rollback_record(const struct env *e, const char *id, const char *undoes)
{
	_cleanup_free_ char *path = NULL, *name = NULL, *text = NULL;

	assert_true(asprintf(&name, "%s.json", id) > 0);
	path = join(e->state, name);
	assert_true(asprintf(&text,
			     "{\"version\": 1, \"id\": \"%s\", \"time\": 1577836900, \"boot_id\": "
			     "\"aaa\", \"source\": \"rollback %s\", \"status\": \"in-progress\", "
			     "\"undoes\": \"%s\", \"undone_by\": null, \"error\": null, "
			     "\"deadline\": 0, \"persist\": null, \"keys\": []}\n",
			     id, undoes, undoes) > 0);
	write_text(path, text);
}

static void test_rollback_refused(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL, *want = NULL;
	_cleanup_txn_ struct txn *t = apply(e, two, ARRAY_SIZE(two), 0, NULL);
	_cleanup_txn_ struct txn *r = rollback_ok(e, t->id, false, t->id);
	struct txn_result res;
	struct txn *none = NULL;

	assert_int_equal(txn_rollback(&e->ctx, t->id, false, &none, &res, &msg), -EALREADY);
	assert_true(asprintf(&want, "transaction %s is already rolled back", t->id) > 0);
	assert_string_equal(msg, want);
	assert_int_equal(res.outcome, TXN_UNCHANGED);

	/* Version 1's interrupted rollback record blocks nothing and is no target. */
	craft_v1_rollback_record(e, OLD_ID2, OLD_ID1);
	assert_int_equal(txn_find_blocking(&e->ctx, &none, NULL), 0);
	assert_null(none);
	assert_int_equal(txn_rollback(&e->ctx, OLD_ID2, true, &none, &res, &msg), -EINVAL);
	assert_string_equal(msg, "transaction " OLD_ID2
				 " is the record of an earlier rollback (of " OLD_ID1 ")");

	assert_int_equal(txn_rollback(&e->ctx, NO_ID, false, &none, &res, &msg), -ENOENT);
	assert_string_equal(msg, "no transaction " NO_ID);
	assert_null(none);
	assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
}

/*
 * A process died mid-apply, or mid-rollback. Either value of a key is
 * expected then; anything else is drift. One rollback completes it.
 */
static void test_rollback_crash_recovery(void **state)
{
	static const struct {
		enum txn_status status;
		const char *fin, *keepalive; /* live values at the crash */
		int r;
	} cases[] = {
		{ TXN_IN_PROGRESS, "30\n", "7200\n", 0 },      /* first written, second not */
		{ TXN_IN_PROGRESS, "60\n", "7200\n", 0 },      /* died before the first write */
		{ TXN_IN_PROGRESS, "30\n", "600\n", 0 },       /* both written, not committed */
		{ TXN_IN_PROGRESS, "30\n", "1234\n", -EBUSY }, /* someone else since */
		{ TXN_ROLLING_BACK, "30\n", "7200\n", 0 },     /* one key restored */
		{ TXN_ROLLING_BACK, "30\n", "600\n", 0 },      /* none restored yet */
		{ TXN_ROLLING_BACK, "60\n", "7200\n", 0 },     /* all, not yet recorded */
		{ TXN_RESTORE_FAILED, "30\n", "7200\n", 0 },   /* one key left changed */
		{ TXN_ROLLING_BACK, "45\n", "7200\n", -EBUSY },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_txn_ struct txn *r = NULL, *disk = NULL, *blocking = NULL;
		struct txn_result res;
		struct env e;

		env_init(&e);
		tree_put(&e, "net/ipv4/tcp_fin_timeout", cases[i].fin);
		tree_put(&e, "net/ipv4/tcp_keepalive_time", cases[i].keepalive);
		craft(&e, OLD_ID1, cases[i].status);
		/* It blocks new transactions until it is completed. */
		assert_int_equal(txn_find_blocking(&e.ctx, &blocking, NULL), 0);
		assert_non_null(blocking);
		assert_string_equal(blocking->id, OLD_ID1);
		if (cases[i].r == 0) {
			r = rollback_ok(&e, NULL, false, OLD_ID1);
			assert_int_equal(r->n_keys, 2);
			assert_live(&e, "net.ipv4.tcp_fin_timeout", "60");
			assert_live(&e, "net.ipv4.tcp_keepalive_time", "7200");
			assert_int_equal(journal_count(&e), 1);
		} else {
			assert_int_equal(txn_rollback(&e.ctx, NULL, false, &r, &res, NULL),
					 cases[i].r);
			assert_int_equal(res.outcome, TXN_UNCHANGED);
			assert_null(r);
			disk = load(&e, OLD_ID1);
			assert_int_equal(disk->status, cases[i].status);
		}
		env_free(&e);
	}
}

/*
 * A key that cannot be restored: the rollback says which, records
 * restore-failed with the key marked, keeps it a target, and the next
 * rollback, once the key can be written, completes it.
 */
static void test_rollback_restore_fails(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *msg = NULL, *left = NULL, *path = NULL;
	_cleanup_txn_ struct txn *t = apply(e, two, ARRAY_SIZE(two), 0, NULL);
	_cleanup_txn_ struct txn *r = NULL, *disk = NULL, *blocking = NULL, *done = NULL;
	struct txn_result res;

	path = tree_path_of(e, "net.ipv4.tcp_fin_timeout");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(txn_rollback(&e->ctx, NULL, true, &r, &res, &msg), -EIO);
	assert_int_equal(res.outcome, TXN_INCOMPLETE);
	assert_string_equal(msg, "restoring net.ipv4.tcp_fin_timeout = 60 failed: Is a directory");
	assert_int_equal(r->status, TXN_RESTORE_FAILED);
	left = txn_left_keys(r);
	assert_string_equal(left, "net.ipv4.tcp_fin_timeout");
	assert_live(e, "net.ipv4.tcp_keepalive_time", "7200");
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_RESTORE_FAILED);
	assert_true(disk->keys[0].left_changed);
	assert_false(disk->keys[1].left_changed);
	assert_string_equal(disk->error, msg);
	assert_int_equal(txn_find_blocking(&e->ctx, &blocking, NULL), 0);
	assert_string_equal(blocking->id, t->id);

	assert_int_equal(rmdir(path), 0);
	tree_put(e, "net/ipv4/tcp_fin_timeout", "30\n");
	done = rollback_ok(e, NULL, false, t->id);
	assert_null(done->error);
}

/*
 * The kernel refuses the second key and the first cannot be restored: the
 * journal says restore-failed with the first key left changed, never
 * "rolled back", and one rollback finishes it later.
 */
static void test_apply_restore_fails(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *fifo = NULL, *dir = NULL, *msg = NULL, *left = NULL;
	_cleanup_txn_ struct txn *t = NULL, *disk = NULL, *done = NULL;
	struct fake_key f = { .rounds = 2, .replies = { "30\n", "30\n" } };
	struct txn_result res;
	struct plan p = { 0 };
	pthread_t th;

	make_plan(e, two, ARRAY_SIZE(two), &p);
	dir = tree_path_of(e, "net.ipv4.tcp_keepalive_time");
	assert_int_equal(mkdir(dir, 0755), 0);
	fifo = fake_key_start(e, "net.ipv4.tcp_fin_timeout", &f, &th);
	assert_int_equal(txn_apply(&e->ctx, &p, "test", 0, NULL, &t, &res, &msg), -EISDIR);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_string_equal(f.written[1], "60\n"); /* the restore was tried */
	assert_int_equal(res.outcome, TXN_INCOMPLETE);
	assert_string_equal(msg, "net.ipv4.tcp_keepalive_time = 600: writing it failed: Is a "
				 "directory; restoring net.ipv4.tcp_fin_timeout = 60 failed: "
				 "Input/output error");
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_RESTORE_FAILED);
	assert_string_equal(disk->error, msg);
	left = txn_left_keys(disk);
	assert_string_equal(left, "net.ipv4.tcp_fin_timeout");

	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(rmdir(dir), 0);
	tree_put(e, "net/ipv4/tcp_fin_timeout", "30\n");
	tree_put(e, "net/ipv4/tcp_keepalive_time", "7200\n");
	done = rollback_ok(e, NULL, false, t->id);
	plan_free(&p);
}

/*
 * Every value written, then the commit record cannot be written (the fake
 * key takes the journal's temporary name with a directory during the first
 * write, as a full disk would refuse the file): everything is undone and
 * read back, the journal keeps saying in-progress (it cannot record more),
 * and one rollback closes it once the journal can be written.
 */
static void test_apply_commit_fails(void **state)
{
	struct env *e = *state;
	_cleanup_free_ char *fifo = NULL, *msg = NULL, *tmp = NULL;
	_cleanup_txn_ struct txn *t = NULL, *disk = NULL, *done = NULL;
	struct fake_key f = { .rounds = 2, .replies = { "30\n", "60\n" }, .block_saves = true };
	struct txn_result res;
	struct plan p = { 0 };
	pthread_t th;

	make_plan(e, two, ARRAY_SIZE(two), &p);
	fifo = fake_key_start(e, "net.ipv4.tcp_fin_timeout", &f, &th);
	assert_int_equal(txn_apply(&e->ctx, &p, "test", 0, NULL, &t, &res, &msg), -EISDIR);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(res.outcome, TXN_INCOMPLETE);
	assert_false(res.refused);
	assert_string_equal(f.written[1], "60\n"); /* undone */
	assert_live(e, "net.ipv4.tcp_keepalive_time", "7200");
	assert_non_null(strstr(msg, "the journal could not record it"));
	disk = load(e, t->id);
	assert_int_equal(disk->status, TXN_IN_PROGRESS);

	assert_true(asprintf(&tmp, "%s/%s.json.tmp", e->state, t->id) > 0);
	assert_int_equal(rmdir(tmp), 0);
	assert_int_equal(unlink(fifo), 0);
	tree_put(e, "net/ipv4/tcp_fin_timeout", "60\n");
	done = rollback_ok(e, NULL, false, t->id);
	plan_free(&p);
}

/* A journal is checked before rollback writes anything from it. */
static void test_rollback_checks_journal(void **state)
{
	static const struct {
		const char *key, *old, *persist, *msg;
	} cases[] = {
		{ "kernel.core_pattern", "|/tmp/evil\n%p", NULL,
		  "transaction " OLD_ID1 ": key 1: '|/tmp/evil\n%p' is not a value for "
		  "kernel.core_pattern; refusing to roll it back" },
		{ "net.ipv4.tcp_fin_timeout", "60\nnet.ipv4.x = 1", NULL,
		  "transaction " OLD_ID1 ": key 1: '60\nnet.ipv4.x = 1' is not a value for "
		  "net.ipv4.tcp_fin_timeout; refusing to roll it back" },
		{ "net.ipv4.tcp_rmem", "4096 87380", NULL,
		  "transaction " OLD_ID1 ": key 1: '4096 87380' is not a value for "
		  "net.ipv4.tcp_rmem; refusing to roll it back" },
		{ "net.ipv4.tcp_fin_timeout", "60", "/etc/passwd",
		  "transaction " OLD_ID1 ": persisted file /etc/passwd is not a *.conf file in a "
		  "sysctl.d directory; refusing to roll it back" },
		{ "net.ipv4.tcp_fin_timeout", "60", "/etc/sysctl.d/../x.conf",
		  "transaction " OLD_ID1 ": persisted file /etc/sysctl.d/../x.conf is not a *.conf "
		  "file in a sysctl.d directory; refusing to roll it back" },
	};
	struct env *e = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *msg = NULL;
		_cleanup_txn_ struct txn *t = txn_new(), *r = NULL;
		struct txn_result res;

		t->id = strdup(OLD_ID1);
		t->boot_id = strdup("aaa");
		t->source = strdup("forged");
		t->status = TXN_COMMITTED;
		assert_int_equal(txn_add_key(t, cases[i].key, cases[i].old, "30"), 0);
		if (cases[i].persist) {
			t->persist_path = strdup(cases[i].persist);
			t->persist_existed = false;
		}
		assert_int_equal(journal_save(e->ctx.dirfd, t, NULL), 0);
		assert_int_equal(txn_rollback(&e->ctx, NULL, true, &r, &res, &msg), -EBADMSG);
		assert_string_equal(msg, cases[i].msg);
		assert_int_equal(res.outcome, TXN_UNCHANGED);
		assert_live(e, "net.ipv4.tcp_fin_timeout", "60");
	}
	assert_int_equal(access("/etc/passwd", F_OK), 0);
}

static void test_persist_path_valid(void **state)
{
	static const struct {
		const char *path;
		bool ok;
	} cases[] = {
		{ "/etc/sysctl.d/90-tcptune.conf", true },
		{ "/run/sysctl.d/x.conf", true },
		{ "/tmp/root/etc/sysctl.d/90-tcptune.conf", true },
		{ "/etc/sysctl.conf", false },
		{ "/etc/sysctl.d/90-tcptune", false },
		{ "/etc/sysctl.d/.conf", false },
		{ "etc/sysctl.d/x.conf", false },
		{ "/etc/sysctl.d/../passwd.conf", false },
		{ "/etc/sysctl.d/./x.conf", false },
		{ "/etc//sysctl.d/x.conf", false },
		{ "/etc/xsysctl.d/x.conf", false },
		{ "/etc/sysctl.d/sub/x.conf", false },
		{ "/sysctl.d/x.conf", true },
		{ "/x.conf", false },
		{ "", false },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (txn_persist_path_valid(cases[i].path) != cases[i].ok)
			fail_msg("%s: want %d", cases[i].path, cases[i].ok);
	assert_false(txn_persist_path_valid(NULL));
}

/* ---- the persisted file ---- */

/* "<dir>/etc/sysctl.d/90-tcptune.conf", its directory made. */
static char *persist_dir_file(const struct env *e)
{
	_cleanup_free_ char *etc = join(e->dir, "etc"), *d = join(etc, "sysctl.d");

	assert_int_equal(mkdir(etc, 0755), 0);
	assert_int_equal(mkdir(d, 0755), 0);
	return join(d, "90-tcptune.conf");
}

static char *read_text(const char *path)
{
	char *s = NULL;

	assert_int_equal(read_file_str(path, 1 << 20, &s, NULL), 0);
	return s;
}

static void test_apply_persist(void **state)
{
	static const struct want items[] = {
		{ "net.ipv4.tcp_fin_timeout", "30" },
		{ "net.core.somaxconn", "4096" }, /* unchanged, but persisted too */
		{ "net.ipv4.tcp_rmem", "4096  262144\t16777216" },
	};
	struct env *e = *state;
	_cleanup_free_ char *path = persist_dir_file(e);
	_cleanup_free_ char *text = NULL, *want = NULL;
	struct txn_persist ps = { .path = path, .profile = "high-conn" };
	_cleanup_txn_ struct txn *t = NULL, *disk = NULL;
	struct stat st;
	mode_t mask;

	/* The file is for everyone to read, whatever the umask of the caller. */
	mask = umask(027);
	t = apply(e, items, ARRAY_SIZE(items), 0, &ps);
	umask(mask);
	text = read_text(path);
	assert_true(asprintf(&want,
			     "# Written by tcptune from profile high-conn, transaction %s.\n"
			     "# 'tcptune rollback %s' restores what was here before; edits here "
			     "are lost then.\n"
			     "net.ipv4.tcp_fin_timeout = 30\n"
			     "net.core.somaxconn = 4096\n"
			     "net.ipv4.tcp_rmem = 4096  262144\t16777216\n",
			     t->id, t->id) > 0);
	assert_string_equal(text, want);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	*strrchr(path, '/') = '\0';
	assert_no_tmp(path);
	*strchr(path, '\0') = '/';

	assert_string_equal(t->persist_path, path);
	assert_false(t->persist_existed);
	assert_null(t->persist_backup);
	disk = load(e, t->id);
	assert_string_equal(disk->persist_path, path);
	assert_false(disk->persist_existed);
}

/*
 * Rollback undoes the persisted file too: removes it, or puts back what it
 * held. After a reboot it undoes only the file: the runtime values are the
 * new boot's.
 */
static void test_rollback_persist(void **state)
{
	static const char before[] = "# old\nnet.core.somaxconn = 1024\n";
	static const struct {
		bool existed, reboot;
	} cases[] = {
		{ false, false },
		{ true, false },
		{ false, true },
		{ true, true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *path = NULL, *msg = NULL;
		_cleanup_txn_ struct txn *t = NULL, *r = NULL, *disk = NULL;
		struct txn_persist ps = { .profile = "high-conn" };
		struct txn_result res;
		struct env e;

		env_init(&e);
		path = persist_dir_file(&e);
		ps.path = path;
		if (cases[i].existed)
			write_text(path, before);
		t = apply(&e, two, ARRAY_SIZE(two), 0, &ps);
		assert_int_equal(t->persist_existed, cases[i].existed);
		if (cases[i].existed)
			assert_string_equal(t->persist_backup, before);
		if (cases[i].reboot)
			tree_put(&e, "kernel/random/boot_id", "bbb\n");

		assert_int_equal(txn_rollback(&e.ctx, NULL, false, &r, &res, &msg), 0);
		assert_int_equal(res.outcome, TXN_DONE);
		if (cases[i].existed) {
			_cleanup_free_ char *text = read_text(path);

			assert_string_equal(text, before);
		} else {
			assert_int_equal(access(path, F_OK), -1);
		}
		assert_no_tmp(e.dir);
		disk = load(&e, t->id);
		assert_int_equal(disk->status, TXN_ROLLED_BACK);
		assert_string_equal(r->id, t->id);
		assert_int_equal(r->status, TXN_ROLLED_BACK);
		assert_int_equal(journal_count(&e), 1);
		if (cases[i].reboot) {
			/* Only the file; the values are the new boot's and left alone. */
			assert_string_equal(r->error, REBOOTED);
			assert_string_equal(disk->error, REBOOTED);
			assert_live(&e, "net.ipv4.tcp_fin_timeout", "30");
			assert_live(&e, "net.ipv4.tcp_keepalive_time", "600");
		} else {
			assert_null(disk->error);
			assert_live(&e, "net.ipv4.tcp_fin_timeout", "60");
			assert_live(&e, "net.ipv4.tcp_keepalive_time", "7200");
		}
		env_free(&e);
	}
}

/*
 * A persisted file someone changed since is drift: refused without --force,
 * and with it the values go back while the file is left as it is, and said so.
 */
static void test_rollback_persist_changed(void **state)
{
	static const char theirs[] = "# mine now\nnet.ipv4.tcp_fin_timeout = 31\n";
	struct env *e = *state;
	_cleanup_free_ char *path = persist_dir_file(e), *msg = NULL, *want = NULL, *text = NULL;
	struct txn_persist ps = { .path = path, .profile = "high-conn" };
	_cleanup_txn_ struct txn *t = apply(e, two, ARRAY_SIZE(two), 0, &ps), *r = NULL;
	struct txn_result res;

	write_text(path, theirs);
	assert_int_equal(txn_rollback(&e->ctx, NULL, false, &r, &res, &msg), -EBUSY);
	assert_true(asprintf(&want,
			     "changed by someone else since: %s no longer holds what %s wrote "
			     "(--force restores the values anyway)",
			     path, t->id) > 0);
	assert_string_equal(msg, want);
	r = rollback_ok(e, NULL, true, t->id);
	free(want);
	assert_true(asprintf(&want, "%s was changed by someone else since: left as it is", path) >
		    0);
	assert_string_equal(r->error, want);
	text = read_text(path);
	assert_string_equal(text, theirs);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_apply_commits),
		T(test_apply_journal_first),
		T(test_apply_readback_differs),
		cmocka_unit_test(test_apply_failure_restores),
		T(test_apply_journal_unwritable),
		T(test_find_blocking),
		T(test_try_and_confirm),
		T(test_confirm_not_in_progress),
		T(test_try_watch),
		T(test_rollback_last_committed),
		T(test_rollback_blocking_first),
		T(test_rollback_drift),
		T(test_rollback_drift_to_old),
		T(test_rollback_refused),
		cmocka_unit_test(test_rollback_crash_recovery),
		T(test_apply_persist),
		cmocka_unit_test(test_rollback_persist),
		T(test_rollback_persist_changed),
		T(test_rollback_restore_fails),
		T(test_apply_restore_fails),
		T(test_apply_commit_fails),
		T(test_rollback_checks_journal),
		cmocka_unit_test(test_persist_path_valid),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
