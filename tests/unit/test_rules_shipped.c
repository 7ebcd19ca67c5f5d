// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shipped rules (every rules/<file>.yaml) against synthetic snapshots: for every rule
 * a snapshot where it fires, one where it stays quiet, and, where it reads
 * something a snapshot may lack, one where it is not evaluated (the table);
 * and for every comparison in every rule's condition, a pair of snapshots on
 * either side of its threshold that differ in nothing else (the boundaries).
 * Thresholds are relative to the machine's own limits, so the snapshots set
 * those limits too.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "engine.h"
#include "kb.h"
#include "observation.h"
#include "rules.h"
#include "util.h"

#define RULES_DIR FIXTURES "/../../rules"

/* ---- building a snapshot from "metric=value" strings ---- */

/* The whole string an integer in [min, max], or the test fails. */
static int64_t num(const char *s, int64_t min, int64_t max)
{
	int64_t v;

	if (parse_i64(s, min, max, &v) < 0)
		fail_msg("'%s' is not an integer in [%lld, %lld]", s, (long long)min,
			 (long long)max);
	return v;
}

static enum tcp_state state_named(const char *name)
{
	enum tcp_state s = tcp_state_from_name(name);

	if (!s)
		fail_msg("unknown state '%s'", name);
	return s;
}

/* "state.v4.close_wait=200", "state.v6.x=N"; "state.x=N" counts as IPv4. */
static void set_state(struct observation *o, const char *name, const char *value)
{
	int family = OBS_V4;

	if (strncmp(name, "v4.", 3) == 0) {
		name += 3;
	} else if (strncmp(name, "v6.", 3) == 0) {
		family = OBS_V6;
		name += 3;
	}
	o->states[family][state_named(name)] = (uint64_t)num(value, 0, INT64_MAX);
}

/* "client.time_wait=950": sockets whose local port has no listener. */
static void set_client(struct observation *o, const char *name, const char *value)
{
	o->client[state_named(name)] = (uint64_t)num(value, 0, INT64_MAX);
}

/*
 * "top.close_wait=8080:190:server:4242:java": port, count, role, and
 * optionally the owner's pid and command. Entries of one state are listed
 * busiest first. An owner means the snapshot looked processes up.
 */
static void set_top(struct observation *o, const char *name, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	struct top_ports *t = &o->top[state_named(name)];
	char *f[5] = { NULL };
	struct port_count *pc;
	size_t n = 0;

	assert_non_null(copy);
	for (char *p = copy, *tok; n < 5 && (tok = strsep(&p, ":"));)
		f[n++] = tok;
	if (n != 3 && n != 5)
		fail_msg("top.%s=%s: expected port:count:server|client[:pid:comm]", name, value);
	pc = realloc(t->ports, (t->n + 1) * sizeof(*pc));
	assert_non_null(pc);
	t->ports = pc;
	pc = &t->ports[t->n++];
	*pc = (struct port_count){
		.port = (uint16_t)num(f[0], 1, 65535),
		.count = (uint32_t)num(f[1], 0, UINT32_MAX),
		.server = strcmp(f[2], "server") == 0,
	};
	if (!pc->server && strcmp(f[2], "client") != 0)
		fail_msg("top.%s=%s: role must be server or client", name, value);
	if (n == 5) {
		pc->pid = (int)num(f[3], 1, INT32_MAX);
		pc->comm = strdup(f[4]);
		assert_non_null(pc->comm);
		o->processes = true;
	}
}

static struct counter *counter_get(struct counter **arr, size_t *n, const char *name)
{
	struct counter *c;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*arr)[i].name, name) == 0)
			return &(*arr)[i];
	c = realloc(*arr, (*n + 1) * sizeof(*c));
	assert_non_null(c);
	*arr = c;
	c = &c[(*n)++];
	*c = (struct counter){ .name = strdup(name) };
	assert_non_null(c->name);
	return c;
}

/* "sockstat.orphan=10" */
static void set_sockstat(struct observation *o, const char *name, const char *value)
{
	counter_get(&o->sockstat, &o->n_sockstat, name)->value = num(value, 0, INT64_MAX);
}

/* "counter.TcpExt.ListenOverflows=5" */
static void set_counter(struct observation *o, const char *name, const char *value)
{
	counter_get(&o->counters, &o->n_counters, name)->value = num(value, 0, INT64_MAX);
}

/* "rate.TcpExt.ListenOverflows=3.5": a second sample one second later. */
static void set_rate(struct observation *o, const char *name, const char *value)
{
	char *end;
	double r;

	errno = 0;
	r = strtod(value, &end);
	if (errno || end == value || *end || !(r >= 0))
		fail_msg("rate.%s=%s: not a rate", name, value);
	counter_get(&o->counters, &o->n_counters, name)->rate = r;
	if (o->interval <= 0)
		o->interval = 1;
}

/* "sysctl.net.ipv4.ip_local_port_range=40000 40999"; text that is not integers is a string. */
static void set_sysctl(struct observation *o, const char *key, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	struct sysctl_reading *s;
	char *f[SYSCTL_MAX_VEC + 1];
	size_t n;

	assert_non_null(copy);
	assert_null(observation_sysctl(o, key));
	s = realloc(o->sysctls, (o->n_sysctls + 1) * sizeof(*s));
	assert_non_null(s);
	o->sysctls = s;
	s = &s[o->n_sysctls++];
	*s = (struct sysctl_reading){ .key = strdup(key), .value = strdup(value) };
	assert_non_null(s->key);
	assert_non_null(s->value);
	n = split_fields(copy, f, SYSCTL_MAX_VEC + 1);
	if (n == 0 || n > SYSCTL_MAX_VEC)
		fail_msg("sysctl.%s=%s: bad value", key, value);
	for (size_t i = 0; i < n; i++)
		if (parse_i64(f[i], INT64_MIN, INT64_MAX, &s->num[i]) < 0)
			return; /* a string: n stays 0 */
	s->n = n;
}

/* "listener=127.0.0.1:80:queue=129:backlog=128", "listener=[::]:443:..."; backlog -1: /proc. */
static void add_listener(struct observation *o, const char *name, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	char *q, *b, *port, *addr;
	struct listener *l;

	(void)name;
	assert_non_null(copy);
	q = strstr(copy, ":queue=");
	b = strstr(copy, ":backlog=");
	if (!q || !b || b < q)
		fail_msg("listener=%s: expected addr:port:queue=N:backlog=N", value);
	*q = *b = '\0';
	port = strrchr(copy, ':');
	if (!port)
		fail_msg("listener=%s: no port", value);
	*port++ = '\0';
	l = realloc(o->listeners, (o->n_listeners + 1) * sizeof(*l));
	assert_non_null(l);
	o->listeners = l;
	l = &l[o->n_listeners++];
	*l = (struct listener){
		.port = (uint16_t)num(port, 1, 65535),
		.queue = (uint32_t)num(q + 7, 0, UINT32_MAX),
		.backlog = num(b + 9, -1, INT32_MAX),
	};
	addr = copy;
	if (addr[0] == '[') {
		addr[strlen(addr) - 1] = '\0';
		l->family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr + 1, l->addr), 1);
	} else {
		l->family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, l->addr), 1);
	}
}

/* "peer=10.0.0.5:5432:950": client-side sockets to one remote endpoint (IPv4). */
static void add_peer(struct observation *o, const char *name, const char *value)
{
	_cleanup_free_ char *copy = strdup(value);
	char *count, *port;
	struct peer_count *p;

	(void)name;
	assert_non_null(copy);
	count = strrchr(copy, ':');
	if (!count)
		fail_msg("peer=%s: expected addr:port:count", value);
	*count++ = '\0';
	port = strrchr(copy, ':');
	if (!port)
		fail_msg("peer=%s: expected addr:port:count", value);
	*port++ = '\0';
	p = realloc(o->peers, (o->n_peers + 1) * sizeof(*p));
	assert_non_null(p);
	o->peers = p;
	p = &p[o->n_peers++];
	*p = (struct peer_count){
		.family = AF_INET,
		.port = (uint16_t)num(port, 1, 65535),
		.count = (uint32_t)num(count, 0, UINT32_MAX),
	};
	assert_int_equal(inet_pton(AF_INET, copy, p->addr), 1);
}

/* "orphaned.fin_wait2=300": sockets of a state no process holds. */
static void set_orphaned(struct observation *o, const char *name, const char *value)
{
	o->unheld[state_named(name)] = (uint64_t)num(value, 0, INT64_MAX);
}

/*
 * Stalled connections: "retrans=10.1.0.2:5432:100:6:200" adds an endpoint
 * (address, port, sockets, most retries, idle connections to it; busiest
 * first), "retrans.count=120" and "retrans.orphaned=3" set the totals; the
 * same for zero_window.
 */
static void set_stalled(struct observation *o, enum stall k, const char *name, const char *value)
{
	struct stalled *st = &o->stalled[k];
	_cleanup_free_ char *copy = strdup(value);
	char *f[5], *save = NULL;
	struct peer_count *p;

	assert_non_null(copy);
	if (strcmp(name, ".count") == 0 || strcmp(name, ".orphaned") == 0) {
		*(name[1] == 'c' ? &st->sockets : &st->orphaned) =
			(uint64_t)num(value, 0, INT64_MAX);
		return;
	}
	if (*name)
		fail_msg("%s=%s: no such assignment", name, value);
	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		if (!(f[i] = strtok_r(i ? NULL : copy, ":", &save)))
			fail_msg("%s: expected addr:port:count:retries:idle", value);
	p = realloc(st->peers, (st->n_peers + 1) * sizeof(*p));
	assert_non_null(p);
	st->peers = p;
	p = &p[st->n_peers++];
	*p = (struct peer_count){ .family = AF_INET,
				  .port = (uint16_t)num(f[1], 0, 65535),
				  .count = (uint32_t)num(f[2], 1, UINT32_MAX),
				  .retries = (uint32_t)num(f[3], 0, 255),
				  .idle = (uint32_t)num(f[4], 0, UINT32_MAX) };
	assert_int_equal(inet_pton(AF_INET, f[0], p->addr), 1);
}

static void set_retrans(struct observation *o, const char *name, const char *value)
{
	set_stalled(o, STALL_RETRANS, name, value);
}

static void set_zero_window(struct observation *o, const char *name, const char *value)
{
	set_stalled(o, STALL_ZERO_WINDOW, name, value);
}

