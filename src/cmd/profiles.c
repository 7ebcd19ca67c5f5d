// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "results.h"
#include "kb.h"
#include "netns.h"
#include "profile.h"
#include "sysctl.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune profiles [list] [-f text|json]\n"
	      "       tcptune profiles show [-f text|json|kubernetes|docker] [--sysctl-root DIR]\n"
	      "                             [--netns NAME|PATH | --netns-pid PID] NAME|FILE\n"
	      "\n"
	      "list: every profile, name and description (/etc/tcptune/profiles.d, then the\n"
	      "      shipped ones; a local profile replaces a shipped one of the same name).\n"
	      "show: one profile with its include resolved: each key, the profile's value, the\n"
	      "      current value and whether it already matches. Changes nothing.\n"
	      "      -f kubernetes: the keys a container can have its own value of, as a Pod's\n"
	      "      securityContext.sysctls (YAML); -f docker: as docker run flags, one line.\n"
	      "      Host-only keys are left out, with a note. See tcptune-profiles(5).\n"
	      "\n"
	      "  -f, --format FMT       text (default), json; show: also kubernetes, docker\n"
	      "      --sysctl-root DIR  read current values from DIR (default /proc/sys)\n"
	      "      --netns NAME       show: current values of the network namespace\n"
	      "                         /run/netns/NAME (or a path)\n"
	      "      --netns-pid PID    show: current values of the namespace of process PID\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "Exit status: 0 ok, 64 usage, 65 invalid profile (every problem is printed),\n"
	      "66 no such profile or namespace, 77 not permitted to enter the namespace.\n"
	      "See tcptune-profiles(5).\n",
	      f);
}

/* show's exports for orchestrators, besides the report formats. */
enum profiles_export {
	EXPORT_NONE,
	EXPORT_KUBERNETES,
	EXPORT_DOCKER,
};

struct profiles_args {
	enum report_format format;
	enum profiles_export export;   /* EXPORT_NONE: format */
	const char *sysctl_root;       /* NULL: not given */
	const char *netns, *netns_pid; /* show: whose current values */
};

/* ---- list ---- */

/*
 * One line per profile. An invalid one is still listed, so that one broken
 * local file does not hide the others; its problems go to stderr and the
 * exit status says so.
 */
static int profiles_list(const struct profiles_args *a)
{
	struct profile *profs = NULL;
	struct report_profile_item *items = NULL;
	char **dirs = NULL, **names = NULL;
	size_t n = 0;
	int r, rc;

	/* No shipped profiles is a broken installation, not an empty list. */
	rc = data_dir_check("profiles");
	if (rc)
		return rc;
	dirs = profile_search_path();
	if (!dirs) {
		log_error("out of memory");
		return EXIT_OSERR;
	}
	r = profile_list((const char *const *)dirs, &names, &n);
	strv_free(dirs);
	if (r < 0) {
		log_error("listing profiles: %s", strerror(-r));
		return exit_code_from_errno(r);
	}
	profs = calloc(n ? n : 1, sizeof(*profs));
	items = calloc(n ? n : 1, sizeof(*items));
	if (!profs || !items) {
		log_error("out of memory");
		rc = EXIT_OSERR;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		r = profile_load_cmd(names[i], &profs[i]);
		if (r == EXIT_OSERR) {
			rc = r;
			goto out;
		}
		if (r && !rc)
			rc = r;
		items[i] = (struct report_profile_item){ .name = names[i],
							 .profile = &profs[i],
							 .valid = profs[i].name != NULL };
	}
	r = a->format == FORMAT_JSON ? report_profiles_list_json(stdout, items, n)
				     : report_profiles_list_text(stdout, items, n);
	/* A write error (-EIO) is left to cmd_profiles(), which checks stdout. */
	if (r == -ENOMEM) {
		log_error("out of memory");
		rc = EXIT_OSERR;
	}
out:
	for (size_t i = 0; profs && i < n; i++)
		profile_free(&profs[i]);
	free(profs);
	free(items);
	strv_free(names);
	return rc;
}

/* ---- show ---- */

/* How a key stands: compare()'s answer, in the values report/ names. */
enum status {
	ST_MATCHES = REPORT_KEY_MATCHES,
	ST_SATISFIED = REPORT_KEY_SATISFIED,
	ST_DIFFERS = REPORT_KEY_DIFFERS,
	ST_ABSENT = REPORT_KEY_ABSENT,
	ST_UNREADABLE = REPORT_KEY_UNREADABLE,
};

/* One key of the profile against the machine. */
struct row {
	const struct profile_entry *e;
	char *current; /* NULL: absent or unreadable */
	int read_r;
	enum status status;
};

static enum status compare(const struct profile_entry *e, const struct row *row)
{
	if (row->read_r == -ENOENT || row->read_r == -EISDIR)
		return ST_ABSENT;
	if (row->read_r < 0)
		return ST_UNREADABLE;
	if (!want_satisfied(kb_lookup(e->key), e->kind, row->current, e->value))
		return ST_DIFFERS;
	return e->kind == REC_SET ? ST_MATCHES : ST_SATISFIED;
}

static int fill_row(struct row *row, const struct profile_entry *e, const char *root)
{
	row->e = e;
	row->read_r = sysctl_read(root, e->key, &row->current);
	if (row->read_r == -ENOMEM)
		return -ENOMEM;
	row->status = compare(e, row);
	return 0;
}

