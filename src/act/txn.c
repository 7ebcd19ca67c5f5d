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
	/* Which namespace's values these are: rollback goes back there, and only there. */
	if (r == 0 && c->live)
		r = c->netns ? netns_ref_copy(&t->netns, c->netns) : netns_id_current(&t->netns.id);
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
enum txn_outcome txn_undo(const struct txn_ctx *c, struct txn *t, size_t upto, char **why)
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
	res->outcome = txn_undo(c, t, upto, &why);
	err_set(errmsg, r, "%s", why ? why : strerror(-r));
	/* The target, once something was done to it (or its record). */
	if (ret && (r == 0 || res->outcome != TXN_UNCHANGED || t->status == TXN_NETNS_GONE))
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
	if (!t || t->status != TXN_PENDING || (id && strcmp(id, t->id) != 0) ||
	    !txn_in_netns(t, c->netns))
		return err_set(errmsg, -ENOENT, "no transaction %s%swaits for confirmation%s%s",
			       id ? id : "", id ? " " : "",
			       c->netns ? " in network namespace " : "",
			       c->netns ? c->netns->given : "");
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