static const struct {
	const char *prefix;
	void (*set)(struct observation *o, const char *name, const char *value);
} setters[] = {
	{ "orphaned.", set_orphaned },
	{ "retrans", set_retrans },
	{ "zero_window", set_zero_window },
	{ "peer", add_peer },
	{ "state.", set_state },
	{ "client.", set_client },
	{ "top.", set_top },
	{ "sockstat.", set_sockstat },
	{ "counter.", set_counter },
	{ "rate.", set_rate },
	{ "sysctl.", set_sysctl },
	{ "listener", add_listener },
};

/* Everything not assigned is zero or absent. Stops at max or at a NULL. */
static struct observation *build(const char *const *assign, size_t max)
{
	struct observation *o = observation_new();

	assert_non_null(o);
	o->source = "netlink";
	for (const char *const *end = assign + max; assign < end && *assign; assign++) {
		_cleanup_free_ char *name = strdup(*assign);
		char *value = name ? strchr(name, '=') : NULL;
		size_t i;

		if (!value)
			fail_msg("'%s': expected metric=value", *assign);
		*value++ = '\0';
		for (i = 0; i < ARRAY_SIZE(setters); i++) {
			size_t len = strlen(setters[i].prefix);

			if (strncmp(name, setters[i].prefix, len) == 0) {
				setters[i].set(o, name + len, value);
				break;
			}
		}
		if (i == ARRAY_SIZE(setters))
			fail_msg("'%s': no such kind of assignment", *assign);
	}
	return o;
}

/* ---- the table ---- */

enum outcome { FIRES = 1, QUIET, NOT_EVALUATED };

static const char *const outcome_names[] = {
	[FIRES] = "FIRES",
	[QUIET] = "QUIET",
	[NOT_EVALUATED] = "NOT_EVALUATED",
};

struct want_change {
	const char *key;
	const char *value;
	bool needed;
};

#define MAX_ASSIGN 16
#define MAX_TEXT 5
#define MAX_CHANGES 4

struct rule_case {
	const char *rule;
	enum outcome expect;
	const char *snapshot[MAX_ASSIGN];
	/* FIRES: what the interpolated summary (and action) must say ... */
	const char *summary_has[MAX_TEXT];
	const char *action_has[MAX_TEXT];
	/* ... and every change recommended, in the rule's order (none listed: none). */
	struct want_change changes[MAX_CHANGES];
	/* NOT_EVALUATED: what the reason names. */
	const char *reason_has;
};

/* A stock modern kernel (Linux >= 5.4) as seen from the initial network namespace. */
#define STOCK_SYSCTLS                                                                         \
	"sysctl.net.core.somaxconn=4096", "sysctl.net.ipv4.tcp_syncookies=1",                 \
		"sysctl.net.ipv4.tcp_max_syn_backlog=1024", "sysctl.net.ipv4.tcp_tw_reuse=2", \
		"sysctl.net.ipv4.tcp_timestamps=1", "sysctl.net.ipv4.tcp_max_tw_buckets=262144"

#define CW "close-wait-leak"
#define CWD "close-wait-dominant"

