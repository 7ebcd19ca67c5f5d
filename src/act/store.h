/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_STORE_H
#define TCPTUNE_STORE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * The state directory (/var/lib/tcptune, --state-dir): its checks, the lock
 * that serialises transactions, and the one atomic writer, which the journal
 * and --persist both use. What a record holds is journal.h's business.
 */

/*
 * The state directory: created 0700 when missing; refused when it is a
 * symlink, not a directory, owned by someone else than us, or writable by
 * group or others (-EPERM with the reason). Returns an O_DIRECTORY fd.
 */
int state_dir_open(const char *path, bool create, int *ret_fd, char **errmsg);

/* An exclusive flock on "<dir>/lock", waiting up to timeout_ms (-1: forever). */
int state_lock(int dirfd, int timeout_ms, int *ret_lockfd, char **errmsg);

/* "<dir>/<name>" for messages, or the bare name when the directory has no name. */
char *state_path(int dirfd, const char *name);

/* Removes the "*.json.tmp" a killed journal write left; the caller holds the lock. */
void state_clean_tmp(int dirfd);

/*
 * Replaces "<dirfd>/<name>" by text atomically: a temporary "<name>.tmp"
 * written whole, fsync'd and given the mode, renamed over the name, and the
 * directory fsync'd. A kill leaves the old file or the new one, never a mix.
 * 0 or -errno.
 */
int file_write_atomic(int dirfd, const char *name, const char *text, mode_t mode);

#endif
