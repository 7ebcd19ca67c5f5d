/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_CMD_H
#define TCPTUNE_CMD_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "observe.h"
#include "owners.h"
#include "report.h"
#include "rules.h"
#include "txn.h"

/* Exit codes (tcptune(8) EXIT STATUS). 0-3 belong to the commands' own results. */
enum {
	EXIT_USAGE = 64,   /* EX_USAGE: bad command line */
	EXIT_DATAERR = 65, /* EX_DATAERR: malformed input (a /proc file, a rule, a profile) */
	EXIT_NOINPUT = 66, /* EX_NOINPUT: a file or namespace that does not exist */
	EXIT_SOFTWARE = 70,
	EXIT_OSERR = 71, /* EX_OSERR: the system failed us (netlink, memory) */
	EXIT_CANTCREAT = 73,
	EXIT_TEMPFAIL = 75, /* EX_TEMPFAIL: blocked by another or an interrupted transaction */
	EXIT_NOPERM = 77,   /* EX_NOPERM: not permitted */
};

enum report_format {
	FORMAT_TEXT,
	FORMAT_JSON,
	FORMAT_PROMETHEUS,
};

/* Command-line state of the commands that observe (stats, diagnose). */
struct observe_args {
	struct observe_opts opts;
	enum report_format format;
	double interval;       /* seconds; 0: one snapshot */
	const char *netns;     /* --netns NAME|PATH */
	const char *netns_pid; /* --netns-pid PID */
	char *cgroup;	       /* --cgroup or --unit: the cgroup's path under cgroup2 */
};

/* Options every observing command shares, for getopt_long tables. */
#define OBSERVE_LONG_OPTIONS                                                                      \
	{ "format", required_argument, NULL, 'f' }, { "source", required_argument, NULL, 's' },   \
		{ "top", required_argument, NULL, 't' }, { "processes", no_argument, NULL, 'p' }, \
		{ "interval", required_argument, NULL, 'i' },                                     \
		{ "netns", required_argument, NULL, 'n' },                                        \
		{ "netns-pid", required_argument, NULL, 'N' },                                    \
		{ "proc-root", required_argument, NULL, 'P' },                                    \
		{ "sysctl-root", required_argument, NULL, 'S' },                                  \
		{ "cgroup", required_argument, NULL, 'C' },                                       \
	{                                                                                         \
		"unit", required_argument, NULL, 'U'                                              \
	}
#define OBSERVE_SHORT_OPTIONS ":f:s:t:pi:"

void observe_args_init(struct observe_args *a);
/*
 * Handles one option of OBSERVE_LONG_OPTIONS. Returns 0 when handled, 1 when
 * the option is not one of them, or EXIT_USAGE after printing the error.
 */
int observe_args_parse(struct observe_args *a, int opt, const char *arg);
/*
 * Enters the namespace, observes once or twice (--interval); returns an exit
 * code. With --interval, a terminal on stderr is told what it waits for.
 */
int observe_args_run(struct observe_args *a, struct observation **ret);
/* The same; when observing fails, *ret_why (when not NULL) is why, as logged. Free it. */
int observe_args_run_why(struct observe_args *a, struct observation **ret, char **ret_why);
/*
 * --cgroup PATH or --unit NAME: finds the cgroup under the cgroup2 mount and
 * sets a->opts.cgroup_id and a->cgroup; EXIT_USAGE or EXIT_NOINPUT after
 * saying why not.
 */
int observe_args_cgroup(struct observe_args *a, int opt, const char *arg);
/*
 * Looks up the holders of the top ports of the states (bit 1 << state; ports
 * of each, 0: all kept) and of the listeners, in o's namespace (entered by
 * observe_args_run()). Returns 0 or EXIT_OSERR after saying why.
 */
int observe_args_owners(const struct observe_args *a, struct observation *o, uint32_t states,
			unsigned ports, bool listeners);
/*
 * The same in at most share of the time taken since started (and at least
 * floor seconds): the lookup must not cost much more than the observing it
 * completes; a note says when it was cut short.
 */
int observe_args_owners_within(const struct observe_args *a, struct observation *o, uint32_t states,
			       unsigned ports, enum owner_listeners listeners,
			       const struct timespec *started, double share, double floor);

/*
 * --netns NAME|PATH or --netns-pid PID (at most one; neither: *ret empty):
 * the namespace they name, resolved to its identity. Prints any error (and
 * keeps it in *ret_why when not NULL); returns 0 or an exit code: 64 a bad
 * name or pid, 66 no such namespace, 77 not permitted.
 */
struct netns_ref;
int netns_option_resolve(const char *name, const char *pid, const char *proc_root,
			 struct netns_ref *ret, char **ret_why);
