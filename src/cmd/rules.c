// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <getopt.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune rules check [FILE|DIR]...\n"
	      "       tcptune rules list [-r PATH]...\n"
	      "\n"
	      "check: validate rule files (default: the shipped rules and /etc/tcptune/rules.d);\n"
	      "       every problem is reported as file:line:column: message.\n"
	      "list:  the rules diagnose would use: id, severity, state, summary.\n"
	      "\n"
	      "  -r, --rules PATH  also load this rule file or directory (repeatable), as\n"
	      "                    diagnose --rules does\n",
	      f);
}

static int rules_check(int argc, char **argv)
{
	struct ruleset rs = { 0 };
	int r;

	/* Files are checked on top of the shipped rules, as diagnose would load them. */
	r = rules_load_all(&rs, (const char *const *)argv, (size_t)argc, true);
	if (r == 0)
		printf("%zu rules OK\n", rs.n);
	ruleset_free(&rs);
	return r;
}

static int rules_list(int argc, char **argv)
{
	struct ruleset rs = { 0 };
	size_t width = 2;
	int r;

	r = rules_load_all(&rs, (const char *const *)argv, (size_t)argc, true);
	for (size_t i = 0; r == 0 && i < rs.n; i++)
		if (strlen(rs.rules[i].id) > width)
			width = strlen(rs.rules[i].id);
	for (size_t i = 0; r == 0 && i < rs.n; i++) {
		const struct rule *rule = &rs.rules[i];

		printf("%-*s  %-8s  %-8s  %s\n", (int)width, rule->id,
		       severity_name(rule->severity), rule->enabled ? "enabled" : "disabled",
		       rule->summary ? rule->summary : "");
	}
	ruleset_free(&rs);
	return r;
}

int cmd_rules(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_free_ char **paths = calloc((size_t)argc + 1, sizeof(char *));
	size_t n = 0;
	int c;

	if (!paths)
		return EXIT_OSERR;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:h", options, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?' || c == ':')
			return usage_error("rules", c, argv);
		paths[n++] = optarg;
	}
	if (optind >= argc) {
		log_error("rules: expected 'check' or 'list'; see 'tcptune rules --help'");
		return EXIT_USAGE;
	}
	for (int i = optind + 1; i < argc; i++)
		paths[n++] = argv[i];
	if (strcmp(argv[optind], "check") == 0)
		return rules_check((int)n, paths);
	if (strcmp(argv[optind], "list") == 0)
		return rules_list((int)n, paths);
	log_error("rules: unknown subcommand '%s'; expected 'check' or 'list'", argv[optind]);
	return EXIT_USAGE;
}
