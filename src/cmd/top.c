// SPDX-License-Identifier: GPL-2.0-or-later
/* tcptune top: the live screen. report/top.c lays it out; this paints it with curses. */
#define _GNU_SOURCE
#include <curses.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "engine.h"
#include "format.h"
#include "netns.h"
#include "top.h"
#include "util.h"

#define DEFAULT_INTERVAL 2.0

static void usage(FILE *f)
{
	fputs("Usage: tcptune top [--interval SEC] [--netns NAME|PATH | --netns-pid PID]\n"
	      "                   [--cgroup PATH | --unit NAME] [-r FILE]... [-s SOURCE]\n"
	      "                   [--proc-root DIR] [--sysctl-root DIR]\n"
	      "\n"
	      "A live screen of the TCP states (count, change, history), the counters that\n"
	      "say connections are dropped or lost (per second), the busiest ports and the\n"
	      "fullest accept queues, and the findings of the rules, refreshed every interval.\n"
	      "\n"
	      "  -i, --interval SEC   seconds between snapshots (default 2; 0.5 to 60)\n"
	      "  -r, --rules FILE     also these rules (repeatable)\n"
	      "  -s, --source SRC     auto (default), netlink or proc\n"
	      "  -t, --top N          busiest ports kept per state (default 5)\n"
	      "  -p, --processes      start with the owner lookup on (key p)\n"
	      "      --netns NAME     watch the network namespace /run/netns/NAME (or a path)\n"
	      "      --netns-pid PID  watch the network namespace of process PID\n"
	      "      --cgroup PATH    only the sockets of this cgroup (under cgroup2)\n"
	      "      --unit NAME      only the sockets of this systemd unit\n"
	      "      --proc-root DIR  observe DIR instead of /proc\n"
	      "      --sysctl-root DIR  read sysctls from DIR\n"
	      "\n"
	      "Keys: q quit, p owners on/off, s sort the ports, f focus one state, + - the\n"
	      "interval, ? help. Without a terminal it refuses (exit 64): scripts want\n"
	      "'tcptune stats' or 'tcptune diagnose'. NO_COLOR or TERM=dumb: no colours.\n"
	      "\n"
	      "Exit status: 0 quit with q; 64 usage or no terminal; 65 a rule file that does not\n"
	      "validate; 66 no such namespace; 77 not permitted.\n",
	      f);
}

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

struct top_run {
	struct observe_args a;
	struct ruleset rules;
	struct top_model m;
	struct observation *cur, *prev; /* the model borrows cur */
	double taken;			/* CLOCK_MONOTONIC of cur */
	bool colors;
};

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One snapshot, its rates against the last, the rules, the owners when asked. */
static void snapshot(struct top_run *t)
{
	_cleanup_free_ char *errmsg = NULL;
	struct observation *o = NULL;
	struct judgement *j = NULL;
	double at = monotonic();
	struct timespec started;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &started);

	/* The sockets' inodes are kept only when owners are to be looked up. */
	t->a.opts.processes = t->m.owners;
	r = observe(&t->a.opts, &o, &errmsg);
	if (r < 0) {
		/* The last screen stays; the status bar says why it is not refreshed. */
		snprintf(t->m.status, sizeof(t->m.status), " snapshot failed: %s",
			 errmsg ? errmsg : strerror(-r));
		return;
	}
	if (t->cur)
		observation_derive_rates(o, t->cur, at - t->taken);
	/* As stats -p: in at most half the time observing took; a note says when cut short. */
	if (t->m.owners)
		(void)observe_args_owners_within(&t->a, o, ~0u, 0, OWNERS_ALL_LISTENERS, &started,
						 0.5, 0.01);
	if (engine_judge(&t->rules, o, &j) < 0) {
		observation_free(o);
		snprintf(t->m.status, sizeof(t->m.status), " evaluating the rules: out of memory");
		return;
	}
	if (top_model_update(&t->m, o, j, (double)time(NULL)) < 0)
		snprintf(t->m.status, sizeof(t->m.status), " out of memory");
	judgement_free(j);
	observation_free(t->prev);
	t->prev = t->cur;
	t->cur = o;
	t->taken = at;
}

