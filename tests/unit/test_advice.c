// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * No finding advises a sysctl that does not act on the sockets it describes.
 * Each key a rule may recommend has a scope here: the metrics a condition
 * must read for the key to act on what it counts (orphaned FIN_WAIT2 for
 * tcp_fin_timeout, client-side TIME_WAIT for tcp_tw_reuse, an accept-queue
 * signal for somaxconn ...), and those that count sockets it does not act on.
 * A condition that reads only sysctls is configuration advice and describes
 * no socket. The walker goes through every shipped rule; a fixture of wrong
 * rules shows it finds each mistake.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"
#include "rules.h"
#include "util.h"

#define RULES_DIR FIXTURES "/../../rules"

struct scope {
	const char *key;
	const char *acts_on;
	const char *const needs[8];   /* one of these (a name, or a prefix ending in '.') */
	const char *const against[6]; /* none of these */
};

static const struct scope scopes[] = {
	{ "net.ipv4.tcp_fin_timeout",
	  "orphaned FIN_WAIT2 sockets",
	  { "orphaned.fin_wait2" },
	  { "state.fin_wait2", "state.v4.fin_wait2", "state.v6.fin_wait2", "held.fin_wait2" } },
	{ "net.ipv4.tcp_orphan_retries",
	  "orphans",
	  { "orphaned.", "zero_window.orphaned", "retrans.orphaned" },
	  { "state.fin_wait1", "held." } },
	{ "net.ipv4.tcp_tw_reuse",
	  "TIME_WAIT ports that new outgoing connections take over",
	  { "peer.", "client." },
	  { "server.", "top.time_wait.server" } },
	{ "net.ipv4.ip_local_port_range", "client-side connections", { "peer.", "client." } },
	{ "net.ipv4.tcp_timestamps",
	  "TIME_WAIT reuse by outgoing connections",
	  { "peer.", "client.", "sysctl.net.ipv4.tcp_tw_reuse" } },
	{ "net.core.somaxconn",
	  "accept queues (and the SYN queue's limit)",
	  { "listen.", "rate.TcpExt.ListenOverflows", "counter.TcpExt.ListenOverflows",
	    "rate.TcpExt.SyncookiesSent" } },
	{ "net.ipv4.tcp_max_syn_backlog",
	  "SYN queues while syncookies are off",
	  { "state.syn_recv", "top.syn_recv.", "rate.TcpExt.ListenDrops",
	    "rate.TcpExt.TCPReqQFullDrop" },
	  { "listen." } },
	{ "net.ipv4.tcp_syncookies",
	  "full SYN queues",
	  { "state.syn_recv", "top.syn_recv.", "rate.TcpExt.ListenDrops",
	    "rate.TcpExt.SyncookiesSent" } },
	{ "net.ipv4.tcp_synack_retries",
	  "half-open connections (SYN_RECV)",
	  { "state.syn_recv", "top.syn_recv." } },
	{ "net.ipv4.tcp_syn_retries",
	  "outgoing handshakes (SYN_SENT)",
	  { "state.syn_sent", "top.syn_sent." } },
	{ "net.ipv4.tcp_keepalive_time",
	  "idle connections with SO_KEEPALIVE",
	  { "state.established", "retrans.peer.idle" } },
	{ "net.ipv4.tcp_keepalive_intvl",
	  "idle connections with SO_KEEPALIVE",
	  { "state.established", "retrans.peer.idle" } },
	{ "net.ipv4.tcp_keepalive_probes",
	  "idle connections with SO_KEEPALIVE",
	  { "state.established", "retrans.peer.idle" } },
	{ "net.ipv4.tcp_max_orphans", "the machine's orphans", { "sockstat.orphan" } },
	{ "net.ipv4.tcp_max_tw_buckets",
	  "TIME_WAIT sockets",
	  { "state.time_wait", "sockstat.tw" } },
};

static bool name_matches(const char *name, const char *pattern)
{
	size_t n = strlen(pattern);

	if (pattern[n - 1] == '.')
		return strncmp(name, pattern, n) == 0;
	return strcmp(name, pattern) == 0;
}

struct reads {
	char *names[32];
	size_t n;
};

static void collect(const char *name, void *data)
{
	struct reads *r = data;

	if (r->n < ARRAY_SIZE(r->names))
		r->names[r->n++] = strdup(name);
}

