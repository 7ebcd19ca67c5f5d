// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "format.h"
#include "netns.h"
#include "util.h"

/*
 * Every error reaches stderr here, one line each: the values it quotes
 * (keys, file contents, arguments) have their control characters escaped.
 */
void log_error(const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL, *line = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r >= 0)
		line = str_escape_controls(msg);
	fprintf(stderr, "tcptune: %s\n", line ? line : "out of memory");
}

int usage_error(const char *verb, int c, char **argv)
{
	const char *opt = argv[optind - 1];

	/* An option refused with its value as the next word: name the option, not the value. */
	if (c == '?' && optarg && optarg == opt && optind >= 2)
		opt = argv[optind - 2];
	if (c == ':')
		log_error("%s: option '%s' needs a value; see 'tcptune %s --help'", verb, opt,
			  verb);
	else
		log_error("%s: unknown option '%s'; see 'tcptune %s --help'", verb, opt, verb);
	return EXIT_USAGE;
}

int print_json_report(json_object *o)
{
	int r = report_json_print(stdout, o);

	if (r < 0) {
		log_error("writing the report: %s", strerror(-r));
		return EXIT_OSERR;
	}
	return 0;
}

int parse_format_text_json(const char *arg, enum report_format *ret)
{
	if (strcmp(arg, "text") == 0) {
		*ret = FORMAT_TEXT;
	} else if (strcmp(arg, "json") == 0) {
		*ret = FORMAT_JSON;
	} else {
		log_error("--format: '%s' is not one of text, json", arg);
		return EXIT_USAGE;
	}
	return 0;
}

int exit_code_from_errno(int r)
{
	switch (-r) {
	case ENOENT:
	case ENOTDIR:
		return EXIT_NOINPUT;
	case EACCES:
	case EPERM:
		return EXIT_NOPERM;
	case EBADMSG:
	case EINVAL:
	case ERANGE:
		return EXIT_DATAERR;
	default:
		return EXIT_OSERR;
	}
}

void observe_args_init(struct observe_args *a)
{
	*a = (struct observe_args){
		.opts = {
			.proc_root = "/proc",
			.source = OBS_SOURCE_AUTO,
			.top = 5,
		},
		.format = FORMAT_TEXT,
	};
}

static int parse_seconds(const char *s, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0.1 || v > 3600)
		return -EINVAL;
	*ret = v;
	return 0;
}

int observe_args_parse(struct observe_args *a, int opt, const char *arg)
{
	int64_t n;

	switch (opt) {
	case 'f':
		if (strcmp(arg, "text") == 0)
			a->format = FORMAT_TEXT;
		else if (strcmp(arg, "json") == 0)
			a->format = FORMAT_JSON;
		else if (strcmp(arg, "prometheus") == 0)
			a->format = FORMAT_PROMETHEUS;
		else
			goto bad;
		return 0;
	case 's':
		if (strcmp(arg, "netlink") == 0)
			a->opts.source = OBS_SOURCE_NETLINK;
		else if (strcmp(arg, "proc") == 0)
			a->opts.source = OBS_SOURCE_PROC;
		else if (strcmp(arg, "auto") == 0)
			a->opts.source = OBS_SOURCE_AUTO;
		else
			goto bad;
		return 0;
	case 't':
		if (parse_i64(arg, 0, 1000, &n) < 0)
			goto bad;
		a->opts.top = (unsigned)n;
		return 0;
	case 'p':
		a->opts.processes = true;
		return 0;
	case 'i':
		if (parse_seconds(arg, &a->interval) < 0)
			goto bad;
		return 0;
	case 'n':
		a->netns = arg;
		return 0;
	case 'N':
		if (parse_i64(arg, 1, INT32_MAX, &n) < 0)
			goto bad;
		a->netns_pid = arg;
		return 0;
	case 'P':
		a->opts.proc_root = arg;
		return 0;
	case 'S':
		a->opts.sysctl_root = arg;
		return 0;
	case 'C':
	case 'U':
		return observe_args_cgroup(a, opt, arg);
	default:
		return 1;
	}
bad:
	switch (opt) {
	case 'f':
		log_error("--format: '%s' is not one of text, json, prometheus", arg);
		break;
	case 's':
		log_error("--source: '%s' is not one of auto, netlink, proc", arg);
		break;
	case 't':
		log_error("--top: '%s' is not a number from 0 to 1000", arg);
		break;
	case 'i':
		log_error("--interval: '%s' is not a number of seconds from 0.1 to 3600", arg);
		break;
	default:
		log_error("--netns-pid: '%s' is not a process id", arg);
		break;
	}
	return EXIT_USAGE;
}

