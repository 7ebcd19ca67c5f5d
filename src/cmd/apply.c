// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "engine.h"
#include "kb.h"
#include "lint.h"
#include "netns.h"
#include "profile.h"
#include "results.h"
#include "sysctl.h"
#include "util.h"

#define DEFAULT_PERSIST "/etc/sysctl.d/90-tcptune.conf"

struct apply_args {
	const char *profile;
	bool recommended;
	const char **sets;
	size_t n_sets;
	bool dry_run, check;
	int64_t try_seconds;
	bool persist;
	const char *persist_path;
	const char *state_dir;
	const char *root; /* where /etc/sysctl.d is looked for */
	enum report_format format;
	struct observe_args observe; /* --recommended, and --sysctl-root */
};

static void usage(FILE *f)
{
	fputs("Usage: tcptune apply (--profile NAME|FILE | --recommended | --set KEY=VALUE)...\n"
	      "                     [--dry-run | --check] [--try SEC] [--persist[=FILE]]\n"
	      "                     [--netns NAME|PATH | --netns-pid PID] [-f text|json]\n"
	      "                     [--state-dir DIR] [--sysctl-root DIR] [--proc-root DIR]\n"
	      "                     [--root DIR]\n"
	      "\n"
	      "Apply sysctls as one transaction: validated whole before anything is written,\n"
	      "journaled first, each value read back, all or nothing, reversible with\n"
	      "'tcptune rollback'.\n"
	      "\n"
	      "  -p, --profile NAME   a profile (tcptune profiles lists them) or a profile file\n"
	      "  -r, --recommended    the changes a fresh diagnosis recommends\n"
	      "  -s, --set KEY=VALUE  one key (repeatable; later sources win)\n"
	      "  -n, --dry-run        show the changes, write nothing (no root needed)\n"
	      "      --check          exit 0 when the system already matches, 1 when it differs\n"
	      "      --try SEC        roll back after SEC seconds unless confirmed (on the "
	      "terminal,\n"
	      "                       or 'tcptune confirm'): for tuning a remote machine's "
	      "network\n"
	      "      --persist[=FILE] also write the values to FILE (default " DEFAULT_PERSIST ")\n"
	      "      --netns NAME     apply in the network namespace /run/netns/NAME (or a path):\n"
	      "                       validated, written, read back and rolled back there; keys\n"
	      "                       that are not per namespace are refused\n"
	      "      --netns-pid PID  apply in the network namespace of process PID\n"
	      "  -f, --format FMT     text (default) or json\n"
	      "      --state-dir DIR  the journal (default $TCPTUNE_STATE_DIR or "
	      "/var/lib/tcptune)\n"
	      "      --sysctl-root DIR  write under DIR instead of /proc/sys (a test tree)\n"
	      "      --proc-root DIR  with --recommended: observe DIR instead of /proc\n"
	      "      --root DIR       look for sysctl.d files under DIR (default /)\n"
	      "\n"
	      "Exit status: 0 applied or nothing to change; 1 --check: would change; 2 --try not\n"
	      "confirmed, rolled back; 64 usage; 65 invalid plan, or the kernel refused a value\n"
	      "(every change undone and read back); 71 the system failed (a full disk, an I/O\n"
	      "error, a value that could not be restored: the message says whether\n"
	      "'tcptune rollback' is needed); 75 blocked by a pending or interrupted\n"
	      "transaction; 66 no such network namespace; 77 not root.\n",
	      f);
}

/* ---- the plan ---- */

static int plan_from_profile(struct plan *p, const char *name)
{
	struct profile prof = { 0 };
	int r;

	r = profile_load_cmd(name, &prof);
	if (r)
		return r;
	for (size_t i = 0; r == 0 && i < prof.n; i++) {
		_cleanup_free_ char *source = NULL;

		if (asprintf(&source, "profile %s (%s)", prof.name, prof.entries[i].origin) < 0)
			r = -ENOMEM;
		else
			r = plan_add(p, prof.entries[i].key, prof.entries[i].value,
				     prof.entries[i].kind, source);
	}
	profile_free(&prof);
	return r < 0 ? EXIT_OSERR : 0;
}

static int plan_from_sets(struct plan *p, const char *const *sets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *key = strndup(sets[i], strcspn(sets[i], "="));
		const char *value = strchr(sets[i], '=');
		_cleanup_free_ char *v = value ? strdup(value + 1) : NULL;
		int r;

		if (!key || !value || !*key || !v || !*sysctl_value_normalize(v)) {
			log_error("--set: '%s' is not KEY=VALUE", sets[i]);
			return EXIT_USAGE;
		}
		r = plan_add(p, key, v, REC_SET, "--set");
		if (r == -EINVAL) {
			log_error("--set: '%s' is not a sysctl key", key);
			return EXIT_USAGE;
		}
		if (r < 0)
			return EXIT_OSERR;
	}
	return 0;
}