static const struct rule_case cases[] = {
	/* close-wait-leak: any sizeable CLOSE_WAIT, named by port and process. */
	{ CW,
	  FIRES,
	  { "state.v4.close_wait=200", "state.v4.established=5000",
	    "top.close_wait=8080:190:server:4242:java", STOCK_SYSCTLS },
	  .summary_has = { "200 sockets in CLOSE_WAIT", "190 of them", "port 8080",
			   "held by java" },
	  .action_has = { "port 8080", "No sysctl fixes this" } },
	{ CW,
	  FIRES,
	  { "state.v4.close_wait=8", "state.v6.close_wait=8", "top.close_wait=9000:16:server" },
	  .summary_has = { "16 sockets in CLOSE_WAIT", "port 9000",
			   "an unknown process (run as root)" } },
	{ CW, QUIET, { "state.v4.close_wait=15", "state.v4.established=5000", STOCK_SYSCTLS } },
	/* A busy server shows a few for a moment: one per hundred established is the line. */
	{ CW, QUIET, { "state.v4.close_wait=400", "state.v4.established=40000", STOCK_SYSCTLS } },
	{ CW, FIRES, { "state.v4.close_wait=401", "state.v4.established=40000", STOCK_SYSCTLS } },
	/* One condition, one finding: once it dominates, close-wait-dominant says it alone. */
	{ CW, QUIET, { "state.v4.close_wait=5000", "state.v4.established=1000", STOCK_SYSCTLS } },
	{ CWD, FIRES, { "state.v4.close_wait=5000", "state.v4.established=1000", STOCK_SYSCTLS } },
	{ CW, QUIET, { "state.v4.established=300", "state.v4.time_wait=2000", STOCK_SYSCTLS } },

	/* close-wait-dominant: more than a fifth of established, and at least 256. */
	{ CWD,
	  FIRES,
	  { "state.v4.close_wait=300", "state.v4.established=1000",
	    "top.close_wait=8080:290:server:4242:java" },
	  .summary_has = { "300 sockets in CLOSE_WAIT against 1000 established", "port 8080" },
	  .action_has = { "Restart java" } },
	{ CWD,
	  QUIET,
	  { "state.v4.close_wait=300", "state.v4.established=1500",
	    "top.close_wait=8080:290:server" } },
	{ CWD, QUIET, { "state.v4.close_wait=255", "top.close_wait=8080:255:server" } },

	/* fin-wait2-orphaned: {max: 30} is not needed below 30; never for held sockets. */
	{ "fin-wait2-orphaned",
	  FIRES,
	  { "state.v4.fin_wait2=300", "orphaned.fin_wait2=300", "state.v4.established=1000",
	    "top.fin_wait2=443:280:server", "sysctl.net.ipv4.tcp_fin_timeout=60" },
	  .summary_has = { "300 closed sockets wait in FIN_WAIT2", "busiest local port 443" },
	  .changes = { { "net.ipv4.tcp_fin_timeout", "30", true } } },
	{ "fin-wait2-orphaned",
	  FIRES,
	  { "state.v4.fin_wait2=300", "orphaned.fin_wait2=300", "state.v4.established=1000",
	    "top.fin_wait2=443:280:server", "sysctl.net.ipv4.tcp_fin_timeout=20" },
	  .changes = { { "net.ipv4.tcp_fin_timeout", "30", false } } },
	{ "fin-wait2-orphaned",
	  QUIET,
	  { "state.v4.fin_wait2=300", "orphaned.fin_wait2=300", "state.v4.established=3000",
	    "sysctl.net.ipv4.tcp_fin_timeout=60" } },
	/* Held by an application: tcp_fin_timeout does not act on them. */
	{ "fin-wait2-orphaned",
	  QUIET,
	  { "state.v4.fin_wait2=3000", "orphaned.fin_wait2=0", "state.v4.established=1000",
	    "sysctl.net.ipv4.tcp_fin_timeout=60" } },
	{ "fin-wait2-orphaned", QUIET, { "state.v4.fin_wait2=255", "orphaned.fin_wait2=255" } },

	/* fin-wait2-held: the application's fault, named; no sysctl. */
	{ "fin-wait2-held",
	  FIRES,
	  { "state.v4.fin_wait2=300", "state.v4.established=1000",
	    "top.fin_wait2=9000:290:server:4242:python3" },
	  .summary_has = { "300 sockets in FIN_WAIT2 that an application shut down",
			   "290 on local port 9000", "held by python3" },
	  .action_has = { "port 9000", "timeout" } },
	{ "fin-wait2-held",
	  QUIET,
	  { "state.v4.fin_wait2=300", "orphaned.fin_wait2=300", "state.v4.established=1000" } },
	{ "fin-wait2-held",
	  QUIET,
	  { "state.v4.fin_wait2=300", "state.v4.established=3000",
	    "top.fin_wait2=9000:290:server" } },
	{ "fin-wait2-held", QUIET, { "state.v4.fin_wait2=255" } },

	/* fin-wait1-pileup: the retransmitting peer named, not a local port. */
	{ "fin-wait1-pileup",
	  FIRES,
	  { "state.v4.fin_wait1=500", "orphaned.fin_wait1=480", "state.v4.established=2000",
	    "top.fin_wait1=443:450:server", "retrans=192.0.2.9:0:450:5:0",
	    "sysctl.net.ipv4.tcp_orphan_retries=0" },
	  .summary_has = { "480 closed sockets in FIN_WAIT1", "retransmitting toward 192.0.2.9" },
	  .action_has = { "path to 192.0.2.9" },
	  .changes = { { "net.ipv4.tcp_orphan_retries", "3", true } } },
	/* 0 means 8 retries; 2 is already below 3 and is not raised. */
	{ "fin-wait1-pileup",
	  FIRES,
	  { "state.v4.fin_wait1=500", "orphaned.fin_wait1=500", "state.v4.established=2000",
	    "sysctl.net.ipv4.tcp_orphan_retries=2" },
	  .summary_has = { "no single peer" },
	  .changes = { { "net.ipv4.tcp_orphan_retries", "3", false } } },
	{ "fin-wait1-pileup", QUIET, { "state.v4.fin_wait1=127", "orphaned.fin_wait1=127" } },
	{ "fin-wait1-pileup",
	  QUIET,
	  { "state.v4.fin_wait1=200", "orphaned.fin_wait1=200", "state.v4.established=4000" } },
	/* Held by their application: tcp_orphan_retries does not act on them. */
	{ "fin-wait1-pileup",
	  QUIET,
	  { "state.v4.fin_wait1=3000", "orphaned.fin_wait1=0", "state.v4.established=1000" } },
	/* Zero-window orphans: zero-window-orphans names them instead. */
	{ "fin-wait1-pileup",
	  QUIET,
	  { "state.v4.fin_wait1=300", "orphaned.fin_wait1=300", "state.v4.established=1000",
	    "zero_window.orphaned=290", "zero_window=10.1.0.2:8080:290:0:0" } },

	/* zero-window-orphans: the peer that stopped reading, named. */
	{ "zero-window-orphans",
	  FIRES,
	  { "state.v4.fin_wait1=300", "orphaned.fin_wait1=300", "state.v4.established=1000",
	    "zero_window.orphaned=290", "zero_window.count=295",
	    "zero_window=10.1.0.2:8080:290:0:0", "sysctl.net.ipv4.tcp_orphan_retries=0" },
	  .summary_has = { "290 closed connections cannot finish", "stopped reading",
			   "290 of them toward 10.1.0.2:8080" },
	  .action_has = { "why 10.1.0.2:8080 stopped reading" },
	  .changes = { { "net.ipv4.tcp_orphan_retries", "3", true } } },
	{ "zero-window-orphans",
	  QUIET,
	  { "state.v4.fin_wait1=300", "orphaned.fin_wait1=300", "state.v4.established=1000",
	    "zero_window.orphaned=150", "zero_window=10.1.0.2:8080:150:0:0" } },
	{ "zero-window-orphans",
	  QUIET,
	  { "state.v4.fin_wait1=300", "orphaned.fin_wait1=60", "state.v4.established=1000",
	    "zero_window.orphaned=60", "zero_window=10.1.0.2:8080:60:0:0" } },

	/* dead-peer: the endpoint, its retries and tcp_retries2; no sysctl. */
	{ "dead-peer",
	  FIRES,
	  { "retrans=10.1.0.2:5432:100:6:200", "retrans.count=120", "state.v4.established=400",
	    "sysctl.net.ipv4.tcp_retries2=15" },
	  .summary_has = { "100 connections to 10.1.0.2:5432 retransmitting (up to 6 retries)",
			   "unreachable or overloaded", "tcp_retries2 (15 retries" },
	  .action_has = { "path to 10.1.0.2:5432", "TCP_USER_TIMEOUT" } },
	{ "dead-peer", QUIET, { "retrans=10.1.0.2:5432:100:2:200", "retrans.count=100" } },
	{ "dead-peer", QUIET, { "retrans=10.1.0.2:5432:9:15:0", "retrans.count=9" } },
	{ "dead-peer", QUIET, { "state.v4.established=100000" } },

	/* dead-peer-idle: keepalive advice at any number of connections. */
	{ "dead-peer-idle",
	  FIRES,
	  { "retrans=10.1.0.2:5432:100:6:200", "state.v4.established=300",
	    "sysctl.net.ipv4.tcp_keepalive_time=7200", "sysctl.net.ipv4.tcp_keepalive_intvl=75",
	    "sysctl.net.ipv4.tcp_keepalive_probes=9" },
	  .summary_has = { "200 idle connections to 10.1.0.2:5432", "after 7200 s" },
	  .changes = { { "net.ipv4.tcp_keepalive_time", "600", true },
		       { "net.ipv4.tcp_keepalive_intvl", "30", true },
		       { "net.ipv4.tcp_keepalive_probes", "5", true } } },
	{ "dead-peer-idle",
	  QUIET,
	  { "retrans=10.1.0.2:5432:100:6:200", "sysctl.net.ipv4.tcp_keepalive_time=600" } },
	{ "dead-peer-idle",
	  QUIET,
	  { "retrans=10.1.0.2:5432:100:6:9", "sysctl.net.ipv4.tcp_keepalive_time=7200" } },
	{ "dead-peer-idle",
	  QUIET,
	  { "retrans=10.1.0.2:5432:100:2:200", "sysctl.net.ipv4.tcp_keepalive_time=7200" } },
	{ "dead-peer-idle",
	  NOT_EVALUATED,
	  { "retrans=10.1.0.2:5432:100:6:200" },
	  .reason_has = "tcp_keepalive_time" },
	/* It says what keepalive-slow would: one finding. */
	{ "keepalive-slow",
	  QUIET,
	  { "retrans=10.1.0.2:5432:100:6:200", "state.v4.established=20000",
	    "sysctl.net.ipv4.tcp_keepalive_time=7200" } },

	/* last-ack-pileup: no sysctl. */
	{ "last-ack-pileup",
	  FIRES,
	  { "state.v6.last_ack=150", "state.v6.established=100", "top.last_ack=443:150:server" },
	  .summary_has = { "150 sockets in LAST_ACK" },
	  .action_has = { "port 443" } },
	{ "last-ack-pileup", QUIET, { "state.v4.last_ack=150", "state.v4.established=3000" } },
	{ "last-ack-pileup", QUIET, { "state.v4.last_ack=127" } },

	/* syn-sent-pileup: {max: 3} lowers the default 6. */
	{ "syn-sent-pileup",
	  FIRES,
	  { "state.v4.syn_sent=64", "client.syn_sent=64", "top.syn_sent=51234:1:client:777:curl",
	    "sysctl.net.ipv4.tcp_syn_retries=6" },
	  .summary_has = { "64 outgoing connections" },
	  .action_has = { "(curl)" },
	  .changes = { { "net.ipv4.tcp_syn_retries", "3", true } } },
	{ "syn-sent-pileup",
	  FIRES,
	  { "state.v4.syn_sent=100", "sysctl.net.ipv4.tcp_syn_retries=2" },
	  .action_has = { "run as root to see it" },
	  .changes = { { "net.ipv4.tcp_syn_retries", "3", false } } },
	{ "syn-sent-pileup",
	  QUIET,
	  { "state.v4.syn_sent=63", "sysctl.net.ipv4.tcp_syn_retries=6" } },
	{ "syn-sent-pileup", QUIET, { "state.v4.syn_sent=100", "state.v4.established=2000" } },

	/* accept-queue-full: a queue beyond its backlog; {min: 4096} never lowers somaxconn. */
	{ "accept-queue-full",
	  FIRES,
	  { "listener=127.0.0.1:80:queue=129:backlog=128",
	    "listener=0.0.0.0:22:queue=0:backlog=128", "sysctl.net.core.somaxconn=128" },
	  .summary_has = { "1 listener(s)", "the fullest 127.0.0.1:80", "longest queue 129" },
	  .action_has = { "listening on 127.0.0.1:80", "restart" },
	  .changes = { { "net.core.somaxconn", "4096", true } } },
	{ "accept-queue-full",
	  FIRES,
	  { "listener=[::]:443:queue=8193:backlog=8192", "sysctl.net.core.somaxconn=8192" },
	  .summary_has = { "the fullest [::]:443", "longest queue 8193" },
	  .changes = { { "net.core.somaxconn", "4096", false } } },
	{ "accept-queue-full",
	  QUIET,
	  { "listener=127.0.0.1:80:queue=128:backlog=128", "sysctl.net.core.somaxconn=4096" } },
	{ "accept-queue-full", QUIET, { STOCK_SYSCTLS } },
	/* The /proc source knows no backlog: fullness cannot be told. */
	{ "accept-queue-full",
	  NOT_EVALUATED,
	  { "listener=127.0.0.1:80:queue=500:backlog=-1" },
	  .reason_has = "listen.full" },

	/* listen-overflows: a rate, so it needs two samples. */
	{ "listen-overflows",
	  FIRES,
	  { "counter.TcpExt.ListenOverflows=35", "rate.TcpExt.ListenOverflows=3.5",
	    "rate.TcpExt.ListenDrops=3.5", "sysctl.net.core.somaxconn=128" },
	  .summary_has = { "overflowed 3.50 times per second", "ListenDrops 3.50/s" },
	  .action_has = { "restart the service" },
	  .changes = { { "net.core.somaxconn", "4096", true } } },
	/* A full queue now: accept-queue-full says it, its overflows with it. */
	{ "listen-overflows",
	  QUIET,
	  { "listener=127.0.0.1:80:queue=129:backlog=128", "rate.TcpExt.ListenOverflows=3.5",
	    "rate.TcpExt.ListenDrops=3.5", STOCK_SYSCTLS } },
	{ "accept-queue-full",
	  FIRES,
	  { "listener=127.0.0.1:80:queue=129:backlog=128", "rate.TcpExt.ListenOverflows=3.5",
	    "rate.TcpExt.ListenDrops=3.5", STOCK_SYSCTLS },
	  .changes = { { "net.core.somaxconn", "4096", false } } },
	/* SYNs dropped without a full accept queue are not its problem (syn-drops). */
	{ "listen-overflows",
	  QUIET,
	  { "rate.TcpExt.ListenOverflows=0", "rate.TcpExt.ListenDrops=243", STOCK_SYSCTLS } },

	/* syn-drops: ListenDrops beyond ListenOverflows, the SYN queue's (or memory's). */
	{ "syn-drops",
	  FIRES,
	  { "rate.TcpExt.ListenOverflows=0", "rate.TcpExt.ListenDrops=243",
	    "sysctl.net.ipv4.tcp_syncookies=0", "sysctl.net.ipv4.tcp_max_syn_backlog=128",
	    "state.v4.syn_recv=120" },
	  .summary_has = { "dropped 243 SYNs or handshakes per second", "explain only 0" },
	  .action_has = { "turn them on", "does not help while the accept queues are not full" },
	  .changes = { { "net.ipv4.tcp_syncookies", "1", true } } },
	/* Every drop an overflow: the accept queue's, listen-overflows says it. */
	{ "syn-drops",
	  QUIET,
	  { "rate.TcpExt.ListenOverflows=3.5", "rate.TcpExt.ListenDrops=3.5", STOCK_SYSCTLS } },
	{ "syn-drops",
	  NOT_EVALUATED,
	  { "counter.TcpExt.ListenDrops=5", STOCK_SYSCTLS },
	  .reason_has = "rate.TcpExt.ListenDrops is not available" },
	{ "listen-overflows",
	  QUIET,
	  { "counter.TcpExt.ListenOverflows=35", "rate.TcpExt.ListenOverflows=0",
	    "rate.TcpExt.ListenDrops=0", STOCK_SYSCTLS } },
	{ "listen-overflows",
	  NOT_EVALUATED,
	  { "counter.TcpExt.ListenOverflows=5", "counter.TcpExt.ListenDrops=5", STOCK_SYSCTLS },
	  .reason_has = "rate.TcpExt.ListenOverflows is not available" },

	/* somaxconn-low: only when somaxconn is what holds a half-full listener. */
	{ "somaxconn-low",
	  FIRES,
	  { "listener=0.0.0.0:80:queue=64:backlog=128", "sysctl.net.core.somaxconn=128" },
	  .summary_has = { "1 listener(s)", "net.core.somaxconn = 128" },
	  .changes = { { "net.core.somaxconn", "4096", true } } },
	/* The listener asked for 10 itself: somaxconn is not what limits it. */
	{ "somaxconn-low",
	  QUIET,
	  { "listener=0.0.0.0:80:queue=9:backlog=10", "sysctl.net.core.somaxconn=128" } },
	{ "somaxconn-low",
	  QUIET,
	  { "listener=0.0.0.0:80:queue=63:backlog=128", "sysctl.net.core.somaxconn=128" } },
	{ "somaxconn-low",
	  QUIET,
	  { "listener=0.0.0.0:80:queue=1000:backlog=1024", "sysctl.net.core.somaxconn=1024" } },
	{ "somaxconn-low",
	  NOT_EVALUATED,
	  { "listener=0.0.0.0:80:queue=64:backlog=-1", "sysctl.net.core.somaxconn=128" },
	  .reason_has = "listen.capped" },

	/* orphans-near-limit: half of tcp_max_orphans; raise it to twice the current value. */
	{ "orphans-near-limit",
	  FIRES,
	  { "sockstat.orphan=32769", "sysctl.net.ipv4.tcp_max_orphans=65536",
	    "state.v4.fin_wait1=30000" },
	  .summary_has = { "32769 orphaned sockets", "limit of 65536" },
	  .changes = { { "net.ipv4.tcp_max_orphans", "131072", true } } },
	{ "orphans-near-limit",
	  QUIET,
	  { "sockstat.orphan=32768", "sysctl.net.ipv4.tcp_max_orphans=65536" } },
	/* Inside a container tcp_max_orphans does not exist. */
	{ "orphans-near-limit",
	  NOT_EVALUATED,
	  { "sockstat.orphan=5000", STOCK_SYSCTLS },
	  .reason_has = "sysctl.net.ipv4.tcp_max_orphans is not available" },

	/* tcp-memory-pressure: tcp_mem[1], in pages. */
	{ "tcp-memory-pressure",
	  FIRES,
	  { "sockstat.mem=125001", "sysctl.net.ipv4.tcp_mem=94000 125000 188000" },
	  .summary_has = { "125001 pages", "tcp_mem[1] = 125000" } },
	{ "tcp-memory-pressure",
	  QUIET,
	  { "sockstat.mem=125000", "sysctl.net.ipv4.tcp_mem=94000 125000 188000" } },
	{ "tcp-memory-pressure",
	  NOT_EVALUATED,
	  { "sockstat.mem=125001", STOCK_SYSCTLS },
	  .reason_has = "sysctl.net.ipv4.tcp_mem[1] is not available" },

	/* tcp-memory-exhausted: tcp_mem[2], or aborts seen even without tcp_mem (container). */
	{ "tcp-memory-exhausted",
	  FIRES,
	  { "sockstat.mem=188001", "sysctl.net.ipv4.tcp_mem=94000 125000 188000" },
	  .summary_has = { "188001 pages", "tcp_mem[2] = 188000" } },
	{ "tcp-memory-exhausted",
	  FIRES,
	  { "sockstat.mem=100", "rate.TcpExt.TCPAbortOnMemory=0.5",
	    "counter.TcpExt.TCPAbortOnMemory=12" },
	  .summary_has = { "100 pages" } },
	{ "tcp-memory-exhausted",
	  QUIET,
	  { "sockstat.mem=188000", "sysctl.net.ipv4.tcp_mem=94000 125000 188000",
	    "rate.TcpExt.TCPAbortOnMemory=0" } },
	{ "tcp-memory-exhausted",
	  NOT_EVALUATED,
	  { "sockstat.mem=100", STOCK_SYSCTLS },
	  .reason_has = "is not available" },

	/* keepalive-slow: {max: N} bounds lower only what is above them. */
	{ "keepalive-slow",
	  FIRES,
	  { "state.v4.established=6000", "state.v6.established=4000",
	    "sysctl.net.ipv4.tcp_keepalive_time=7200", "sysctl.net.ipv4.tcp_keepalive_intvl=75",
	    "sysctl.net.ipv4.tcp_keepalive_probes=9" },
	  .summary_has = { "10000 established", "after 7200 s" },
	  .changes = { { "net.ipv4.tcp_keepalive_time", "600", true },
		       { "net.ipv4.tcp_keepalive_intvl", "30", true },
		       { "net.ipv4.tcp_keepalive_probes", "5", true } } },
	{ "keepalive-slow",
	  FIRES,
	  { "state.v4.established=50000", "sysctl.net.ipv4.tcp_keepalive_time=7200",
	    "sysctl.net.ipv4.tcp_keepalive_intvl=10", "sysctl.net.ipv4.tcp_keepalive_probes=3" },
	  .changes = { { "net.ipv4.tcp_keepalive_time", "600", true },
		       { "net.ipv4.tcp_keepalive_intvl", "30", false },
		       { "net.ipv4.tcp_keepalive_probes", "5", false } } },
	{ "keepalive-slow",
	  QUIET,
	  { "state.v4.established=9999", "sysctl.net.ipv4.tcp_keepalive_time=7200" } },
	{ "keepalive-slow",
	  QUIET,
	  { "state.v4.established=50000", "sysctl.net.ipv4.tcp_keepalive_time=600" } },

	/* syn-flood-no-syncookies: relative to tcp_max_syn_backlog. */
	{ "syn-flood-no-syncookies",
	  FIRES,
	  { "state.v4.syn_recv=820", "top.syn_recv=80:800:server",
	    "sysctl.net.ipv4.tcp_syncookies=0", "sysctl.net.ipv4.tcp_max_syn_backlog=1024",
	    "sysctl.net.ipv4.tcp_synack_retries=5" },
	  .summary_has = { "800 half-open", "port 80", "syncookies off", "(1024)" },
	  .changes = { { "net.ipv4.tcp_syncookies", "1", true },
		       { "net.ipv4.tcp_synack_retries", "3", true } } },
	/* The kernel drops when more than three quarters of one listener's queue is used. */
	{ "syn-flood-no-syncookies",
	  QUIET,
	  { "state.v4.syn_recv=900", "top.syn_recv=80:768:server",
	    "sysctl.net.ipv4.tcp_syncookies=0", "sysctl.net.ipv4.tcp_max_syn_backlog=1024" } },
	/* With syncookies on, tcp_max_syn_backlog is not even needed. */
	{ "syn-flood-no-syncookies",
	  QUIET,
	  { "state.v4.syn_recv=5000", "sysctl.net.ipv4.tcp_syncookies=1" } },
	{ "syn-flood-no-syncookies",
	  NOT_EVALUATED,
	  { "state.v4.syn_recv=820", "top.syn_recv=80:800:server",
	    "sysctl.net.ipv4.tcp_syncookies=0" },
	  .reason_has = "sysctl.net.ipv4.tcp_max_syn_backlog is not available" },

	/* syn-recv-pileup: with syncookies on. */
	{ "syn-recv-pileup",
	  FIRES,
	  { "state.v4.syn_recv=100", "state.v6.syn_recv=28", "state.v4.established=100",
	    "top.syn_recv=443:120:server", "sysctl.net.ipv4.tcp_syncookies=1",
	    "sysctl.net.ipv4.tcp_synack_retries=5" },
	  .summary_has = { "128 half-open", "120 on port 443" },
	  .action_has = { "sport = :443" },
	  .changes = { { "net.ipv4.tcp_synack_retries", "3", true } } },
	{ "syn-recv-pileup",
	  FIRES,
	  { "state.v4.syn_recv=2000", "sysctl.net.ipv4.tcp_syncookies=1",
	    "sysctl.net.ipv4.tcp_synack_retries=2" },
	  .changes = { { "net.ipv4.tcp_synack_retries", "3", false } } },
	{ "syn-recv-pileup",
	  QUIET,
	  { "state.v4.syn_recv=127", "sysctl.net.ipv4.tcp_syncookies=1" } },
	{ "syn-recv-pileup",
	  QUIET,
	  { "state.v4.syn_recv=200", "state.v4.established=4000",
	    "sysctl.net.ipv4.tcp_syncookies=1" } },

	/* syncookies-sent */
	{ "syncookies-sent",
	  FIRES,
	  { "counter.TcpExt.SyncookiesSent=1200", "rate.TcpExt.SyncookiesSent=12",
	    "sysctl.net.core.somaxconn=128", "sysctl.net.ipv4.tcp_syncookies=1" },
	  .summary_has = { "12 SYNs per second" },
	  .changes = { { "net.core.somaxconn", "4096", true } } },
	{ "syncookies-sent",
	  QUIET,
	  { "counter.TcpExt.SyncookiesSent=1200", "rate.TcpExt.SyncookiesSent=0", STOCK_SYSCTLS } },
	/* Mode 2 sends cookies for every SYN: no sign of overflow. */
	{ "syncookies-sent",
	  QUIET,
	  { "rate.TcpExt.SyncookiesSent=500", "sysctl.net.ipv4.tcp_syncookies=2" } },
	{ "syncookies-sent",
	  NOT_EVALUATED,
	  { "counter.TcpExt.SyncookiesSent=1200", STOCK_SYSCTLS },
	  .reason_has = "rate.TcpExt.SyncookiesSent is not available" },

	/* syncookies-disabled */
	{ "syncookies-disabled",
	  FIRES,
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  .summary_has = { "tcp_syncookies = 0" },
	  .changes = { { "net.ipv4.tcp_syncookies", "1", true } } },
	{ "syncookies-disabled", QUIET, { STOCK_SYSCTLS } },
	/* A kernel without CONFIG_SYN_COOKIES has no such key. */
	{ "syncookies-disabled",
	  NOT_EVALUATED,
	  { "sysctl.net.core.somaxconn=4096" },
	  .reason_has = "sysctl.net.ipv4.tcp_syncookies is not available" },

	/* ephemeral-ports-exhausted: 80% of a narrowed range of 1000 ports, to one destination. */
	{ "ephemeral-ports-exhausted",
	  FIRES,
	  { "peer=10.0.0.5:5432:810", "client.time_wait=700", "client.established=110",
	    "state.v4.time_wait=700", "state.v4.established=110",
	    "sysctl.net.ipv4.ip_local_port_range=40000 40999", "sysctl.net.ipv4.tcp_tw_reuse=2",
	    "sysctl.net.ipv4.tcp_timestamps=1" },
	  .summary_has = { "810 client-side connections to 10.0.0.5:5432", "40000-40999" },
	  .action_has = { "tcp_tw_reuse = 1", "10.0.0.5:5432" },
	  .changes = { { "net.ipv4.tcp_tw_reuse", "1", true },
		       { "net.ipv4.tcp_timestamps", "1", false },
		       { "net.ipv4.ip_local_port_range", "10240 65535", true } } },
	/* A range wider at one end is widened, never narrowed; timestamps 2 are on too. */
	{ "ephemeral-ports-exhausted",
	  FIRES,
	  { "peer=10.0.0.5:5432:50000", "sysctl.net.ipv4.ip_local_port_range=1024 60999",
	    "sysctl.net.ipv4.tcp_tw_reuse=1", "sysctl.net.ipv4.tcp_timestamps=2" },
	  .changes = { { "net.ipv4.tcp_tw_reuse", "1", false },
		       { "net.ipv4.tcp_timestamps", "1", false },
		       { "net.ipv4.ip_local_port_range", "1024 65535", true } } },
	{ "ephemeral-ports-exhausted",
	  QUIET,
	  { "peer=10.0.0.5:5432:790", "client.time_wait=700", "client.established=90",
	    "sysctl.net.ipv4.ip_local_port_range=40000 40999" } },
	/* Many client sockets spread over many upstreams: each has ports to spare. */
	{ "ephemeral-ports-exhausted",
	  QUIET,
	  { "peer=10.0.0.5:5432:300", "peer=10.0.0.6:5432:300", "client.time_wait=20000",
	    "client.established=2000", "sysctl.net.ipv4.ip_local_port_range=40000 40999" } },
	{ "ephemeral-ports-exhausted",
	  NOT_EVALUATED,
	  { "peer=10.0.0.5:5432:900", "sysctl.net.ipv4.tcp_tw_reuse=2" },
	  .reason_has = "ip_local_port_range" },

	/* Past 80% of the range, ephemeral-ports-exhausted says it alone. */
	{ "ephemeral-ports-pressure",
	  QUIET,
	  { "peer=127.0.0.1:8080:900", "client.time_wait=900",
	    "sysctl.net.ipv4.ip_local_port_range=40000 40999", "sysctl.net.ipv4.tcp_tw_reuse=0",
	    "sysctl.net.ipv4.tcp_timestamps=0" } },
	{ "ephemeral-ports-exhausted",
	  FIRES,
	  { "peer=127.0.0.1:8080:900", "client.time_wait=900",
	    "sysctl.net.ipv4.ip_local_port_range=40000 40999", "sysctl.net.ipv4.tcp_tw_reuse=0",
	    "sysctl.net.ipv4.tcp_timestamps=0" },
	  .changes = { { "net.ipv4.tcp_tw_reuse", "1", true },
		       { "net.ipv4.tcp_timestamps", "1", true },
		       { "net.ipv4.ip_local_port_range", "10240 65535", true } } },

	/* ephemeral-ports-pressure: half the range to one destination. */
	{ "ephemeral-ports-pressure",
	  FIRES,
	  { "peer=127.0.0.1:8080:501", "client.time_wait=501",
	    "sysctl.net.ipv4.ip_local_port_range=40000 40999", "sysctl.net.ipv4.tcp_tw_reuse=0",
	    "sysctl.net.ipv4.tcp_timestamps=0" },
	  .summary_has = { "501 client-side connections to 127.0.0.1:8080", "40000-40999" },
	  .changes = { { "net.ipv4.tcp_tw_reuse", "1", true },
		       { "net.ipv4.tcp_timestamps", "1", true } } },
	{ "ephemeral-ports-pressure",
	  QUIET,
	  { "peer=127.0.0.1:8080:500", "sysctl.net.ipv4.ip_local_port_range=40000 40999" } },
	/* Server-side TIME_WAIT holds no ephemeral ports: no client peers at all. */
	{ "ephemeral-ports-pressure",
	  QUIET,
	  { "state.v4.time_wait=30000", "top.time_wait=80:29990:server",
	    "sysctl.net.ipv4.ip_local_port_range=40000 40999" } },

	/* time-wait-bucket-limit: 90% of tcp_max_tw_buckets; raise to twice the limit. */
	{ "time-wait-bucket-limit",
	  FIRES,
	  { "state.v4.time_wait=7000", "state.v6.time_wait=373", "sockstat.tw=7373",
	    "sysctl.net.ipv4.tcp_max_tw_buckets=8192" },
	  .summary_has = { "7373 sockets in TIME_WAIT", "limit of 8192" },
	  .changes = { { "net.ipv4.tcp_max_tw_buckets", "16384", true } } },
	{ "time-wait-bucket-limit",
	  FIRES,
	  { "state.v4.time_wait=100", "rate.TcpExt.TCPTimeWaitOverflow=2",
	    "sysctl.net.ipv4.tcp_max_tw_buckets=262144" },
	  .summary_has = { "100 sockets in TIME_WAIT", "262144" },
	  .changes = { { "net.ipv4.tcp_max_tw_buckets", "524288", true } } },
	{ "time-wait-bucket-limit",
	  QUIET,
	  { "state.v4.time_wait=7372", "rate.TcpExt.TCPTimeWaitOverflow=0",
	    "sysctl.net.ipv4.tcp_max_tw_buckets=8192" } },
	/* Below the limit, overflows can be ruled out only with a rate. */
	{ "time-wait-bucket-limit",
	  NOT_EVALUATED,
	  { "state.v4.time_wait=7372", "sysctl.net.ipv4.tcp_max_tw_buckets=8192" },
	  .reason_has = "rate.TcpExt.TCPTimeWaitOverflow is not available" },
	{ "time-wait-bucket-limit",
	  QUIET,
	  { "state.v4.time_wait=200000", "rate.TcpExt.TCPTimeWaitOverflow=0", STOCK_SYSCTLS } },
	{ "time-wait-bucket-limit",
	  NOT_EVALUATED,
	  { "state.v4.time_wait=5000" },
	  .reason_has = "sysctl.net.ipv4.tcp_max_tw_buckets is not available" },

	/* time-wait-server-side: informational, no sysctl. */
	{ "time-wait-server-side",
	  FIRES,
	  { "state.v4.time_wait=12000", "top.time_wait=80:10000:server", STOCK_SYSCTLS },
	  .summary_has = { "10000 TIME_WAIT sockets on server port 80" } },
	{ "time-wait-server-side",
	  QUIET,
	  { "state.v4.time_wait=12000", "top.time_wait=80:9999:server", STOCK_SYSCTLS } },
	{ "time-wait-server-side",
	  QUIET,
	  { "state.v4.time_wait=12000", "top.time_wait=3306:12000:client", STOCK_SYSCTLS } },
	{ "time-wait-server-side",
	  NOT_EVALUATED,
	  { "state.v4.time_wait=12000", STOCK_SYSCTLS },
	  .reason_has = "top.time_wait.server is not available" },
	/* No TIME_WAIT at all: quiet, not "not evaluated" for want of a top port. */
	{ "time-wait-server-side", QUIET, { STOCK_SYSCTLS } },

	/* tw-reuse-without-timestamps */
	{ "tw-reuse-without-timestamps",
	  FIRES,
	  { "sysctl.net.ipv4.tcp_tw_reuse=1", "sysctl.net.ipv4.tcp_timestamps=0" },
	  .summary_has = { "tcp_timestamps is off" },
	  .changes = { { "net.ipv4.tcp_timestamps", "1", true } } },
	{ "tw-reuse-without-timestamps",
	  QUIET,
	  { "sysctl.net.ipv4.tcp_tw_reuse=1", "sysctl.net.ipv4.tcp_timestamps=1" } },
	{ "tw-reuse-without-timestamps",
	  QUIET,
	  { "sysctl.net.ipv4.tcp_tw_reuse=0", "sysctl.net.ipv4.tcp_timestamps=0" } },

	/* tw-recycle-enabled: only kernels before 4.12 have the key. */
	{ "tw-recycle-enabled",
	  FIRES,
	  { "sysctl.net.ipv4.tcp_tw_recycle=1" },
	  .summary_has = { "tcp_tw_recycle is enabled" } },
	{ "tw-recycle-enabled", QUIET, { "sysctl.net.ipv4.tcp_tw_recycle=0" } },
	{ "tw-recycle-enabled",
	  NOT_EVALUATED,
	  { STOCK_SYSCTLS },
	  .reason_has = "sysctl.net.ipv4.tcp_tw_recycle is not available" },
};