/* The same, and enters it (only if it is still the namespace just resolved). */
int netns_option_enter(const char *name, const char *pid, const char *proc_root,
		       struct netns_ref *ret, char **ret_why);

/*
 * For getopt_long() with opterr = 0 and an optstring starting with ':':
 * reports the bad option c ('?' or ':') on one line; returns EXIT_USAGE.
 */
int usage_error(const char *verb, int c, char **argv);

/* Writes a JSON document to stdout: 0, or EXIT_OSERR after saying why not. */
int print_json_report(json_object *o);

/*
 * --format of the commands that write text or JSON: sets *ret, or prints
 * the error and returns EXIT_USAGE.
 */
int parse_format_text_json(const char *arg, enum report_format *ret);

/* Maps a negative errno to the exit code that tells its kind. */
int exit_code_from_errno(int r);

/* One line on stderr: "tcptune: <message>". */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A renderer's answer (report.h, results.h) as an exit code: 0, or
 * EXIT_OSERR after saying why the report was not written.
 */
static inline int report_written(int r)
{
	if (r < 0)
		log_error("writing the report: %s", strerror(-r));
	return r < 0 ? EXIT_OSERR : 0;
}

/* Writes a snapshot to stdout in the chosen format; returns an exit code. */
int report_observation(const struct observation *o, enum report_format format);

/* Text options for a person: colour on a terminal without NO_COLOR, blocks in UTF-8. */
struct report_text_opts report_text_opts_from_env(void);

/* Where shipped data lives (see ruleload.c): data_path("rules"). */
char *data_path(const char *sub);
/* 0 when data_path(sub) is a directory; else says so and returns EXIT_NOINPUT (66). */
int data_dir_check(const char *sub);
/*
 * Loads the shipped rules (with shipped), /etc/tcptune/rules.d, then each
 * extra path, printing every problem; returns 0 or an exit code.
 */
int rules_load_all(struct ruleset *rs, const char *const *extra, size_t n_extra, bool shipped);
/*
 * Where profiles are looked up, in order: /etc/tcptune/profiles.d, then the
 * shipped data_path("profiles"). NULL-terminated; free with strv_free().
 */
char **profile_search_path(void);
/*
 * Loads a profile by name (from profile_search_path()) or from a file,
 * printing every problem; returns 0 or an exit code: EXIT_NOINPUT no such
 * profile, EXIT_DATAERR an invalid one, EXIT_NOPERM an unreadable one.
 */
struct profile;
int profile_load_cmd(const char *name_or_path, struct profile *ret);

/*
 * Loads the rules, observes and judges: diagnose's work, shared with
 * apply --recommended. Returns 0 or diagnose's exit code for the failure.
 */
struct judgement;
int diagnose_run(struct observe_args *a, struct ruleset *rules, const char *const *extra,
		 size_t n_extra, struct observation **ret_o, struct judgement **ret_j);

/* The state directory of transactions, opened (and locked) for a command. */
struct state {
	struct txn_ctx ctx;
	int lockfd;
};
/* --state-dir, else $TCPTUNE_STATE_DIR, else /var/lib/tcptune. */
const char *state_dir_path(const char *option);
/* Opens (creating it with lock) and locks; prints the error and returns an exit code. */
int state_open(struct state *s, const char *dir, const char *sysctl_root, bool lock);
void state_close(struct state *s);
/* EXIT_TEMPFAIL, with the reason printed, while a transaction is interrupted or pending. */
int state_check_unblocked(const struct state *s);
/*
 * Says how a failed transaction or rollback left the system, truthfully
 * (undone only when every key was read back), and returns the exit code:
 * EXIT_DATAERR for a value the kernel refused when every change was undone,
 * EXIT_OSERR for a system failure or anything left for 'tcptune rollback'.
 */
int txn_failure_exit(const struct txn *t, const struct txn_result *res, const char *errmsg, int r);
/* Rolls back a --try whose window closed with nobody waiting; prints what it did. */
int state_rollback_abandoned(const struct state *s, const struct txn *t);
/*
 * apply --try (applytry.c): settles a pending transaction now, kept when yes,
 * else rolled back; or waits for the confirmation (the terminal or 'tcptune
 * confirm', holding the watch fd) and then settles it. Exit codes.
 */
int try_settle(struct state *s, const struct txn *t, bool yes);
int try_finish(struct state *s, const struct txn *t, const char *dir, int watch);
/* Only root writes the live /proc/sys; a fake tree is anyone's. */
bool sysctl_writes_need_root(const char *sysctl_root);

int cmd_stats(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_confirm(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_profiles(int argc, char **argv);

#endif
