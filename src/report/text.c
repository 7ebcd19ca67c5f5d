// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "textflow.h"
#include "util.h"

#define DEFAULT_WIDTH 80
#define BAR_MAX 40
#define BAR_MIN 8
#define PORTS_PER_STATE 5
#define COUNTER_NAME_W 20

/* The counters worth a look when diagnosing, in the order they are shown. */
static const char *const diag_counters[] = {
	"Tcp.ActiveOpens",
	"Tcp.PassiveOpens",
	"Tcp.AttemptFails",
	"Tcp.EstabResets",
	"Tcp.RetransSegs",
	"Tcp.InErrs",
	"Tcp.OutRsts",
	"TcpExt.ListenOverflows",
	"TcpExt.ListenDrops",
	"TcpExt.SyncookiesSent",
	"TcpExt.SyncookiesRecv",
	"TcpExt.SyncookiesFailed",
	"TcpExt.TCPReqQFullDrop",
	"TcpExt.TCPReqQFullDoCookies",
	"TcpExt.TCPTimeWaitOverflow",
	"TcpExt.TCPAbortOnMemory",
	"TcpExt.TCPAbortOnTimeout",
	"TcpExt.TCPAbortOnClose",
	"TcpExt.TCPAbortOnData",
	"TcpExt.TW",
	"TcpExt.TWRecycled",
	"TcpExt.TWKilled",
};

static void format_rate(char *buf, size_t size, double rate)
{
	if (isnan(rate))
		snprintf(buf, size, "?/s");
	else
		snprintf(buf, size, rate >= 100 ? "%.0f/s" : "%.2f/s", rate);
}

static void put_header(const struct text *t, const struct observation *o)
{
	char when[64] = "", kernel[128], from[64];
	time_t secs = (time_t)o->timestamp;
	struct flow fl;
	struct tm tm;

	if (o->timestamp > 0 && localtime_r(&secs, &tm))
		strftime(when, sizeof(when), "at %Y-%m-%d %H:%M:%S %Z", &tm);
	snprintf(from, sizeof(from), "from %s", o->source ? o->source : "?");
	snprintf(kernel, sizeof(kernel), "kernel %s", o->kernel_release ? o->kernel_release : "?");
	fprintf(t->f, "%s", bold(t));
	text_flow_start(&fl, t, "TCP sockets", "  ", " ");
	fprintf(t->f, "%s", reset(t));
	text_flow_word(&fl, from, (int)strlen(from));
	fl.sep = ", ";
	if (o->netns) {
		text_flow_word(&fl, "namespace", 9);
		fl.sep = " ";
		text_flow_word(&fl, o->netns, (int)strlen(o->netns));
		fl.sep = ", ";
	} else {
		text_flow_word(&fl, "own namespace", 13);
	}
	if (o->cgroup) {
		fl.sep = ", ";
		text_flow_word(&fl, "cgroup", 6);
		fl.sep = " ";
		text_flow_word(&fl, o->cgroup, (int)strlen(o->cgroup));
		fl.sep = ", ";
	}
	text_flow_word(&fl, kernel, (int)strlen(kernel));
	if (when[0])
		text_flow_word(&fl, when, (int)strlen(when));
	text_flow_end(&fl);
}

static void put_bar(const struct text *t, uint64_t v, uint64_t max, int width)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	uint64_t units;

	if (v == 0 || max == 0 || width <= 0)
		return;
	if (t->unicode) {
		units = (uint64_t)((double)v * width * 8 / (double)max + 0.5);
		if (units == 0)
			units = 1;
		fputs("  ", t->f);
		for (uint64_t i = 0; i < units / 8; i++)
			fputs("█", t->f);
		fputs(eighths[units % 8], t->f);
	} else {
		units = (uint64_t)((double)v * width / (double)max + 0.5);
		if (units == 0)
			units = 1;
		fputs("  ", t->f);
		for (uint64_t i = 0; i < units; i++)
			fputc('#', t->f);
	}
}