/* ---- checks ---- */

static const struct finding *find_finding(const struct judgement *j, const char *id)
{
	for (size_t i = 0; i < j->n_findings; i++)
		if (strcmp(j->findings[i].rule->id, id) == 0)
			return &j->findings[i];
	return NULL;
}

static const struct skipped *find_skipped(const struct judgement *j, const char *id)
{
	for (size_t i = 0; i < j->n_skipped; i++)
		if (strcmp(j->skipped[i].rule->id, id) == 0)
			return &j->skipped[i];
	return NULL;
}

/* Reports one problem of a case; the loop goes on so that every broken case is listed. */
static unsigned failures;

static void case_fail(size_t i, const char *fmt, ...) _printf_(2, 3);
static void case_fail(size_t i, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	print_error("case %zu (%s, expected %s): %s\n", i, cases[i].rule,
		    outcome_names[cases[i].expect], msg ? msg : "out of memory");
	failures++;
}

static void check_texts(size_t i, const char *field, const char *text, const char *const *want)
{
	if (!text || strchr(text, '{'))
		case_fail(i, "%s not fully interpolated: '%s'", field, text ? text : "(null)");
	for (size_t k = 0; k < MAX_TEXT && want[k]; k++)
		if (!text || !strstr(text, want[k]))
			case_fail(i, "%s lacks '%s': '%s'", field, want[k], text ? text : "(null)");
}

