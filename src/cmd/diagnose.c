// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "engine.h"
#include "report.h"
#include "util.h"

/* The monitoring-plugin convention, for Nagios/Icinga and friends: the status line's states. */
enum {
	DIAG_OK = REPORT_PLUGIN_OK,
	DIAG_WARNING = REPORT_PLUGIN_WARNING,
	DIAG_CRITICAL = REPORT_PLUGIN_CRITICAL,
	DIAG_UNKNOWN = REPORT_PLUGIN_UNKNOWN,
};

static void usage(FILE *f)
{
	fputs("Usage: tcptune diagnose [-pv] [-f text|json|prometheus] [-i SEC] [-s "
	      "auto|netlink|proc]\n"
	      "                        [-t N] [--netns NAME|PATH | --netns-pid PID] [--rules "
	      "PATH]...\n"
	      "                        [--min-severity info|warning|critical] [--no-processes]\n"
	      "                        [--cgroup PATH | --unit NAME] [--proc-root DIR]\n"
	      "                        [--sysctl-root DIR]\n"
	      "\n"
	      "Observe the machine, match the diagnostic rules, and explain each finding:\n"
	      "what is abnormal, the evidence, the likely cause and what to change. The text\n"
	      "starts with a monitoring plugin's status line (TCPTUNE OK, WARNING, CRITICAL or\n"
	      "UNKNOWN, and performance data), for Nagios or Icinga.\n"
	      "\n"
	      "  -i, --interval SEC   two snapshots SEC apart: rules on counter rates need it\n"
	      "  -r, --rules PATH     also load this rule file or directory (repeatable)\n"
	      "      --min-severity S report only findings of severity S or worse\n"
	      "  -v, --verbose        list the rules that could not be evaluated, and why\n"
	      "      --no-processes   do not look up the processes holding sockets\n"
	      "  and every option of 'tcptune stats': -f, --format; -s, --source; -t, --top;\n"
	      "  -p, --processes; --netns; --netns-pid; --cgroup; --unit; --proc-root;\n"
	      "  --sysctl-root\n"
	      "\n"
	      "Exit status: 0 OK, 1 warning, 2 critical, 3 could not observe;\n"
	      "64 usage, 65 bad rule file, 66 missing rule file.\n",
	      f);
}

/* The states a monitoring system graphs: performance data of the status line. */
static const enum tcp_state perf_states[] = {
	TS_ESTABLISHED,
	TS_SYN_RECV,
	TS_TIME_WAIT,
	TS_CLOSE_WAIT,
};

/*
 * The status line of the text report, its state the exit code: the most
 * severe finding named (findings come most severe first) and how many more.
 */
static void status_of(const struct observation *o, const struct judgement *j, int code,
		      struct report_perf perf[ARRAY_SIZE(perf_states)], struct report_status *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(perf_states); i++)
		perf[i] = (struct report_perf){
			.label = tcp_state_name(perf_states[i]),
			.value = observation_state_total(o, perf_states[i]),
		};
	*ret = (struct report_status){
		.state = (enum report_plugin_state)code,
		.top = j->n_findings ? &j->findings[0] : NULL,
		.n_more = j->n_findings ? j->n_findings - 1 : 0,
		.n_rules = j->n_evaluated,
		.perf = perf,
		.n_perf = ARRAY_SIZE(perf_states),
	};
}

/* Writes the report; returns the exit code, the worst finding's, or UNKNOWN when unwritten. */
static int render(const struct observation *o, const struct judgement *j, enum report_format fmt,
		  bool verbose)
{
	int code = j->worst == SEV_CRITICAL  ? DIAG_CRITICAL
		   : j->worst == SEV_WARNING ? DIAG_WARNING
					     : DIAG_OK;
	struct report_perf perf[ARRAY_SIZE(perf_states)];
	struct report_status status;
	struct report_diagnose_opts opts = { .text = report_text_opts_from_env(),
					     .verbose = verbose,
					     .status = &status };
	int r;

	status_of(o, j, code, perf, &status);
	switch (fmt) {
	case FORMAT_JSON:
		r = report_diagnose_json(stdout, o, j);
		break;
	case FORMAT_PROMETHEUS:
		r = report_diagnose_prom(stdout, o, j);
		break;
	default:
		r = report_diagnose_text(stdout, o, j, &opts);
		break;
	}
	if (r == 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0) {
		log_error("writing the report: %s", strerror(-r));
		return DIAG_UNKNOWN;
	}
	return code;
}

/* What could not be observed, as the status line of the text report: for monitoring. */
static void render_unknown(const char *why)
{
	struct report_status status = { .state = REPORT_PLUGIN_UNKNOWN, .reason = why };

	if (report_status_text(stdout, &status) < 0 || fflush(stdout) != 0)
		log_error("writing the report: %s", strerror(EIO));
}