static void put_states(const struct text *t, const struct observation *o)
{
	/* "%-12s %10s %10s %10s" is 45 columns, then two spaces and the bar. */
	int bar = t->width - 47 > BAR_MAX ? BAR_MAX : t->width - 47;
	uint64_t max = 0;

	if (bar < BAR_MIN)
		bar = 0;
	FOREACH_TCP_STATE(s)
		if (observation_state_total(o, s) > max)
			max = observation_state_total(o, s);
	fprintf(t->f, "%s%-12s %10s %10s %10s%s\n", bold(t), "State", "total", "ipv4", "ipv6",
		reset(t));
	FOREACH_TCP_STATE(s) {
		uint64_t total = observation_state_total(o, s);

		fprintf(t->f, "%s%-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64, total ? "" : dim(t),
			tcp_state_name(s), total, o->states[OBS_V4][s], o->states[OBS_V6][s]);
		put_bar(t, total, max, bar);
		fprintf(t->f, "%s\n", total ? "" : reset(t));
	}
	fprintf(t->f, "%s%-12s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 "%s\n", bold(t), "total",
		report_states_total(o, -1), report_states_total(o, OBS_V4),
		report_states_total(o, OBS_V6), reset(t));
}

static void put_ports(const struct text *t, const struct observation *o)
{
	bool any = false;

	FOREACH_TCP_STATE(s)
		any |= o->top[s].n > 0;
	if (!any)
		return;
	fprintf(t->f, "\n%s%-16s %5s %10s  %-6s  %s%s\n", bold(t), "Top local ports", "port",
		"sockets", "role", "process", reset(t));
	FOREACH_TCP_STATE(s) {
		const struct top_ports *top = &o->top[s];

		for (size_t i = 0; i < top->n && i < PORTS_PER_STATE; i++) {
			const struct port_count *p = &top->ports[i];
			char owner[REPORT_HOLDERS_MAX];

			report_format_holders(owner, sizeof(owner), &p->owners, p->pid, p->comm);
			fprintf(t->f, "  %-14s %5u %10" PRIu32 "  %-*s%s%s\n",
				i == 0 ? tcp_state_name(s) : "", (unsigned)p->port, p->count,
				owner[0] ? 6 : 0, report_role_name(p->server), owner[0] ? "  " : "",
				owner);
		}
		if (top->n > PORTS_PER_STATE)
			fprintf(t->f, "%s  %-14s (%zu more ports)%s\n", dim(t), "",
				top->n - PORTS_PER_STATE, reset(t));
	}
}

static void put_listeners(const struct text *t, const struct observation *o)
{
	int aw = 24;

	if (o->n_listeners == 0)
		return;
	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];
		char ep[REPORT_ENDPOINT_MAX];

		if (endpoint_format(l->family, l->addr, l->port, ep, sizeof(ep)) == 0 &&
		    (int)strlen(ep) > aw)
			aw = (int)strlen(ep);
	}
	fprintf(t->f, "\n%s%-*s %7s %8s %6s  %s%s\n", bold(t), aw + 2, "Listeners", "queue",
		"backlog", "fill", "process", reset(t));
	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];
		char ep[REPORT_ENDPOINT_MAX], backlog[24] = "?", fill[16] = "-";
		char owner[REPORT_HOLDERS_MAX];
		double ratio;

		if (endpoint_format(l->family, l->addr, l->port, ep, sizeof(ep)) < 0)
			snprintf(ep, sizeof(ep), "?:%u", (unsigned)l->port);
		if (l->backlog >= 0)
			snprintf(backlog, sizeof(backlog), "%" PRId64, l->backlog);
		if (listener_fill(l, &ratio))
			snprintf(fill, sizeof(fill), "%.0f%%", ratio * 100);
		report_format_holders(owner, sizeof(owner), &l->owners, l->pid, l->comm);
		fprintf(t->f, "  %-*s %7" PRIu32 " %8s %6s%s%s\n", aw, ep, l->queue, backlog, fill,
			owner[0] ? "  " : "", owner);
	}
}

/* "  TCP:  inuse 12  orphan 0 ..." for the fields with (v6) or without the "v6." prefix. */
static void put_sockstat_line(const struct text *t, const struct observation *o, bool v6)
{
	struct flow fl;
	bool any = false;

	for (size_t i = 0; i < o->n_sockstat; i++) {
		const struct counter *c = &o->sockstat[i];
		const char *field = c->name;
		char word[96];

		if ((strncmp(field, "v6.", 3) == 0) != v6)
			continue;
		if (v6)
			field += 3;
		if (!any)
			text_flow_start(&fl, t, v6 ? "  TCP6:" : "  TCP: ", "         ", "  ");
		any = true;
		snprintf(word, sizeof(word), "%s %" PRId64 "%s", field, c->value,
			 strcmp(field, "mem") == 0 ? " pages" : "");
		text_flow_word(&fl, word, (int)strlen(word));
	}
	if (any)
		text_flow_end(&fl);
}

