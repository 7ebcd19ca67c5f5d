// SPDX-License-Identifier: GPL-2.0-or-later
/* apply --try: waiting for the confirmation, then keeping or rolling back. */
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "results.h"
#include "util.h"

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* Waits for a "yes" on the terminal or 'tcptune confirm' until the deadline. */
static bool wait_confirmation(const struct state *s, const struct txn *t)
{
	bool tty = isatty(STDIN_FILENO);
	struct sigaction sa = { .sa_handler = on_signal };
	char line[64];

	/* A dropped SSH session must not kill us before we roll back. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (tty)
		fprintf(stderr,
			"Keep these settings? Type 'yes' within %lld s, or they are "
			"rolled back: ",
			(long long)(t->deadline - time(NULL)));
	while (!interrupted && time(NULL) < t->deadline) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		_cleanup_txn_ struct txn *now = NULL;

		if (tty && poll(&pfd, 1, 200) > 0) {
			if (!fgets(line, sizeof(line), stdin)) {
				tty = false; /* the terminal went away: wait for the deadline */
				continue;
			}
			if (strcmp(line, "yes\n") == 0 || strcmp(line, "y\n") == 0)
				return true;
			fputs("Type 'yes' to keep them: ", stderr);
			continue;
		}
		if (!tty)
			poll(NULL, 0, 200);
		/* Settled elsewhere ('tcptune confirm' or 'tcptune rollback')? */
		if (journal_load(s->ctx.dirfd, t->id, &now, NULL) == 0 &&
		    now->status != TXN_PENDING)
			return now->status == TXN_COMMITTED;
	}
	return false;
}

int try_settle(struct state *s, const struct txn *t, bool yes)
{
	_cleanup_txn_ struct txn *done = NULL, *now = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct txn_result res;
	int r;

	if (journal_load(s->ctx.dirfd, t->id, &now, NULL) == 0 && now->status != TXN_PENDING) {
		/* Settled meanwhile by 'tcptune confirm' or 'tcptune rollback'. */
		if (now->status == TXN_COMMITTED)
			return report_written(report_confirm_text(stdout, t->id));
		log_error("transaction %s was %s meanwhile", t->id,
			  now->status == TXN_ROLLED_BACK ? "rolled back"
							 : txn_status_name(now->status));
		return 2;
	}
	if (yes && txn_confirm(&s->ctx, t->id, NULL, &errmsg) == 0)
		return report_written(report_confirm_text(stdout, t->id));
	/* Not confirmed: back to where we were, whatever changed meanwhile. */
	r = txn_rollback(&s->ctx, t->id, true, &done, &res, &errmsg);
	if (r < 0)
		return txn_failure_exit(done, &res, errmsg, r);
	fprintf(stderr, "\n");
	log_error("not confirmed: transaction %s rolled back, every key read back", t->id);
	return 2;
}

/*
 * Waits for the confirmation, then confirms or rolls back under the state
 * lock. The watch (held since before the state lock was released) tells
 * others that someone is still waiting; it goes once the matter is settled.
 */
int try_finish(struct state *s, const struct txn *t, const char *dir, int watch)
{
	bool yes;
	int r;

	/* The journal is watched without the lock that confirm and rollback take. */
	r = state_open(s, dir, s->ctx.sysctl_root, false);
	if (r) {
		close(watch);
		return r;
	}
	yes = wait_confirmation(s, t);
	state_close(s);
	r = state_open(s, dir, s->ctx.sysctl_root, true);
	if (r) {
		close(watch);
		return r;
	}
	r = try_settle(s, t, yes);
	txn_try_release(&s->ctx, t, watch);
	return r;
}
