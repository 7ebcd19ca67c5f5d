// SPDX-License-Identifier: GPL-2.0-or-later
/* tcptune top's model and layout: snapshots in, a grid of cells out (see top.h). */
#define _GNU_SOURCE
#include "top.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

/* ---- the model ---- */

const char *top_sort_name(enum top_sort s)
{
	static const char *const names[] = { "count", "port", "state" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "?";
}

void top_model_init(struct top_model *m, double interval, bool unicode)
{
	*m = (struct top_model){ .interval = interval, .unicode = unicode };
}

static void finding_clear(struct top_finding *f)
{
	free(f->id);
	free(f->summary);
}

void top_model_free(struct top_model *m)
{
	for (size_t i = 0; i < m->n_findings; i++)
		finding_clear(&m->findings[i]);
	free(m->findings);
	m->findings = NULL;
	m->n_findings = 0;
}

static struct top_finding *find_id(struct top_finding *list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].id, id) == 0)
			return &list[i];
	return NULL;
}

/* Newest first, then the more severe, then by id: a stable screen. */
static int cmp_finding(const void *a, const void *b)
{
	const struct top_finding *x = a, *y = b;
	double tx = x->cleared ? x->cleared : x->since, ty = y->cleared ? y->cleared : y->since;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	return strcmp(x->id, y->id);
}

/* The findings now: j's (kept from before where they were there), and the recently cleared. */
static int merge_findings(struct top_model *m, const struct judgement *j, double now)
{
	struct top_finding *next = calloc(j->n_findings + m->n_findings + 1, sizeof(*next));
	size_t n = 0;

	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < j->n_findings; i++) {
		const struct finding *f = &j->findings[i];
		struct top_finding *old = find_id(m->findings, m->n_findings, f->rule->id);
		struct top_finding *t = &next[n++];

		t->id = strdup(f->rule->id);
		t->summary = strdup(f->summary ? f->summary : "");
		t->severity = f->rule->severity;
		/* One that had cleared and comes back is new again. */
		t->since = old && !old->cleared ? old->since : now;
		t->refreshes = old && !old->cleared ? old->refreshes + 1 : 0;
		if (!t->id || !t->summary) {
			for (size_t k = 0; k < n; k++)
				finding_clear(&next[k]);
			free(next);
			return -ENOMEM;
		}
	}
	for (size_t i = 0; i < m->n_findings; i++) {
		struct top_finding *old = &m->findings[i];

		if (find_id(next, n, old->id) ||
		    (old->cleared && old->refreshes + 1 >= TOP_CLEARED_REFRESHES))
			continue;
		next[n] = *old;
		next[n].cleared = old->cleared ? old->cleared : now;
		next[n].refreshes = old->cleared ? old->refreshes + 1 : 0;
		old->id = old->summary = NULL; /* moved */
		n++;
	}
	top_model_free(m);
	qsort(next, n, sizeof(*next), cmp_finding);
	m->findings = next;
	m->n_findings = n;
	return 0;
}

int top_model_update(struct top_model *m, const struct observation *o, const struct judgement *j,
		     double now)
{
	for (int s = 1; s < TS_MAX; s++) {
		uint64_t v = observation_state_total(o, (enum tcp_state)s);

		m->delta[s] = m->refreshes ? (int64_t)v - (int64_t)m->count[s] : 0;
		m->count[s] = v;
		top_ring_push(&m->history[s], v);
	}
	m->o = o;
	m->now = now;
	m->refreshes++;
	m->n_rules = j ? j->n_evaluated : 0;
	m->status[0] = '\0';
	return j ? merge_findings(m, j, now) : 0;
}

/* ---- the layout ---- */

/* The counters shown as rates: what says connections are dropped, refused or lost. */
static const struct {
	const char *label, *name;
} rates[] = {
	{ "ListenOverflows", "TcpExt.ListenOverflows" },
	{ "ListenDrops", "TcpExt.ListenDrops" },
	{ "SyncookiesSent", "TcpExt.SyncookiesSent" },
	{ "TWOverflow", "TcpExt.TCPTimeWaitOverflow" },
	{ "RetransSegs", "Tcp.RetransSegs" },
	{ "OutRsts", "Tcp.OutRsts" },
	{ "EstabResets", "Tcp.EstabResets" },
	{ "ActiveOpens", "Tcp.ActiveOpens" },
	{ "PassiveOpens", "Tcp.PassiveOpens" },
};

