// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "sysctl.h"
#include "kb.h"
#include "netns.h"
#include "profile.h"
#include "results.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune verify --profile NAME|FILE [-f text|json]\n"
	      "                      [--netns NAME|PATH | --netns-pid PID] [--sysctl-root DIR]\n"
	      "\n"
	      "Compare the live values with a profile.\n"
	      "\n"
	      "  -p, --profile NAME     a profile (tcptune profiles lists them) or a profile file\n"
	      "  -f, --format FMT       text (default) or json\n"
	      "      --netns NAME       compare in the network namespace /run/netns/NAME (or a\n"
	      "                         path); keys that are not per namespace are refused\n"
	      "      --netns-pid PID    compare in the network namespace of process PID\n"
	      "      --sysctl-root DIR  read current values from DIR (default /proc/sys)\n"
	      "\n"
	      "Exit status: 0 they match, 1 some drifted (listed), 65 invalid profile, 66 no\n"
	      "such profile or namespace, 77 not permitted to enter the namespace.\n",
	      f);
}

/* Hands the result to report/: 0, or EXIT_OSERR after saying why it was not written. */
static int report(const struct plan *p, const char *profile, enum report_format format)
{
	const struct report_verify v = { .profile = profile,
					 .plan = p,
					 .n_changes = plan_changes(p) };

	return report_written(format == FORMAT_JSON ? report_verify_json(stdout, &v)
						    : report_verify_text(stdout, &v));
}

int cmd_verify(int argc, char **argv)
{
	static const struct option options[] = {
		{ "profile", required_argument, NULL, 'p' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "netns", required_argument, NULL, 'n' },
		{ "netns-pid", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *name = NULL, *root = SYSCTL_ROOT_DEFAULT, *netns = NULL, *netns_pid = NULL;
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
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
		case 'n':
			netns = optarg;
			break;
		case 'N':
			netns_pid = optarg;
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
	r = netns_option_enter(netns, netns_pid, "/proc", &ns, NULL);
	if (r)
		return r;
	p.netns = ns.given;
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
