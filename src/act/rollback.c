// SPDX-License-Identifier: GPL-2.0-or-later
/* Rollback: which transaction, whether its journal and the live values allow it, where. */
#define _GNU_SOURCE
#include "txn.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kb.h"
#include "persist.h"
#include "sysctl.h"
#include "util.h"

/*
 * The transaction rollback undoes by default: an open one, else the last
 * committed one (of c->netns, when given). An open one of another namespace
 * blocks, as it blocks every apply.
 */
static int find_target(const struct txn_ctx *c, struct txn **ret, char **errmsg)
{
	struct txn **list = NULL;
	size_t n = 0;
	int r;

	r = txn_find_blocking(c, ret, errmsg);
	if (r < 0)
		return r;
	if (*ret && !txn_in_netns(*ret, c->netns)) {
		r = err_set(errmsg, -EAGAIN,
			    "transaction %s, in another network namespace (%s), is %s: roll it "
			    "back first ('tcptune rollback %s')",
			    (*ret)->id, (*ret)->netns.given ? (*ret)->netns.given : "tcptune's own",
			    txn_status_name((*ret)->status), (*ret)->id);
		*ret = txn_free(*ret);
		return r;
	}
	if (*ret)
		return 0;
	r = journal_list(c->dirfd, &list, &n, errmsg);
	if (r < 0)
		return r;
	for (size_t i = n; i-- > 0;)
		if (list[i]->status == TXN_COMMITTED && !list[i]->undoes &&
		    txn_in_netns(list[i], c->netns)) {
			*ret = list[i];
			list[i] = NULL;
			break;
		}
	journal_list_free(list, n);
	if (!*ret)
		return err_set(errmsg, -ENOENT, "no transaction to roll back%s%s",
			       c->netns ? " in network namespace " : "",
			       c->netns ? c->netns->given : "");
	return 0;
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

/*
 * Enters the namespace t changed unless we are in it: through the path it was
 * given by, else wherever its identity is found. *ret_back: where to return
 * (-1: we did not move). -ESTALE, -ENXIO as txn_rollback() says.
 */
static int enter_netns_of(const struct txn_ctx *c, const struct txn *t, int *ret_back,
			  char **errmsg)
{
	const struct netns_ref *ns = &t->netns;
	_cleanup_free_ char *found = NULL;
	struct netns_id here;
	int r;

	*ret_back = -1;
	/* A fake tree, or a journal from before namespaces were recorded: where we are. */
	if (!c->live || !netns_id_known(&ns->id))
		return 0;
	if (netns_id_current(&here) == 0 && netns_id_equal(&here, &ns->id))
		return 0;
	if (ns->path) {
		r = netns_enter_checked(ns->path, &ns->id, ret_back, errmsg);
		if (r == -ESTALE)
			return err_set(errmsg, r,
				       "transaction %s changed network namespace %s (inode %" PRIu64
				       "), and %s is another one now: refusing to roll it back "
				       "there",
				       t->id, ns->given, ns->id.ino, ns->path);
		if (r != -ENOENT)
			return r;
	}
	r = netns_find("/run/netns", "/proc", &ns->id, &found);
	/* Its inode number, but another namespace's cookie: the one we look for is gone. */
	if (r == 0) {
		r = netns_enter_checked(found, &ns->id, ret_back, errmsg);
		if (r != -ESTALE)
			return r;
		r = -ENOENT;
	}
	if (r == -ENOENT && ns->given)
		return err_set(errmsg, -ENXIO,
			       "network namespace %s (inode %" PRIu64 ") no longer exists, nor "
			       "do the values transaction %s set in it",
			       ns->given, ns->id.ino, t->id);
	if (r == -ENOENT)
		return err_set(errmsg, -ESTALE,
			       "transaction %s changed the network namespace tcptune ran in then "
			       "(inode %" PRIu64 "), which no process here is in: run the "
			       "rollback there",
			       t->id, ns->id.ino);
	return err_set(errmsg, r, "looking for network namespace %s: %s",
		       ns->given ? ns->given : "", strerror(-r));
}

/* Its namespace is gone and its values with it: recorded so, nothing written. */
static int mark_netns_gone(const struct txn_ctx *c, struct txn *t, char **errmsg)
{
	_cleanup_free_ char *why = errmsg && *errmsg ? strdup(*errmsg) : NULL;
	int r;

	free(t->error);
	t->error = TAKE_PTR(why);
	t->status = TXN_NETNS_GONE;
	t->deadline = 0;
	t->rollback_time = (int64_t)time(NULL);
	for (size_t i = 0; i < t->n_keys; i++)
		t->keys[i].left_changed = false;
	r = journal_save(c->dirfd, t, errmsg);
	if (r < 0)
		return r;
	return err_set(errmsg, -ENXIO, "%s: nothing was written; transaction %s is marked %s",
		       t->error ? t->error : "its network namespace is gone", t->id,
		       txn_status_name(t->status));
}

/* After a reboot: the runtime values were reset; the persisted file remains to undo. */
static int rollback_rebooted(const struct txn_ctx *c, struct txn *t, struct txn_result *res,
			     char **why)
{
	int r;

	free(t->error);
	t->error = strdup("the machine rebooted since: runtime values were already reset; "
			  "only the persisted file was restored");
	for (size_t i = 0; i < t->n_keys; i++)
		t->keys[i].left_changed = false;
	r = persist_undo(t, why);
	t->status = r < 0 ? TXN_RESTORE_FAILED : TXN_ROLLED_BACK;
	res->outcome = r < 0 ? TXN_INCOMPLETE : TXN_UNDONE;
	if (journal_save(c->dirfd, t, why) < 0) {
		r = r < 0 ? r : -EIO;
		res->outcome = TXN_INCOMPLETE;
	}
	return r;
}

/* Checks for drift, marks the target rolling back, restores; in the right namespace. */
static int rollback_here(const struct txn_ctx *c, struct txn *t, bool force, bool rebooted,
			 struct txn_result *res, char **errmsg)
{
	_cleanup_free_ char *why = NULL;
	int r;

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
		r = rollback_rebooted(c, t, res, &why);
	} else {
		/* What went wrong before (a failed apply or restore) is history now. */
		free(t->error);
		t->error = NULL;
		res->outcome = txn_undo(c, t, t->n_keys, &why);
		r = res->outcome == TXN_UNDONE ? 0 : -EIO;
	}
	if (r < 0)
		return err_set(errmsg, r, "%s", why ? why : strerror(-r));
	res->outcome = TXN_DONE;
	return 0;
}

