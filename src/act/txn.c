// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "txn.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#include "kb.h"
#include "persist.h"
#include "sysctl.h"
#include "util.h"

/* ---- finding transactions ---- */

/* Whether t blocks new transactions and is what a bare rollback completes. */
static bool txn_is_open(const struct txn *t)
{
	/* A version 1 rollback record is history, whatever it says. */
	if (t->undoes)
		return false;
	return t->status == TXN_IN_PROGRESS || t->status == TXN_PENDING ||
	       t->status == TXN_ROLLING_BACK || t->status == TXN_RESTORE_FAILED;
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
		if (txn_is_open(list[i])) {
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
		if (list[i]->status == TXN_COMMITTED && !list[i]->undoes) {
			*ret = list[i];
			list[i] = NULL;
			break;
		}
	journal_list_free(list, n);
	if (!*ret)
		return err_set(errmsg, -ENOENT, "no transaction to roll back");
	return 0;
}

char *txn_left_keys(const struct txn *t)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bool any = false;

	if (!f)
		return NULL;
	for (size_t i = 0; i < t->n_keys; i++)
		if (t->keys[i].left_changed) {
			fprintf(f, "%s%s", any ? ", " : "", t->keys[i].key);
			any = true;
		}
	if (fclose(f) != 0 || !any) {
		free(out);
		return NULL;
	}
	return out;
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
 * Puts keys [0, upto) back to their old values, newest first, reading each
 * back; marks those it could not restore left_changed (the others not).
 * Writing a value a key already has is harmless, so this is also how an
 * interrupted restore is resumed. Returns 0 or the first failure.
 */
static int restore(const struct txn_ctx *c, struct txn *t, size_t upto, char **why)
{
	int first = 0;

	for (size_t i = t->n_keys; i-- > 0;) {
		struct txn_key *k = &t->keys[i];
		int r = i < upto ? write_verified(c, k->key, k->old, NULL, NULL) : 0;

		k->left_changed = r < 0;
		if (r < 0) {
			str_appendf(why, "restoring %s = %s failed: %s", k->key, k->old,
				    strerror(-r));
			if (!first)
				first = r;
		}
	}
	return first;
}

/* A failure that is the kernel refusing a value, as opposed to the system failing. */
static bool is_refusal(int r, bool read_back_differs)
{
	return r == -EINVAL || r == -ERANGE || r == -ENOENT || (r == -EIO && read_back_differs);
}

/*
 * Applies keys in order. On failure returns why, and in *ret_upto how many
 * keys may have changed: a key the kernel took but read back differently
 * changed too.
 */
static int write_all(const struct txn_ctx *c, struct txn *t, size_t *ret_upto, bool *ret_refused,
		     char **why)
{
	for (size_t i = 0; i < t->n_keys; i++) {
		_cleanup_free_ char *back = NULL;
		const struct txn_key *k = &t->keys[i];
		bool written = false;
		int r = write_verified(c, k->key, k->new, &back, &written);

		if (r == 0)
			continue;
		*ret_refused = is_refusal(r, back != NULL);
		if (r == -EIO && back)
			err_set(why, r, "%s = %s: the kernel kept %s", k->key, k->new, back);
		else
			err_set(why, r, "%s = %s: %s: %s", k->key, k->new,
				*ret_refused ? "the kernel refused it" : "writing it failed",
				strerror(-r));
		*ret_upto = written ? i + 1 : i;
		return r;
	}
	*ret_upto = t->n_keys;
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

/*
 * Restores the keys [0, upto) and the persisted file, then records the
 * outcome: rolled-back when every key read back at its old value,
 * restore-failed otherwise. Returns the outcome; why gathers what failed.
 */
static enum txn_outcome undo(const struct txn_ctx *c, struct txn *t, size_t upto, char **why)
{
	bool failed = restore(c, t, upto, why) < 0;

	failed |= persist_undo(t, why) < 0;
	t->status = failed ? TXN_RESTORE_FAILED : TXN_ROLLED_BACK;
	/* Everything that went wrong, and any file left as it was, for history. */
	if (why && *why) {
		free(t->error);
		t->error = strdup(*why);
	}
	t->deadline = 0;
	if (!t->rollback_time)
		t->rollback_time = (int64_t)time(NULL);
	if (journal_save(c->dirfd, t, why) < 0) {
		/* The journal still says in-progress or rolling-back: rollback completes it. */
		str_appendf(why, "the journal could not record it");
		return TXN_INCOMPLETE;
	}
	return failed ? TXN_INCOMPLETE : TXN_UNDONE;
}

int txn_apply(const struct txn_ctx *c, const struct plan *p, const char *source,
	      int64_t try_seconds, const struct txn_persist *ps, struct txn **ret,
	      struct txn_result *res, char **errmsg)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *why = NULL;
	size_t upto = 0;
	int r;

	*res = (struct txn_result){ .outcome = TXN_UNCHANGED };
	if (ret)
		*ret = NULL;
	r = txn_begin(c, source, &t);
	if (r < 0)
		return err_set(errmsg, r, "starting a transaction: %s", strerror(-r));
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].change &&
		    txn_add_key(t, p->items[i].key, p->items[i].current, p->items[i].value) < 0)
			return -ENOMEM;
	/* Nothing is written that the journal could not tell how to undo. */
	r = journal_save(c->dirfd, t, &why);
	if (r < 0)
		return err_set(errmsg, r, "%s; nothing was changed", why);
	r = write_all(c, t, &upto, &res->refused, &why);
	if (r == 0 && ps && ps->path)
		r = persist_write(c->dirfd, t, p, ps, &why);
	if (r == 0) {
		t->status = try_seconds > 0 ? TXN_PENDING : TXN_COMMITTED;
		t->deadline = try_seconds > 0 ? t->time + try_seconds : 0;
		r = journal_save(c->dirfd, t, &why);
		if (r < 0)
			t->status = TXN_IN_PROGRESS; /* what the journal still says */
	}
	if (r == 0) {
		res->outcome = TXN_DONE;
		if (ret)
			*ret = TAKE_PTR(t);
		return 0;
	}
	/* All or nothing: whatever failed, every key that may have changed goes back. */
	if (!why)
		why = strdup(strerror(-r));
	res->outcome = undo(c, t, upto, &why);
	err_set(errmsg, r, "%s", why ? why : strerror(-r));
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
	/* Too late is too late: whoever finds it rolls it back (*ret says which). */
	if ((int64_t)time(NULL) > t->deadline) {
		r = err_set(errmsg, -ETIMEDOUT, "the --try window of %s closed %" PRId64 " s ago",
			    t->id, (int64_t)time(NULL) - t->deadline);
		if (ret)
			*ret = TAKE_PTR(t);
		return r;
	}
	t->status = TXN_COMMITTED;
	t->deadline = 0;
	r = journal_save(c->dirfd, t, errmsg);
	if (r == 0 && ret)
		*ret = TAKE_PTR(t);
	return r;
}