static bool reads_any(const struct reads *r, const char *const *patterns, size_t max)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < max && patterns[k]; k++)
			if (name_matches(r->names[i], patterns[k]))
				return true;
	return false;
}

static const char *first_read(const struct reads *r, const char *const *patterns, size_t max)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < max && patterns[k]; k++)
			if (name_matches(r->names[i], patterns[k]))
				return r->names[i];
	return NULL;
}

static bool config_only(const struct reads *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (strncmp(r->names[i], "sysctl.", 7) != 0)
			return false;
	return true;
}

static char *fmt(const char *f, ...) _printf_(1, 2);
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, f);
	r = vasprintf(&s, f, ap);
	va_end(ap);
	assert_true(r >= 0);
	return s;
}

static const struct scope *scope_of(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		if (strcmp(scopes[i].key, key) == 0)
			return &scopes[i];
	return NULL;
}

/* Appends one line per problem to *out ("" when none); returns how many. */
static size_t walk(const struct ruleset *rs, char **out)
{
	size_t problems = 0;

	*out = strdup("");
	assert_non_null(*out);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		struct reads reads = { 0 };

		expr_foreach_metric(r->when, collect, &reads);
		for (size_t k = 0; k < r->n_recommend; k++) {
			const char *key = r->recommend[k].key;
			const struct scope *sc = scope_of(key);
			const char *bad;
			char *line = NULL, *joined;

			if (!sc)
				asprintf(
					&line,
					"%s recommends %s, whose scope test_advice.c does not know",
					r->id, key);
			else if (config_only(&reads))
				continue;
			else if ((bad = first_read(&reads, sc->against, ARRAY_SIZE(sc->against))))
				line = fmt("%s recommends %s, which acts on %s, for %s", r->id, key,
					   sc->acts_on, bad);
			else if (!reads_any(&reads, sc->needs, ARRAY_SIZE(sc->needs)))
				asprintf(&line,
					 "%s recommends %s, which acts on %s, without reading them",
					 r->id, key, sc->acts_on);
			if (!line)
				continue;
			problems++;
			joined = fmt("%s%s\n", *out, line);
			free(*out);
			free(line);
			*out = joined;
		}
		for (size_t k = 0; k < reads.n; k++)
			free(reads.names[k]);
	}
	return problems;
}

static struct ruleset *load(const char *path)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	struct load_errors errs = { 0 };

	assert_non_null(rs);
	if (ruleset_load(rs, path, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			print_error("%s\n", errs.msgs[i]);
		fail_msg("%s does not load", path);
	}
	load_errors_free(&errs);
	return rs;
}

static void drop(struct ruleset *rs)
{
	ruleset_free(rs);
	free(rs);
}

static void test_shipped_rules(void **state)
{
	struct ruleset *rs = load(RULES_DIR);
	_cleanup_free_ char *out = NULL;

	(void)state;
	if (walk(rs, &out) > 0)
		fail_msg("advice that does not act on what it describes:\n%s", out);
	drop(rs);
}

/* The walker is not blind: each wrong rule is named, the configuration-only one is not. */
static void test_finds_wrong_advice(void **state)
{
	struct ruleset *rs = load(FIXTURES "/rules/advice/wrong.yaml");
	_cleanup_free_ char *out = NULL;

	(void)state;
	assert_int_equal(walk(rs, &out), 4);
	assert_non_null(strstr(out,
			       "fin-timeout-for-held recommends net.ipv4.tcp_fin_timeout, "
			       "which acts on orphaned FIN_WAIT2 sockets, for state.fin_wait2"));
	assert_non_null(strstr(out, "tw-reuse-server-side recommends net.ipv4.tcp_tw_reuse, which "
				    "acts on TIME_WAIT ports that new outgoing connections take "
				    "over, for top.time_wait.server"));
	assert_non_null(strstr(out, "somaxconn-without-accept-queue recommends net.core.somaxconn, "
				    "which acts on accept queues (and the SYN queue's limit), "
				    "without reading them"));
	assert_non_null(strstr(out, "syn-backlog-for-accept-queue recommends "
				    "net.ipv4.tcp_max_syn_backlog"));
	assert_null(strstr(out, "config-only"));
	drop(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_rules),
		cmocka_unit_test(test_finds_wrong_advice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
