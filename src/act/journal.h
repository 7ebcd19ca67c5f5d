/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_JOURNAL_H
#define TCPTUNE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "netns.h" /* struct netns_ref */
#include "store.h" /* the directory the journal lives in */

/* A journal is a few keys and perhaps one sysctl.d file: anything bigger is not ours. */
#define JOURNAL_MAX_SIZE (4 * 1024 * 1024)

/*
 * The transaction journal: one file per transaction in the state directory
 * (/var/lib/tcptune), written before the first sysctl write and rewritten
 * atomically (temporary file, fsync, rename, fsync of the directory) at
 * every change of status, so that after a crash it always tells the whole
 * before-state. JSON (json-c), mode 0600, named "<id>.json".
 */

enum txn_status {
	TXN_IN_PROGRESS = 1, /* writing; found so later, the writer died: a rollback target */
	TXN_COMMITTED,	     /* every value written and read back */
	TXN_ROLLED_BACK,     /* every key read back at its old value (and the file restored) */
	TXN_PENDING,	     /* --try: applied, waiting for confirmation */
	TXN_ROLLING_BACK,    /* restoring; found so later, the rollback died: a rollback target */
	TXN_RESTORE_FAILED,  /* the keys marked left_changed could not be restored: a target */
	TXN_NETNS_GONE,	     /* its network namespace no longer exists, nor do its values */
};

const char *txn_status_name(enum txn_status s);		/* "in-progress", "committed", ... */
enum txn_status txn_status_from_name(const char *name); /* 0 when unknown */

struct txn_key {
	char *key;	   /* dotted */
	char *old;	   /* the value before, normalised */
	char *new;	   /* the value written, normalised */
	bool left_changed; /* TXN_RESTORE_FAILED: restoring this key failed */
};

struct txn {
	char *id;      /* "20261121-063000-4f2a": sortable by time, unique */
	int64_t time;  /* seconds since the epoch, when it began */
	char *boot_id; /* /proc/sys/kernel/random/boot_id: runtime values die with a reboot */
	char *source;  /* "profile high-conn", "set", "recommended" */
	enum txn_status status;
	char *undoes;	       /* version 1 only: a rollback recorded as a transaction of its own */
	char *error;	       /* why it failed or was rolled back, or NULL */
	int64_t deadline;      /* TXN_PENDING: seconds since the epoch when --try rolls back; 0 */
	int64_t rollback_time; /* when its rollback (or the undo of a failure) began; 0 */
	char *persist_path;    /* the sysctl.d file written, or NULL */
	char *persist_backup;  /* that file's previous contents, NULL when there was none */
	bool persist_existed;  /* the file existed before */
	/* The network namespace it changed: given and path NULL when it was the one tcptune
	 * ran in; id unknown (0) in journals before version 3 and under a fake sysctl tree. */
	struct netns_ref netns;
	struct txn_key *keys;
	size_t n_keys;
};

struct txn *txn_new(void);
struct txn *txn_free(struct txn *t);
static inline void txn_freep(struct txn **t)
{
	txn_free(*t);
}
#define _cleanup_txn_ __attribute__((cleanup(txn_freep)))
int txn_add_key(struct txn *t, const char *key, const char *old, const char *new);
/*
 * Whether t changed the namespace want names (NULL: any): by identity when
 * want's is known, else (a name whose namespace is gone) by its path.
 */
bool txn_in_netns(const struct txn *t, const struct netns_ref *want);

/*
 * The id of a transaction that begins at sec + nsec: "YYYYMMDD-HHMMSS-xxxx",
 * xxxx the fraction of the second in 1/65536, so that ids sort by time.
 */
int txn_make_id(int64_t sec, long nsec, char **ret);
/* Whether id has the form txn_make_id() gives, so that it can name a file. */
bool txn_id_valid(const char *id);

/* Serialises and parses (pure: tests feed them text). Parse errors: -EBADMSG,
 * "<name>: <what>": "truncated or not JSON (...)", "missing 'keys'",
 * "key 3: 'old' is not a string", "unknown status 'x'". */
int txn_to_json(const struct txn *t, char **ret);
int txn_from_json(const char *text, const char *name, struct txn **ret, char **errmsg);

/* Atomically (re)writes "<dir>/<id>.json" with mode 0600, fsync'd. */
int journal_save(int dirfd, const struct txn *t, char **errmsg);
/* Reads "<dir>/<id>.json". -ENOENT when there is none. */
int journal_load(int dirfd, const char *id, struct txn **ret, char **errmsg);
/*
 * Every transaction, oldest first (ids sort by time). A journal that does not
 * parse is an error naming its file, not skipped: history must not lie.
 */
int journal_list(int dirfd, struct txn ***ret, size_t *ret_n, char **errmsg);
void journal_list_free(struct txn **list, size_t n);

/* The running kernel's boot id, from <proc_root>/sys/kernel/random/boot_id. */
int boot_id_read(const char *sysctl_root, char **ret);

#endif