/* The states in the order a connection goes through them. */
static const enum tcp_state shown_states[] = {
	TS_ESTABLISHED, TS_SYN_SENT, TS_SYN_RECV, TS_FIN_WAIT1, TS_FIN_WAIT2, TS_TIME_WAIT,
	TS_CLOSE_WAIT,	TS_LAST_ACK, TS_CLOSING,  TS_LISTEN,	TS_CLOSE,
};

/* The names ss(8) shows: what operators read. */
static const char *state_label(int s)
{
	static const char *const labels[TS_MAX] = {
		[TS_ESTABLISHED] = "ESTAB",    [TS_SYN_SENT] = "SYN-SENT",
		[TS_SYN_RECV] = "SYN-RECV",    [TS_FIN_WAIT1] = "FIN-WAIT-1",
		[TS_FIN_WAIT2] = "FIN-WAIT-2", [TS_TIME_WAIT] = "TIME-WAIT",
		[TS_CLOSE] = "CLOSE",	       [TS_CLOSE_WAIT] = "CLOSE-WAIT",
		[TS_LAST_ACK] = "LAST-ACK",    [TS_LISTEN] = "LISTEN",
		[TS_CLOSING] = "CLOSING",
	};

	return s > 0 && s < TS_MAX ? labels[s] : "?";
}

static int ceil_div(int a, int b)
{
	return (a + b - 1) / b;
}

/* The states, ncol to a row: name, count, change since the last refresh, sparkline. */
static int render_states(const struct top_model *m, struct top_grid *g, int row)
{
	int n = (int)ARRAY_SIZE(shown_states), ncol = g->cols >= 180 ? 4 : g->cols >= 120 ? 3 : 2;
	int colw = g->cols / ncol, spark = colw - 33;

	for (int i = 0; i < n; i++) {
		enum tcp_state s = shown_states[i];
		int r = row + i % ceil_div(n, ncol), c = (i / ceil_div(n, ncol)) * colw;
		char num[32], delta[32], line[64], sp[TOP_HISTORY * 3 + 1];
		enum top_attr attr = m->focus == (int)s ? TOP_FOCUS : TOP_NORMAL;

		snprintf(delta, sizeof(delta), "%+lld", (long long)m->delta[s]);
		snprintf(line, sizeof(line), "%-11s %11s %8s ", state_label(s),
			 top_grouped(m->count[s], num, sizeof(num)), m->delta[s] ? delta : "");
		top_put(g, r, c, colw, line, attr);
		if (spark > 0)
			top_put(g, r, c + 32, spark,
				top_sparkline(&m->history[s],
					      (size_t)(spark > TOP_HISTORY ? TOP_HISTORY : spark),
					      m->unicode, sp, sizeof(sp)),
				m->delta[s] ? TOP_HOT : TOP_NORMAL);
	}
	return row + ceil_div(n, ncol);
}

/* The counters as per-second rates, a moving one hot; "-" before two snapshots. */
static int render_rates(const struct top_model *m, struct top_grid *g, int row)
{
	int n = (int)ARRAY_SIZE(rates), per = g->cols / 26 > 0 ? g->cols / 26 : 1;

	top_put(g, row, 0, g->cols, "per second", TOP_HEAD);
	row++;
	for (int i = 0; i < n; i++) {
		const struct counter *k = m->o ? observation_counter(m->o, rates[i].name) : NULL;
		bool known = k && m->o->interval > 0;
		char v[32], cell[48];

		if (known)
			snprintf(v, sizeof(v), k->rate >= 10 || k->rate == 0 ? "%.0f" : "%.1f",
				 k->rate);
		snprintf(cell, sizeof(cell), "%-15s %8s", rates[i].label, known ? v : "-");
		top_put(g, row + i / per, (i % per) * 26, 26, cell,
			known && k->rate > 0 ? TOP_HOT : TOP_NORMAL);
	}
	return row + ceil_div(n, per);
}

struct port_row {
	enum tcp_state state;
	const struct port_count *p;
};

static int cmp_count(const void *a, const void *b)
{
	const struct port_row *x = a, *y = b;

	if (x->p->count != y->p->count)
		return x->p->count < y->p->count ? 1 : -1;
	return x->p->port - y->p->port;
}

static int cmp_port(const void *a, const void *b)
{
	const struct port_row *x = a, *y = b;

	if (x->p->port != y->p->port)
		return x->p->port - y->p->port;
	return (int)x->state - (int)y->state;
}

static int cmp_state(const void *a, const void *b)
{
	const struct port_row *x = a, *y = b;

	if (x->state != y->state)
		return (int)x->state - (int)y->state;
	return cmp_count(a, b);
}