/* The rows as report/ takes them, with how many are already in place. */
static int show_report(const struct profiles_args *a, const struct profile *p,
		       const struct row *rows, const char *netns)
{
	_cleanup_free_ struct report_profile_row *shown = calloc(p->n ? p->n : 1, sizeof(*shown));
	struct report_profile_show s = { .profile = p, .rows = shown, .netns = netns };

	if (!shown)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		shown[i] = (struct report_profile_row){
			.entry = rows[i].e,
			.current = rows[i].current,
			.read_r = rows[i].read_r,
			.status = (enum report_key_status)rows[i].status,
		};
		s.n_in_place += rows[i].status == ST_MATCHES || rows[i].status == ST_SATISFIED;
	}
	return a->format == FORMAT_JSON ? report_profile_show_json(stdout, &s)
					: report_profile_show_text(stdout, &s);
}

/* The profile for an orchestrator: no current values, each key classed. */
static int export_report(const struct profiles_args *a, const struct profile *p)
{
	_cleanup_free_ struct report_export_row *rows = calloc(p->n ? p->n : 1, sizeof(*rows));
	struct report_profile_export x = { .profile = p, .rows = rows };

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++)
		rows[i] = (struct report_export_row){
			.entry = &p->entries[i],
			.host_only = !kb_per_netns(p->entries[i].key),
			.k8s_unsafe = !sysctl_k8s_safe(p->entries[i].key),
		};
	return a->export == EXPORT_KUBERNETES ? report_profile_kubernetes(stdout, &x)
					      : report_profile_docker(stdout, stderr, &x);
}

static int profiles_show(const struct profiles_args *a, const char *name)
{
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	struct profile p = { 0 };
	struct row *rows = NULL;
	int r, rc;

	rc = profile_load_cmd(name, &p);
	if (rc)
		return rc;
	if (a->export != EXPORT_NONE) {
		r = export_report(a, &p);
		goto out;
	}
	rc = netns_option_enter(a->netns, a->netns_pid, "/proc", &ns, NULL);
	if (rc) {
		r = 0;
		goto out;
	}
	rows = calloc(p.n ? p.n : 1, sizeof(*rows));
	r = rows ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < p.n; i++)
		r = fill_row(&rows[i], &p.entries[i],
			     a->sysctl_root ? a->sysctl_root : SYSCTL_ROOT_DEFAULT);
	if (r == 0)
		r = show_report(a, &p, rows, ns.given);
out:
	/* A write error (-EIO) is left to cmd_profiles(), which checks stdout. */
	if (r == -ENOMEM) {
		log_error("out of memory");
		rc = EXIT_OSERR;
	}
	for (size_t i = 0; rows && i < p.n; i++)
		free(rows[i].current);
	free(rows);
	profile_free(&p);
	return rc;
}

/* ---- the command ---- */

/* text or json, or show's kubernetes or docker. */
static int parse_format(struct profiles_args *a, const char *arg)
{
	a->export = strcmp(arg, "kubernetes") == 0 ? EXPORT_KUBERNETES
		    : strcmp(arg, "docker") == 0   ? EXPORT_DOCKER
						   : EXPORT_NONE;
	if (a->export != EXPORT_NONE)
		return 0;
	if (strcmp(arg, "text") == 0 || strcmp(arg, "json") == 0)
		return parse_format_text_json(arg, &a->format);
	log_error("--format: '%s' is not one of text, json, kubernetes, docker", arg);
	return -EINVAL;
}

static int parse_args(struct profiles_args *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "netns", required_argument, NULL, 'n' },
		{ "netns-pid", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*a = (struct profiles_args){ .format = FORMAT_TEXT };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format(a, optarg))
				return EXIT_USAGE;
			break;
		case 'S':
			a->sysctl_root = optarg;
			break;
		case 'n':
			a->netns = optarg;
			break;
		case 'N':
			a->netns_pid = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return usage_error("profiles", c, argv);
		}
	}
	return 0;
}

int cmd_profiles(int argc, char **argv)
{
	const char *verb = "list";
	struct profiles_args a;
	int r, nargs;

	r = parse_args(&a, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	if (optind < argc)
		verb = argv[optind++];
	nargs = argc - optind;
	if (strcmp(verb, "list") == 0 && nargs > 0) {
		log_error("profiles: unexpected argument '%s'; see 'tcptune profiles --help'",
			  argv[optind]);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "list") == 0 && a.export != EXPORT_NONE) {
		log_error("profiles: --format kubernetes and docker are for 'show'; see 'tcptune "
			  "profiles --help'");
		return EXIT_USAGE;
	}
	if (strcmp(verb, "list") == 0 && (a.sysctl_root || a.netns || a.netns_pid)) {
		log_error("profiles: --%s is for 'show'; see 'tcptune profiles --help'",
			  a.sysctl_root ? "sysctl-root"
			  : a.netns	? "netns"
					: "netns-pid");
		return EXIT_USAGE;
	}
	if (strcmp(verb, "show") == 0 && nargs != 1) {
		log_error("profiles: show takes one profile name or file; see 'tcptune profiles "
			  "--help'");
		return EXIT_USAGE;
	}
	if (strcmp(verb, "list") != 0 && strcmp(verb, "show") != 0) {
		log_error("profiles: unknown subcommand '%s'; expected 'list' or 'show'", verb);
		return EXIT_USAGE;
	}
	if (strcmp(verb, "show") == 0)
		r = profiles_show(&a, argv[optind]);
	else
		r = profiles_list(&a);
	if (r == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		log_error("writing the output: %s", strerror(errno));
		return EXIT_OSERR;
	}
	return r;
}