static void check_changes(size_t i, const struct finding *f)
{
	const struct want_change *w = cases[i].changes;
	size_t n = 0;

	while (n < MAX_CHANGES && w[n].key)
		n++;
	if (f->n_changes != n) {
		case_fail(i, "%zu changes recommended, expected %zu", f->n_changes, n);
		return;
	}
	for (size_t k = 0; k < n; k++) {
		const struct change *c = &f->changes[k];

		if (strcmp(c->key, w[k].key) != 0 || strcmp(c->value, w[k].value) != 0 ||
		    c->needed != w[k].needed)
			case_fail(i, "change %zu is %s=%s (%s, current %s), expected %s=%s (%s)", k,
				  c->key, c->value, c->needed ? "needed" : "not needed",
				  c->current ? c->current : "absent", w[k].key, w[k].value,
				  w[k].needed ? "needed" : "not needed");
	}
}

/*
 * Whatever fired: never a removed key, and never a value below the current
 * one of a key that must not be lowered.
 */
static void check_no_harm(size_t i, const struct judgement *j)
{
	for (size_t k = 0; k < j->n_findings; k++) {
		const struct finding *f = &j->findings[k];

		for (size_t c = 0; c < f->n_changes; c++) {
			const struct change *ch = &f->changes[c];
			const struct kb_entry *e = kb_lookup(ch->key);
			int64_t cur, want;

			if (!e || e->removed)
				case_fail(i, "%s recommends %s, unknown or removed", f->rule->id,
					  ch->key);
			if (!e || !e->never_lower || !ch->needed || !ch->current)
				continue;
			if (parse_i64(ch->current, INT64_MIN, INT64_MAX, &cur) < 0 ||
			    parse_i64(ch->value, INT64_MIN, INT64_MAX, &want) < 0 || want < cur)
				case_fail(i, "%s lowers %s from %s to %s", f->rule->id, ch->key,
					  ch->current, ch->value);
		}
	}
}