static void put_counter_cell(const struct text *t, const struct observation *o,
			     const struct counter *c)
{
	const char *field;

	report_counter_split(c->name, &field);
	fprintf(t->f, "%-*s %12" PRId64, COUNTER_NAME_W, field, c->value);
	if (o->interval > 0) {
		char rate[32];

		format_rate(rate, sizeof(rate), c->rate);
		fprintf(t->f, " %10s", rate);
	}
}

static void put_counters(const struct text *t, const struct observation *o)
{
	int cell = COUNTER_NAME_W + 1 + 12 + (o->interval > 0 ? 11 : 0);
	int cols = (t->width - 2 + 4) / (cell + 4);
	const struct counter *shown[ARRAY_SIZE(diag_counters)];
	size_t n = 0, zero = 0;
	struct flow fl;

	cols = cols < 1 ? 1 : cols > 2 ? 2 : cols;
	for (size_t i = 0; i < ARRAY_SIZE(diag_counters); i++) {
		const struct counter *c = observation_counter(o, diag_counters[i]);

		if (c && c->value != 0)
			shown[n++] = c;
		zero += c && c->value == 0;
	}
	for (size_t i = 0; i < n; i++) {
		fputs(i % cols ? "    " : "  ", t->f);
		put_counter_cell(t, o, shown[i]);
		if (i % cols == (size_t)cols - 1 || i == n - 1)
			fputc('\n', t->f);
	}
	if (zero == 0)
		return;
	fputs(dim(t), t->f);
	text_flow_start(&fl, t, "  zero:", "        ", " ");
	for (size_t i = 0; i < ARRAY_SIZE(diag_counters); i++) {
		const struct counter *c = observation_counter(o, diag_counters[i]);
		const char *field;

		if (!c || c->value != 0)
			continue;
		report_counter_split(c->name, &field);
		text_flow_word(&fl, field, (int)strlen(field));
	}
	fputs(reset(t), t->f);
	text_flow_end(&fl);
}

static void put_kernel(const struct text *t, const struct observation *o)
{
	bool any = o->n_sockstat > 0;

	for (size_t i = 0; !any && i < ARRAY_SIZE(diag_counters); i++)
		any = observation_counter(o, diag_counters[i]) != NULL;
	if (!any)
		return;
	fprintf(t->f, "\n%sKernel%s", bold(t), reset(t));
	if (o->interval > 0)
		fprintf(t->f, " (rates over %.1f s)", o->interval);
	fputc('\n', t->f);
	put_sockstat_line(t, o, false);
	put_sockstat_line(t, o, true);
	put_counters(t, o);
}

static void put_sysctls(const struct text *t, const struct observation *o)
{
	int kw = 0;

	if (o->n_sysctls == 0)
		return;
	for (size_t i = 0; i < o->n_sysctls; i++)
		if ((int)strlen(o->sysctls[i].key) > kw)
			kw = (int)strlen(o->sysctls[i].key);
	fprintf(t->f, "\n%sSysctls%s\n", bold(t), reset(t));
	for (size_t i = 0; i < o->n_sysctls; i++) {
		const struct sysctl_reading *s = &o->sysctls[i];

		if (s->value) {
			fprintf(t->f, "  %-*s = ", kw, s->key);
			text_put_safe(t->f, s->value, strlen(s->value));
			fputc('\n', t->f);
		} else {
			fprintf(t->f, "  %-*s = %s(absent)%s\n", kw, s->key, dim(t), reset(t));
		}
	}
}

static void put_notes(const struct text *t, const struct observation *o)
{
	if (o->n_notes == 0)
		return;
	fprintf(t->f, "\n%sNotes%s\n", bold(t), reset(t));
	for (size_t i = 0; i < o->n_notes; i++) {
		struct flow fl;

		text_flow_start(&fl, t, "  -", "    ", " ");
		text_flow_text(&fl, o->notes[i]);
		text_flow_end(&fl);
	}
}

