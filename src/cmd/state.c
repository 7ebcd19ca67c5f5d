// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "sysctl.h"
#include "util.h"

#define DEFAULT_STATE_DIR "/var/lib/tcptune"
/* Long enough for another apply to finish; a stuck one is worth an error. */
#define LOCK_TIMEOUT_MS 60000

const char *state_dir_path(const char *option)
{
	const char *env = getenv("TCPTUNE_STATE_DIR");

	if (option)
		return option;
	return env && *env ? env : DEFAULT_STATE_DIR;
}

void state_close(struct state *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->ctx.dirfd >= 0)
		close(s->ctx.dirfd);
	s->lockfd = s->ctx.dirfd = -1;
}

/* Whether root is a procfs (the kernel's sysctls), by what it is, not how it is named. */
static bool sysctl_root_is_proc(const char *root)
{
	struct statfs fs;

	if (statfs(root, &fs) < 0)
		return strcmp(root, SYSCTL_ROOT_DEFAULT) == 0;
	return fs.f_type == PROC_SUPER_MAGIC;
}

int state_open(struct state *s, const char *dir, const char *sysctl_root, bool lock)
{
	_cleanup_free_ char *errmsg = NULL;
	int r;

	*s = (struct state){
		.ctx = { .dirfd = -1,
			 .sysctl_root = sysctl_root,
			 .live = sysctl_root_is_proc(sysctl_root) },
		.lockfd = -1,
	};
	r = state_dir_open(dir, lock, &s->ctx.dirfd, &errmsg);
	if (r == 0 && lock)
		r = state_lock(s->ctx.dirfd, LOCK_TIMEOUT_MS, &s->lockfd, &errmsg);
	if (r == 0 && lock)
		state_clean_tmp(s->ctx.dirfd);
	if (r < 0) {
		log_error("%s", errmsg ? errmsg : strerror(-r));
		state_close(s);
		return r == -EWOULDBLOCK || r == -ETIMEDOUT ? EXIT_TEMPFAIL
							    : exit_code_from_errno(r);
	}
	return 0;
}

int txn_failure_exit(const struct txn *t, const struct txn_result *res, const char *errmsg, int r)
{
	_cleanup_free_ char *left = t ? txn_left_keys(t) : NULL;

	log_error("%s", errmsg ? errmsg : strerror(-r));
	switch (res->outcome) {
	case TXN_UNDONE:
		log_error("every change was undone and read back; transaction %s is recorded as "
			  "rolled back",
			  t->id);
		return res->refused ? EXIT_DATAERR : EXIT_OSERR;
	case TXN_INCOMPLETE:
		if (left)
			log_error("left changed: %s", left);
		log_error("run 'tcptune rollback' to complete transaction %s", t->id);
		return EXIT_OSERR;
	case TXN_UNCHANGED: /* the journal could not be written: nothing was */
	case TXN_DONE:
		break;
	}
	return EXIT_OSERR;
}

int state_rollback_abandoned(const struct state *s, const struct txn *t)
{
	_cleanup_txn_ struct txn *done = NULL;
	_cleanup_free_ char *why = NULL;
	/* In its own namespace, whichever one the command that found it is about. */
	struct txn_ctx any = s->ctx;
	struct txn_result res;
	int r;

	any.netns = NULL;
	/* Its waiter died: do what it would have done at the deadline. */
	r = txn_rollback(&any, t->id, true, &done, &res, &why);
	if (r < 0) {
		log_error("the --try window of %s closed unconfirmed with nobody waiting, and "
			  "rolling it back failed",
			  t->id);
		return txn_failure_exit(done, &res, why, r);
	}
	log_error("the --try window of %s closed unconfirmed with nobody waiting: rolled back "
		  "now",
		  t->id);
	return 0;
}

int state_check_unblocked(const struct state *s)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL, *left = NULL;
	int r = txn_find_blocking(&s->ctx, &t, &errmsg);

	if (r < 0) {
		log_error("%s", errmsg ? errmsg : strerror(-r));
		return exit_code_from_errno(r);
	}
	if (!t)
		return 0;
	if (txn_try_abandoned(&s->ctx, t, (int64_t)time(NULL)))
		return state_rollback_abandoned(s, t);
	switch (t->status) {
	case TXN_PENDING:
		log_error("transaction %s waits for confirmation ('tcptune confirm') or its "
			  "rollback ('tcptune rollback'); nothing else is applied meanwhile",
			  t->id);
		break;
	case TXN_RESTORE_FAILED:
		left = txn_left_keys(t);
		log_error("transaction %s (%s) could not restore %s; run 'tcptune rollback' to "
			  "try again",
			  t->id, t->source, left ? left : "its persisted file");
		break;
	case TXN_ROLLING_BACK:
		log_error("the rollback of transaction %s (%s) was interrupted; run 'tcptune "
			  "rollback' to complete it",
			  t->id, t->source);
		break;
	default:
		log_error("transaction %s (%s) was interrupted while applying; run 'tcptune "
			  "rollback' to restore the values it recorded",
			  t->id, t->source);
	}
	return EXIT_TEMPFAIL;
}

bool sysctl_writes_need_root(const char *sysctl_root)
{
	/* "/proc/sys/", a symlink, another proc mount: all the kernel's. */
	return geteuid() != 0 && sysctl_root_is_proc(sysctl_root);
}
