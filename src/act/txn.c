// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "txn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kb.h"
#include "sysctl.h"
#include "util.h"

/* ---- finding transactions ---- */

static bool is_open(const struct txn *t)
{
	return t->status == TXN_IN_PROGRESS || t->status == TXN_PENDING;
}

int txn_find_blocking(const struct txn_ctx *c, struct txn **ret, char **errmsg)
{
	struct txn **list = NULL;
	size_t n = 0;
	int r;

	*ret = NULL;
	r = journal_list(c->dirfd, &list, &n, errmsg);
	if (r < 0)
		return r;
	for (size_t i = n; i-- > 0;)
		if (is_open(list[i])) {
			*ret = list[i];
			list[i] = NULL;
			break;
		}
	journal_list_free(list, n);
	return 0;
}

/* The transaction rollback undoes by default: an open one, else the last committed one. */
static int find_target(const struct txn_ctx *c, struct txn **ret, char **errmsg)
{
	struct txn **list = NULL;
	size_t n = 0;
	int r;

	r = txn_find_blocking(c, ret, errmsg);
	if (r < 0 || *ret)
		return r;
	r = journal_list(c->dirfd, &list, &n, errmsg);
	if (r < 0)
		return r;
	for (size_t i = n; i-- > 0;)
		if (list[i]->status == TXN_COMMITTED && !list[i]->undone_by && !list[i]->undoes) {
			*ret = list[i];
			list[i] = NULL;
			break;
		}
	journal_list_free(list, n);
	if (!*ret)
		return err_set(errmsg, -ENOENT, "no transaction to roll back");
	return 0;
}

/* ---- writing values ---- */

/*
 * Writes a value and reads it back: 0, the kernel's refusal, or -EIO on a different read-back.
 * *ret_written: whether the key may have changed (the kernel took the write, or part of it).
 */
static int write_verified(const struct txn_ctx *c, const char *key, const char *value,
			  char **ret_readback, bool *ret_written)
{
	const struct kb_entry *e = kb_lookup(key);
	_cleanup_free_ char *back = NULL;
	int r;

	r = sysctl_write(c->sysctl_root, key, value);
	if (ret_written)
		*ret_written = r == 0 || r == -EIO;
	if (r < 0)
		return r;
	r = sysctl_read(c->sysctl_root, key, &back);
	if (r < 0)
		return r;
	if (e ? !kb_values_equal(e, back, value) : strcmp(back, value) != 0) {
		if (ret_readback)
			*ret_readback = TAKE_PTR(back);
		return -EIO;
	}
	return 0;
}

/*
 * Puts keys [0, upto) back to their old values, newest first, and checks each.
 * Returns 0 or the first failure, described in *errmsg (appended).
 */
static int restore(const struct txn_ctx *c, const struct txn *t, size_t upto, char **errmsg)
{
	int first = 0;

	for (size_t i = upto; i-- > 0;) {
		const struct txn_key *k = &t->keys[i];
		int r = write_verified(c, k->key, k->old, NULL, NULL);

		if (r < 0 && !first) {
			first = r;
			err_set(errmsg, r, "%s; restoring %s = %s failed too: %s",
				errmsg && *errmsg ? *errmsg : "", k->key, k->old, strerror(-r));
		}
	}
	return first;
}

/* Applies keys in order; on failure restores those written, and returns why. */
static int write_all(const struct txn_ctx *c, struct txn *t, char **errmsg)
{
	for (size_t i = 0; i < t->n_keys; i++) {
		_cleanup_free_ char *back = NULL;
		const struct txn_key *k = &t->keys[i];
		bool written = false;
		int r = write_verified(c, k->key, k->new, &back, &written);

		if (r == 0)
			continue;
		if (r == -EIO && back)
			err_set(errmsg, r, "%s = %s: the kernel kept %s", k->key, k->new, back);
		else
			err_set(errmsg, r, "%s = %s: the kernel refused it: %s", k->key, k->new,
				strerror(-r));
		/* A key the kernel took but read back differently changed too: restore it as well.
		 */
		restore(c, t, written ? i + 1 : i, errmsg);
		return r;
	}
	return 0;
}

/* ---- the persisted file ---- */

