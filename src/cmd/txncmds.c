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
#include "format.h"
#include "util.h"

/* The options rollback, confirm and history share. */
struct txn_args {
	const char *state_dir;
	const char *sysctl_root;
	const char *id;
	bool force;
	enum report_format format;
};

static int parse(const char *verb, int argc, char **argv, struct txn_args *a, bool takes_id,
		 void (*usage)(FILE *))
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
			if (strcmp(verb, "rollback") != 0)
				return usage_error(verb, '?', argv);
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

	r = parse("rollback", argc, argv, &a, true, rollback_usage);
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
	printf("Rolled back %s: %zu value%s restored and read back%s%s.\n", t->id, t->n_keys,
	       t->n_keys == 1 ? "" : "s", t->error ? "; " : "", t->error ? t->error : "");
	return 0;
}

/* ---- confirm ---- */

static void confirm_usage(FILE *f)
{
	fputs("Usage: tcptune confirm [TXN] [--state-dir DIR]\n"
	      "\n"
	      "Keep the settings of a pending 'tcptune apply --try' before its time runs out.\n",
	      f);
}

int cmd_confirm(int argc, char **argv)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct state s;
	struct txn_args a;
	int r;

	r = parse("confirm", argc, argv, &a, true, confirm_usage);
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
	printf("Transaction %s confirmed.\n", t->id);
	return 0;
}

/* ---- history ---- */

static void history_usage(FILE *f)
{
	fputs("Usage: tcptune history [-f text|json] [--state-dir DIR]\n"
	      "\n"
	      "List the transactions: id, time, source, keys and status.\n",
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

static void history_text(struct txn **list, size_t n)
{
	printf("%-20s  %-19s  %-14s  %4s  %s\n", "TRANSACTION", "TIME (UTC)", "STATUS", "KEYS",
	       "SOURCE");
	for (size_t i = 0; i < n; i++) {
		const struct txn *t = list[i];
		_cleanup_free_ char *left = txn_left_keys(t);
		char when[32] = "?", undone[64] = "";
		time_t tt = (time_t)t->time, ut = (time_t)t->rollback_time;
		struct tm tm;

		if (gmtime_r(&tt, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		if (t->rollback_time && gmtime_r(&ut, &tm))
			strftime(undone, sizeof(undone), ", rolled back %Y-%m-%d %H:%M:%S", &tm);
		printf("%-20s  %-19s  %-14s  %4zu  %s%s%s%s\n", t->id, when, shown_status(t),
		       t->n_keys, t->source, t->status == TXN_ROLLED_BACK ? undone : "",
		       left ? ", left changed: " : "", left ? left : "");
	}
	if (n == 0)
		printf("(no transactions)\n");
}

/* Returns 0, or EXIT_OSERR after saying why the list was not written. */
static int history_json(struct txn **list, size_t n)
{
	_cleanup_json_ json_object *arr = json_object_new_array();

	if (!arr) {
		log_error("out of memory");
		return EXIT_OSERR;
	}

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *text = NULL;
		json_object *j;

		if (txn_to_json(list[i], &text) < 0)
			continue;
		j = json_tokener_parse(text);
		if (!j)
			continue;
		json_object_object_add(j, "shown_status",
				       json_object_new_string(shown_status(list[i])));
		json_object_array_add(arr, j);
	}
	return print_json_report(arr);
}

int cmd_history(int argc, char **argv)
{
	_cleanup_free_ char *errmsg = NULL;
	struct txn **list = NULL;
	struct state s;
	struct txn_args a;
	size_t n = 0;
	int r;

	r = parse("history", argc, argv, &a, false, history_usage);
	if (r)
		return r < 0 ? 0 : r;
	/* Never applied anything: an empty history, not an error. */
	if (access(state_dir_path(a.state_dir), F_OK) < 0 && errno == ENOENT) {
		if (a.format == FORMAT_JSON)
			puts("[]");
		else
			history_text(NULL, 0);
		return 0;
	}
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
	r = 0;
	if (a.format == FORMAT_JSON)
		r = history_json(list, n);
	else
		history_text(list, n);
	journal_list_free(list, n);
	return r;
}
