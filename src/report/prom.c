// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "util.h"

/*
 * Prometheus text exposition format 0.0.4. Metric names are listed in
 * report.h. Every family is written whole, HELP and TYPE first, and only once.
 */

#define PREFIX "tcptune_"
#define NAME_MAX_LEN 160

/*
 * A label value: backslash, double quote and newline escaped, and each byte of
 * an invalid UTF-8 sequence (a process name is bytes) replaced by '?'.
 */
static void put_label_value(FILE *f, const char *s)
{
	while (*s) {
		size_t n = report_utf8_char(s);

		if (n == 0)
			fputc('?', f);
		else if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fwrite(s, 1, n, f);
		s += n ? n : 1;
	}
}

/* HELP text: backslash and newline escaped. */
static void put_help(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	for (; *help; help++) {
		if (*help == '\\')
			fputs("\\\\", f);
		else if (*help == '\n')
			fputs("\\n", f);
		else
			fputc(*help, f);
	}
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

/* Labels as name/value pairs ending with a NULL name; a NULL value skips the label. */
static void put_sample(FILE *f, const char *name, const char *const *labels, const char *value)
{
	bool first = true;

	fputs(name, f);
	for (size_t i = 0; labels && labels[i]; i += 2) {
		if (!labels[i + 1])
			continue;
		fprintf(f, "%s%s=\"", first ? "{" : ",", labels[i]);
		put_label_value(f, labels[i + 1]);
		fputc('"', f);
		first = false;
	}
	fprintf(f, "%s %s\n", first ? "" : "}", value);
}

static void put_int(FILE *f, const char *name, const char *const *labels, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	put_sample(f, name, labels, buf);
}

static bool is_cap(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_small(char c)
{
	return is_lower(c) || (c >= '0' && c <= '9');
}

/* One character of a name, or -ENAMETOOLONG when it and the '\0' do not fit. */
static int put_name_char(char *buf, size_t size, size_t *pos, char c)
{
	if (*pos + 1 >= size)
		return -ENAMETOOLONG;
	buf[(*pos)++] = c;
	buf[*pos] = '\0';
	return 0;
}

/*
 * The snake_case form of a kernel name, appended to buf from *pos on:
 * "ListenOverflows" -> "listen_overflows", "TCPReqQFullDrop" -> "tcp_req_q_full_drop",
 * "DelayedACKs" -> "delayed_acks", "TCPMD5NotFound" -> "tcp_md5_not_found". A
 * word starts at a capital after a small letter or a digit, and at the last
 * capital of an acronym that lower-case letters follow ("ACKLocked"), unless
 * they are a plural 's' ("ACKs"). TcpExt's leading "TCP" is a word of its own
 * ("TCPSACKReneging" -> tcp_sack_reneging). Any character but a letter or a
 * digit is '_', and '_' is never doubled.
 */
static int put_snake(char *buf, size_t size, size_t *pos, const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		char c = s[i], prev = i > 0 ? s[i - 1] : '\0', next = s[i + 1];
		bool word = is_lower(next) && !(next == 's' && !is_lower(s[i + 2]));
		bool tcp = i == 3 && strncmp(s, "TCP", 3) == 0;
		bool sep = !is_cap(c) && !is_small(c);
		int r = 0;

		if ((sep || (is_cap(c) && (is_small(prev) || tcp || (is_cap(prev) && word)))) &&
		    *pos > 0 && buf[*pos - 1] != '_')
			r = put_name_char(buf, size, pos, '_');
		if (r == 0 && !sep)
			r = put_name_char(buf, size, pos, is_cap(c) ? (char)(c - 'A' + 'a') : c);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * PREFIX + group + section + field + suffix, the field in snake_case and the
 * section in lower case, one word: "netstat_", "TcpExt.ListenOverflows",
 * "_total" -> tcptune_netstat_tcpext_listen_overflows_total. A name without a
 * dot has no section.
 */
static int metric_name(char *buf, size_t size, const char *group, const char *name,
		       const char *suffix)
{
	const char *field;
	size_t len = report_counter_split(name, &field), pos;
	int n = snprintf(buf, size, PREFIX "%s", group);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	pos = (size_t)n;
	for (size_t i = 0; i <= len && len > 0; i++) {
		char c = i == len ? '_' : name[i];
		int r = put_name_char(buf, size, &pos,
				      is_cap(c)	    ? (char)(c - 'A' + 'a')
				      : is_small(c) ? c
						    : '_');

		if (r < 0)
			return r;
	}
	if (put_snake(buf, size, &pos, field) < 0 || pos + strlen(suffix) >= size)
		return -ENAMETOOLONG;
	memcpy(buf + pos, suffix, strlen(suffix) + 1);
	return 0;
}

/*
 * Two kernel names can meet in one snake_case name ("Foo_Bar", "FooBar"):
 * only the first is written, so that no family is written twice.
 */
static bool named_before(char (*names)[NAME_MAX_LEN], size_t i)
{
	for (size_t k = 0; names[i][0] && k < i; k++)
		if (strcmp(names[k], names[i]) == 0)
			return true;
	return false;
}

static void put_sockets(FILE *f, const struct observation *o)
{
	put_help(f, PREFIX "sockets", "gauge", "TCP sockets by state and address family.");
	FOREACH_TCP_STATE(s) {
		for (int fam = OBS_V4; fam < OBS_NFAMILY; fam++) {
			const char *labels[] = { "state", tcp_state_name(s), "family",
						 report_obs_family_name(fam), NULL };

			put_int(f, PREFIX "sockets", labels, (int64_t)o->states[fam][s]);
		}
	}
}

static void put_ports(FILE *f, const struct observation *o)
{
	bool any = false;

	FOREACH_TCP_STATE(s)
		any |= o->top[s].n > 0;
	if (!any)
		return;
	put_help(f, PREFIX "port_sockets", "gauge",
		 "TCP sockets of one state on the busiest local ports.");
	FOREACH_TCP_STATE(s) {
		for (size_t i = 0; i < o->top[s].n; i++) {
			const struct port_count *p = &o->top[s].ports[i];
			char port[8];
			/* The service only here: never a label of a per-socket series. */
			const char *labels[] = {
				"state",   tcp_state_name(s),		"port",	   port,
				"role",	   report_role_name(p->server), "process", p->comm,
				"service", p->owners.service,		NULL
			};

			snprintf(port, sizeof(port), "%u", (unsigned)p->port);
			put_int(f, PREFIX "port_sockets", labels, p->count);
		}
	}
}

/* How many listeners before i have the same address and port (SO_REUSEPORT groups). */
static size_t same_endpoint_before(const struct observation *o, size_t i, bool *ret_shared)
{
	const struct listener *l = &o->listeners[i];
	size_t before = 0;

	*ret_shared = false;
	for (size_t j = 0; j < o->n_listeners; j++) {
		const struct listener *m = &o->listeners[j];

		if (j == i || m->family != l->family || m->port != l->port ||
		    memcmp(m->addr, l->addr, sizeof(l->addr)) != 0)
			continue;
		*ret_shared = true;
		before += j < i;
	}
	return before;
}

static void put_listener_family(FILE *f, const struct observation *o, bool backlog)
{
	const char *name = backlog ? PREFIX "listener_backlog" : PREFIX "listener_queue_length";
	bool any = false;

	for (size_t i = 0; i < o->n_listeners; i++)
		any |= !backlog || o->listeners[i].backlog >= 0;
	if (!any)
		return;
	put_help(f, name, "gauge",
		 backlog ? "Accept-queue limit of a listening socket."
			 : "Connections waiting in the accept queue of a listening socket.");
	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];
		char addr[REPORT_ADDR_MAX], port[8], socket[24];
		bool shared;
		size_t ordinal = same_endpoint_before(o, i, &shared);
		const char *labels[] = { "address", addr,    "port",   port,
					 "process", l->comm, "socket", shared ? socket : NULL,
					 NULL };

		if (backlog && l->backlog < 0)
			continue;
		if (report_format_addr(l->family, l->addr, addr, sizeof(addr)) < 0)
			continue;
		snprintf(port, sizeof(port), "%u", (unsigned)l->port);
		snprintf(socket, sizeof(socket), "%zu", ordinal);
		put_int(f, name, labels, backlog ? l->backlog : (int64_t)l->queue);
	}
}

/* sockstat's memory fields count pages. */
static bool sockstat_in_pages(const char *name)
{
	return strcmp(name, "mem") == 0 || strcmp(name, "v6.mem") == 0;
}

/* Memory in bytes, the base unit: pages times page_size; left out without it. */
static int put_sockstat(FILE *f, const struct observation *o, long page_size)
{
	_cleanup_free_ char(*names)[NAME_MAX_LEN] = calloc(o->n_sockstat + 1, sizeof(*names));

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_sockstat; i++) {
		const struct counter *c = &o->sockstat[i];
		bool pages = sockstat_in_pages(c->name);
		int64_t value = c->value;
		char help[NAME_MAX_LEN + 96];

		if (pages && (page_size <= 0 ||
			      __builtin_mul_overflow(c->value, (int64_t)page_size, &value)))
			continue;
		if (metric_name(names[i], sizeof(names[i]), "sockstat_", c->name,
				pages ? "_bytes" : "") < 0 ||
		    named_before(names, i)) {
			names[i][0] = '\0';
			continue;
		}
		snprintf(help, sizeof(help), "TCP field %s of /proc/net/sockstat%s%s.", c->name,
			 strncmp(c->name, "v6.", 3) == 0 ? "6" : "",
			 pages ? ", in bytes (pages times the page size)" : "");
		put_help(f, names[i], "gauge", help);
		put_int(f, names[i], NULL, value);
	}
	return 0;
}