static int write_file_atomic(const char *path, const char *content, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL, *dir = strdup(path);
	_cleanup_close_ int fd = -1, dfd = -1;
	size_t len = strlen(content);
	char *slash;

	if (!dir || asprintf(&tmp, "%s.tcptune-tmp", path) < 0)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	/* The mode asked for, not what the caller's umask leaves of it. */
	if (fchmod(fd, mode) < 0) {
		int r = -errno;

		unlink(tmp);
		return r;
	}
	if (write(fd, content, len) != (ssize_t)len || fsync(fd) < 0) {
		int r = errno ? -errno : -EIO;

		unlink(tmp);
		return r;
	}
	if (rename(tmp, path) < 0) {
		int r = -errno;

		unlink(tmp);
		return r;
	}
	/* The rename itself must reach the disk. */
	dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

/* The settings lines of the persisted file: "key = value\n" for every item. */
static char *persist_settings(const struct plan *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%s = %s\n", p->items[i].key,
			p->items[i].value ? p->items[i].value : p->items[i].want);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static char *persist_content(const struct txn *t, const struct plan *p, const char *profile)
{
	_cleanup_free_ char *settings = persist_settings(p);
	char *out;

	if (!settings ||
	    asprintf(&out,
		     "# Written by tcptune%s%s, transaction %s.\n"
		     "# 'tcptune rollback %s' restores what was here before; edits here are lost "
		     "then.\n%s",
		     profile ? " from profile " : "", profile ? profile : "", t->id, t->id,
		     settings) < 0)
		return NULL;
	return out;
}

bool txn_persist_matches(const struct txn_persist *ps, const struct plan *p)
{
	_cleanup_free_ char *settings = persist_settings(p), *file = NULL;
	char *body;

	if (!settings || read_file_str(ps->path, 1 << 20, &file, NULL) < 0)
		return false;
	/* Our header is two comment lines; the rest must be the settings, exactly. */
	body = file;
	for (int i = 0; i < 2 && body[0] == '#'; i++)
		body = strchrnul(body, '\n') + (strchr(body, '\n') ? 1 : 0);
	return strcmp(body, settings) == 0;
}

/* Records what the file held, then writes it: the journal knows how to undo it first. */
static int persist(const struct txn_ctx *c, struct txn *t, const struct plan *p,
		   const struct txn_persist *ps, char **errmsg)
{
	_cleanup_free_ char *content = NULL, *old = NULL;
	int r;

	r = read_file_str(ps->path, 1 << 20, &old, NULL);
	if (r < 0 && r != -ENOENT)
		return err_set(errmsg, r, "%s: %s", ps->path, strerror(-r));
	t->persist_path = strdup(ps->path);
	t->persist_existed = r == 0;
	t->persist_backup = TAKE_PTR(old);
	if (!t->persist_path)
		return -ENOMEM;
	r = journal_save(c->dirfd, t, errmsg);
	if (r < 0)
		return r;
	content = persist_content(t, p, ps->profile);
	if (!content)
		return -ENOMEM;
	r = write_file_atomic(ps->path, content, 0644);
	if (r < 0)
		return err_set(errmsg, r, "writing %s: %s", ps->path, strerror(-r));
	return 0;
}

/* Puts the persisted file back as it was: its old contents, or no file. */
static int unpersist(const struct txn *t, char **errmsg)
{
	int r;

	if (!t->persist_path)
		return 0;
	if (t->persist_existed)
		r = write_file_atomic(t->persist_path, t->persist_backup ? t->persist_backup : "",
				      0644);
	else
		r = unlink(t->persist_path) < 0 && errno != ENOENT ? -errno : 0;
	if (r < 0)
		return err_set(errmsg, r, "restoring %s: %s", t->persist_path, strerror(-r));
	return 0;
}

/* ---- transactions ---- */

static int txn_begin(const struct txn_ctx *c, const char *source, struct txn **ret)
{
	struct txn *t = txn_new();
	struct timespec now;
	int r;

	if (!t)
		return -ENOMEM;
	/* One clock reading for the time and the id, so that ids sort by time. */
	clock_gettime(CLOCK_REALTIME, &now);
	t->time = (int64_t)now.tv_sec;
	t->status = TXN_IN_PROGRESS;
	r = txn_make_id(t->time, now.tv_nsec, &t->id);
	if (r == 0)
		r = boot_id_read(c->sysctl_root, &t->boot_id);
	if (r == -ENOENT) /* a fake tree without a boot id: reboots cannot be told */
		r = 0;
	if (r == 0 && !(t->source = strdup(source)))
		r = -ENOMEM;
	if (r < 0) {
		txn_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

/* Writes, verifies, and on failure restores; the journal says which at every step. */
static int txn_run(const struct txn_ctx *c, struct txn *t, char **errmsg)
{
	_cleanup_free_ char *why = NULL;
	int r, s;

	r = journal_save(c->dirfd, t, errmsg);
	if (r < 0)
		return r;
	r = write_all(c, t, &why);
	if (r == 0)
		return 0;
	t->status = TXN_ROLLED_BACK;
	t->error = strdup(why ? why : strerror(-r));
	s = journal_save(c->dirfd, t, errmsg);
	err_set(errmsg, r, "%s", why ? why : strerror(-r));
	return s < 0 ? s : r;
}

int txn_apply(const struct txn_ctx *c, const struct plan *p, const char *source,
	      int64_t try_seconds, const struct txn_persist *ps, struct txn **ret, char **errmsg)
{
	_cleanup_txn_ struct txn *t = NULL;
	int r;

	r = txn_begin(c, source, &t);
	if (r < 0)
		return err_set(errmsg, r, "starting a transaction: %s", strerror(-r));
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].change &&
		    txn_add_key(t, p->items[i].key, p->items[i].current, p->items[i].value) < 0)
			return -ENOMEM;
	r = txn_run(c, t, errmsg);
	if (r == 0 && ps && ps->path) {
		r = persist(c, t, p, ps, errmsg);
		if (r < 0) {
			/* All or nothing: the runtime values go back too. */
			restore(c, t, t->n_keys, errmsg);
			unpersist(t, NULL);
			t->status = TXN_ROLLED_BACK;
			t->error = strdup(errmsg && *errmsg ? *errmsg : strerror(-r));
			journal_save(c->dirfd, t, NULL);
		}
	}
	if (r == 0) {
		t->status = try_seconds > 0 ? TXN_PENDING : TXN_COMMITTED;
		t->deadline = try_seconds > 0 ? t->time + try_seconds : 0;
		r = journal_save(c->dirfd, t, errmsg);
	}
	if (ret)
		*ret = TAKE_PTR(t);
	return r;
}

static char *try_name(const struct txn *t)
{
	char *name;

	return asprintf(&name, "%s.try", t->id) < 0 ? NULL : name;
}

int txn_try_hold(const struct txn_ctx *c, const struct txn *t, int *ret_fd)
{
	_cleanup_free_ char *name = try_name(t);
	int fd;

	if (!name)
		return -ENOMEM;
	fd = openat(c->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

void txn_try_release(const struct txn_ctx *c, const struct txn *t, int fd)
{
	_cleanup_free_ char *name = try_name(t);

	if (name)
		unlinkat(c->dirfd, name, 0);
	if (fd >= 0)
		close(fd);
}

bool txn_try_abandoned(const struct txn_ctx *c, const struct txn *t, int64_t now)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_close_ int fd = -1;

	if (t->status != TXN_PENDING || now <= t->deadline)
		return false;
	name = try_name(t);
	if (!name)
		return false;
	fd = openat(c->dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	/* Someone still waits: it rolls back itself. */
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return false;
	unlinkat(c->dirfd, name, 0);
	return true;
}

int txn_confirm(const struct txn_ctx *c, const char *id, struct txn **ret, char **errmsg)
{
	_cleanup_txn_ struct txn *t = NULL;
	int r;

	r = txn_find_blocking(c, &t, errmsg);
	if (r < 0)
		return r;
	if (!t || t->status != TXN_PENDING || (id && strcmp(id, t->id) != 0))
		return err_set(errmsg, -ENOENT, "no transaction %s%swaits for confirmation",
			       id ? id : "", id ? " " : "");
	/* Too late is too late: the waiter is rolling it back, or will be. */
	if ((int64_t)time(NULL) > t->deadline)
		return err_set(errmsg, -ETIMEDOUT,
			       "the --try window of %s has closed; it is rolled back", t->id);
	t->status = TXN_COMMITTED;
	t->deadline = 0;
	r = journal_save(c->dirfd, t, errmsg);
	if (r == 0 && ret)
		*ret = TAKE_PTR(t);
	return r;
}

/* Keys whose live value is neither what the target wrote nor (if it never finished) what was there.
 */
static int check_drift(const struct txn_ctx *c, const struct txn *t, char **errmsg)
{
	char *msg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&msg, &len);
	int drifted = 0;

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_keys; i++) {
		const struct txn_key *k = &t->keys[i];
		const struct kb_entry *e = kb_lookup(k->key);
		_cleanup_free_ char *live = NULL;

		if (sysctl_read(c->sysctl_root, k->key, &live) < 0)
			continue;
		if (e && (kb_values_equal(e, live, k->new) ||
			  (t->status == TXN_IN_PROGRESS && kb_values_equal(e, live, k->old))))
			continue;
		fprintf(f, "%s%s is %s, not the %s that %s set", drifted ? "; " : "", k->key, live,
			k->new, t->id);
		drifted++;
	}
	fclose(f);
	if (drifted) {
		err_set(errmsg, -EBUSY,
			"changed by someone else since: %s (--force restores the values anyway)",
			msg);
		free(msg);
		return -EBUSY;
	}
	free(msg);
	return 0;
}

int txn_rollback(const struct txn_ctx *c, const char *id, bool force, struct txn **ret,
		 char **errmsg)
{
	_cleanup_txn_ struct txn *target = NULL, *undo = NULL;
	_cleanup_free_ char *boot = NULL, *source = NULL;
	int r;

	r = id ? journal_load(c->dirfd, id, &target, errmsg) : find_target(c, &target, errmsg);
	if (r == -ENOENT && id)
		return err_set(errmsg, r, "no transaction %s", id);
	if (r < 0)
		return r;
	if (target->status == TXN_ROLLED_BACK)
		return err_set(errmsg, -EALREADY, "transaction %s is already rolled back%s%s",
			       target->id, target->undone_by ? " by " : "",
			       target->undone_by ? target->undone_by : "");
	if (target->undoes)
		return err_set(
			errmsg, -EINVAL,
			"transaction %s is itself a rollback; apply the values again instead",
			target->id);

	/* After a reboot the runtime values are the boot's: only the file remains to undo. */
	if (boot_id_read(c->sysctl_root, &boot) == 0 && target->boot_id &&
	    strcmp(boot, target->boot_id) != 0) {
		r = unpersist(target, errmsg);
		if (r < 0)
			return r;
		target->status = TXN_ROLLED_BACK;
		target->error = strdup("the machine rebooted since: runtime values were already "
				       "reset; only the persisted file was restored");
		r = journal_save(c->dirfd, target, errmsg);
		if (r == 0 && ret)
			*ret = TAKE_PTR(target);
		return r;
	}
	if (!force) {
		r = check_drift(c, target, errmsg);
		if (r < 0)
			return r;
	}
	if (asprintf(&source, "rollback %s", target->id) < 0)
		return -ENOMEM;
	r = txn_begin(c, source, &undo);
	if (r < 0)
		return err_set(errmsg, r, "starting a transaction: %s", strerror(-r));
	undo->undoes = strdup(target->id);
	for (size_t i = target->n_keys; i-- > 0;) {
		_cleanup_free_ char *live = NULL;
		const struct txn_key *k = &target->keys[i];

		if (sysctl_read(c->sysctl_root, k->key, &live) < 0)
			live = strdup(k->new);
		if (txn_add_key(undo, k->key, live ? live : k->new, k->old) < 0)
			return -ENOMEM;
	}
	r = txn_run(c, undo, errmsg);
	if (r == 0)
		r = unpersist(target, errmsg);
	if (r < 0) {
		if (ret)
			*ret = TAKE_PTR(undo);
		return r;
	}
	undo->status = TXN_COMMITTED;
	target->status = TXN_ROLLED_BACK;
	target->undone_by = strdup(undo->id);
	if ((r = journal_save(c->dirfd, undo, errmsg)) < 0 ||
	    (r = journal_save(c->dirfd, target, errmsg)) < 0)
		return r;
	if (ret)
		*ret = TAKE_PTR(undo);
	return 0;
}
