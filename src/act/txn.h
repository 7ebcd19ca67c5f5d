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
};

struct txn_persist {
	const char *path;    /* the sysctl.d file to write */
	const char *profile; /* for its header */
};

/*
 * The transaction that blocks new ones: one found in progress (the process
 * applying it died: its journal holds every before-value) or pending (--try
 * waiting for confirmation). 0 and *ret (NULL when none).
 */
int txn_find_blocking(const struct txn_ctx *c, struct txn **ret, char **errmsg);

/*
 * Applies the changes of a resolved plan: journal (fsync) first, then each
 * value written in one write() and read back; on any failure every key
 * already written is restored in reverse order and verified, the
 * transaction is marked rolled back, and the error names the key and the
 * kernel's refusal. With try_seconds the transaction is left pending until
 * txn_confirm(); with persist the resulting values are also written to a
 * sysctl.d file, atomically. On success *ret is the committed (or pending)
 * transaction; on failure it is the rolled-back one when there was one.
 */
int txn_apply(const struct txn_ctx *c, const struct plan *p, const char *source,
	      int64_t try_seconds, const struct txn_persist *persist, struct txn **ret,
	      char **errmsg);

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

/* Marks a pending transaction committed. -ENOENT when there is none (or not that id). */
int txn_confirm(const struct txn_ctx *c, const char *id, struct txn **ret, char **errmsg);

/*
 * Restores the before-values of a transaction (id NULL: an interrupted or
 * pending one, else the last committed one not yet undone) as a new,
 * journaled transaction. Keys that changed since (drift) are listed and
 * refused unless force. After a reboot (another boot id) the runtime values
 * are already gone: only the persisted file is undone. *ret is the rollback
 * transaction, or the target when only its file was undone.
 */
int txn_rollback(const struct txn_ctx *c, const char *id, bool force, struct txn **ret,
		 char **errmsg);

#endif
