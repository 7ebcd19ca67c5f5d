// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "sysctl.h"
#include "format.h"
#include "kb.h"
#include "profile.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune verify --profile NAME|FILE [-f text|json] [--sysctl-root DIR]\n"
	      "\n"
	      "Compare the live values with a profile. Exit status: 0 they match, 1 some\n"
	      "drifted (listed), 65 invalid profile, 66 no such profile.\n",
	      f);
}

/* Returns 0, or EXIT_OSERR after saying why the JSON report was not written. */
static int report(const struct plan *p, const char *profile, enum report_format format)
{
	_cleanup_json_ json_object *root = NULL;
	json_object *drift;

	if (format != FORMAT_JSON) {
		if (plan_changes(p) == 0) {
			printf("The system matches profile %s (%zu keys).\n", profile, p->n);
			return 0;
		}
		printf("%zu of %zu keys differ from profile %s:\n", plan_changes(p), p->n, profile);
		for (size_t i = 0; i < p->n; i++)
			if (p->items[i].change)
				printf("  %s is %s, the profile wants %s\n", p->items[i].key,
				       p->items[i].current, p->items[i].value);
		return 0;
	}
	root = json_object_new_object();
	drift = json_object_new_array();
	if (!root || !drift) {
		json_object_put(drift);
		log_error("out of memory");
		return EXIT_OSERR;
	}
	json_object_object_add(root, "profile", json_object_new_string(profile));
	json_object_object_add(root, "matches", json_object_new_boolean(plan_changes(p) == 0));
	json_object_object_add(root, "keys", json_object_new_int64((int64_t)p->n));
	json_object_object_add(root, "drift", drift);
	for (size_t i = 0; i < p->n; i++) {
		json_object *d;

		if (!p->items[i].change)
			continue;
		d = json_object_new_object();
		json_object_object_add(d, "key", json_object_new_string(p->items[i].key));
		json_object_object_add(d, "current", json_object_new_string(p->items[i].current));
		json_object_object_add(d, "wanted", json_object_new_string(p->items[i].value));
		json_object_array_add(drift, d);
	}
	return print_json_report(root);
}

int cmd_verify(int argc, char **argv)
{
	static const struct option options[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *name = NULL, *root = SYSCTL_ROOT_DEFAULT;
	enum report_format format = FORMAT_TEXT;
	struct load_errors errs = { 0 };
	struct profile prof = { 0 };
	struct plan p = { 0 };
	int c, r, wr = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'p':
			name = optarg;
			break;
		case 'S':
			root = optarg;
			break;
		case 'f':
			if (parse_format_text_json(optarg, &format))
				return EXIT_USAGE;
			break;
		default:
			return usage_error("verify", c, argv);
		}
	}
	if (!name || optind < argc) {
		log_error("verify: give --profile NAME|FILE and nothing else");
		return EXIT_USAGE;
	}
	r = profile_load_cmd(name, &prof);
	if (r)
		return r;
	for (size_t i = 0; r == 0 && i < prof.n; i++)
		r = plan_add(&p, prof.entries[i].key, prof.entries[i].value, prof.entries[i].kind,
			     prof.name);
	/* The same resolution as apply: what apply would change is what has drifted. */
	if (r == 0)
		r = plan_resolve(&p, root, 0, &errs);
	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.msgs[i]);
	load_errors_free(&errs);
	if (r == 0)
		wr = report(&p, prof.name, format);
	r = r < 0 ? EXIT_DATAERR : wr ? wr : plan_changes(&p) ? 1 : 0;
	plan_free(&p);
	profile_free(&prof);
	return r;
}