int report_stats_text(FILE *f, const struct observation *o, const struct report_text_opts *opts)
{
	struct text t = {
		.f = f,
		.color = opts && opts->color,
		.unicode = opts && opts->unicode,
		.width = opts && opts->width > 0 ? opts->width : DEFAULT_WIDTH,
	};

	put_header(&t, o);
	fputc('\n', f);
	put_states(&t, o);
	put_ports(&t, o);
	put_listeners(&t, o);
	text_put_peers(&t, o);
	text_put_orphans(&t, o);
	text_put_stalled(&t, o);
	put_kernel(&t, o);
	put_sysctls(&t, o);
	put_notes(&t, o);
	if (fflush(f) == EOF || ferror(f))
		return -EIO;
	return 0;
}

/* ---- diagnose ---- */

static const char *severity_color(const struct text *t, enum severity s)
{
	if (!t->color)
		return "";
	return s == SEV_CRITICAL ? "\033[1;31m" : s == SEV_WARNING ? "\033[1;33m" : "\033[1;36m";
}

static void put_para(const struct text *t, const char *label, const char *body)
{
	struct flow fl;
	char first[32];

	if (!body || !*body)
		return;
	snprintf(first, sizeof(first), "  %-9s", label);
	text_flow_start(&fl, t, first, "             ", " ");
	fl.fresh = true;
	text_flow_text(&fl, body);
	text_flow_end(&fl);
}

static void put_evidence(const struct text *t, const struct finding *f)
{
	struct flow fl;

	if (f->n_evidence == 0)
		return;
	text_flow_start(&fl, t, "  Evidence ", "             ", ", ");
	fl.fresh = true;
	for (size_t i = 0; i < f->n_evidence; i++) {
		_cleanup_free_ char *item = NULL;
		const struct evidence *e = &f->evidence[i];

		if (asprintf(&item, "%s = %s", e->metric, e->value ? e->value : "n/a") < 0)
			continue;
		text_flow_word(&fl, item, (int)strlen(item));
	}
	text_flow_end(&fl);
}

static void put_changes(const struct text *t, const struct finding *f)
{
	static const char *const kind[] = {
		[REC_SET] = "", [REC_MIN] = "at least ", [REC_MAX] = "at most ", [REC_WIDEN] = ""
	};

	for (size_t i = 0; i < f->n_changes; i++) {
		const struct change *c = &f->changes[i];

		fprintf(t->f, "  %-9s %s: %s -> %s%s%s%s\n", i == 0 ? "Change" : "", c->key,
			c->current ? c->current : "(absent)", kind[c->kind], c->value,
			c->needed ? "" : dim(t), c->needed ? "" : "  (already satisfied)");
		if (!c->needed)
			fputs(reset(t), t->f);
	}
	if (f->n_changes == 0)
		fprintf(t->f, "  %-9s %s\n", "Change", "no sysctl helps: see the action above");
}

/* "Held by   port 8080: 4812 close_wait held by nginx.service (pids 1234, 1235)" */
static void put_holders(const struct text *t, const struct observation *o, const struct finding *f)
{
	bool first = true;

	FOREACH_TCP_STATE(s) {
		const struct port_count *p = o->top[s].n ? &o->top[s].ports[0] : NULL;
		char who[REPORT_HOLDERS_MAX], line[REPORT_HOLDERS_MAX + 64];

		if (!(f->owner_states & (1u << s)) || !p || !p->owners.looked)
			continue;
		report_format_holders(who, sizeof(who), &p->owners, p->pid, p->comm);
		snprintf(line, sizeof(line), "port %u: %" PRIu32 " %s held by %s",
			 (unsigned)p->port, p->count, tcp_state_name(s),
			 who[0]					? who
			 : p->owners.sockets || o->held_full[s] ? "no process found (see the notes)"
								: "no process (orphans)");
		put_para(t, first ? "Held by" : "", line);
		first = false;
	}
	for (size_t i = 0; f->owner_states & (1u << TS_LISTEN) && i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];
		char who[REPORT_HOLDERS_MAX], ep[REPORT_ENDPOINT_MAX],
			line[REPORT_HOLDERS_MAX + 96];

		if (!l->owners.looked)
			continue;
		if (endpoint_format(l->family, l->addr, l->port, ep, sizeof(ep)) < 0)
			snprintf(ep, sizeof(ep), "?:%u", (unsigned)l->port);
		report_format_holders(who, sizeof(who), &l->owners, l->pid, l->comm);
		snprintf(line, sizeof(line),
			 "listener %s (queue %" PRIu32 " of %" PRId64 ") held by %s", ep, l->queue,
			 l->backlog, who[0] ? who : "no process found (see the notes)");
		put_para(t, first ? "Held by" : "", line);
		first = false;
	}
}