/* ---- painting ---- */

enum { PAIR_RED = 1, PAIR_YELLOW, PAIR_CYAN };

static attr_t curses_attr(const struct top_run *t, enum top_attr a)
{
	bool c = t->colors;

	switch (a) {
	case TOP_TITLE:
		return A_REVERSE;
	case TOP_HEAD:
		return A_BOLD;
	case TOP_HOT:
		return c ? COLOR_PAIR(PAIR_YELLOW) | A_BOLD : A_BOLD;
	case TOP_CRIT:
		return c ? COLOR_PAIR(PAIR_RED) | A_BOLD : A_BOLD | A_UNDERLINE;
	case TOP_WARN:
		return c ? COLOR_PAIR(PAIR_YELLOW) : A_BOLD;
	case TOP_INFO:
		return c ? COLOR_PAIR(PAIR_CYAN) : A_NORMAL;
	case TOP_DIM:
		return A_DIM;
	case TOP_FOCUS:
		return A_BOLD | A_UNDERLINE;
	case TOP_ERROR:
		return c ? COLOR_PAIR(PAIR_RED) | A_REVERSE | A_BOLD : A_REVERSE | A_BOLD;
	default:
		return A_NORMAL;
	}
}

static void paint(struct top_run *t)
{
	struct top_grid g;
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	if (top_grid_init(&g, rows, cols) < 0)
		return;
	top_render(&t->m, &g);
	erase();
	for (int r = 0; r < g.rows; r++)
		for (int c = 0; c < g.cols; c++) {
			const struct top_cell *cell =
				&g.cells[(size_t)r * (size_t)g.cols + (size_t)c];
			char ch[5] = " ";

			if (cell->len)
				memcpy(ch, cell->ch, cell->len), ch[cell->len] = '\0';
			attrset(curses_attr(t, (enum top_attr)cell->attr));
			/* The last cell of the screen scrolls with some curses: leave it. */
			if (r < g.rows - 1 || c < g.cols - 1)
				mvaddstr(r, c, ch);
		}
	attrset(A_NORMAL);
	refresh();
	top_grid_free(&g);
}

static void curses_start(struct top_run *t)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	setlocale(LC_ALL, "");
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	t->colors = has_colors() && !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));
	if (t->colors) {
		start_color();
		use_default_colors();
		init_pair(PAIR_RED, COLOR_RED, -1);
		init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
		init_pair(PAIR_CYAN, COLOR_CYAN, -1);
	}
}

/* ---- keys ---- */

static const double intervals[] = { 0.5, 1, 2, 5, 10, 30, 60 };

static double next_interval(double now, int dir)
{
	size_t i = 0;

	while (i + 1 < ARRAY_SIZE(intervals) && intervals[i] < now - 1e-9)
		i++;
	if (dir > 0 && intervals[i] <= now + 1e-9 && i + 1 < ARRAY_SIZE(intervals))
		i++;
	else if (dir < 0 && i > 0)
		i--;
	return intervals[i];
}

/* Handles a key; returns true when the screen needs a new snapshot now. */
static bool key(struct top_run *t, int ch, bool *quit)
{
	struct top_model *m = &t->m;

	if (m->help && ch != KEY_RESIZE && ch != ERR) {
		m->help = false;
		return false;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		*quit = true;
		return false;
	case 'p':
		m->owners = !m->owners;
		return m->owners;
	case 's':
		m->sort = (m->sort + 1) % TOP_SORT_N;
		return false;
	case 'f':
		/* All, then each state that has ports, in order. */
		do
			m->focus = (m->focus + 1) % TS_MAX;
		while (m->focus == TS_LISTEN || m->focus == TS_CLOSE);
		return false;
	case '+':
		m->interval = next_interval(m->interval, +1);
		return false;
	case '-':
		m->interval = next_interval(m->interval, -1);
		return false;
	case '?':
		m->help = true;
		return false;
	default:
		return false;
	}
}