/* Who holds a port, as far as the lookup went: "nginx.service", "nginx (1234) +2". */
static void owner_text(const struct port_count *p, char *buf, size_t size)
{
	const struct owner_set *w = &p->owners;
	size_t more = w->n_more + (w->n_pids > 1 ? w->n_pids - 1 : 0);
	char extra[24] = "";

	if (more)
		snprintf(extra, sizeof(extra), " +%zu", more);
	if (w->service)
		snprintf(buf, size, "%s%s", w->service, extra);
	else if (p->comm && p->pid > 0)
		snprintf(buf, size, "%s (%d)%s", p->comm, p->pid, extra);
	else
		snprintf(buf, size, "%s", w->looked ? "?" : "");
}

/* The busiest ports of every state (or the one in focus), sorted as chosen. */
static void render_ports(const struct top_model *m, struct top_grid *g, int row, int rows,
			 int width)
{
	static int (*const cmp[])(const void *, const void *) = { cmp_count, cmp_port, cmp_state };
	_cleanup_free_ struct port_row *list = NULL;
	size_t n = 0, all = 0;

	top_put(g, row, 0, width, " PORT ROLE    STATE           COUNT  HELD BY", TOP_HEAD);
	/* Every kept port (up to --top per state), so that the sort sees them all. */
	for (int s = 1; m->o && s < TS_MAX; s++)
		all += m->o->top[s].n;
	list = calloc(all + 1, sizeof(*list));
	if (!list)
		return;
	for (int s = 1; m->o && s < TS_MAX; s++)
		for (size_t i = 0; i < m->o->top[s].n; i++)
			if (!m->focus || m->focus == s)
				list[n++] = (struct port_row){ s, &m->o->top[s].ports[i] };
	qsort(list, n, sizeof(*list), cmp[m->sort]);
	for (int i = 0; i < rows - 1 && (size_t)i < n; i++) {
		const struct port_count *p = list[i].p;
		char num[32], who[96], cut[96], line[64];
		int c;

		snprintf(line, sizeof(line), "%5u %-7s %-11s %9s  ", p->port,
			 p->server ? "server" : "client", state_label(list[i].state),
			 top_grouped(p->count, num, sizeof(num)));
		c = top_put(g, row + 1 + i, 0, width, line, TOP_NORMAL);
		owner_text(p, who, sizeof(who));
		/* TIME_WAIT sockets belong to the kernel alone. */
		if (m->owners && c < width && list[i].state != TS_TIME_WAIT)
			top_put(g, row + 1 + i, c, width - c,
				top_fit(who, (size_t)(width - c), m->unicode, cut, sizeof(cut)),
				TOP_NORMAL);
	}
}

/* "[::1]:8080", "*:80" for a wildcard. */
static void endpoint(const struct listener *l, char *buf, size_t size)
{
	static const uint8_t zero[16];
	char a[INET6_ADDRSTRLEN] = "?";
	bool any = memcmp(l->addr, zero, l->family == AF_INET6 ? 16 : 4) == 0;

	inet_ntop(l->family, l->addr, a, sizeof(a));
	if (any)
		snprintf(buf, size, "*:%u", l->port);
	else
		snprintf(buf, size, l->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, l->port);
}

static double fill(const struct listener *l)
{
	return l->backlog > 0 ? (double)l->queue / (double)l->backlog : 0;
}

/* The listeners whose accept queues are fullest. */
static void render_listeners(const struct top_model *m, struct top_grid *g, int row, int rows,
			     int col)
{
	int width = g->cols - col;
	size_t n = m->o ? m->o->n_listeners : 0, prev = SIZE_MAX;

	top_put(g, row, col, width, "LISTENER           QUEUE  FILL", TOP_HEAD);
	for (int i = 0; i < rows - 1; i++) {
		const struct listener *best = NULL;
		size_t bi = SIZE_MAX;
		char ep[64], line[128];

		/*
		 * Selection, not a sort, over the whole list: the next fullest after the
		 * one shown before (fill down, then index up), a few rows of a long list.
		 */
		for (size_t k = 0; k < n; k++) {
			const struct listener *l = &m->o->listeners[k];

			if (prev != SIZE_MAX &&
			    (fill(l) > fill(&m->o->listeners[prev]) ||
			     (fill(l) == fill(&m->o->listeners[prev]) && k <= prev)))
				continue;
			if (!best || fill(l) > fill(best)) {
				best = l;
				bi = k;
			}
		}
		if (!best)
			break;
		prev = bi;
		endpoint(best, ep, sizeof(ep));
		/* A long address keeps its end, where the port is. */
		snprintf(line, sizeof(line), "%s%-*s %6u %4.0f%%",
			 top_text_cols(ep) > 17 ? (m->unicode ? "\u2026" : "~") : "",
			 top_text_cols(ep) > 17 ? 16 : 17,
			 top_text_cols(ep) > 17 ? ep + strlen(ep) - 16 : ep, best->queue,
			 100.0 * fill(best));
		top_put(g, row + 1 + i, col, width, line,
			fill(best) >= 0.9 ? TOP_CRIT : TOP_NORMAL);
	}
}

