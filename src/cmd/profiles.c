// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "format.h"
#include "kb.h"
#include "profile.h"
#include "sysctl.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune profiles [list] [-f text|json]\n"
	      "       tcptune profiles show [-f text|json] [--sysctl-root DIR] NAME|FILE\n"
	      "\n"
	      "list: every profile, name and description (/etc/tcptune/profiles.d, then the\n"
	      "      shipped ones; a local profile replaces a shipped one of the same name).\n"
	      "show: one profile with its include resolved: each key, the profile's value, the\n"
	      "      current value and whether it already matches. Changes nothing.\n"
	      "\n"
	      "  -f, --format FMT       text (default) or json\n"
	      "      --sysctl-root DIR  read current values from DIR (default /proc/sys)\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "Exit status: 0 ok, 64 usage, 65 invalid profile (every problem is printed),\n"
	      "66 no such profile. See tcptune-profiles(5).\n",
	      f);
}

/* A new object appended to arr, or NULL. */
static json_object *jarray_new_object(json_object *arr)
{
	json_object *o = json_object_new_object();

	if (!o || json_object_array_add(arr, o) < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct profiles_args {
	enum report_format format;
	const char *sysctl_root; /* NULL: not given */
};

/* ---- list ---- */

/*
 * One line per profile. An invalid one is still listed, so that one broken
 * local file does not hide the others; its problems go to stderr and the
 * exit status says so.
 */
static int profiles_list(const struct profiles_args *a)
{
	_cleanup_json_ json_object *arr = NULL;
	struct profile *profs = NULL;
	char **dirs = profile_search_path(), **names = NULL;
	size_t n = 0, width = 4;
	int r, rc = 0;

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
	if (!profs || (a->format == FORMAT_JSON && !(arr = json_object_new_array()))) {
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
		if (strlen(names[i]) > width)
			width = strlen(names[i]);
	}
	for (size_t i = 0; i < n; i++) {
		const struct profile *p = &profs[i];
		json_object *o;

		if (!arr) {
			printf("%-*s  %s\n", (int)width, names[i],
			       p->name ? p->description : "(invalid; see tcptune profiles show)");
			continue;
		}
		if (!(o = jarray_new_object(arr)) || report_json_add_str(o, "name", names[i]) < 0 ||
		    report_json_add_str(o, "description", p->description) < 0 ||
		    report_json_add_str(o, "path", p->path) < 0 ||
		    json_add(o, "valid", json_object_new_boolean(p->name != NULL)) < 0) {
			log_error("out of memory");
			rc = EXIT_OSERR;
			goto out;
		}
	}
	/* A write error (-EIO) is left to cmd_profiles(), which checks stdout. */
	if (arr && report_json_print(stdout, arr) == -ENOMEM) {
		log_error("out of memory");
		rc = EXIT_OSERR;
	}
out:
	for (size_t i = 0; profs && i < n; i++)
		profile_free(&profs[i]);
	free(profs);
	strv_free(names);
	return rc;
}

/* ---- show ---- */

enum status {
	ST_MATCHES,
	ST_SATISFIED,
	ST_DIFFERS,
	ST_ABSENT,
	ST_UNREADABLE,
};

static const char *const status_names[] = {
	[ST_MATCHES] = "matches", [ST_SATISFIED] = "satisfied",	  [ST_DIFFERS] = "differs",
	[ST_ABSENT] = "absent",	  [ST_UNREADABLE] = "unreadable",
};

static const char *const kind_names[] = {
	[REC_SET] = "set",
	[REC_MIN] = "min",
	[REC_MAX] = "max",
	[REC_WIDEN] = "widen",
};

/* One key of the profile against the machine. */
struct row {
	const struct profile_entry *e;
	char *want;    /* "30", "at least 4096" */
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
	const char *prefix = e->kind == REC_MIN	  ? "at least "
			     : e->kind == REC_MAX ? "at most "
						  : "";

	row->e = e;
	row->read_r = sysctl_read(root, e->key, &row->current);
	if (row->read_r == -ENOMEM || asprintf(&row->want, "%s%s", prefix, e->value) < 0)
		return -ENOMEM;
	row->status = compare(e, row);
	return 0;
}

static const char *current_text(const struct row *row)
{
	if (row->current)
		return row->current;
	return row->status == ST_ABSENT ? "-" : "?";
}

static void show_text(const struct profile *p, const struct row *rows)
{
	size_t wk = 3, ww = 7, wc = 7, n_ok = 0;

	for (size_t i = 0; i < p->n; i++) {
		if (strlen(rows[i].e->key) > wk)
			wk = strlen(rows[i].e->key);
		if (strlen(rows[i].want) > ww)
			ww = strlen(rows[i].want);
		if (strlen(current_text(&rows[i])) > wc)
			wc = strlen(current_text(&rows[i]));
		n_ok += rows[i].status == ST_MATCHES || rows[i].status == ST_SATISFIED;
	}
	printf("%s: %s\n", p->name, p->description);
	printf("file: %s\n", p->path);
	if (p->include)
		printf("includes: %s\n", p->include);
	printf("\n%-*s  %-*s  %-*s  %s\n", (int)wk, "key", (int)ww, "profile", (int)wc, "current",
	       "status");
	for (size_t i = 0; i < p->n; i++) {
		const struct row *row = &rows[i];

		printf("%-*s  %-*s  %-*s  %s", (int)wk, row->e->key, (int)ww, row->want, (int)wc,
		       current_text(row), status_names[row->status]);
		if (row->status == ST_UNREADABLE)
			printf(" (%s)", strerror(-row->read_r));
		putchar('\n');
	}
	printf("\n%zu of %zu settings already in place.\n", n_ok, p->n);
}

static int show_json(const struct profile *p, const struct row *rows)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *arr;

	if (!o || report_json_add_str(o, "name", p->name) < 0 ||
	    report_json_add_str(o, "description", p->description) < 0 ||
	    report_json_add_str(o, "include", p->include) < 0 ||
	    report_json_add_str(o, "path", p->path) < 0 ||
	    json_add(o, "sysctl", arr = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct row *row = &rows[i];
		json_object *e = jarray_new_object(arr);

		if (!e || report_json_add_str(e, "key", row->e->key) < 0 ||
		    report_json_add_str(e, "kind", kind_names[row->e->kind]) < 0 ||
		    report_json_add_str(e, "value", row->e->value) < 0 ||
		    report_json_add_str(e, "current", row->current) < 0 ||
		    report_json_add_str(e, "status", status_names[row->status]) < 0 ||
		    report_json_add_str(e, "origin", row->e->origin) < 0)
			return -ENOMEM;
	}
	/* A write error is left to cmd_profiles(), which checks stdout. */
	return report_json_print(stdout, o) == -ENOMEM ? -ENOMEM : 0;
}

static int profiles_show(const struct profiles_args *a, const char *name)
{
	struct profile p = { 0 };
	struct row *rows = NULL;
	int r, rc;

	rc = profile_load_cmd(name, &p);
	if (rc)
		return rc;
	rows = calloc(p.n ? p.n : 1, sizeof(*rows));
	r = rows ? 0 : -ENOMEM;
	for (size_t i = 0; r == 0 && i < p.n; i++)
		r = fill_row(&rows[i], &p.entries[i],
			     a->sysctl_root ? a->sysctl_root : SYSCTL_ROOT_DEFAULT);
	if (r == 0 && a->format == FORMAT_JSON)
		r = show_json(&p, rows);
	else if (r == 0)
		show_text(&p, rows);
	if (r < 0) {
		log_error("out of memory");
		rc = EXIT_OSERR;
	}
	for (size_t i = 0; rows && i < p.n; i++) {
		free(rows[i].want);
		free(rows[i].current);
	}
	free(rows);
	profile_free(&p);
	return rc;
}

/* ---- the command ---- */

static int parse_args(struct profiles_args *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*a = (struct profiles_args){ .format = FORMAT_TEXT };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format_text_json(optarg, &a->format))
				return EXIT_USAGE;
			break;
		case 'S':
			a->sysctl_root = optarg;
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
	if (strcmp(verb, "list") == 0 && a.sysctl_root) {
		log_error("profiles: --sysctl-root is for 'show'; see 'tcptune profiles --help'");
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
