// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "sysctl.h"
#include "results.h"
#include "util.h"

/* The options rollback, confirm and history share. */
struct txn_args {
	const char *state_dir;
	const char *sysctl_root;
	const char *id;
	bool force;
	enum report_format format;
};

/*
 * One table for three verbs: takes names, by getopt code, the options this
 * verb has a use for; the others are refused as unknown, as its usage says.
 */
static int parse(const char *verb, const char *takes, int argc, char **argv, struct txn_args *a,
		 bool takes_id, void (*usage)(FILE *))
{
	static const struct option options[] = {
		{ "state-dir", required_argument, NULL, 'D' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "force", no_argument, NULL, 'F' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*a = (struct txn_args){ .sysctl_root = SYSCTL_ROOT_DEFAULT };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", options, NULL)) != -1) {
		if (c != 'h' && c != '?' && c != ':' && !strchr(takes, c))
			return usage_error(verb, '?', argv);
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case 'D':
			a->state_dir = optarg;
			break;
		case 'S':
			a->sysctl_root = optarg;
			break;
		case 'F':
			a->force = true;
			break;
		case 'f':
			if (parse_format_text_json(optarg, &a->format))
				return EXIT_USAGE;
			break;
		default:
			return usage_error(verb, c, argv);
		}
	}
	if (takes_id && optind < argc)
		a->id = argv[optind++];
	if (optind < argc) {
		log_error("%s: unexpected argument '%s'", verb, argv[optind]);
		return EXIT_USAGE;
	}
	return 0;
}

/* ---- rollback ---- */

static void rollback_usage(FILE *f)
{
	fputs("Usage: tcptune rollback [TXN] [--force] [--state-dir DIR] [--sysctl-root DIR]\n"
	      "\n"
	      "Restore the values a transaction replaced (default: an interrupted, failed or\n"
	      "pending one, whose rollback this completes, else the last committed one), each\n"
	      "read back. Keys changed by someone else since are listed and left alone unless\n"
	      "--force. After a reboot only the persisted file is restored: the runtime values\n"
	      "were reset already.\n"
	      "\n"
	      "Exit status: 0 rolled back; 1 refused (changed since, or already rolled back);\n"
	      "65 a journal that is not one tcptune wrote; 66 nothing to roll back; 71 a value\n"
	      "could not be restored, or the journal could not be written; 75 locked.\n",
	      f);
}

int cmd_rollback(int argc, char **argv)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct txn_result res;
	struct state s;
	struct txn_args a;
	int r;

	r = parse("rollback", "DSF", argc, argv, &a, true, rollback_usage);
	if (r)
		return r < 0 ? 0 : r;
	if (sysctl_writes_need_root(a.sysctl_root)) {
		log_error("rollback: only root can change sysctls; nothing was written");
		return EXIT_NOPERM;
	}
	r = state_open(&s, state_dir_path(a.state_dir), a.sysctl_root, true);
	if (r)
		return r;
	r = txn_rollback(&s.ctx, a.id, a.force, &t, &res, &errmsg);
	state_close(&s);
	if (r < 0 && res.outcome == TXN_UNCHANGED) {
		log_error("rollback: %s", errmsg ? errmsg : strerror(-r));
		/* Refused for what the journal or the system says; else the journal could not
		 * be written. */
		return r == -EBUSY || r == -EALREADY   ? 1
		       : r == -ENOENT		       ? EXIT_NOINPUT
		       : r == -EBADMSG || r == -EINVAL ? EXIT_DATAERR
						       : EXIT_OSERR;
	}
	if (r < 0)
		return txn_failure_exit(t, &res, errmsg, r);
	return report_written(report_rollback_text(stdout, t));
}

/* ---- confirm ---- */

static void confirm_usage(FILE *f)
{
	fputs("Usage: tcptune confirm [TXN] [--state-dir DIR] [--sysctl-root DIR]\n"
	      "\n"
	      "Keep the settings of a pending 'tcptune apply --try' before its time runs out.\n"
	      "\n"
	      "      --state-dir DIR    the journal (default $TCPTUNE_STATE_DIR or "
	      "/var/lib/tcptune)\n"
	      "      --sysctl-root DIR  where a transaction whose time ran out with nobody\n"
	      "                         waiting is rolled back (default /proc/sys; a test tree)\n",
	      f);
}

