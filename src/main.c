// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

/* The verbs: the only place that knows them all. */
static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
} verbs[] = {
	{ "diagnose", cmd_diagnose, "find what is abnormal, explain why, and what to change" },
	{ "stats", cmd_stats, "report TCP socket states, listeners, counters and sysctls" },
	{ "top", cmd_top, "watch states, rates, busy ports and findings live" },
	{ "rules", cmd_rules, "check or list the diagnostic rules" },
	{ "explain", cmd_explain, "explain what sysctls do, their ranges, defaults and caveats" },
	{ "lint", cmd_lint, "check sysctl.d files for removed, invalid and overridden settings" },
	{ "profiles", cmd_profiles,
	  "list tuning profiles, or show one against the current values" },
	{ "apply", cmd_apply, "apply sysctls as one verified, reversible transaction" },
	{ "rollback", cmd_rollback, "restore the values a transaction replaced" },
	{ "confirm", cmd_confirm, "keep the settings of a pending 'apply --try'" },
	{ "history", cmd_history, "list the transactions" },
	{ "verify", cmd_verify, "compare the live values with a profile" },
};

static void usage(FILE *f)
{
	fputs("Usage: tcptune [--version] [--help] COMMAND [ARGS]\n"
	      "\n"
	      "Linux TCP tuning advisor. Commands:\n",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\nRun 'tcptune COMMAND --help' for a command's options; see tcptune(8).\n", f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("tcptune %s\n", TCPTUNE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	log_error("unknown command '%s'; see 'tcptune --help'", argv[1]);
	return EXIT_USAGE;
}