static void run_case(const struct ruleset *rs, size_t i)
{
	const struct rule_case *tc = &cases[i];
	_cleanup_observation_ struct observation *o = build(tc->snapshot, MAX_ASSIGN);
	struct judgement *j = NULL;
	const struct finding *f;
	const struct skipped *s;

	if (!ruleset_find(rs, tc->rule)) {
		case_fail(i, "no shipped rule has this id");
		return;
	}
	assert_int_equal(engine_judge(rs, o, &j), 0);
	f = find_finding(j, tc->rule);
	s = find_skipped(j, tc->rule);
	if (f && tc->expect != FIRES)
		case_fail(i, "it fired: '%s'", f->summary);
	else if (s && tc->expect != NOT_EVALUATED)
		case_fail(i, "it was not evaluated: %s", s->reason);
	else if (!f && !s && tc->expect != QUIET)
		case_fail(i, "it stayed quiet");
	if (f && tc->expect == FIRES) {
		check_texts(i, "summary", f->summary, tc->summary_has);
		check_texts(i, "action", f->action, tc->action_has);
		check_changes(i, f);
	}
	if (s && tc->expect == NOT_EVALUATED && tc->reason_has &&
	    !strstr(s->reason, tc->reason_has))
		case_fail(i, "reason '%s' does not name '%s'", s->reason, tc->reason_has);
	check_no_harm(i, j);
	judgement_free(j);
}

static void test_table(void **state)
{
	const struct ruleset *rs = *state;

	failures = 0;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(rs, i);
	assert_int_equal(failures, 0);
}

static bool has_case(const char *id, enum outcome expect)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (strcmp(cases[i].rule, id) == 0 && cases[i].expect == expect)
			return true;
	return false;
}

/* ---- thresholds: every comparison of every rule, on both sides of its line ---- */

/*
 * A pair of snapshots per comparison in a rule's condition, alike but for
 * the values of that comparison's metrics: with `fires` the rule fires, with
 * `quiet` (just short of the threshold) it stays quiet, and `rest` satisfies
 * every other clause of the condition (for a rule that is an ||, leaves every
 * other clause false), so that nothing but this threshold keeps it quiet. The
 * loop checks that too: the clause is true in one snapshot and false in the
 * other, and the condition with the clause replaced by 1 or by 0 gives 1 or 0
 * in both. Thresholds are chosen to land on whole numbers, so that "> x"
 * written as ">= x" fires on the quiet side.
 */
struct boundary {
	const char *rule;
	const char *clause; /* exactly as written in the rule's `when` */
	const char *fires[2], *quiet[2];
	const char *rest[MAX_ASSIGN];
};

#define PORTS_1000 "sysctl.net.ipv4.ip_local_port_range=40000 40999"
#define EPH_RANGE \
	"(sysctl.net.ipv4.ip_local_port_range[1] - sysctl.net.ipv4.ip_local_port_range[0] + 1)"
#define TCP_MEM "sysctl.net.ipv4.tcp_mem=94000 125000 188000"