/* The values of Tcp that go up and down; every other kernel counter only grows. */
struct kernel_gauge {
	const char *name;
	bool millis; /* the kernel counts milliseconds; exported in seconds */
};

static const struct kernel_gauge *kernel_gauge(const char *name)
{
	static const struct kernel_gauge gauges[] = {
		{ "Tcp.CurrEstab" },	{ "Tcp.MaxConn" },	{ "Tcp.RtoAlgorithm" },
		{ "Tcp.RtoMin", true }, { "Tcp.RtoMax", true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(gauges); i++)
		if (strcmp(name, gauges[i].name) == 0)
			return &gauges[i];
	return NULL;
}

static int put_counters(FILE *f, const struct observation *o)
{
	_cleanup_free_ char(*names)[NAME_MAX_LEN] = calloc(o->n_counters + 1, sizeof(*names));

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < o->n_counters; i++) {
		const struct counter *c = &o->counters[i];
		const struct kernel_gauge *g = kernel_gauge(c->name);
		bool millis = g && g->millis;
		char help[NAME_MAX_LEN + 96], seconds[REPORT_DOUBLE_MAX];
		const char *field;
		size_t len = report_counter_split(c->name, &field);

		if (metric_name(names[i], sizeof(names[i]), "netstat_", c->name,
				!g	 ? "_total"
				: millis ? "_seconds"
					 : "") < 0 ||
		    named_before(names, i)) {
			names[i][0] = '\0';
			continue;
		}
		snprintf(help, sizeof(help),
			 "Kernel statistic %.*s %s (/proc/net/snmp, /proc/net/netstat)%s.",
			 (int)len, c->name, field, millis ? ", in seconds" : "");
		put_help(f, names[i], g ? "gauge" : "counter", help);
		if (millis &&
		    report_format_double((double)c->value / 1000, seconds, sizeof(seconds)) == 0)
			put_sample(f, names[i], NULL, seconds);
		else
			put_int(f, names[i], NULL, c->value);
	}
	return 0;
}

