// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "sysctl.h"
#include "results.h"
#include "lint.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune lint [-f text|json] [--root DIR] [--sysctl-root DIR] [FILE...]\n"
	      "\n"
	      "Check sysctl.d(5) files against tcptune's knowledge base and the running kernel:\n"
	      "removed or unknown keys, invalid or harmful values, keys set twice or overridden\n"
	      "by a later file. Without FILE, checks what the system applies at boot, in order:\n"
	      "/etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d, /usr/lib/sysctl.d,\n"
	      "/lib/sysctl.d (*.conf, by file name), then /etc/sysctl.conf.\n"
	      "\n"
	      "  -f, --format FMT       text (default: FILE:LINE: MESSAGE) or json\n"
	      "      --root DIR         look for the default files under DIR (default /)\n"
	      "      --sysctl-root DIR  read current values from DIR (default /proc/sys)\n"
	      "  -h, --help             show this help\n",
	      f);
}

static void lint_report_freep(struct lint_report **r)
{
	lint_report_free(*r);
}
#define _cleanup_lint_report_ _cleanup_(lint_report_freep)

static int parse_args(struct lint_opts *o, enum report_format *format, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "root", required_argument, NULL, 'R' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*o = (struct lint_opts){ .root = "/", .sysctl_root = SYSCTL_ROOT_DEFAULT };
	*format = FORMAT_TEXT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:h", options, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (parse_format_text_json(optarg, format))
				return EXIT_USAGE;
			break;
		case 'R':
			o->root = optarg;
			break;
		case 'S':
			o->sysctl_root = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return usage_error("lint", c, argv);
		}
	}
	if (optind < argc) {
		o->files = (const char *const *)argv + optind;
		o->n_files = (size_t)(argc - optind);
	}
	return 0;
}

int cmd_lint(int argc, char **argv)
{
	_cleanup_lint_report_ struct lint_report *rep = NULL;
	_cleanup_free_ char *errmsg = NULL;
	enum report_format format;
	struct lint_opts o;
	int r;

	r = parse_args(&o, &format, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	r = lint_run(&o, &rep, &errmsg);
	if (r < 0) {
		log_error("lint: %s", errmsg ? errmsg : strerror(-r));
		/* A directory or a huge file where a sysctl.d file was expected: bad input. */
		if (r == -EISDIR || r == -EFBIG)
			return r == -EISDIR ? EXIT_NOINPUT : EXIT_DATAERR;
		return exit_code_from_errno(r);
	}
	r = format == FORMAT_JSON ? report_lint_json(stdout, rep) : report_lint_text(stdout, rep);
	/* A write error (-EIO) leaves stdout in error, which says why. */
	if (r == -EIO)
		r = 0;
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_error("lint: writing the report: %s", strerror(r < 0 ? -r : errno));
		return EXIT_OSERR;
	}
	return rep->n > 0 ? 1 : 0;
}
