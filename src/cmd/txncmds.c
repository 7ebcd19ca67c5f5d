// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "netns.h"
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
	const char *netns, *netns_pid; /* --netns, --netns-pid: only that namespace's */
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
		{ "netns", required_argument, NULL, 'n' },
		{ "netns-pid", required_argument, NULL, 'N' },
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
		case 'n':
			a->netns = optarg;
			break;
		case 'N':
			a->netns_pid = optarg;
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

/* The namespace --netns or --netns-pid names, to pick transactions by (none: empty). */
static int netns_filter(const struct txn_args *a, struct netns_ref *ret)
{
	_cleanup_free_ char *path = NULL;

	*ret = (struct netns_ref){ 0 };
	/* A name whose namespace is gone still names its transactions, by path. */
	if (a->netns && !a->netns_pid && netns_path_from_name(a->netns, &path) == 0 &&
	    access(path, F_OK) < 0 && errno == ENOENT) {
		ret->given = strdup(a->netns);
		ret->path = TAKE_PTR(path);
		return ret->given ? 0 : EXIT_OSERR;
	}
	return netns_option_resolve(a->netns, a->netns_pid, "/proc", ret, NULL);
}

/* ---- rollback ---- */

static void rollback_usage(FILE *f)
{
	fputs("Usage: tcptune rollback [TXN] [--force] [--netns NAME|PATH | --netns-pid PID]\n"
	      "                        [--state-dir DIR] [--sysctl-root DIR]\n"
	      "\n"
	      "Restore the values a transaction replaced (default: an interrupted, failed or\n"
	      "pending one, whose rollback this completes, else the last committed one), each\n"
	      "read back, in the network namespace it changed. Keys changed by someone else\n"
	      "since are listed and left alone unless --force. After a reboot only the\n"
	      "persisted file is restored: the runtime values were reset already.\n"
	      "\n"
	      "      --netns NAME     only a transaction of that network namespace\n"
	      "      --netns-pid PID  only a transaction of the namespace of process PID\n"
	      "\n"
	      "Exit status: 0 rolled back; 1 refused (changed since, already rolled back, or its\n"
	      "namespace's name or pid now stands for another namespace); 65 a journal that is\n"
	      "not one tcptune wrote; 66 nothing to roll back, or its network namespace is gone\n"
	      "(it is marked so); 71 a value could not be restored, or the journal could not be\n"
	      "written; 75 locked, or an interrupted transaction of another namespace comes\n"
	      "first.\n",
	      f);
}

/* A rollback that changed nothing, by why: refused, nothing to do, bad journal, or failed. */
static int rollback_refused_exit(int r)
{
	switch (-r) {
	case EBUSY:
	case EALREADY:
	case ESTALE:
		return 1;
	case ENOENT:
	case ENXIO:
		return EXIT_NOINPUT;
	case EBADMSG:
	case EINVAL:
		return EXIT_DATAERR;
	case EAGAIN:
		return EXIT_TEMPFAIL;
	default:
		return EXIT_OSERR; /* the journal could not be written */
	}
}

int cmd_rollback(int argc, char **argv)
{
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct txn_result res;
	struct state s;
	struct txn_args a;
	int r;

	r = parse("rollback", "DSFnN", argc, argv, &a, true, rollback_usage);
	if (r)
		return r < 0 ? 0 : r;
	if (sysctl_writes_need_root(a.sysctl_root)) {
		log_error("rollback: only root can change sysctls; nothing was written");
		return EXIT_NOPERM;
	}
	r = netns_filter(&a, &ns);
	if (r)
		return r;
	r = state_open(&s, state_dir_path(a.state_dir), a.sysctl_root, true);
	if (r)
		return r;
	s.ctx.netns = ns.path ? &ns : NULL;
	r = txn_rollback(&s.ctx, a.id, a.force, &t, &res, &errmsg);
	state_close(&s);
	if (r < 0 && res.outcome == TXN_UNCHANGED) {
		log_error("rollback: %s", errmsg ? errmsg : strerror(-r));
		return rollback_refused_exit(r);
	}
	if (r < 0)
		return txn_failure_exit(t, &res, errmsg, r);
	return report_written(report_rollback_text(stdout, t));
}

/* ---- confirm ---- */

static void confirm_usage(FILE *f)
{
	fputs("Usage: tcptune confirm [TXN] [--netns NAME|PATH | --netns-pid PID]\n"
	      "                       [--state-dir DIR] [--sysctl-root DIR]\n"
	      "\n"
	      "Keep the settings of a pending 'tcptune apply --try' before its time runs out.\n"
	      "\n"
	      "      --netns NAME       only if it is of that network namespace\n"
	      "      --netns-pid PID    only if it is of the namespace of process PID\n"
	      "      --state-dir DIR    the journal (default $TCPTUNE_STATE_DIR or "
	      "/var/lib/tcptune)\n"
	      "      --sysctl-root DIR  where a transaction whose time ran out with nobody\n"
	      "                         waiting is rolled back (default /proc/sys; a test tree)\n",
	      f);
}

int cmd_confirm(int argc, char **argv)
{
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct state s;
	struct txn_args a;
	int r;

	r = parse("confirm", "DSnN", argc, argv, &a, true, confirm_usage);
	if (r)
		return r < 0 ? 0 : r;
	r = netns_filter(&a, &ns);
	if (r)
		return r;
	r = state_open(&s, state_dir_path(a.state_dir), a.sysctl_root, true);
	if (r)
		return r;
	s.ctx.netns = ns.path ? &ns : NULL;
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
	fputs("Usage: tcptune history [-f text|json] [--netns NAME|PATH | --netns-pid PID]\n"
	      "                       [--state-dir DIR]\n"
	      "\n"
	      "List the transactions: id, time, status, keys, network namespace and source.\n"
	      "\n"
	      "  -f, --format FMT     text (default) or json\n"
	      "      --netns NAME     only those of that network namespace (also once gone)\n"
	      "      --netns-pid PID  only those of the namespace of process PID\n"
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
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	_cleanup_free_ char *errmsg = NULL;
	struct txn **list = NULL;
	struct state s;
	struct txn_args a;
	size_t n = 0, kept = 0;
	int r;

	r = parse("history", "DfnN", argc, argv, &a, false, history_usage);
	if (r)
		return r < 0 ? 0 : r;
	r = netns_filter(&a, &ns);
	if (r)
		return r;
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
	/* --netns: only that namespace's, in order. */
	for (size_t i = 0; i < n; i++) {
		if (txn_in_netns(list[i], ns.path ? &ns : NULL))
			list[kept++] = list[i];
		else
			txn_free(list[i]);
	}
	r = history_report(list, kept, a.format);
	journal_list_free(list, kept);
	return r;
}