static void put_sysctls(FILE *f, const struct observation *o)
{
	bool numbers = false, texts = false;

	for (size_t i = 0; i < o->n_sysctls; i++) {
		numbers |= o->sysctls[i].value && o->sysctls[i].n > 0;
		texts |= o->sysctls[i].value && o->sysctls[i].n == 0;
	}
	if (numbers)
		put_help(f, PREFIX "sysctl", "gauge",
			 "Current value of a sysctl; index is the element of a vector.");
	for (size_t i = 0; numbers && i < o->n_sysctls; i++) {
		const struct sysctl_reading *s = &o->sysctls[i];

		for (size_t k = 0; s->value && k < s->n && k < SYSCTL_MAX_VEC; k++) {
			char index[24];
			const char *labels[] = { "key", s->key, "index", s->n > 1 ? index : NULL,
						 NULL };

			snprintf(index, sizeof(index), "%zu", k);
			put_int(f, PREFIX "sysctl", labels, s->num[k]);
		}
	}
	if (texts)
		put_help(f, PREFIX "sysctl_info", "gauge", "A sysctl with a text value.");
	for (size_t i = 0; texts && i < o->n_sysctls; i++) {
		const struct sysctl_reading *s = &o->sysctls[i];
		const char *labels[] = { "key", s->key, "value", s->value, NULL };

		if (s->value && s->n == 0)
			put_int(f, PREFIX "sysctl_info", labels, 1);
	}
}

