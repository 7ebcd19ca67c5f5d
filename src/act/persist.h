/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_PERSIST_H
#define TCPTUNE_PERSIST_H

#include <stdbool.h>

#include "txn.h"

/*
 * The file --persist writes (/etc/sysctl.d/90-tcptune.conf), for txn.c: it
 * carries a header naming the transaction, so that a rollback only ever
 * removes or restores a file tcptune wrote and nobody changed since.
 * txn_persist_path_valid() and txn_persist_matches() are in txn.h.
 */

/*
 * Records in t (saved to the journal in dirfd first) what the file held,
 * then writes the plan's values to it atomically. 0 or -errno with *why.
 */
int persist_write(int dirfd, struct txn *t, const struct plan *p, const struct txn_persist *ps,
		  char **why);

/*
 * Where the persisted file stands: 0 as this transaction wrote it (*ret_done
 * false: there is something to undo) or already as it was before (*ret_done
 * true), 1 changed by someone else since, or -errno when it cannot be read.
 */
int persist_drift(const struct txn *t, bool *ret_done);

/*
 * Puts the file back as it was: its old contents, or no file. A file
 * changed by someone else since is left as it is, and *why says so.
 */
int persist_undo(const struct txn *t, char **why);

#endif
