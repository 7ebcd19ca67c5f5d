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
#include "sysctl.h"
#include "util.h"

#define DOC_WIDTH 78

static void usage(FILE *f)
{
	fputs("Usage: tcptune explain [-f text|json] [--sysctl-root DIR] KEY...\n"
	      "       tcptune explain [-f text|json] [--sysctl-root DIR] --all\n"
	      "\n"
	      "Explain what sysctls really do: range, default, namespace scope, kernel history,\n"
	      "the caveats, and the current value.\n"
	      "\n"
	      "  -a, --all              list every key tcptune knows, with its summary\n"
	      "  -f, --format FMT       text (default) or json\n"
	      "      --sysctl-root DIR  read current values from DIR (default /proc/sys)\n"
	      "  -h, --help             show this help\n",
	      f);
}

/* The current value of a key, as explain shows it. */
struct current {
	int r; /* 0, or sysctl_read()'s -errno */
	char *value;
};

static struct current read_current(const char *root, const char *key)
{
	struct current c = { 0 };

	c.r = sysctl_read(root, key, &c.value);
	return c;
}

/* Words of text, wrapped at DOC_WIDTH: first before the first line, indent before the others. */
static void print_wrapped(FILE *f, const char *first, const char *indent, const char *text)
{
	size_t col = (size_t)fprintf(f, "%s", first);
	bool line_empty = true;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (!line_empty && col + 1 + len > DOC_WIDTH) {
			fputc('\n', f);
			col = (size_t)fprintf(f, "%s", indent);
			line_empty = true;
		}
		if (!line_empty)
			col += (size_t)fprintf(f, " ");
		col += fwrite(text, 1, len, f);
		line_empty = false;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static bool ranges_equal(const struct kb_entry *e)
{
	for (unsigned i = 1; i < e->n; i++)
		if (e->range[i].min != e->range[0].min || e->range[i].max != e->range[0].max)
			return false;
	return true;
}

static void print_type(FILE *f, const struct kb_entry *e)
{
	const char *unit = e->unit ? e->unit : "";

	fputs("  type       ", f);
	if (e->type == KB_STRING) {
		if (!e->choices) {
			fputs("name (lowercase letters, digits, '_')\n", f);
			return;
		}
		fputs("one of:", f);
		for (const char *const *c = e->choices; *c; c++)
			fprintf(f, " %s", *c);
		fputc('\n', f);
		return;
	}
	if (e->type == KB_INT)
		fprintf(f, "integer, ");
	else
		fprintf(f, "%u integers, %s", e->n, ranges_equal(e) ? "each " : "");
	for (unsigned i = 0; i < (ranges_equal(e) ? 1 : e->n); i++)
		fprintf(f, "%s%lld to %lld", i ? ", " : "", (long long)e->range[i].min,
			(long long)e->range[i].max);
	fprintf(f, "%s%s\n", *unit ? " " : "", unit);
}

static void print_history(FILE *f, const struct kb_entry *e)
{
	fputs("  history    ", f);
	if (e->since)
		fprintf(f, "added in Linux %u.%u", e->since >> 16, (e->since >> 8) & 0xff);
	if (e->since && e->removed)
		fputs(", ", f);
	if (e->removed)
		fprintf(f, "removed in Linux %u.%u", e->removed >> 16, (e->removed >> 8) & 0xff);
	if (!e->since && !e->removed)
		fputs("in every kernel tcptune supports", f);
	fputc('\n', f);
}

static void print_current(FILE *f, const struct kb_entry *e, const struct current *c)
{
	fputs("  current    ", f);
	if (c->r == -ENOENT)
		fputs("absent on this kernel or in this namespace\n", f);
	else if (c->r < 0)
		fprintf(f, "unreadable: %s\n", strerror(-c->r));
	else
		fprintf(f, "%s%s\n", c->value,
			e && e->def && kb_values_equal(e, c->value, e->def) ? " (the default)"
									    : "");
}

static void print_entry_text(FILE *f, const struct kb_entry *e, const struct current *c)
{
	fprintf(f, "%s\n", e->key);
	print_wrapped(f, "  ", "  ", e->summary);
	fputc('\n', f);
	print_current(f, e, c);
	print_type(f, e);
	print_wrapped(f, "  default    ", "             ", e->def ? e->def : e->def_note);
	fprintf(f, "  scope      %s\n",
		e->per_netns ? "per network namespace"
			     : "global: exists only in the initial network namespace");
	print_history(f, e);
	if (e->never_lower)
		fputs("  caution    never lower it (the kernel documentation forbids it)\n", f);
	fprintf(f, "  reference  %s\n\n", e->ref);
	print_wrapped(f, "  ", "  ", e->doc);
}

/* ---- JSON ---- */

static int jadd_version(json_object *o, const char *key, unsigned v)
{
	char buf[16];

	if (!v)
		return report_json_add_str(o, key, NULL);
	snprintf(buf, sizeof(buf), "%u.%u", v >> 16, (v >> 8) & 0xff);
	return report_json_add_str(o, key, buf);
}

static const char *type_name(enum kb_type t)
{
	return t == KB_INT ? "integer" : t == KB_VEC ? "vector" : "string";
}

static int jadd_ranges(json_object *o, const struct kb_entry *e)
{
	json_object *arr, *choices;

	if (e->type == KB_STRING) {
		if (!e->choices)
			return json_object_object_add(o, "choices", NULL) < 0 ? -ENOMEM : 0;
		if (json_add(o, "choices", choices = json_object_new_array()) < 0)
			return -ENOMEM;
		for (const char *const *c = e->choices; *c; c++)
			if (json_object_array_add(choices, json_object_new_string(*c)) < 0)
				return -ENOMEM;
		return 0;
	}
	if (json_add(o, "count", json_object_new_int((int)e->n)) < 0 ||
	    json_add(o, "range", arr = json_object_new_array()) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < e->n; i++) {
		json_object *r = json_object_new_object();

		if (!r || json_object_array_add(arr, r) < 0) {
			json_object_put(r);
			return -ENOMEM;
		}
		if (json_add(r, "min", json_object_new_int64(e->range[i].min)) < 0 ||
		    json_add(r, "max", json_object_new_int64(e->range[i].max)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int jadd_entry(json_object *o, const struct kb_entry *e)
{
	if (report_json_add_str(o, "summary", e->summary) < 0 ||
	    report_json_add_str(o, "doc", e->doc) < 0 ||
	    report_json_add_str(o, "type", type_name(e->type)) < 0 || jadd_ranges(o, e) < 0 ||
	    report_json_add_str(o, "default", e->def) < 0 ||
	    report_json_add_str(o, "default_note", e->def_note) < 0 ||
	    json_add(o, "per_netns", json_object_new_boolean(e->per_netns)) < 0 ||
	    jadd_version(o, "since", e->since) < 0 || jadd_version(o, "removed", e->removed) < 0 ||
	    json_add(o, "never_lower", json_object_new_boolean(e->never_lower)) < 0 ||
	    report_json_add_str(o, "unit", e->unit) < 0 ||
	    report_json_add_str(o, "reference", e->ref) < 0)
		return -ENOMEM;
	return 0;
}

static int json_key(json_object *arr, const char *key, const struct kb_entry *e,
		    const struct current *c)
{
	json_object *o = json_object_new_object();

	if (!o || json_object_array_add(arr, o) < 0) {
		json_object_put(o);
		return -ENOMEM;
	}
	if (report_json_add_str(o, "key", key) < 0 ||
	    json_add(o, "known", json_object_new_boolean(e != NULL)) < 0 ||
	    json_add(o, "present", json_object_new_boolean(c->r != -ENOENT)) < 0 ||
	    report_json_add_str(o, "current", c->r == 0 ? c->value : NULL) < 0)
		return -ENOMEM;
	return e ? jadd_entry(o, e) : 0;
}

/* ---- The command ---- */

struct explain_args {
	enum report_format format;
	const char *sysctl_root;
	bool all;
};

/* One key: its entry, or its bare value when tcptune does not know it. */
static int explain_key(const struct explain_args *a, const char *arg, json_object *arr,
		       size_t *n_shown)
{
	_cleanup_free_ char *key = NULL;
	const struct kb_entry *e;
	struct current c;
	int r = 0;

	if (sysctl_key_normalize(arg, &key) < 0) {
		log_error("explain: '%s' is not a sysctl key", arg);
		return EXIT_DATAERR;
	}
	e = kb_lookup(key);
	c = read_current(a->sysctl_root, key);
	if (!e && (c.r == -ENOENT || c.r == -EISDIR)) {
		log_error("explain: unknown key '%s': not in tcptune's knowledge base and absent "
			  "under %s",
			  key, a->sysctl_root);
		c.r = -ENOENT;
		r = EXIT_DATAERR;
	}
	if (arr) {
		if (json_key(arr, key, e, &c) < 0)
			r = EXIT_OSERR;
	} else if (r == 0) {
		if ((*n_shown)++ > 0)
			fputc('\n', stdout);
		if (e) {
			print_entry_text(stdout, e, &c);
		} else {
			printf("%s\n", key);
			print_current(stdout, NULL, &c);
			puts("  tcptune has no knowledge of this key; see the kernel "
			     "documentation.");
		}
	}
	free(c.value);
	return r;
}

static int explain_all(const struct explain_args *a, json_object *arr)
{
	size_t n, width = 0;
	const struct kb_entry *t = kb_entries(&n);

	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].key) > width)
			width = strlen(t[i].key);
	for (size_t i = 0; i < n; i++) {
		if (arr) {
			struct current c = read_current(a->sysctl_root, t[i].key);
			int r = json_key(arr, t[i].key, &t[i], &c);

			free(c.value);
			if (r < 0)
				return EXIT_OSERR;
		} else {
			printf("%-*s  %s\n", (int)width, t[i].key, t[i].summary);
		}
	}
	return 0;
}

static int parse_args(struct explain_args *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*a = (struct explain_args){ .format = FORMAT_TEXT, .sysctl_root = SYSCTL_ROOT_DEFAULT };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":af:h", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			a->all = true;
			break;
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
			return usage_error("explain", c, argv);
		}
	}
	if (a->all == (optind < argc)) {
		log_error("explain: %s; see 'tcptune explain --help'",
			  a->all ? "--all takes no keys" : "name at least one key, or --all");
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	_cleanup_json_ json_object *arr = NULL;
	struct explain_args a;
	size_t n_shown = 0;
	int r, rc = 0;

	r = parse_args(&a, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	if (a.format == FORMAT_JSON && !(arr = json_object_new_array())) {
		log_error("out of memory");
		return EXIT_OSERR;
	}
	if (a.all)
		rc = explain_all(&a, arr);
	for (int i = optind; i < argc && rc != EXIT_OSERR; i++) {
		r = explain_key(&a, argv[i], arr, &n_shown);
		if (r && rc != EXIT_OSERR)
			rc = r;
	}
	/* -EIO leaves stdout in error, which the check below reports. */
	if (arr && rc != EXIT_OSERR && report_json_print(stdout, arr) == -ENOMEM)
		rc = EXIT_OSERR;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("writing the explanation: %s", strerror(errno));
		return EXIT_OSERR;
	}
	if (rc == EXIT_OSERR)
		log_error("out of memory");
	return rc;
}