static void put_info(FILE *f, const struct observation *o)
{
	char ts[REPORT_DOUBLE_MAX];
	const char *labels[] = { "source", o->source ? o->source : "",
				 "kernel", o->kernel_release ? o->kernel_release : "",
				 "netns",  o->netns ? o->netns : "",
				 NULL };

	if (report_format_double(o->timestamp, ts, sizeof(ts)) < 0)
		ts[0] = '\0';
	put_help(f, PREFIX "observation_timestamp_seconds", "gauge",
		 "When the snapshot was taken, in seconds since the epoch.");
	put_sample(f, PREFIX "observation_timestamp_seconds", NULL, ts[0] ? ts : "NaN");
	put_help(f, PREFIX "info", "gauge", "Where the snapshot comes from.");
	put_int(f, PREFIX "info", labels, 1);
}

static void put_peers(FILE *f, const struct observation *o)
{
	if (o->n_peers == 0)
		return;
	put_help(f, PREFIX "peer_sockets", "gauge",
		 "Client-side sockets to the busiest remote endpoints (local port in the "
		 "ephemeral range).");
	for (size_t i = 0; i < o->n_peers; i++) {
		const struct peer_count *p = &o->peers[i];
		char addr[REPORT_ADDR_MAX], port[8];
		const char *labels[] = { "address", addr, "port", port, NULL };

		if (report_format_addr(p->family, p->addr, addr, sizeof(addr)) < 0)
			continue;
		snprintf(port, sizeof(port), "%u", (unsigned)p->port);
		put_int(f, PREFIX "peer_sockets", labels, p->count);
	}
}

static void put_orphaned(FILE *f, const struct observation *o)
{
	put_help(f, PREFIX "orphaned_sockets", "gauge",
		 "Orphans: sockets closed by their application that the kernel still holds, "
		 "by state.");
	FOREACH_TCP_STATE(s) {
		const char *labels[] = { "state", tcp_state_name(s), NULL };

		if (tcp_state_orphan(s))
			put_int(f, PREFIX "orphaned_sockets", labels, (int64_t)o->unheld[s]);
	}
}