/* The changes a diagnosis recommends, each named after its rule. */
static int plan_from_diagnosis(struct plan *p, struct observe_args *a)
{
	_cleanup_observation_ struct observation *o = NULL;
	struct ruleset rules = { 0 };
	struct judgement *j = NULL;
	int r;

	r = diagnose_run(a, &rules, NULL, 0, &o, &j);
	for (size_t i = 0; r == 0 && i < j->n_findings; i++)
		for (size_t k = 0; r == 0 && k < j->findings[i].n_changes; k++) {
			const struct change *c = &j->findings[i].changes[k];
			_cleanup_free_ char *source = NULL;

			if (!c->needed)
				continue;
			if (asprintf(&source, "rule %s", j->findings[i].rule->id) < 0 ||
			    plan_add(p, c->key, c->value, c->kind == REC_WIDEN ? REC_SET : c->kind,
				     source) < 0)
				r = EXIT_OSERR;
		}
	judgement_free(j);
	ruleset_free(&rules);
	return r ? (r == EXIT_USAGE ? r : EXIT_OSERR) : 0;
}

static int build_plan(struct apply_args *a, struct plan *p)
{
	int r = 0;

	if (a->profile)
		r = plan_from_profile(p, a->profile);
	if (r == 0 && a->recommended)
		r = plan_from_diagnosis(p, &a->observe);
	if (r == 0)
		r = plan_from_sets(p, a->sets, a->n_sets);
	return r;
}

static unsigned kernel_version(const char *sysctl_root)
{
	_cleanup_free_ char *rel = NULL;
	unsigned code;

	/* Unknown (0): the knowledge base then does not judge by kernel version. */
	if (sysctl_read(sysctl_root, "kernel.osrelease", &rel) < 0 ||
	    parse_kernel_release(rel, &code) < 0)
		return 0;
	return code;
}

static int resolve(struct plan *p, const char *sysctl_root)
{
	struct load_errors errs = { 0 };
	int r = plan_resolve(p, sysctl_root, kernel_version(sysctl_root), &errs);

	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.msgs[i]);
	if (errs.n)
		log_error("nothing was written: %zu problem%s in the plan", errs.n,
			  errs.n == 1 ? "" : "s");
	load_errors_free(&errs);
	return r < 0 ? EXIT_DATAERR : 0;
}

/* ---- output ---- */

/* Hands the result to report/: 0, or EXIT_OSERR after saying why it was not written. */
static int report(const struct report_apply *ra, enum report_format format)
{
	return report_written(format == FORMAT_JSON ? report_apply_json(stdout, ra)
						    : report_apply_text(stdout, ra));
}

/* A later sysctl.d file, or /etc/sysctl.conf, would undo what we persist at the next boot. */
static void warn_overrides(const char *root, const char *path, const char *sysctl_root)
{
	struct lint_opts lo = { .root = root, .sysctl_root = sysctl_root };
	struct lint_report *rep = NULL;
	_cleanup_free_ char *errmsg = NULL;
	size_t plen = strlen(root);

	if (lint_run(&lo, &rep, &errmsg) < 0)
		return;
	while (plen > 0 && root[plen - 1] == '/')
		plen--;
	for (size_t i = 0; i < rep->n; i++) {
		const struct lint_finding *f = &rep->findings[i];

		if (strstr(f->message, "overridden by") &&
		    (strcmp(f->file, path) == 0 ||
		     (strncmp(path, root, plen) == 0 && strcmp(f->file, path + plen) == 0)))
			log_error("warning: %s:%u: %s", f->file, f->line, f->message);
	}
	lint_report_free(rep);
}

/* ---- the command ---- */

/* What the options say together: something to apply, one kind of preview. */
static int check_args(struct apply_args *a)
{
	/* -f was parsed with the observing options; the report format is apply's own. */
	a->format = a->observe.format;
	if (!a->profile && !a->recommended && a->n_sets == 0) {
		log_error("apply: nothing to apply; give --profile, --recommended or --set");
		return EXIT_USAGE;
	}
	if (a->dry_run && a->check) {
		log_error("apply: --dry-run and --check exclude each other");
		return EXIT_USAGE;
	}
	/* The host applies a sysctl.d file at boot: it cannot hold a container's values. */
	if (a->persist && (a->observe.netns || a->observe.netns_pid)) {
		log_error("apply: --persist writes the host's boot-time settings; a namespace's "
			  "values are set where it is created (tcptune profiles show NAME --format "
			  "kubernetes|docker)");
		return EXIT_USAGE;
	}
	return 0;
}

