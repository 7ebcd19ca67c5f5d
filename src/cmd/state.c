// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
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

int state_open(struct state *s, const char *dir, const char *sysctl_root, bool lock)
{
	_cleanup_free_ char *errmsg = NULL;
	int r;

	*s = (struct state){ .ctx = { .dirfd = -1, .sysctl_root = sysctl_root }, .lockfd = -1 };
	r = state_dir_open(dir, lock, &s->ctx.dirfd, &errmsg);
	if (r == 0 && lock)
		r = state_lock(s->ctx.dirfd, LOCK_TIMEOUT_MS, &s->lockfd, &errmsg);
	if (r < 0) {
		log_error("%s", errmsg ? errmsg : strerror(-r));
		state_close(s);
		return r == -EWOULDBLOCK || r == -ETIMEDOUT ? EXIT_TEMPFAIL
							    : exit_code_from_errno(r);
	}
	return 0;
}

int state_check_unblocked(const struct state *s)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	int r = txn_find_blocking(&s->ctx, &t, &errmsg);

	if (r < 0) {
		log_error("%s", errmsg ? errmsg : strerror(-r));
		return exit_code_from_errno(r);
	}
	if (!t)
		return 0;
	if (txn_try_abandoned(&s->ctx, t, (int64_t)time(NULL))) {
		_cleanup_txn_ struct txn *undo = NULL;
		_cleanup_free_ char *why = NULL;

		/* Its waiter died: do what it would have done at the deadline. */
		r = txn_rollback(&s->ctx, t->id, true, &undo, &why);
		if (r < 0) {
			log_error("rolling back the expired --try %s: %s", t->id,
				  why ? why : strerror(-r));
			return EXIT_OSERR;
		}
		log_error("the --try window of %s expired unconfirmed with nobody waiting: rolled "
			  "back by %s",
			  t->id, undo->id);
		return 0;
	}
	if (t->status == TXN_PENDING)
		log_error("transaction %s waits for confirmation ('tcptune confirm') or its "
			  "rollback ('tcptune rollback'); nothing else is applied meanwhile",
			  t->id);
	else
		log_error("transaction %s (%s) was interrupted while applying; run 'tcptune "
			  "rollback' to restore the values it recorded",
			  t->id, t->source);
	return EXIT_TEMPFAIL;
}

bool sysctl_writes_need_root(const char *sysctl_root)
{
	return strcmp(sysctl_root, SYSCTL_ROOT_DEFAULT) == 0 && geteuid() != 0;
}