/* Stalled connections by kind, and their busiest endpoints (a server's peers: no port). */
static void put_stalled(FILE *f, const struct observation *o)
{

	put_help(f, PREFIX "stalled_sockets", "gauge",
		 "Connections stalled on their peer: retransmitting (a whole retransmission "
		 "timeout passed, or keepalive probes went unanswered) or probing a zero window.");
	for (size_t k = 0; k < STALL_N; k++) {
		const char *labels[] = { "kind", report_stall_name(k), NULL };

		put_int(f, PREFIX "stalled_sockets", labels, (int64_t)o->stalled[k].sockets);
	}
	if (!o->stalled[STALL_RETRANS].n_peers && !o->stalled[STALL_ZERO_WINDOW].n_peers)
		return;
	put_help(f, PREFIX "stalled_peer_sockets", "gauge",
		 "Stalled connections to the busiest remote endpoints, by kind.");
	for (size_t k = 0; k < STALL_N; k++)
		for (size_t i = 0; i < o->stalled[k].n_peers; i++) {
			const struct peer_count *p = &o->stalled[k].peers[i];
			char addr[REPORT_ADDR_MAX], port[8];
			const char *labels[] = {
				"kind", report_stall_name(k), "address", addr, "port", port, NULL
			};

			if (report_format_addr(p->family, p->addr, addr, sizeof(addr)) < 0)
				continue;
			snprintf(port, sizeof(port), "%u", (unsigned)p->port);
			if (!p->port)
				labels[4] = NULL;
			put_int(f, PREFIX "stalled_peer_sockets", labels, p->count);
		}
}

int report_stats_prom(FILE *f, const struct observation *o, long page_size)
{
	int r;

	put_sockets(f, o);
	put_ports(f, o);
	put_listener_family(f, o, false);
	put_listener_family(f, o, true);
	put_peers(f, o);
	put_orphaned(f, o);
	put_stalled(f, o);
	r = put_sockstat(f, o, page_size);
	if (r == 0)
		r = put_counters(f, o);
	if (r < 0)
		return r;
	put_sysctls(f, o);
	put_info(f, o);
	return report_flushed(f);
}

/* ---- diagnose: only families of its own, tcptune_diagnose_* ---- */

int report_diagnose_prom(FILE *f, const struct observation *o, const struct judgement *j)
{
	const char *outcome[] = { "outcome", NULL, NULL };
	char ts[REPORT_DOUBLE_MAX];

	if (report_format_double(o->timestamp, ts, sizeof(ts)) < 0)
		snprintf(ts, sizeof(ts), "NaN");
	put_help(f, PREFIX "diagnose_timestamp_seconds", "gauge",
		 "When the diagnosed snapshot was taken, in seconds since the epoch.");
	put_sample(f, PREFIX "diagnose_timestamp_seconds", NULL, ts);
	put_help(f, PREFIX "diagnose_status", "gauge",
		 "Worst finding: 0 ok or info, 1 warning, 2 critical (diagnose's exit code).");
	put_int(f, PREFIX "diagnose_status", NULL,
		j->worst == SEV_CRITICAL  ? 2
		: j->worst == SEV_WARNING ? 1
					  : 0);
	put_help(f, PREFIX "diagnose_finding", "gauge",
		 "A rule that found a problem, by id and severity.");
	for (size_t i = 0; i < j->n_findings; i++) {
		const struct rule *rule = j->findings[i].rule;
		const char *labels[] = { "id", rule->id, "severity", severity_name(rule->severity),
					 NULL };

		put_int(f, PREFIX "diagnose_finding", labels, 1);
	}
	put_help(f, PREFIX "diagnose_rules", "gauge", "Rules by outcome of this diagnosis.");
	outcome[1] = "fired";
	put_int(f, PREFIX "diagnose_rules", outcome, (int64_t)j->n_findings);
	outcome[1] = "evaluated";
	put_int(f, PREFIX "diagnose_rules", outcome, (int64_t)j->n_evaluated);
	outcome[1] = "not_evaluated";
	put_int(f, PREFIX "diagnose_rules", outcome, (int64_t)j->n_skipped);
	return report_flushed(f);
}