/* diagnose_run(); when observing fails, *ret_why (if not NULL) says why, as logged. */
static int judge_machine(struct observe_args *a, struct ruleset *rules, const char *const *extra,
			 size_t n_extra, struct observation **ret_o, struct judgement **ret_j,
			 char **ret_why)
{
	struct timespec t0;
	char **keys = NULL;
	uint32_t states;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Rules first: a broken rule file is an input error, before any observing. */
	r = rules_load_all(rules, extra, n_extra, true);
	if (r)
		return r;
	keys = ruleset_sysctl_keys(rules);
	if (!keys)
		return EXIT_OSERR;
	a->opts.extra_sysctls = (const char *const *)keys;
	/*
	 * The sockets whose holders a finding may name are recorded while
	 * counting; none named: TS_CLOSE, which a dump never holds (0 is all).
	 */
	a->opts.held_states = engine_owner_states(rules, NULL);
	if (!a->opts.held_states)
		a->opts.held_states = 1u << TS_CLOSE;
	r = observe_args_run_why(a, ret_o, ret_why);
	a->opts.extra_sysctls = NULL;
	strv_free(keys);
	if (r)
		/* Monitoring reads "could not observe" as UNKNOWN, not as an input error. */
		return r == EXIT_USAGE ? r : DIAG_UNKNOWN;
	if (engine_judge(rules, *ret_o, ret_j) < 0) {
		log_error("evaluating rules: out of memory");
		return DIAG_UNKNOWN;
	}
	/*
	 * Owners last: only the ports the findings name, then judged again with
	 * them. Reading every process's descriptors costs more than observing:
	 * the lookup gets a tenth of the time so far, and at least 20 ms: a port
	 * with one socket among a process's hundreds needs them in a small
	 * namespace, where a tenth is a millisecond (and under a sanitizer).
	 */
	states = engine_owner_states(rules, *ret_j);
	r = observe_args_owners_within(a, *ret_o, states, 1,
				       states & (1u << TS_LISTEN) ? OWNERS_FULL_LISTENERS
								  : OWNERS_NO_LISTENERS,
				       &t0, 0.1, 0.02);
	if (r)
		return DIAG_UNKNOWN;
	if (!(*ret_o)->processes)
		return 0;
	*ret_j = judgement_free(*ret_j);
	if (engine_judge(rules, *ret_o, ret_j) < 0) {
		log_error("evaluating rules: out of memory");
		return DIAG_UNKNOWN;
	}
	return 0;
}

int diagnose_run(struct observe_args *a, struct ruleset *rules, const char *const *extra,
		 size_t n_extra, struct observation **ret_o, struct judgement **ret_j)
{
	return judge_machine(a, rules, extra, n_extra, ret_o, ret_j, NULL);
}

int cmd_diagnose(int argc, char **argv)
{
	static const struct option options[] = {
		OBSERVE_LONG_OPTIONS,
		{ "rules", required_argument, NULL, 'r' },
		{ "min-severity", required_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-processes", no_argument, NULL, 'P' + 256 },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_observation_ struct observation *o = NULL;
	_cleanup_free_ const char **extra = NULL;
	_cleanup_free_ char *why = NULL;
	struct ruleset rules = { 0 };
	struct judgement *j = NULL;
	enum severity min = SEV_INFO;
	struct observe_args a;
	size_t n_extra = 0;
	bool verbose = false;
	int c, r;

	observe_args_init(&a);
	/* Findings name the process that holds a port: look owners up unless told not to. */
	a.opts.processes = true;
	extra = calloc((size_t)argc + 1, sizeof(*extra));
	if (!extra)
		return EXIT_OSERR;
	opterr = 0;
	while ((c = getopt_long(argc, argv, OBSERVE_SHORT_OPTIONS "r:vh", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case '?':
		case ':':
			return usage_error("diagnose", c, argv);
		case 'r':
			extra[n_extra++] = optarg;
			break;
		case 'm':
			min = severity_from_name(optarg);
			if (!min) {
				log_error("--min-severity: '%s' is not one of info, warning, "
					  "critical",
					  optarg);
				return EXIT_USAGE;
			}
			break;
		case 'v':
			verbose = true;
			break;
		case 'P' + 256:
			a.opts.processes = false;
			break;
		default:
			r = observe_args_parse(&a, c, optarg);
			if (r)
				return r == 1 ? EXIT_SOFTWARE : r;
		}
	}
	if (optind < argc) {
		log_error("diagnose: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}

	r = judge_machine(&a, &rules, extra, n_extra, &o, &j, &why);
	if (r == DIAG_UNKNOWN && why && a.format == FORMAT_TEXT)
		render_unknown(why);
	if (r)
		goto out;
	judgement_filter(j, min);
	r = render(o, j, a.format, verbose);
out:
	judgement_free(j);
	ruleset_free(&rules);
	free(a.cgroup);
	return r;
}