static int loop(struct top_run *t)
{
	double due = 0;
	bool quit = false;

	while (!quit && !stop_signal) {
		double now = monotonic();
		int ch;

		if (now >= due) {
			snapshot(t);
			due = monotonic() + t->m.interval;
		}
		paint(t);
		timeout((int)fmax(0, ceil((due - monotonic()) * 1000)));
		ch = getch();
		if (key(t, ch, &quit))
			due = 0;
	}
	return stop_signal ? 128 + stop_signal : 0;
}

/* ---- the command ---- */

static int parse(int argc, char **argv, struct top_run *t, const char **extra, size_t *n_extra)
{
	/* The observing options but --format: top draws a screen. */
	static const struct option options[] = {
		{ "source", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 't' },
		{ "processes", no_argument, NULL, 'p' },
		{ "interval", required_argument, NULL, 'i' },
		{ "netns", required_argument, NULL, 'n' },
		{ "netns-pid", required_argument, NULL, 'N' },
		{ "cgroup", required_argument, NULL, 'C' },
		{ "unit", required_argument, NULL, 'U' },
		{ "proc-root", required_argument, NULL, 'P' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "rules", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:t:pi:r:h", options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return -1;
		case 'r':
			extra[(*n_extra)++] = optarg;
			break;
		case '?':
		case ':':
			return usage_error("top", c, argv);
		default:
			r = observe_args_parse(&t->a, c, optarg);
			if (r)
				return r == 1 ? usage_error("top", '?', argv) : r;
		}
	}
	if (optind < argc) {
		log_error("top: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (t->a.interval == 0)
		t->a.interval = DEFAULT_INTERVAL;
	if (t->a.interval < 0.5 || t->a.interval > 60) {
		log_error("--interval: top refreshes every 0.5 to 60 s");
		return EXIT_USAGE;
	}
	return 0;
}

/* Rules, the namespace, the sysctls the rules read: what every snapshot needs. */
static int prepare(struct top_run *t, const char *const *extra, size_t n_extra, char ***keys,
		   struct netns_ref *ns)
{
	int r = rules_load_all(&t->rules, extra, n_extra, true);

	if (r)
		return r;
	*keys = ruleset_sysctl_keys(&t->rules);
	if (!*keys)
		return EXIT_OSERR;
	t->a.opts.extra_sysctls = (const char *const *)*keys;
	/* A fake /proc tree means the sockets must come from it too. */
	if (strcmp(t->a.opts.proc_root, "/proc") != 0 && t->a.opts.source == OBS_SOURCE_AUTO)
		t->a.opts.source = OBS_SOURCE_PROC;
	r = netns_option_enter(t->a.netns, t->a.netns_pid, t->a.opts.proc_root, ns, NULL);
	if (r)
		return r;
	t->m.where = ns->given;
	return 0;
}

int cmd_top(int argc, char **argv)
{
	_cleanup_free_ const char **extra = calloc((size_t)argc + 1, sizeof(*extra));
	_cleanup_(netns_ref_clear) struct netns_ref ns = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct top_run t = { 0 };
	char **keys = NULL;
	size_t n_extra = 0;
	int r;

	if (!extra)
		return EXIT_OSERR;
	observe_args_init(&t.a);
	r = parse(argc, argv, &t, extra, &n_extra);
	if (r)
		return r < 0 ? 0 : r;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		log_error("top: needs a terminal; for a log or a pipe, use 'tcptune stats "
			  "--interval SEC' or 'tcptune diagnose --format json'");
		return EXIT_USAGE;
	}
	top_model_init(&t.m, t.a.interval, report_env_unicode());
	t.m.owners = t.a.opts.processes;
	r = prepare(&t, extra, n_extra, &keys, &ns);
	if (r == 0) {
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		curses_start(&t);
		r = loop(&t);
		endwin();
	}
	top_model_free(&t.m);
	observation_free(t.cur);
	observation_free(t.prev);
	ruleset_free(&t.rules);
	strv_free(keys);
	return r;
}