/* Says why observing failed, and keeps the first reason for the caller that asks. */
static void observe_failed(char **why, const char *msg)
{
	log_error("%s", msg);
	if (why && !*why)
		*why = strdup(msg);
}

int netns_option_resolve(const char *name, const char *pid, const char *proc_root,
			 struct netns_ref *ret, char **ret_why)
{
	_cleanup_free_ char *errmsg = NULL;
	int r;

	*ret = (struct netns_ref){ 0 };
	if (name && pid) {
		log_error("--netns and --netns-pid exclude each other");
		return EXIT_USAGE;
	}
	if (!name && !pid)
		return 0;
	r = netns_ref_resolve(name, pid, proc_root, ret, &errmsg);
	if (r == -EINVAL) {
		log_error("--netns%s: %s", name ? "" : "-pid", errmsg);
		return EXIT_USAGE;
	}
	if (r < 0) {
		observe_failed(ret_why, errmsg);
		return exit_code_from_errno(r);
	}
	return 0;
}

int netns_option_enter(const char *name, const char *pid, const char *proc_root,
		       struct netns_ref *ret, char **ret_why)
{
	_cleanup_free_ char *errmsg = NULL;
	int r;

	r = netns_option_resolve(name, pid, proc_root, ret, ret_why);
	if (r || !ret->path)
		return r;
	/* The namespace just resolved, not whatever the name was bound to since. */
	r = netns_enter_checked(ret->path, &ret->id, NULL, &errmsg);
	if (r < 0) {
		observe_failed(ret_why, errmsg);
		netns_ref_clear(ret);
		return exit_code_from_errno(r);
	}
	return 0;
}

static int observe_once(struct observe_args *a, struct observation **ret, char **why)
{
	_cleanup_free_ char *errmsg = NULL;
	int r;

	r = observe(&a->opts, ret, &errmsg);
	if (r < 0) {
		observe_failed(why, errmsg ? errmsg : strerror(-r));
		return exit_code_from_errno(r);
	}
	return 0;
}

/* A person at a terminal is told what the silence is; a log or a pipe is not. */
static void say_waiting(double interval)
{
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "tcptune: sampling counters for %g s...\n", interval);
}

int observe_args_run(struct observe_args *a, struct observation **ret)
{
	return observe_args_run_why(a, ret, NULL);
}

int observe_args_run_why(struct observe_args *a, struct observation **ret, char **ret_why)
{
	_cleanup_observation_ struct observation *first = NULL, *second = NULL;
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	struct timespec t0, t1;
	int r;

	/* A fake /proc tree means the sockets must come from it too. */
	if (strcmp(a->opts.proc_root, "/proc") != 0 && a->opts.source == OBS_SOURCE_AUTO)
		a->opts.source = OBS_SOURCE_PROC;
	r = netns_option_enter(a->netns, a->netns_pid, a->opts.proc_root, &ns, ret_why);
	if (r)
		return r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = observe_once(a, &first, ret_why);
	if (r)
		return r;
	if (a->interval > 0) {
		struct timespec d = {
			.tv_sec = (time_t)a->interval,
			.tv_nsec = (long)((a->interval - floor(a->interval)) * 1e9),
		};

		say_waiting(a->interval);
		while (nanosleep(&d, &d) < 0 && errno == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r = observe_once(a, &second, ret_why);
		if (r)
			return r;
		/* The measured gap, not the requested one: observing takes time too. */
		observation_derive_rates(second, first,
					 (double)(t1.tv_sec - t0.tv_sec) +
						 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		observation_free(TAKE_PTR(first));
		first = TAKE_PTR(second);
	}
	first->netns = TAKE_PTR(ns.path);
	*ret = TAKE_PTR(first);
	return 0;
}