/* The observing options' own codes for apply's: -n is --dry-run here, -P --profile. */
static int observe_code(int c)
{
	switch (c) {
	case 'R':
		return 'P'; /* --proc-root */
	case 'X':
		return 'n'; /* --netns */
	case 'Y':
		return 'N'; /* --netns-pid */
	default:
		return c;
	}
}

static const struct option options[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "recommended", no_argument, NULL, 'r' },
	{ "set", required_argument, NULL, 's' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "check", no_argument, NULL, 'c' },
	{ "try", required_argument, NULL, 'T' },
	{ "persist", optional_argument, NULL, 'P' },
	{ "state-dir", required_argument, NULL, 'D' },
	{ "sysctl-root", required_argument, NULL, 'S' },
	{ "proc-root", required_argument, NULL, 'R' },
	{ "root", required_argument, NULL, 'o' },
	{ "netns", required_argument, NULL, 'X' },
	{ "netns-pid", required_argument, NULL, 'Y' },
	{ "format", required_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

static int parse(int argc, char **argv, struct apply_args *a)
{
	int64_t n;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:rs:nf:h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case '?':
		case ':':
			return usage_error("apply", c, argv);
		case 'p':
			a->profile = optarg;
			break;
		case 'r':
			a->recommended = true;
			break;
		case 's':
			a->sets[a->n_sets++] = optarg;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'c':
			a->check = true;
			break;
		case 'T':
			if (parse_i64(optarg, 1, 86400, &n) < 0) {
				log_error("--try: '%s' is not a number of seconds from 1 to 86400",
					  optarg);
				return EXIT_USAGE;
			}
			a->try_seconds = n;
			break;
		case 'P':
			a->persist = true;
			a->persist_path = optarg;
			break;
		case 'D':
			a->state_dir = optarg;
			break;
		case 'o':
			a->root = optarg;
			break;
		case 'S':
		case 'R':
		case 'X':
		case 'Y':
		case 'f': {
			int e = observe_args_parse(&a->observe, observe_code(c), optarg);

			if (e)
				return e == 1 ? EXIT_SOFTWARE : e;
			break;
		}
		}
	}
	if (optind < argc) {
		log_error("apply: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return check_args(a);
}

static const char *sysctl_root_of(const struct apply_args *a, char **buf)
{
	if (a->observe.opts.sysctl_root)
		return a->observe.opts.sysctl_root;
	*buf = path_join(a->observe.opts.proc_root, "sys");
	return *buf;
}

/* --persist: the file, checked before anything else is done; 0 or an exit code. */
static int persist_setup(const struct apply_args *a, char **ret_path, struct txn_persist *ps)
{
	char *path =
		a->persist_path ? strdup(a->persist_path) : path_join(a->root, DEFAULT_PERSIST);

	if (!path)
		return EXIT_OSERR;
	*ret_path = path;
	*ps = (struct txn_persist){ .path = path, .profile = a->profile };
	/* Rollback removes or restores only such a file: refuse others up front. */
	if (!txn_persist_path_valid(path)) {
		log_error("--persist: %s is not a *.conf file in a sysctl.d directory "
			  "(an absolute path without . or ..)",
			  path);
		return EXIT_USAGE;
	}
	return 0;
}

/* How a transaction that failed left the system, as apply's JSON says it. */
static enum report_apply_status failed_status(const struct txn_result *res)
{
	return res->outcome == TXN_UNDONE      ? REPORT_APPLY_ROLLED_BACK
	       : res->outcome == TXN_UNCHANGED ? REPORT_APPLY_UNCHANGED
					       : REPORT_APPLY_INCOMPLETE;
}

/*
 * Applies a validated plan under the state lock, as one transaction, then
 * waits for the confirmation of a --try. Returns an exit code.
 */
static int commit_plan(const struct apply_args *a, struct plan *p, const struct txn_persist *ps,
		       const struct netns_ref *ns, const char *sysctl_root, const char *dir)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *errmsg = NULL;
	struct state s = { .ctx.dirfd = -1, .lockfd = -1 };
	struct report_apply ra = { .plan = p };
	struct txn_result res;
	bool stale;
	int r, wr = 0;

	r = state_open(&s, dir, sysctl_root, true);
	if (r)
		goto out;
	s.ctx.netns = ns->path ? ns : NULL;
	r = state_check_unblocked(&s);
	if (r)
		goto out;
	/* Under the lock: the values another apply just set are the ones we replace. */
	r = resolve(p, sysctl_root);
	if (r)
		goto out;
	/* --persist makes sure of the file too: a missing or edited one is written again. */
	stale = a->persist && !txn_persist_matches(ps, p);
	if (plan_changes(p) == 0 && !stale) {
		ra.status = REPORT_APPLY_MATCHES;
		wr = report(&ra, a->format);
		goto out;
	}
	r = txn_apply(&s.ctx, p,
		      a->profile       ? a->profile
		      : a->recommended ? "recommended"
				       : "set",
		      a->try_seconds, a->persist ? ps : NULL, &t, &res, &errmsg);
	ra.txn = t;
	ra.n_changes = plan_changes(p);
	if (r < 0) {
		r = txn_failure_exit(t, &res, errmsg, r);
		ra.status = failed_status(&res);
		if (a->format == FORMAT_JSON) /* r tells the failure already */
			report(&ra, a->format);
		goto out;
	}
	ra.status = t->status == TXN_PENDING ? REPORT_APPLY_PENDING : REPORT_APPLY_COMMITTED;
	ra.persist = a->persist ? ps->path : NULL;
	wr = report(&ra, a->format);
	if (a->persist)
		warn_overrides(a->root, ps->path, sysctl_root);
	if (t->status == TXN_PENDING) {
		int watch = -1, e = txn_try_hold(&s.ctx, t, &watch);

		if (e < 0) {
			/* Nobody could tell we wait: settle it now rather than leave it. */
			log_error("watching %s: %s; rolling it back", t->id, strerror(-e));
			r = try_settle(&s, t, false);
			goto out;
		}
		state_close(&s);
		r = try_finish(&s, t, dir, watch);
	}
out:
	state_close(&s);
	/* A report that could not be written (wr) fails a command that otherwise succeeded. */
	return r ? r : wr;
}

