/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_TXN_H
#define TCPTUNE_TXN_H

#include <stdbool.h>
#include <stdint.h>

#include "journal.h"
#include "plan.h"

/*
 * Transactions over sysctls: all or nothing, recorded before they act, and
 * reversible. The caller holds the state directory's lock (state_lock())
 * around every call here.
 */
struct txn_ctx {
	int dirfd;		 /* the state directory */
	const char *sysctl_root; /* "/proc/sys" or a fake tree */
	/* The kernel's own /proc/sys (not a fake tree): which network namespace it shows
	 * matters, and is recorded and returned to. */
	bool live;
	/* The namespace the command is about (--netns): apply has entered it and records
	 * it; rollback and confirm take only a transaction of it. NULL: the one we are in
	 * for apply, any for the others. */
	const struct netns_ref *netns;
};

struct txn_persist {
	const char *path;    /* the sysctl.d file to write */
	const char *profile; /* for its header */
};

/*
 * The transaction that blocks new ones, the newest open one: in progress or
 * rolling back (the process died: its journal holds every before-value),
 * restore-failed (keys left changed), or pending (--try waiting for
 * confirmation). 0 and *ret (NULL when none).
 */
int txn_find_blocking(const struct txn_ctx *c, struct txn **ret, char **errmsg);

/*
 * How a transaction (or a rollback) that failed left the system: the typed
 * answer to "was everything undone?", never recovered from a message.
 */
enum txn_outcome {
	TXN_DONE,	/* it succeeded */
	TXN_UNCHANGED,	/* it failed before changing anything */
	TXN_UNDONE,	/* it failed; every change was read back at its old value, and recorded */
	TXN_INCOMPLETE, /* it failed; keys may be left changed (left_changed), or the journal
			   could not record the outcome: 'tcptune rollback' completes it */
};

struct txn_result {
	enum txn_outcome outcome;
	bool refused; /* the failure was the kernel refusing a value (bad data), not the system */
};

/*
 * Applies the changes of a resolved plan: journal (fsync) first, then each
 * value written in one write() and read back; with persist the resulting
 * values are also written to a sysctl.d file, atomically; then the commit
 * record. On any failure, including a commit record that cannot be written,
 * every key that may have changed is restored in reverse order and read
 * back, the file is put back, and the journal records the truth:
 * rolled-back, restore-failed (left_changed keys), or, when even that cannot
 * be written, the in-progress record that 'tcptune rollback' completes.
 * With try_seconds the transaction is left pending until txn_confirm().
 * *ret is the transaction (NULL when none was recorded), *res how it ended.
 */
int txn_apply(const struct txn_ctx *c, const struct plan *p, const char *source,
	      int64_t try_seconds, const struct txn_persist *persist, struct txn **ret,
	      struct txn_result *res, char **errmsg);

/*
 * Whether path may be a persisted file: an absolute path, without "." or
 * ".." components, of a "*.conf" file directly in a directory named
 * sysctl.d (under any root). Rollback restores or removes only such a file.
 */
bool txn_persist_path_valid(const char *path);

/*
 * Whether the sysctl.d file already holds exactly the plan's settings (below
 * its header), so that persisting again would change nothing.
 */
bool txn_persist_matches(const struct txn_persist *ps, const struct plan *p);

/*
 * --try's watch: the process waiting for confirmation holds a lock on
 * "<dir>/<id>.try" from before it releases the state lock until it has
 * confirmed or rolled back. A pending transaction past its deadline whose
 * watch nobody holds was abandoned (its waiter was killed) and is to be
 * rolled back by whoever finds it.
 */
int txn_try_hold(const struct txn_ctx *c, const struct txn *t, int *ret_fd);
void txn_try_release(const struct txn_ctx *c, const struct txn *t, int fd);
bool txn_try_abandoned(const struct txn_ctx *c, const struct txn *t, int64_t now);

/*
 * Marks a pending transaction committed. -ENOENT when there is none (or not
 * that id); -ETIMEDOUT, with *ret the transaction, when its window has closed.
 */
int txn_confirm(const struct txn_ctx *c, const char *id, struct txn **ret, char **errmsg);

/*
 * Restores the before-values of a transaction: id NULL takes one that is
 * open (in progress, pending, rolling back or restore-failed: whatever was
 * interrupted is resumed), else the last committed one. The journal is
 * checked first (keys tcptune sets, a persisted file it wrote under a
 * sysctl.d directory); keys changed by someone else since (drift) are
 * listed and refused unless force. The target is marked rolling-back before
 * the first write, so a kill anywhere is completed by the next rollback;
 * every key is written and read back, newest first; then it is marked
 * rolled-back, or restore-failed with the keys left changed. After a reboot
 * (another boot id) only the persisted file is undone. *ret is the target.
 *
 * The values are restored in the network namespace the transaction changed,
 * found again by its identity: through the name or pid it was given by, else
 * any name or process that holds it. -ESTALE, changing nothing, when that
 * name or pid now stands for another namespace; -ENXIO when the namespace no
 * longer exists (so neither do its values): the transaction is marked
 * namespace-gone. The caller is back in its own namespace afterwards.
 */
int txn_rollback(const struct txn_ctx *c, const char *id, bool force, struct txn **ret,
		 struct txn_result *res, char **errmsg);

/* The keys a restore-failed transaction left changed, "a, b", or NULL. */
char *txn_left_keys(const struct txn *t);

/*
 * act/ inside (txn.c, rollback.c): restores keys [0, upto), newest first,
 * and the persisted file, and records the outcome: rolled-back when every key
 * read back at its old value, restore-failed otherwise.
 */
enum txn_outcome txn_undo(const struct txn_ctx *c, struct txn *t, size_t upto, char **why);

#endif
