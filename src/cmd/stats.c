// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "cmd.h"
#include "format.h"
#include "owners.h"
#include "report.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune stats [-p] [-f text|json|prometheus] [-i SEC] [-s "
	      "auto|netlink|proc]\n"
	      "                     [-t N] [--netns NAME|PATH | --netns-pid PID]\n"
	      "                     [--cgroup PATH | --unit NAME] [--proc-root DIR] [--sysctl-root "
	      "DIR]\n"
	      "\n"
	      "Report one snapshot of the machine's TCP sockets, kernel counters and sysctls.\n"
	      "\n"
	      "  -f, --format FMT     text (default), json or prometheus\n"
	      "  -s, --source SRC     auto (default: netlink, else /proc/net/tcp), netlink, proc\n"
	      "  -t, --top N          busiest local ports shown per state (default 5, 0-1000)\n"
	      "  -p, --processes      name the process holding each top port and listener\n"
	      "  -i, --interval SEC   take two snapshots SEC apart and report counter rates\n"
	      "      --netns NAME     observe the network namespace /run/netns/NAME (or a path)\n"
	      "      --netns-pid PID  observe the network namespace of process PID\n"
	      "      --proc-root DIR  read /proc files from DIR (implies --source proc)\n"
	      "      --sysctl-root DIR  read sysctls from DIR (default: PROC-ROOT/sys)\n"
	      "      --cgroup PATH    only the sockets of this cgroup (under the cgroup2 mount)\n"
	      "      --unit NAME      only the sockets of this systemd unit or scope's cgroup\n"
	      "  -h, --help           show this help\n",
	      f);
}

int observe_args_cgroup(struct observe_args *a, int opt, const char *arg)
{
	_cleanup_free_ char *root = NULL, *path = NULL, *why = NULL;
	const char *name = opt == 'C' ? "--cgroup" : "--unit";
	int r;

	if (a->cgroup) {
		log_error("%s: only one --cgroup or --unit", name);
		return EXIT_USAGE;
	}
	r = cgroup_find_mount("/proc/self/mountinfo", &root);
	if (r < 0) {
		log_error("%s: no cgroup v2 hierarchy is mounted (/proc/self/mountinfo)", name);
		return EXIT_NOINPUT;
	}
	if (opt == 'U') {
		r = cgroup_find_unit(root, arg, &path, &why);
		if (r < 0) {
			log_error("--unit: %s", why ? why : strerror(-r));
			return r == -ENOENT ? EXIT_NOINPUT : EXIT_USAGE;
		}
	} else {
		path = strdup(arg);
		if (!path)
			return EXIT_OSERR;
	}
	r = cgroup_id_of(root, path, &a->opts.cgroup_id);
	if (r < 0) {
		log_error("%s: '%s' is not a cgroup under %s: %s", name, arg, root, strerror(-r));
		return r == -EINVAL ? EXIT_USAGE : EXIT_NOINPUT;
	}
	a->cgroup = TAKE_PTR(path);
	return 0;
}

static int owners(const struct observe_args *a, struct observation *o, const struct owner_wants *w)
{
	int r;

	if (a->cgroup && !o->cgroup && !(o->cgroup = strdup(a->cgroup)))
		return EXIT_OSERR;
	if (!a->opts.processes)
		return 0;
	r = owners_lookup(a->opts.proc_root, w, o, NULL);
	if (r < 0) {
		log_error("looking up socket owners: %s", strerror(-r));
		return EXIT_OSERR;
	}
	return 0;
}

int observe_args_owners(const struct observe_args *a, struct observation *o, uint32_t states,
			unsigned ports, bool listeners)
{
	struct owner_wants w = { .states = states,
				 .ports = ports,
				 .listeners =
					 listeners ? OWNERS_ALL_LISTENERS : OWNERS_NO_LISTENERS };

	return owners(a, o, &w);
}

int observe_args_owners_within(const struct observe_args *a, struct observation *o, uint32_t states,
			       unsigned ports, enum owner_listeners listeners,
			       const struct timespec *started, double share, double floor)
{
	struct owner_wants w = { .states = states, .ports = ports, .listeners = listeners };
	struct timespec now;

	/* The time observing took, but --interval's wait. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	w.seconds = share * ((double)(now.tv_sec - started->tv_sec) +
			     (double)(now.tv_nsec - started->tv_nsec) / 1e9 - a->interval);
	if (w.seconds < floor)
		w.seconds = floor;
	return owners(a, o, &w);
}

/* Bars and colours only for a person at a UTF-8 terminal. */
struct report_text_opts report_text_opts_from_env(void)
{
	struct report_text_opts t = { .width = 80 };

	t.unicode = report_env_unicode();
	t.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	return t;
}

int report_observation(const struct observation *o, enum report_format format)
{
	struct report_text_opts t;
	int r;

	switch (format) {
	case FORMAT_JSON:
		r = report_stats_json(stdout, o);
		break;
	case FORMAT_PROMETHEUS:
		r = report_stats_prom(stdout, o, sysconf(_SC_PAGESIZE));
		break;
	default:
		t = report_text_opts_from_env();
		r = report_stats_text(stdout, o, &t);
		break;
	}
	if (r == 0 && fflush(stdout) != 0)
		r = -EIO;
	if (r < 0) {
		log_error("writing the report: %s", strerror(-r));
		return EXIT_OSERR;
	}
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	static const struct option options[] = {
		OBSERVE_LONG_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_observation_ struct observation *o = NULL;
	struct observe_args a;
	struct timespec t0;
	int c, r;

	observe_args_init(&a);
	opterr = 0;
	while ((c = getopt_long(argc, argv, OBSERVE_SHORT_OPTIONS "h", options, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 0;
		}
		if (c == '?' || c == ':')
			return usage_error("stats", c, argv);
		r = observe_args_parse(&a, c, optarg);
		if (r)
			return r == 1 ? EXIT_SOFTWARE : r;
	}
	if (optind < argc) {
		log_error("stats: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = observe_args_run(&a, &o);
	/* With -p: the holders of every port and listener shown, in less than observing took. */
	if (r == 0)
		r = observe_args_owners_within(&a, o, ~0u, 0, OWNERS_ALL_LISTENERS, &t0, 0.5, 0.01);
	if (r == 0)
		r = report_observation(o, a.format);
	free(a.cgroup);
	return r;
}