/*
 * Keys whose live value is neither what the target wrote nor (if it never
 * finished, or its undo did not) what was there; and a persisted file
 * changed since.
 */
static int check_drift(const struct txn_ctx *c, const struct txn *t, char **errmsg)
{
	bool between = t->status != TXN_COMMITTED && t->status != TXN_PENDING, done;
	_cleanup_free_ char *msg = NULL;
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
		if (kb_values_equal(e, live, k->new) ||
		    (between && kb_values_equal(e, live, k->old)))
			continue;
		fprintf(f, "%s%s is %s, not the %s that %s set", drifted ? "; " : "", k->key, live,
			k->new, t->id);
		drifted++;
	}
	if (persist_drift(t, &done) > 0) {
		fprintf(f, "%s%s no longer holds what %s wrote", drifted ? "; " : "",
			t->persist_path, t->id);
		drifted++;
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	if (drifted)
		return err_set(errmsg, -EBUSY,
			       "changed by someone else since: %s (--force restores the values "
			       "anyway)",
			       msg);
	return 0;
}

/*
 * Whether v looks like a value of the key: e->n integers, or for a string key
 * one word; not the documented range, which the kernel's own value may leave.
 */
static bool value_shape_ok(const struct kb_entry *e, const char *v)
{
	size_t n = 0;

	for (const char *p = v; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\t')
			return false;
	if (e->type == KB_TEXT)
		return true;
	if (e->type == KB_STRING)
		return *v != '\0';
	for (const char *p = v + strspn(v, " \t"); *p; p += strspn(p, " \t"), n++) {
		char *end;

		errno = 0;
		(void)strtoll(p, &end, 0);
		if (end == p || errno)
			return false;
		p = end;
		if (*p && !strchr(" \t", *p))
			return false;
	}
	return n == e->n;
}

/*
 * A journal is the one thing rollback writes from: refuse one with a value
 * that is not one for its key (per the knowledge base; for another key, one
 * line of text), or a persisted file that is not a
 * sysctl.d file (an edited or forged journal). What keeps a journal from
 * being forged at all is the state directory's ownership and mode.
 */
static int check_journal(const struct txn *t, char **errmsg)
{
	for (size_t i = 0; i < t->n_keys; i++) {
		const struct txn_key *k = &t->keys[i];
		const struct kb_entry *e = kb_lookup(k->key);
		struct kb_entry text;

		/* The parser took only sysctl keys; one outside the knowledge base is text. */
		if (!e) {
			kb_entry_from_value(k->key, NULL, &text);
			e = &text;
		}
		if (!value_shape_ok(e, k->old))
			return err_set(errmsg, -EBADMSG,
				       "transaction %s: key %zu: '%s' is not a value for %s; "
				       "refusing to roll it back",
				       t->id, i + 1, k->old, k->key);
	}
	if (t->persist_path && !txn_persist_path_valid(t->persist_path))
		return err_set(errmsg, -EBADMSG,
			       "transaction %s: persisted file %s is not a *.conf file in a "
			       "sysctl.d directory; refusing to roll it back",
			       t->id, t->persist_path);
	return 0;
}

int txn_rollback(const struct txn_ctx *c, const char *id, bool force, struct txn **ret,
		 struct txn_result *res, char **errmsg)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *boot = NULL, *why = NULL;
	bool rebooted;
	int r;

	*res = (struct txn_result){ .outcome = TXN_UNCHANGED };
	r = id ? journal_load(c->dirfd, id, &t, errmsg) : find_target(c, &t, errmsg);
	if (r == -ENOENT && id)
		return err_set(errmsg, r, "no transaction %s", id);
	if (r < 0)
		return r;
	if (t->status == TXN_ROLLED_BACK)
		return err_set(errmsg, -EALREADY, "transaction %s is already rolled back", t->id);
	if (t->undoes)
		return err_set(errmsg, -EINVAL,
			       "transaction %s is the record of an earlier rollback (of %s)", t->id,
			       t->undoes);
	r = check_journal(t, errmsg);
	if (r < 0)
		return r;
	/* After a reboot the runtime values are the boot's: only the file remains to undo. */
	rebooted = boot_id_read(c->sysctl_root, &boot) == 0 && t->boot_id &&
		   strcmp(boot, t->boot_id) != 0;
	if (!force && !rebooted) {
		r = check_drift(c, t, errmsg);
		if (r < 0)
			return r;
	}
	/* Recorded before the first write: a kill from here on is resumed by the next rollback. */
	t->status = TXN_ROLLING_BACK;
	t->rollback_time = (int64_t)time(NULL);
	r = journal_save(c->dirfd, t, &why);
	if (r < 0)
		return err_set(errmsg, r, "%s; nothing was changed", why);
	if (rebooted) {
		free(t->error);
		t->error = strdup("the machine rebooted since: runtime values were already reset; "
				  "only the persisted file was restored");
		for (size_t i = 0; i < t->n_keys; i++)
			t->keys[i].left_changed = false;
		r = persist_undo(t, &why);
		t->status = r < 0 ? TXN_RESTORE_FAILED : TXN_ROLLED_BACK;
		res->outcome = r < 0 ? TXN_INCOMPLETE : TXN_UNDONE;
		if (journal_save(c->dirfd, t, &why) < 0) {
			r = r < 0 ? r : -EIO;
			res->outcome = TXN_INCOMPLETE;
		}
	} else {
		/* What went wrong before (a failed apply or restore) is history now. */
		free(t->error);
		t->error = NULL;
		res->outcome = undo(c, t, t->n_keys, &why);
		r = res->outcome == TXN_UNDONE ? 0 : -EIO;
	}
	if (r < 0)
		err_set(errmsg, r, "%s", why ? why : strerror(-r));
	else
		res->outcome = TXN_DONE;
	if (ret)
		*ret = TAKE_PTR(t);
	return r;
}