static const struct boundary boundaries[] = {
	{ CW,
	  "state.close_wait >= 16",
	  { "state.v4.close_wait=16" },
	  { "state.v4.close_wait=15" },
	  { "state.v4.established=1000" } },
	{ CW,
	  "state.close_wait > 0.01 * state.established",
	  { "state.v4.close_wait=401" },
	  { "state.v4.close_wait=400" },
	  { "state.v4.established=40000" } },

	{ CWD,
	  "state.close_wait >= 256",
	  { "state.v4.close_wait=256" },
	  { "state.v4.close_wait=255" },
	  { "state.v4.established=1000" } },
	{ CWD,
	  "state.close_wait > 0.2 * state.established",
	  { "state.v4.close_wait=301" },
	  { "state.v4.close_wait=300" },
	  { "state.v4.established=1500" } },

	{ "fin-wait2-orphaned",
	  "orphaned.fin_wait2 >= 256",
	  { "state.v4.fin_wait2=256", "orphaned.fin_wait2=256" },
	  { "state.v4.fin_wait2=255", "orphaned.fin_wait2=255" },
	  { "state.v4.established=1000", "sysctl.net.ipv4.tcp_fin_timeout=60" } },
	{ "fin-wait2-orphaned",
	  "orphaned.fin_wait2 > 0.1 * (state.established + 1)",
	  { "state.v4.fin_wait2=301", "orphaned.fin_wait2=301" },
	  { "state.v4.fin_wait2=300", "orphaned.fin_wait2=300" },
	  { "state.v4.established=2999", "sysctl.net.ipv4.tcp_fin_timeout=60" } },

	{ "fin-wait2-held",
	  "held.fin_wait2 >= 256",
	  { "state.v4.fin_wait2=356" },
	  { "state.v4.fin_wait2=355" },
	  { "orphaned.fin_wait2=100", "state.v4.established=1000" } },
	{ "fin-wait2-held",
	  "held.fin_wait2 > 0.1 * (state.established + 1)",
	  { "state.v4.fin_wait2=301" },
	  { "state.v4.fin_wait2=300" },
	  { "state.v4.established=2999" } },

	{ "fin-wait1-pileup",
	  "orphaned.fin_wait1 >= 128",
	  { "state.v4.fin_wait1=128", "orphaned.fin_wait1=128" },
	  { "state.v4.fin_wait1=127", "orphaned.fin_wait1=127" },
	  { "state.v4.established=1000", "sysctl.net.ipv4.tcp_orphan_retries=0" } },
	{ "fin-wait1-pileup",
	  "orphaned.fin_wait1 > 0.05 * (state.established + 1)",
	  { "state.v4.fin_wait1=201", "orphaned.fin_wait1=201" },
	  { "state.v4.fin_wait1=200", "orphaned.fin_wait1=200" },
	  { "state.v4.established=3999", "sysctl.net.ipv4.tcp_orphan_retries=0" } },

	{ "zero-window-orphans",
	  "orphaned.fin_wait1 >= 128",
	  { "orphaned.fin_wait1=128" },
	  { "orphaned.fin_wait1=127" },
	  { "zero_window.orphaned=100", "state.v4.fin_wait1=200", "state.v4.established=1000" } },
	{ "zero-window-orphans",
	  "zero_window.orphaned > 0.5 * orphaned.fin_wait1",
	  { "zero_window.orphaned=101" },
	  { "zero_window.orphaned=100" },
	  { "state.v4.fin_wait1=200", "orphaned.fin_wait1=200", "state.v4.established=1000" } },

	{ "dead-peer",
	  "retrans.peer.count >= 10",
	  { "retrans=10.1.0.2:5432:10:3:0" },
	  { "retrans=10.1.0.2:5432:9:3:0" } },
	{ "dead-peer",
	  "retrans.peer.retries >= 3",
	  { "retrans=10.1.0.2:5432:10:3:0" },
	  { "retrans=10.1.0.2:5432:10:2:0" } },

	{ "dead-peer-idle",
	  "retrans.peer.idle >= 10",
	  { "retrans=10.1.0.2:5432:10:3:10" },
	  { "retrans=10.1.0.2:5432:10:3:9" },
	  { "sysctl.net.ipv4.tcp_keepalive_time=7200" } },
	{ "dead-peer-idle",
	  "retrans.peer.retries >= 3",
	  { "retrans=10.1.0.2:5432:10:3:10" },
	  { "retrans=10.1.0.2:5432:10:2:10" },
	  { "sysctl.net.ipv4.tcp_keepalive_time=7200" } },
	{ "dead-peer-idle",
	  "sysctl.net.ipv4.tcp_keepalive_time >= 7200",
	  { "sysctl.net.ipv4.tcp_keepalive_time=7200" },
	  { "sysctl.net.ipv4.tcp_keepalive_time=7199" },
	  { "retrans=10.1.0.2:5432:10:3:10" } },

	{ "last-ack-pileup",
	  "state.last_ack >= 128",
	  { "state.v6.last_ack=128" },
	  { "state.v6.last_ack=127" },
	  { "state.v4.established=1000" } },
	{ "last-ack-pileup",
	  "state.last_ack > 0.05 * (state.established + 1)",
	  { "state.v6.last_ack=201" },
	  { "state.v6.last_ack=200" },
	  { "state.v4.established=3999" } },

	{ "syn-sent-pileup",
	  "state.syn_sent >= 64",
	  { "state.v4.syn_sent=64" },
	  { "state.v4.syn_sent=63" },
	  { "state.v4.established=500", "sysctl.net.ipv4.tcp_syn_retries=6" } },
	{ "syn-sent-pileup",
	  "state.syn_sent > 0.05 * (state.established + 1)",
	  { "state.v4.syn_sent=101" },
	  { "state.v4.syn_sent=100" },
	  { "state.v4.established=1999", "sysctl.net.ipv4.tcp_syn_retries=6" } },

	/* A queue holds backlog + 1 before it is full. */
	{ "accept-queue-full",
	  "listen.full > 0",
	  { "listener=127.0.0.1:80:queue=129:backlog=128" },
	  { "listener=127.0.0.1:80:queue=128:backlog=128" },
	  { "listener=0.0.0.0:22:queue=0:backlog=128", "sysctl.net.core.somaxconn=128" } },

	{ "listen-overflows",
	  "rate.TcpExt.ListenOverflows > 0",
	  { "rate.TcpExt.ListenOverflows=0.1" },
	  { "rate.TcpExt.ListenOverflows=0" },
	  { "rate.TcpExt.ListenDrops=0", STOCK_SYSCTLS } },
	{ "syn-drops",
	  "rate.TcpExt.ListenDrops > rate.TcpExt.ListenOverflows",
	  { "rate.TcpExt.ListenDrops=2.1" },
	  { "rate.TcpExt.ListenDrops=2" },
	  { "rate.TcpExt.ListenOverflows=2", STOCK_SYSCTLS } },

	/* The listener's limit is somaxconn itself, and it is half full, on both sides. */
	{ "somaxconn-low",
	  "sysctl.net.core.somaxconn < 1024",
	  { "sysctl.net.core.somaxconn=1023", "listener=0.0.0.0:80:queue=512:backlog=1023" },
	  { "sysctl.net.core.somaxconn=1024", "listener=0.0.0.0:80:queue=512:backlog=1024" } },
	/* Half full: 64 of 128 is, 63 is not ... */
	{ "somaxconn-low",
	  "listen.capped > 0",
	  { "listener=0.0.0.0:80:queue=64:backlog=128" },
	  { "listener=0.0.0.0:80:queue=63:backlog=128" },
	  { "sysctl.net.core.somaxconn=128" } },
	/* ... and a listener that asked for less than somaxconn is not held by it. */
	{ "somaxconn-low",
	  "listen.capped > 0",
	  { "listener=0.0.0.0:80:queue=100:backlog=128" },
	  { "listener=0.0.0.0:80:queue=100:backlog=127" },
	  { "sysctl.net.core.somaxconn=128" } },

	{ "orphans-near-limit",
	  "sockstat.orphan > 0.5 * sysctl.net.ipv4.tcp_max_orphans",
	  { "sockstat.orphan=32769" },
	  { "sockstat.orphan=32768" },
	  { "sysctl.net.ipv4.tcp_max_orphans=65536" } },

	{ "tcp-memory-pressure",
	  "sockstat.mem > sysctl.net.ipv4.tcp_mem[1]",
	  { "sockstat.mem=125001" },
	  { "sockstat.mem=125000" },
	  { TCP_MEM } },

	{ "tcp-memory-exhausted",
	  "sockstat.mem > sysctl.net.ipv4.tcp_mem[2]",
	  { "sockstat.mem=188001" },
	  { "sockstat.mem=188000" },
	  { TCP_MEM, "rate.TcpExt.TCPAbortOnMemory=0" } },
	{ "tcp-memory-exhausted",
	  "rate.TcpExt.TCPAbortOnMemory > 0",
	  { "rate.TcpExt.TCPAbortOnMemory=0.1" },
	  { "rate.TcpExt.TCPAbortOnMemory=0" },
	  { TCP_MEM, "sockstat.mem=100" } },

	{ "keepalive-slow",
	  "state.established >= 10000",
	  { "state.v4.established=10000" },
	  { "state.v4.established=9999" },
	  { "sysctl.net.ipv4.tcp_keepalive_time=7200" } },
	{ "keepalive-slow",
	  "sysctl.net.ipv4.tcp_keepalive_time >= 7200",
	  { "sysctl.net.ipv4.tcp_keepalive_time=7200" },
	  { "sysctl.net.ipv4.tcp_keepalive_time=7199" },
	  { "state.v4.established=10000" } },

	{ "syn-flood-no-syncookies",
	  "sysctl.net.ipv4.tcp_syncookies == 0",
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "sysctl.net.ipv4.tcp_syncookies=1" },
	  { "state.v4.syn_recv=820", "top.syn_recv=80:800:server",
	    "sysctl.net.ipv4.tcp_max_syn_backlog=1024" } },
	{ "syn-flood-no-syncookies",
	  "sysctl.net.ipv4.tcp_syncookies == 0",
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "sysctl.net.ipv4.tcp_syncookies=2" },
	  { "state.v4.syn_recv=820", "top.syn_recv=80:800:server",
	    "sysctl.net.ipv4.tcp_max_syn_backlog=1024" } },
	{ "syn-flood-no-syncookies",
	  "top.syn_recv.count > 0.75 * sysctl.net.ipv4.tcp_max_syn_backlog",
	  { "top.syn_recv=80:769:server" },
	  { "top.syn_recv=80:768:server" },
	  { "state.v4.syn_recv=900", "sysctl.net.ipv4.tcp_syncookies=0",
	    "sysctl.net.ipv4.tcp_max_syn_backlog=1024" } },

	{ "syn-recv-pileup",
	  "state.syn_recv >= 128",
	  { "state.v4.syn_recv=128" },
	  { "state.v4.syn_recv=127" },
	  { "state.v4.established=1000", "sysctl.net.ipv4.tcp_syncookies=1" } },
	{ "syn-recv-pileup",
	  "state.syn_recv > 0.05 * (state.established + 1)",
	  { "state.v4.syn_recv=201" },
	  { "state.v4.syn_recv=200" },
	  { "state.v4.established=3999", "sysctl.net.ipv4.tcp_syncookies=1" } },
	{ "syn-recv-pileup",
	  "sysctl.net.ipv4.tcp_syncookies != 0",
	  { "sysctl.net.ipv4.tcp_syncookies=1" },
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "state.v4.syn_recv=300", "state.v4.established=100" } },
	{ "syn-recv-pileup",
	  "sysctl.net.ipv4.tcp_syncookies != 0",
	  { "sysctl.net.ipv4.tcp_syncookies=2" },
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "state.v4.syn_recv=300", "state.v4.established=100" } },

	{ "syncookies-sent",
	  "sysctl.net.ipv4.tcp_syncookies == 1",
	  { "sysctl.net.ipv4.tcp_syncookies=1" },
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "rate.TcpExt.SyncookiesSent=12", "sysctl.net.core.somaxconn=128" } },
	{ "syncookies-sent",
	  "sysctl.net.ipv4.tcp_syncookies == 1",
	  { "sysctl.net.ipv4.tcp_syncookies=1" },
	  { "sysctl.net.ipv4.tcp_syncookies=2" },
	  { "rate.TcpExt.SyncookiesSent=12", "sysctl.net.core.somaxconn=128" } },
	{ "syncookies-sent",
	  "rate.TcpExt.SyncookiesSent > 0",
	  { "rate.TcpExt.SyncookiesSent=0.1" },
	  { "rate.TcpExt.SyncookiesSent=0" },
	  { "sysctl.net.ipv4.tcp_syncookies=1", "sysctl.net.core.somaxconn=128" } },

	{ "syncookies-disabled",
	  "sysctl.net.ipv4.tcp_syncookies == 0",
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "sysctl.net.ipv4.tcp_syncookies=1" } },
	{ "syncookies-disabled",
	  "sysctl.net.ipv4.tcp_syncookies == 0",
	  { "sysctl.net.ipv4.tcp_syncookies=0" },
	  { "sysctl.net.ipv4.tcp_syncookies=2" } },

	/* 80% and 50% of a range of 1000 ports (the + 1 counts both ends). */
	{ "ephemeral-ports-exhausted",
	  "peer.count > 0.8 * " EPH_RANGE,
	  { "peer=10.0.0.5:5432:801" },
	  { "peer=10.0.0.5:5432:800" },
	  { PORTS_1000, "sysctl.net.ipv4.tcp_tw_reuse=2", "sysctl.net.ipv4.tcp_timestamps=1" } },
	{ "ephemeral-ports-pressure",
	  "peer.count > 0.5 * " EPH_RANGE,
	  { "peer=10.0.0.5:5432:501" },
	  { "peer=10.0.0.5:5432:500" },
	  { PORTS_1000, "sysctl.net.ipv4.tcp_tw_reuse=2", "sysctl.net.ipv4.tcp_timestamps=1" } },

	{ "time-wait-bucket-limit",
	  "state.time_wait > 0.9 * sysctl.net.ipv4.tcp_max_tw_buckets",
	  { "state.v4.time_wait=9001" },
	  { "state.v4.time_wait=9000" },
	  { "sysctl.net.ipv4.tcp_max_tw_buckets=10000", "rate.TcpExt.TCPTimeWaitOverflow=0" } },
	{ "time-wait-bucket-limit",
	  "rate.TcpExt.TCPTimeWaitOverflow > 0",
	  { "rate.TcpExt.TCPTimeWaitOverflow=0.1" },
	  { "rate.TcpExt.TCPTimeWaitOverflow=0" },
	  { "state.v4.time_wait=100", "sysctl.net.ipv4.tcp_max_tw_buckets=10000" } },

	/*
	 * The busiest port's count never exceeds the state's total, so this clause
	 * is implied by the third; the quiet snapshot (9999 in all, 10000 on one
	 * port) cannot occur, but tests the threshold as written.
	 */
	{ "time-wait-server-side",
	  "state.time_wait >= 10000",
	  { "state.v4.time_wait=10000" },
	  { "state.v4.time_wait=9999" },
	  { "top.time_wait=80:10000:server", STOCK_SYSCTLS } },
	{ "time-wait-server-side",
	  "top.time_wait.server == 1",
	  { "top.time_wait=80:10000:server" },
	  { "top.time_wait=80:10000:client" },
	  { "state.v4.time_wait=12000", STOCK_SYSCTLS } },
	{ "time-wait-server-side",
	  "top.time_wait.count >= 10000",
	  { "top.time_wait=80:10000:server" },
	  { "top.time_wait=80:9999:server" },
	  { "state.v4.time_wait=12000", STOCK_SYSCTLS } },

	{ "tw-reuse-without-timestamps",
	  "sysctl.net.ipv4.tcp_tw_reuse == 1",
	  { "sysctl.net.ipv4.tcp_tw_reuse=1" },
	  { "sysctl.net.ipv4.tcp_tw_reuse=0" },
	  { "sysctl.net.ipv4.tcp_timestamps=0" } },
	/* 2 (the default: loopback only) does not need timestamps for other peers */
	{ "tw-reuse-without-timestamps",
	  "sysctl.net.ipv4.tcp_tw_reuse == 1",
	  { "sysctl.net.ipv4.tcp_tw_reuse=1" },
	  { "sysctl.net.ipv4.tcp_tw_reuse=2" },
	  { "sysctl.net.ipv4.tcp_timestamps=0" } },
	{ "tw-reuse-without-timestamps",
	  "sysctl.net.ipv4.tcp_timestamps == 0",
	  { "sysctl.net.ipv4.tcp_timestamps=0" },
	  { "sysctl.net.ipv4.tcp_timestamps=1" },
	  { "sysctl.net.ipv4.tcp_tw_reuse=1" } },

	{ "tw-recycle-enabled",
	  "sysctl.net.ipv4.tcp_tw_recycle != 0",
	  { "sysctl.net.ipv4.tcp_tw_recycle=1" },
	  { "sysctl.net.ipv4.tcp_tw_recycle=0" } },
};