int cmd_confirm(int argc, char **argv)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct state s;
	struct txn_args a;
	int r;

	r = parse("confirm", "DS", argc, argv, &a, true, confirm_usage);
	if (r)
		return r < 0 ? 0 : r;
	r = state_open(&s, state_dir_path(a.state_dir), a.sysctl_root, true);
	if (r)
		return r;
	r = txn_confirm(&s.ctx, a.id, &t, &errmsg);
	if (r == -ETIMEDOUT) {
		log_error("confirm: %s", errmsg);
		/* Too late; if its waiter died, nobody else will roll it back. */
		if (txn_try_abandoned(&s.ctx, t, (int64_t)time(NULL)))
			r = state_rollback_abandoned(&s, t);
		else
			log_error("its waiting 'tcptune apply --try' is rolling it back");
		state_close(&s);
		return r > 0 ? r : 1;
	}
	state_close(&s);
	if (r < 0) {
		log_error("confirm: %s", errmsg ? errmsg : strerror(-r));
		return r == -ENOENT ? 1 : exit_code_from_errno(r);
	}
	return report_written(report_confirm_text(stdout, t->id));
}

/* ---- history ---- */

static void history_usage(FILE *f)
{
	fputs("Usage: tcptune history [-f text|json] [--state-dir DIR]\n"
	      "\n"
	      "List the transactions: id, time, source, keys and status.\n"
	      "\n"
	      "  -f, --format FMT     text (default) or json\n"
	      "      --state-dir DIR  the journal (default $TCPTUNE_STATE_DIR or "
	      "/var/lib/tcptune)\n",
	      f);
}

/*
 * What a person should read for a status: one found in progress or rolling
 * back was interrupted (or is running now, under the lock we do not take).
 */
static const char *shown_status(const struct txn *t)
{
	if (t->undoes)
		return "rollback-record";
	switch (t->status) {
	case TXN_IN_PROGRESS:
		return "interrupted";
	case TXN_ROLLING_BACK:
		return "rollback-interrupted";
	default:
		return txn_status_name(t->status);
	}
}

/*
 * The transactions as history shows them; each row's left keys are the
 * caller's to free. 0 or -ENOMEM.
 */
static int history_rows(struct txn **list, size_t n, struct report_history_row **ret)
{
	struct report_history_row *rows = calloc(n ? n : 1, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		rows[i] = (struct report_history_row){
			.txn = list[i],
			.status = shown_status(list[i]),
			.left = txn_left_keys(list[i]),
		};
	*ret = rows;
	return 0;
}

static int history_report(struct txn **list, size_t n, enum report_format format)
{
	struct report_history_row *rows = NULL;
	int r;

	r = history_rows(list, n, &rows);
	if (r == 0)
		r = format == FORMAT_JSON ? report_history_json(stdout, rows, n)
					  : report_history_text(stdout, rows, n);
	for (size_t i = 0; rows && i < n; i++)
		free((char *)rows[i].left);
	free(rows);
	return report_written(r);
}

int cmd_history(int argc, char **argv)
{
	_cleanup_free_ char *errmsg = NULL;
	struct txn **list = NULL;
	struct state s;
	struct txn_args a;
	size_t n = 0;
	int r;

	r = parse("history", "Df", argc, argv, &a, false, history_usage);
	if (r)
		return r < 0 ? 0 : r;
	/* Never applied anything: an empty history, not an error. */
	if (access(state_dir_path(a.state_dir), F_OK) < 0 && errno == ENOENT)
		return history_report(NULL, 0, a.format);
	/* Reading needs no lock: journals are replaced atomically. */
	r = state_open(&s, state_dir_path(a.state_dir), a.sysctl_root, false);
	if (r)
		return r;
	r = journal_list(s.ctx.dirfd, &list, &n, &errmsg);
	state_close(&s);
	if (r < 0) {
		log_error("%s", errmsg ? errmsg : strerror(-r));
		return exit_code_from_errno(r);
	}
	r = history_report(list, n, a.format);
	journal_list_free(list, n);
	return r;
}
