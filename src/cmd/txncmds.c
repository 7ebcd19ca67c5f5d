// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
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
	      "Restore the values a transaction replaced (default: an interrupted or pending\n"
	      "one, else the last committed one), as a new journaled transaction. Keys changed\n"
	      "by someone else since are listed and left alone unless --force. After a reboot\n"
	      "only the persisted file is restored: the runtime values were reset already.\n",
	      f);
}

int cmd_rollback(int argc, char **argv)
{
	_cleanup_txn_ struct txn *undo = NULL;
	_cleanup_free_ char *errmsg = NULL;
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
	r = txn_rollback(&s.ctx, a.id, a.force, &undo, &errmsg);
	state_close(&s);
	if (r < 0) {
		log_error("rollback: %s", errmsg ? errmsg : strerror(-r));
		return r == -EBUSY || r == -EALREADY ? 1
		       : r == -ENOENT		     ? EXIT_NOINPUT
		       : r == -EIO || r == -EINVAL   ? EXIT_DATAERR
						     : exit_code_from_errno(r);
	}
	if (undo->undoes)
		printf("Rolled back %s: %zu value%s restored (transaction %s).\n", undo->undoes,
		       undo->n_keys, undo->n_keys == 1 ? "" : "s", undo->id);
	else
		printf("Rolled back %s: %s.\n", undo->id, undo->error ? undo->error : "done");
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

/* What a person should read for a status: an in-progress one found here was interrupted. */
static const char *shown_status(const struct txn *t)
{
	return t->status == TXN_IN_PROGRESS ? "interrupted" : txn_status_name(t->status);
}

static void history_text(struct txn **list, size_t n)
{
	printf("%-20s  %-20s  %-11s  %4s  %s\n", "TRANSACTION", "TIME (UTC)", "STATUS", "KEYS",
	       "SOURCE");
	for (size_t i = 0; i < n; i++) {
		const struct txn *t = list[i];
		char when[32] = "?";
		time_t tt = (time_t)t->time;
		struct tm tm;

		if (gmtime_r(&tt, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%-20s  %-20s  %-11s  %4zu  %s%s%s\n", t->id, when, shown_status(t),
		       t->n_keys, t->source, t->undone_by ? ", undone by " : "",
		       t->undone_by ? t->undone_by : "");
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