/* Counts the comparison operators of a condition: one boundary each. */
static size_t count_comparisons(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if ((s[0] == '=' || s[0] == '!') && s[1] == '=') {
			n++;
			s++;
		} else if (s[0] == '<' || s[0] == '>') {
			n++;
			if (s[1] == '=')
				s++;
		}
	}
	return n;
}

/* The text with its only occurrence of clause replaced by with; NULL if not exactly once. */
static char *replace_clause(const char *text, const char *clause, const char *with)
{
	const char *at = strstr(text, clause);
	char *out = NULL;

	if (!at || strstr(at + 1, clause))
		return NULL;
	if (asprintf(&out, "%.*s%s%s", (int)(at - text), text, with, at + strlen(clause)) < 0)
		return NULL;
	return out;
}

/* Evaluates text against o: 0 or 1, or -1 (with why) when it cannot. */
static int truth(const char *text, const struct observation *o, char **why)
{
	struct expr *e = NULL;
	double v = -1;
	int r;

	if (expr_parse(text, &e, &(unsigned){ 0 }, why) < 0)
		return -1;
	r = expr_eval(e, o, &v, why);
	expr_free(e);
	return r < 0 ? -1 : v != 0;
}

static void boundary_fail(size_t i, const char *side, const char *fmt, ...) _printf_(3, 4);
static void boundary_fail(size_t i, const char *side, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	print_error("boundary %zu (%s: %s), %s side: %s\n", i, boundaries[i].rule,
		    boundaries[i].clause, side, msg ? msg : "out of memory");
	failures++;
}

/* One side of a boundary: the rule's outcome, and the clause alone deciding it. */
static void check_side(const struct ruleset *rs, size_t i, bool fires)
{
	const struct boundary *b = &boundaries[i];
	const struct rule *r = ruleset_find(rs, b->rule);
	const char *const *own = fires ? b->fires : b->quiet;
	const char *side = fires ? "firing" : "quiet";
	const char *assign[MAX_ASSIGN + 2] = { NULL };
	_cleanup_free_ char *if_true = NULL, *if_false = NULL, *why = NULL;
	_cleanup_observation_ struct observation *o = NULL;
	struct judgement *j = NULL;
	size_t n = 0;
	int t;

	for (size_t k = 0; k < 2 && own[k]; k++)
		assign[n++] = own[k];
	for (size_t k = 0; k < MAX_ASSIGN && b->rest[k]; k++)
		assign[n++] = b->rest[k];
	o = build(assign, n);
	assert_int_equal(engine_judge(rs, o, &j), 0);
	if (find_skipped(j, b->rule))
		boundary_fail(i, side, "not evaluated: %s", find_skipped(j, b->rule)->reason);
	else if (!find_finding(j, b->rule) != !fires)
		boundary_fail(i, side, fires ? "it stayed quiet" : "it fired");
	judgement_free(j);

	t = truth(b->clause, o, &why);
	if (t != fires)
		boundary_fail(i, side, "the clause is %d (%s), expected %d", t, why ? why : "",
			      fires);
	/* Whatever the other clauses are, they leave the decision to this one. */
	if_true = replace_clause(r->when_text, b->clause, "1");
	if_false = replace_clause(r->when_text, b->clause, "0");
	if (!if_true || !if_false) {
		boundary_fail(i, side, "the clause is not once in '%s'", r->when_text);
		return;
	}
	if (truth(if_true, o, NULL) != 1 || truth(if_false, o, NULL) != 0)
		boundary_fail(i, side, "another clause decides: '%s' is %d, '%s' is %d", if_true,
			      truth(if_true, o, NULL), if_false, truth(if_false, o, NULL));
}

/* Both sides of every boundary, and a boundary for every comparison of every rule. */
static void test_boundaries(void **state)
{
	const struct ruleset *rs = *state;

	failures = 0;
	for (size_t i = 0; i < ARRAY_SIZE(boundaries); i++) {
		const struct boundary *b = &boundaries[i];

		if (!ruleset_find(rs, b->rule)) {
			boundary_fail(i, "either", "no shipped rule has this id");
			continue;
		}
		/* The two sides differ in values only, never in what they set. */
		for (size_t k = 0; k < 2; k++)
			if (!b->fires[k] != !b->quiet[k] ||
			    (b->fires[k] &&
			     strcspn(b->fires[k], "=") != strcspn(b->quiet[k], "=")) ||
			    (b->fires[k] &&
			     strncmp(b->fires[k], b->quiet[k], strcspn(b->fires[k], "=")) != 0))
				boundary_fail(i, "either", "'%s' and '%s' set different things",
					      b->fires[k] ? b->fires[k] : "(none)",
					      b->quiet[k] ? b->quiet[k] : "(none)");
		check_side(rs, i, true);
		check_side(rs, i, false);
	}
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		size_t want = count_comparisons(r->when_text), have = 0;

		/* Distinct clauses of this rule in the table. */
		for (size_t k = 0; k < ARRAY_SIZE(boundaries); k++) {
			bool seen = false;

			if (strcmp(boundaries[k].rule, r->id) != 0)
				continue;
			for (size_t m = 0; m < k && !seen; m++)
				seen = strcmp(boundaries[m].rule, r->id) == 0 &&
				       strcmp(boundaries[m].clause, boundaries[k].clause) == 0;
			have += !seen;
		}
		if (have != want) {
			print_error("%s: %zu comparisons in '%s', %zu with a boundary\n", r->id,
				    want, r->when_text, have);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* A rule shipped without its texts or without tests fails here. */
static void test_every_rule_complete_and_tested(void **state)
{
	const struct ruleset *rs = *state;

	assert_true(rs->n > 0);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		if (!r->enabled)
			fail_msg("%s is shipped disabled", r->id);
		if (r->severity < SEV_INFO || r->severity > SEV_CRITICAL)
			fail_msg("%s has no valid severity", r->id);
		if (!r->summary || !*r->summary || !r->explain || !*r->explain || !r->action ||
		    !*r->action)
			fail_msg("%s needs summary, explain and action", r->id);
		if (!has_case(r->id, FIRES) || !has_case(r->id, QUIET))
			fail_msg("%s needs a FIRES and a QUIET case in the table", r->id);
	}
}

/* The advice DOMAIN.md calls wrong must never be given. */
static void test_no_harmful_recommendation(void **state)
{
	const struct ruleset *rs = *state;

	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		for (size_t k = 0; k < r->n_recommend; k++) {
			const struct recommendation *rec = &r->recommend[k];
			const struct kb_entry *e = kb_lookup(rec->key);

			if (strcmp(rec->key, "net.ipv4.tcp_tw_recycle") == 0 || !e || e->removed)
				fail_msg("%s recommends %s", r->id, rec->key);
			if ((strcmp(rec->key, "net.ipv4.tcp_max_tw_buckets") == 0 ||
			     strcmp(rec->key, "net.ipv4.tcp_max_orphans") == 0 || e->never_lower) &&
			    rec->kind != REC_MIN)
				fail_msg("%s may lower %s: only {min: N} is allowed", r->id,
					 rec->key);
		}
	}
}

/* A healthy, busy web server on a stock kernel: nothing to report. */
static void test_healthy_server_quiet(void **state)
{
	static const char *const healthy[] = {
		"state.v4.established=5000",
		"state.v6.established=1200",
		"state.v4.time_wait=9500",
		"state.v4.close_wait=3",
		"state.v4.fin_wait2=40",
		"state.v4.syn_recv=12",
		"client.established=300",
		"client.time_wait=2000",
		"top.time_wait=443:9000:server",
		"sockstat.orphan=50",
		"sockstat.mem=3000",
		"listener=0.0.0.0:443:queue=3:backlog=4096",
		"listener=[::]:443:queue=0:backlog=4096",
		"counter.TcpExt.ListenOverflows=0",
		"rate.TcpExt.ListenOverflows=0",
		"rate.TcpExt.ListenDrops=0",
		"rate.TcpExt.SyncookiesSent=0",
		"rate.TcpExt.TCPAbortOnMemory=0",
		"rate.TcpExt.TCPTimeWaitOverflow=0",
		"sysctl.net.ipv4.ip_local_port_range=32768 60999",
		"sysctl.net.ipv4.tcp_max_orphans=65536",
		"sysctl.net.ipv4.tcp_mem=94000 125000 188000",
		"sysctl.net.ipv4.tcp_keepalive_time=7200",
		STOCK_SYSCTLS,
		NULL,
	};
	const struct ruleset *rs = *state;
	_cleanup_observation_ struct observation *o = build(healthy, ARRAY_SIZE(healthy));
	struct judgement *j = NULL;

	assert_int_equal(engine_judge(rs, o, &j), 0);
	for (size_t i = 0; i < j->n_findings; i++)
		print_error("%s: %s\n", j->findings[i].rule->id, j->findings[i].summary);
	for (size_t i = 0; i < j->n_skipped; i++)
		if (strcmp(j->skipped[i].rule->id, "tw-recycle-enabled") != 0)
			print_error("%s not evaluated: %s\n", j->skipped[i].rule->id,
				    j->skipped[i].reason);
	assert_int_equal(j->n_findings, 0);
	/* Only the removed key is missing on a modern kernel. */
	assert_int_equal(j->n_skipped, 1);
	assert_int_equal(j->worst, 0);
	judgement_free(j);
}

static int setup(void **state)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	struct load_errors errs = { 0 };
	int r;

	if (!rs)
		return -1;
	r = ruleset_load(rs, RULES_DIR, &errs);
	for (size_t i = 0; i < errs.n; i++)
		print_error("%s\n", errs.msgs[i]);
	load_errors_free(&errs);
	if (r < 0) {
		ruleset_free(rs);
		free(rs);
		return -1;
	}
	*state = rs;
	return 0;
}

static int teardown(void **state)
{
	struct ruleset *rs = *state;

	if (rs)
		ruleset_free(rs);
	free(rs);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_every_rule_complete_and_tested),
		cmocka_unit_test(test_no_harmful_recommendation),
		cmocka_unit_test(test_healthy_server_quiet),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