static enum top_attr severity_attr(enum severity s)
{
	return s == SEV_CRITICAL ? TOP_CRIT : s == SEV_WARNING ? TOP_WARN : TOP_INFO;
}

/* The findings, newest first: "+" just appeared, "-" cleared (dimmed). */
static void render_findings(const struct top_model *m, struct top_grid *g, int row, int rows)
{
	char head[96];

	snprintf(head, sizeof(head), "findings: %zu (%zu rules evaluated)", m->n_findings,
		 m->n_rules);
	top_put(g, row, 0, g->cols, head, TOP_HEAD);
	for (int i = 0; i < rows - 1 && (size_t)i < m->n_findings; i++) {
		const struct top_finding *f = &m->findings[i];
		bool fresh = !f->cleared && f->refreshes == 0 && m->refreshes > 1;
		char lead[64], text[512];
		int c;

		snprintf(lead, sizeof(lead), "%c %-8s %-26s ",
			 f->cleared ? '-'
			 : fresh    ? '+'
				    : ' ',
			 f->cleared ? "cleared" : severity_name(f->severity), f->id);
		c = top_put(g, row + 1 + i, 0, g->cols, lead,
			    f->cleared ? TOP_DIM
			    : fresh    ? TOP_HOT
				       : severity_attr(f->severity));
		if (c < g->cols)
			top_put(g, row + 1 + i, c, g->cols - c,
				top_fit(f->summary, (size_t)(g->cols - c), m->unicode, text,
					sizeof(text)),
				f->cleared ? TOP_DIM : TOP_NORMAL);
	}
}

static void render_help(const struct top_model *m, struct top_grid *g)
{
	static const char *const keys[] = {
		"q        quit",
		"p        look up who holds the busiest ports (process, service): costs a scan",
		"s        sort the ports by count, port or state",
		"f        show one state's ports alone, each state in turn, then all",
		"+ -      refresh less or more often",
		"?        this help; any key returns",
	};
	char line[256];

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		top_put(g, 2 + (int)i, 2, g->cols - 2,
			top_fit(keys[i], (size_t)(g->cols - 2), m->unicode, line, sizeof(line)),
			TOP_NORMAL);
}

void top_render(const struct top_model *m, struct top_grid *g)
{
	char left[256], right[64], when[16] = "", iv[16];
	time_t t = (time_t)m->now;
	struct tm tm;
	int row, rest, table;

	memset(g->cells, 0, (size_t)g->rows * (size_t)g->cols * sizeof(*g->cells));
	if (g->rows < 1 || g->cols < 1)
		return;
	if (m->now > 0 && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(iv, sizeof(iv), "%g s", m->interval);
	snprintf(left, sizeof(left), " tcptune top  %s%s%severy %s  %s", m->where ? "netns " : "",
		 m->where ? m->where : "", m->where ? "  " : "", iv, when);
	snprintf(right, sizeof(right), "? keys  q quit ");
	top_bar(g, 0, left, right, TOP_TITLE);
	if (m->status[0])
		top_bar(g, g->rows - 1, m->status, "", TOP_ERROR);
	else {
		snprintf(left, sizeof(left), " sort: %s  focus: %s  owners: %s",
			 top_sort_name(m->sort), m->focus ? state_label(m->focus) : "all",
			 m->owners ? "on" : "off (p)");
		top_bar(g, g->rows - 1, left, "", TOP_TITLE);
	}
	if (m->help) {
		render_help(m, g);
		return;
	}
	row = render_states(m, g, 1);
	row = render_rates(m, g, row);
	/* What is left goes to the tables and the findings, the findings at least 3 rows. */
	rest = g->rows - 1 - row;
	table = rest >= 8 ? (rest - 1) / 2 : rest - 3;
	if (table >= 2) {
		int split = g->cols >= 100 ? g->cols - 40 : g->cols - 31;

		render_ports(m, g, row, table, split - 1);
		render_listeners(m, g, row, table, split);
		row += table;
	}
	if (g->rows - 1 - row >= 1)
		render_findings(m, g, row, g->rows - 1 - row);
}