int txn_rollback(const struct txn_ctx *c, const char *id, bool force, struct txn **ret,
		 struct txn_result *res, char **errmsg)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *boot = NULL;
	int r, back = -1;
	bool rebooted;

	*res = (struct txn_result){ .outcome = TXN_UNCHANGED };
	r = id ? journal_load(c->dirfd, id, &t, errmsg) : find_target(c, &t, errmsg);
	if (r == -ENOENT && id)
		return err_set(errmsg, r, "no transaction %s", id);
	if (r < 0)
		return r;
	if (!txn_in_netns(t, c->netns))
		return err_set(errmsg, -ESTALE,
			       "transaction %s changed network namespace %s, not %s: refusing",
			       t->id, t->netns.given ? t->netns.given : "(tcptune's own)",
			       c->netns->given);
	if (t->status == TXN_ROLLED_BACK || t->status == TXN_NETNS_GONE)
		return err_set(errmsg, -EALREADY, "transaction %s is already %s", t->id,
			       t->status == TXN_ROLLED_BACK ? "rolled back"
							    : "without its network namespace");
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
	if (rebooted && t->netns.path)
		r = err_set(errmsg, -ENXIO,
			    "the machine rebooted since: network namespace %s went with it",
			    t->netns.given);
	else if (!rebooted)
		r = enter_netns_of(c, t, &back, errmsg);
	if (r == -ENXIO)
		r = mark_netns_gone(c, t, errmsg);
	if (r == 0)
		r = rollback_here(c, t, force, rebooted, res, errmsg);
	/* Whatever happened there, the caller goes on here (an apply that found t open). */
	if (back >= 0) {
		int e = netns_return(back);

		if (e < 0)
			r = err_set(errmsg, -EIO,
				    "could not return to our own network namespace: %s",
				    strerror(-e));
	}
	/* The target, once something was done to it (or its record). */
	if (ret && (r == 0 || res->outcome != TXN_UNCHANGED || t->status == TXN_NETNS_GONE))
		*ret = TAKE_PTR(t);
	return r;
}