static void put_finding(const struct text *t, const struct observation *o, const struct finding *f)
{
	const struct rule *r = f->rule;
	char upper[16];
	size_t i;

	for (i = 0; i + 1 < sizeof(upper) && severity_name(r->severity)[i]; i++)
		upper[i] = (char)(severity_name(r->severity)[i] - 'a' + 'A');
	upper[i] = '\0';
	fprintf(t->f, "\n%s%-8s%s  %s%s%s\n", severity_color(t, r->severity), upper, reset(t),
		bold(t), r->id, reset(t));
	put_para(t, "", f->summary);
	put_holders(t, o, f);
	put_evidence(t, f);
	put_para(t, "Why", f->explain);
	put_para(t, "Action", f->action);
	put_changes(t, f);
	for (size_t k = 0; k < r->n_see; k++)
		fprintf(t->f, "  %-9s %s\n", k == 0 ? "See" : "", r->see[k]);
}

/*
 * The option that names the namespace observed, as the operator would type
 * it: "--netns blue" for /run/netns/blue, "--netns-pid 42" for
 * /proc/42/ns/net, else "--netns PATH"; "" for our own.
 */
static void netns_option(const char *path, char *buf, size_t size)
{
	const char *name = path && strncmp(path, "/run/netns/", 11) == 0 ? path + 11 : NULL;
	unsigned pid;
	int end = 0;

	if (!path)
		snprintf(buf, size, "%s", "");
	else if (name && *name && !strchr(name, '/'))
		snprintf(buf, size, " --netns %s", name);
	else if (sscanf(path, "/proc/%u/ns/net%n", &pid, &end) == 1 && path[end] == '\0')
		snprintf(buf, size, " --netns-pid %u", pid);
	else
		snprintf(buf, size, " --netns %s", path);
}

/* What to run next: preview the recommended changes, and where to read about them. */
static void put_next(const struct text *t, const struct observation *o, const struct judgement *j)
{
	char ns[PATH_MAX + 16];

	netns_option(o->netns, ns, sizeof(ns));
	for (size_t i = 0; i < j->n_findings; i++)
		for (size_t k = 0; k < j->findings[i].n_changes; k++)
			if (j->findings[i].changes[k].needed) {
				fprintf(t->f,
					"\nNext: tcptune apply --recommended%s --dry-run"
					"   (tcptune explain %s tells more)\n",
					ns, j->findings[i].changes[k].key);
				return;
			}
}

int report_diagnose_text(FILE *f, const struct observation *o, const struct judgement *j,
			 const struct report_diagnose_opts *opts)
{
	struct text t = {
		.f = f,
		.color = opts && opts->text.color,
		.unicode = opts && opts->text.unicode,
		.width = opts && opts->text.width > 0 ? opts->text.width : DEFAULT_WIDTH,
	};

	/* The status for a monitoring system first; a blank line parts it from the report. */
	if (opts && opts->status) {
		report_status_text(f, opts->status);
		fputc('\n', f);
	}
	put_header(&t, o);
	fputc('\n', f);
	put_states(&t, o);
	if (j->n_findings == 0)
		fprintf(f, "\n%sNo problems found%s: %zu rules evaluated", bold(&t), reset(&t),
			j->n_evaluated);
	else
		fprintf(f, "\n%sFindings%s: %zu, %zu rules evaluated", bold(&t), reset(&t),
			j->n_findings, j->n_evaluated);
	if (j->n_skipped)
		fprintf(f, ", %zu not evaluated%s", j->n_skipped,
			opts && opts->verbose ? "" : " (-v says why)");
	fputs(".\n", f);
	for (size_t i = 0; i < j->n_findings; i++)
		put_finding(&t, o, &j->findings[i]);
	if (opts && opts->verbose && j->n_skipped) {
		fprintf(f, "\n%sNot evaluated%s\n", bold(&t), reset(&t));
		for (size_t i = 0; i < j->n_skipped; i++) {
			struct flow fl;
			char first[96];

			snprintf(first, sizeof(first), "  %s:", j->skipped[i].rule->id);
			text_flow_start(&fl, &t, first, "      ", " ");
			text_flow_text(&fl, j->skipped[i].reason);
			text_flow_end(&fl);
		}
	}
	put_notes(&t, o);
	put_next(&t, o, j);
	if (fflush(f) == EOF || ferror(f))
		return -EIO;
	return 0;
}