int cmd_apply(int argc, char **argv)
{
	_cleanup_free_ const char **sets = calloc((size_t)argc + 1, sizeof(*sets));
	_cleanup_free_ char *root_buf = NULL, *persist_path = NULL;
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	struct apply_args a = { .sets = sets, .root = "/" };
	struct plan p = { 0 };
	const char *sysctl_root;
	struct txn_persist ps = { 0 };
	struct report_apply ra;
	bool stale = false;
	int r, wr = 0;

	if (!sets)
		return EXIT_OSERR;
	observe_args_init(&a.observe);
	r = parse(argc, argv, &a);
	if (r)
		return r < 0 ? 0 : r;
	sysctl_root = sysctl_root_of(&a, &root_buf);
	if (!sysctl_root)
		return EXIT_OSERR;
	/* Everything from here on, validation and --recommended's diagnosis too, is there. */
	r = netns_option_enter(a.observe.netns, a.observe.netns_pid, a.observe.opts.proc_root, &ns,
			       NULL);
	if (r)
		return r;
	a.observe.netns = a.observe.netns_pid = NULL;
	p.netns = ns.given;

	r = build_plan(&a, &p);
	if (r == 0 && a.persist)
		r = persist_setup(&a, &persist_path, &ps);
	/* Validate first, need root and the state directory later: a bad plan touches nothing. */
	if (r == 0)
		r = resolve(&p, sysctl_root);
	if (r)
		goto out;
	/* A preview needs no lock and no root: validate and show. */
	if (a.dry_run || a.check) {
		stale = a.persist && !txn_persist_matches(&ps, &p);
		ra = (struct report_apply){
			.status = plan_changes(&p) || stale ? REPORT_APPLY_WOULD_CHANGE
							    : REPORT_APPLY_MATCHES,
			.plan = &p,
			.n_changes = plan_changes(&p),
			.check = a.check,
			.persist = stale ? persist_path : NULL,
		};
		wr = report(&ra, a.format);
		r = wr ? wr : (a.check && (plan_changes(&p) || stale) ? 1 : 0);
		goto out;
	}
	if (sysctl_writes_need_root(sysctl_root)) {
		log_error("apply: only root can change sysctls; nothing was written (--dry-run "
			  "shows the changes)");
		r = EXIT_NOPERM;
		goto out;
	}
	r = commit_plan(&a, &p, &ps, &ns, sysctl_root, state_dir_path(a.state_dir));
out:
	plan_free(&p);
	return r;
}
