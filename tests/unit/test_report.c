// SPDX-License-Identifier: GPL-2.0-or-later
/* Renderers: JSON schema, Prometheus well-formedness, text layout; and their shared helpers. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fakeobs.h"
#include "format.h"
#include "observation.h"
#include "render.h"
#include "report.h"
#include "results.h"
#include "util.h"

/* ---- building synthetic snapshots ---- */

/* A typical busy web server. */
static struct observation *make_obs(void)
{
	struct observation *o = observation_new();

	assert_non_null(o);
	o->timestamp = 1714557600.25;
	o->source = "netlink";
	o->kernel_release = xstrdup("6.1.0-18-amd64");
	o->states[OBS_V4][TS_ESTABLISHED] = 1200;
	o->states[OBS_V6][TS_ESTABLISHED] = 34;
	o->states[OBS_V4][TS_TIME_WAIT] = 15000;
	o->states[OBS_V6][TS_TIME_WAIT] = 2;
	o->states[OBS_V4][TS_CLOSE_WAIT] = 87;
	o->states[OBS_V4][TS_LISTEN] = 5;
	o->states[OBS_V6][TS_LISTEN] = 2;
	o->states[OBS_V4][TS_SYN_RECV] = 3;
	o->processes = true;
	add_port(o, TS_TIME_WAIT, 443, 9000, true, 812, "nginx");
	add_port(o, TS_TIME_WAIT, 5432, 4000, false, 0, NULL);
	add_port(o, TS_CLOSE_WAIT, 8080, 80, true, 4321, "java");
	add_listener(o, AF_INET, "0.0.0.0", 443, 3, 511, 812, "nginx");
	add_listener(o, AF_INET, "0.0.0.0", 443, 0, 511, 813, "nginx");
	add_listener(o, AF_INET, "127.0.0.1", 5432, 1, 4, 0, NULL);
	add_listener(o, AF_INET6, "::", 22, 0, 128, 900, "sshd");
	add_listener(o, AF_INET6, "2001:db8::1", 8080, 7, -1, 0, NULL);
	add_counter(&o->sockstat, &o->n_sockstat, "inuse", 1290, 0);
	add_counter(&o->sockstat, &o->n_sockstat, "orphan", 2, 0);
	add_counter(&o->sockstat, &o->n_sockstat, "tw", 15002, 0);
	add_counter(&o->sockstat, &o->n_sockstat, "alloc", 1300, 0);
	add_counter(&o->sockstat, &o->n_sockstat, "mem", 312, 0);
	add_counter(&o->sockstat, &o->n_sockstat, "v6.inuse", 36, 0);
	add_counter(&o->counters, &o->n_counters, "Tcp.ActiveOpens", 51234, 0.5);
	add_counter(&o->counters, &o->n_counters, "Tcp.PassiveOpens", 998877, 120.25);
	add_counter(&o->counters, &o->n_counters, "Tcp.CurrEstab", 1234, 0);
	add_counter(&o->counters, &o->n_counters, "Tcp.MaxConn", -1, 0);
	add_counter(&o->counters, &o->n_counters, "Tcp.RetransSegs", 4567, 1.5);
	add_counter(&o->counters, &o->n_counters, "TcpExt.ListenOverflows", 17, NAN);
	add_counter(&o->counters, &o->n_counters, "TcpExt.ListenDrops", 17, 0);
	add_counter(&o->counters, &o->n_counters, "TcpExt.SyncookiesSent", 0, 0);
	add_counter(&o->counters, &o->n_counters, "TcpExt.TW", 800000, 30);
	add_counter(&o->counters, &o->n_counters, "TcpExt.TCPTimeWaitOverflow", 0, 0);
	add_sysctl(o, "net.ipv4.tcp_fin_timeout", "60", 1, (int64_t)60);
	add_sysctl(o, "net.ipv4.ip_local_port_range", "32768 60999", 2, (int64_t)32768,
		   (int64_t)60999);
	add_sysctl(o, "net.ipv4.tcp_congestion_control", "cubic", 0);
	add_sysctl(o, "net.ipv4.tcp_tw_recycle", NULL, 0);
	assert_int_equal(observation_add_note(o, "owners of %d sockets were not found", 3), 0);
	return o;
}

/* ---- shared helpers ---- */

static void test_json_helpers(void **state)
{
	_cleanup_json_ json_object *o = json_object_new_object();
	_cleanup_free_ char *out = NULL;

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_add(o, "n", json_object_new_int(3)), 0);
	assert_int_equal(json_add(o, "failed", NULL), -ENOMEM);
	assert_int_equal(report_json_add_str(o, "none", NULL), 0);
	assert_int_equal(report_json_add_str(o, "bytes", "a\xff/b"), 0);
	RENDER(report_json_print(f, o), &out);
	assert_string_equal(out, "{\n  \"n\":3,\n  \"none\":null,\n  \"bytes\":\"a?/b\"\n}\n");
}

static void test_format_helpers(void **state)
{
	static const struct {
		double d;
		const char *text;
	} doubles[] = {
		{ 0.25, "0.25" },
		{ 2, "2.0" },
		{ 0.1, "0.1" },
		{ 30, "30.0" },
		{ 1e-5, "1e-05" },
		{ 1e20, "1e+20" },
		{ 0.005870841487279843, "0.005870841487279843" },
		{ 1714557600.25, "1714557600.25" },
		{ -1.5, "-1.5" },
		{ 1e300, "1e+300" },
		{ NAN, "NaN" },
		{ INFINITY, "+Inf" },
		{ -INFINITY, "-Inf" },
	};
	uint8_t a4[16] = { 0 }, a6[16] = { 0 };
	char buf[REPORT_ENDPOINT_MAX];
	const char *field;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(doubles); i++) {
		assert_int_equal(report_format_double(doubles[i].d, buf, sizeof(buf)), 0);
		assert_string_equal(buf, doubles[i].text);
	}
	assert_int_equal(report_format_double(0.1, buf, 3), -ENOSPC);

	inet_pton(AF_INET, "10.1.2.3", a4);
	inet_pton(AF_INET6, "fe80::1", a6);
	/* Endpoints as every report writes them (observe's endpoint_format()). */
	assert_int_equal(endpoint_format(AF_INET, a4, 80, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.1.2.3:80");
	assert_int_equal(endpoint_format(AF_INET6, a6, 443, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[fe80::1]:443");
	assert_int_equal(endpoint_format(AF_INET6, a6, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "fe80::1"); /* a server's peer: the host alone */
	assert_int_equal(report_format_addr(AF_UNIX, a4, buf, sizeof(buf)), -EAFNOSUPPORT);
	assert_int_equal(endpoint_format(AF_UNIX, a4, 80, buf, sizeof(buf)), -EAFNOSUPPORT);
	assert_int_equal(endpoint_format(AF_INET, a4, 80, buf, 8), -ENOSPC);

	assert_int_equal(report_counter_split("TcpExt.ListenDrops", &field), 6);
	assert_string_equal(field, "ListenDrops");
	assert_int_equal(report_counter_split("plain", &field), 0);
	assert_string_equal(field, "plain");

	assert_string_equal(report_role_name(true), "server");
	assert_string_equal(report_family_name(AF_INET6), "ipv6");
	assert_null(report_family_name(AF_UNIX));

	assert_int_equal(report_utf8_char("a"), 1);
	assert_int_equal(report_utf8_char("é"), 2);
	assert_int_equal(report_utf8_char("█"), 3);
	assert_int_equal(report_utf8_char("😀"), 4);
	assert_int_equal(report_utf8_char("\xc3"), 0);	       /* truncated */
	assert_int_equal(report_utf8_char("\xc0\xaf"), 0);     /* overlong */
	assert_int_equal(report_utf8_char("\xed\xa0\x80"), 0); /* surrogate */
	assert_int_equal(report_utf8_char("\xff"), 0);
	{
		_cleanup_free_ char *clean = report_utf8_sanitize("ok\xffé\xe2\x96");

		assert_string_equal(clean, "ok?é??");
	}

	setenv("LC_ALL", "", 1);
	setenv("LC_CTYPE", "C.UTF-8", 1);
	assert_true(report_env_unicode());
	setenv("LC_ALL", "C", 1);
	assert_false(report_env_unicode());
	setenv("LC_ALL", "en_US.utf8", 1);
	assert_true(report_env_unicode());
	unsetenv("LC_ALL");
	unsetenv("LC_CTYPE");
}

/* ---- JSON ---- */

static json_object *render_json(const struct observation *o)
{
	_cleanup_free_ char *text = NULL;
	json_object *j;

	RENDER(report_stats_json(f, o), &text);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	j = json_tokener_parse(text);
	assert_non_null(j);
	return j;
}

static json_object *get(json_object *obj, const char *path)
{
	_cleanup_free_ char *copy = xstrdup(path);
	char *rest = copy;

	/* Keys with dots (sysctl names) are reached with '/' as the separator. */
	for (char *k = strsep(&rest, "/"); k; k = strsep(&rest, "/")) {
		if (json_object_is_type(obj, json_type_array)) {
			obj = json_object_array_get_idx(obj, (size_t)strtoul(k, NULL, 10));
		} else if (!json_object_object_get_ex(obj, k, &obj)) {
			fail_msg("no key %s in %s", k, path);
		}
	}
	return obj;
}

static int64_t get_int(json_object *obj, const char *path)
{
	json_object *v = get(obj, path);

	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

static bool has(json_object *obj, const char *key)
{
	return json_object_object_get_ex(obj, key, NULL);
}

static void test_json_states(void **state)
{
	static const char *const names[] = { "established", "syn_sent",	 "syn_recv", "fin_wait1",
					     "fin_wait2",   "time_wait", "close",    "close_wait",
					     "last_ack",    "listen",	 "closing" };
	_cleanup_observation_ struct observation *o = make_obs();
	json_object *j = render_json(o);

	(void)state;
	assert_int_equal(get_int(j, "version"), 1);
	assert_true(json_object_get_double(get(j, "timestamp")) == 1714557600.25);
	assert_string_equal(json_object_get_string(get(j, "source")), "netlink");
	assert_true(json_object_is_type(get(j, "netns"), json_type_null));
	assert_string_equal(json_object_get_string(get(j, "kernel")), "6.1.0-18-amd64");
	for (const char *const *sec =
		     (const char *const[]){ "states", "states_v4", "states_v6", NULL };
	     *sec; sec++) {
		assert_int_equal(json_object_object_length(get(j, *sec)), 11);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			enum tcp_state s = tcp_state_from_name(names[i]);
			uint64_t want = strcmp(*sec, "states") == 0 ? observation_state_total(o, s)
					: strcmp(*sec, "states_v4") == 0 ? o->states[OBS_V4][s]
									 : o->states[OBS_V6][s];
			char path[64];

			snprintf(path, sizeof(path), "%s/%s", *sec, names[i]);
			assert_int_equal(get_int(j, path), want);
		}
	}
	assert_int_equal(get_int(j, "states/time_wait"), 15002);
	assert_int_equal(get_int(j, "states_v6/established"), 34);
	assert_int_equal(get_int(j, "states/closing"), 0);
	assert_int_equal(get_int(j, "total"), 1234 + 15002 + 87 + 7 + 3);
	assert_int_equal(json_object_array_length(get(j, "notes")), 1);
	assert_string_equal(json_object_get_string(get(j, "notes/0")),
			    "owners of 3 sockets were not found");
	json_object_put(j);
}

static void test_json_ports_listeners(void **state)
{
	_cleanup_observation_ struct observation *o = make_obs();
	json_object *j = render_json(o), *top = get(j, "top_ports"), *l;

	(void)state;
	assert_int_equal(json_object_object_length(top), 2);
	assert_false(has(top, "established"));
	assert_int_equal(json_object_array_length(get(top, "time_wait")), 2);
	assert_int_equal(get_int(top, "time_wait/0/port"), 443);
	assert_int_equal(get_int(top, "time_wait/0/count"), 9000);
	assert_string_equal(json_object_get_string(get(top, "time_wait/0/role")), "server");
	assert_int_equal(get_int(top, "time_wait/0/pid"), 812);
	assert_string_equal(json_object_get_string(get(top, "time_wait/0/process")), "nginx");
	assert_string_equal(json_object_get_string(get(top, "time_wait/1/role")), "client");
	assert_false(has(get(top, "time_wait/1"), "pid"));
	assert_false(has(get(top, "time_wait/1"), "process"));
	assert_int_equal(get_int(top, "close_wait/0/port"), 8080);

	assert_int_equal(json_object_array_length(get(j, "listeners")), 5);
	l = get(j, "listeners/2");
	assert_string_equal(json_object_get_string(get(l, "family")), "ipv4");
	assert_string_equal(json_object_get_string(get(l, "address")), "127.0.0.1");
	assert_int_equal(get_int(l, "port"), 5432);
	assert_int_equal(get_int(l, "queue"), 1);
	assert_int_equal(get_int(l, "backlog"), 4);
	assert_true(json_object_is_type(get(l, "fill"), json_type_double));
	assert_true(json_object_get_double(get(l, "fill")) == 0.25);
	assert_false(has(l, "pid"));
	l = get(j, "listeners/4");
	assert_string_equal(json_object_get_string(get(l, "family")), "ipv6");
	assert_string_equal(json_object_get_string(get(l, "address")), "2001:db8::1");
	assert_true(json_object_is_type(get(l, "backlog"), json_type_null));
	assert_true(json_object_is_type(get(l, "fill"), json_type_null));
	l = get(j, "listeners/3");
	assert_int_equal(get_int(l, "pid"), 900);
	assert_string_equal(json_object_get_string(get(l, "process")), "sshd");
	assert_true(json_object_get_double(get(l, "fill")) == 0.0);

	assert_int_equal(get_int(j, "sockstat/tw"), 15002);
	assert_int_equal(get_int(j, "sockstat/v6.inuse"), 36);
	assert_int_equal(get_int(j, "counters/Tcp/ActiveOpens"), 51234);
	assert_int_equal(get_int(j, "counters/Tcp/MaxConn"), -1);
	assert_int_equal(get_int(j, "counters/TcpExt/ListenOverflows"), 17);
	assert_int_equal(json_object_object_length(get(j, "counters")), 2);
	json_object_put(j);
}

static void test_json_sysctl_types(void **state)
{
	_cleanup_observation_ struct observation *o = make_obs();
	json_object *j = render_json(o), *s = get(j, "sysctl"), *v;

	(void)state;
	assert_int_equal(json_object_object_length(s), 4);
	assert_int_equal(get_int(s, "net.ipv4.tcp_fin_timeout"), 60);
	v = get(s, "net.ipv4.ip_local_port_range");
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 2);
	assert_int_equal(get_int(v, "0"), 32768);
	assert_int_equal(get_int(v, "1"), 60999);
	v = get(s, "net.ipv4.tcp_congestion_control");
	assert_true(json_object_is_type(v, json_type_string));
	assert_string_equal(json_object_get_string(v), "cubic");
	v = get(s, "net.ipv4.tcp_tw_recycle");
	assert_true(json_object_is_type(v, json_type_null));
	json_object_put(j);
}

static void test_json_rates(void **state)
{
	_cleanup_observation_ struct observation *o = make_obs();
	json_object *j = render_json(o);

	(void)state;
	assert_false(has(j, "interval"));
	assert_false(has(j, "rates"));
	json_object_put(j);

	o->interval = 2;
	o->netns = xstrdup("/run/netns/web");
	j = render_json(o);
	assert_true(json_object_is_type(get(j, "interval"), json_type_double));
	assert_true(json_object_get_double(get(j, "interval")) == 2.0);
	assert_true(json_object_get_double(get(j, "rates/Tcp/PassiveOpens")) == 120.25);
	assert_true(json_object_get_double(get(j, "rates/Tcp/ActiveOpens")) == 0.5);
	/* Every rate is a float, even a whole one, and NaN (no honest rate) is null. */
	assert_true(json_object_is_type(get(j, "rates/TcpExt/TW"), json_type_double));
	assert_true(json_object_get_double(get(j, "rates/TcpExt/TW")) == 30.0);
	assert_true(json_object_is_type(get(j, "rates/TcpExt/ListenOverflows"), json_type_null));
	assert_string_equal(json_object_get_string(get(j, "netns")), "/run/netns/web");
	json_object_put(j);
}

static void test_json_invalid_utf8(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	json_object *j;

	(void)state;
	assert_non_null(o);
	add_port(o, TS_CLOSE_WAIT, 80, 1, false, 9, "bad\xfe\xc3");
	j = render_json(o);
	assert_string_equal(json_object_get_string(get(j, "top_ports/close_wait/0/process")),
			    "bad??");
	json_object_put(j);
}

static void test_json_empty(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	json_object *j;

	(void)state;
	assert_non_null(o);
	j = render_json(o);
	assert_int_equal(get_int(j, "states/established"), 0);
	assert_int_equal(json_object_object_length(get(j, "states_v6")), 11);
	assert_int_equal(get_int(j, "total"), 0);
	assert_int_equal(json_object_object_length(get(j, "top_ports")), 0);
	assert_int_equal(json_object_array_length(get(j, "listeners")), 0);
	assert_true(json_object_is_type(get(j, "source"), json_type_null));
	json_object_put(j);
}

/* ---- Prometheus ---- */

static bool is_name(const char *s, size_t len, bool colon)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' && !(colon && s[i] == ':'))
			return false;
	return true;
}

/* `{name="value",...}`: returns the text after '}', or NULL when malformed. */
static const char *parse_labels(const char *p)
{
	if (*p != '{')
		return p;
	p++;
	while (*p != '}') {
		size_t n = strcspn(p, "=");

		if (!is_name(p, n, false) || p[n] != '=' || p[n + 1] != '"')
			return NULL;
		for (p += n + 2; *p != '"'; p++) {
			if (*p == '\0' || *p == '\n')
				return NULL;
			if (*p == '\\') {
				p++;
				if (*p != '\\' && *p != '"' && *p != 'n')
					return NULL;
			}
		}
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

static bool is_value(const char *s)
{
	char *end;

	if (strcmp(s, "NaN") == 0 || strcmp(s, "+Inf") == 0 || strcmp(s, "-Inf") == 0)
		return true;
	strtod(s, &end);
	return end != s && *end == '\0';
}

/*
 * Checks the exposition format line by line: HELP then TYPE once per family,
 * samples of a family right after its TYPE, names and labels well-formed.
 * Returns the number of samples.
 */
static size_t check_prom(const char *text)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char families[256][128], current[128] = "";
	size_t nfam = 0, samples = 0;
	char *rest = copy;

	assert_true(text[strlen(text) - 1] == '\n');
	copy[strlen(copy) - 1] = '\0';
	for (char *line = strsep(&rest, "\n"); line; line = strsep(&rest, "\n")) {
		if (strncmp(line, "# HELP ", 7) == 0) {
			size_t n = strcspn(line + 7, " ");

			assert_true(is_name(line + 7, n, true));
			for (size_t i = 0; i < n; i++)
				if (line[7 + i] >= 'A' && line[7 + i] <= 'Z')
					fail_msg("not snake_case: %s", line);
			assert_true(n < sizeof(current));
			for (size_t i = 0; i < nfam; i++)
				if (strlen(families[i]) == n &&
				    strncmp(families[i], line + 7, n) == 0)
					fail_msg("family repeated: %s", line);
			assert_true(nfam < ARRAY_SIZE(families));
			snprintf(families[nfam++], sizeof(families[0]), "%.*s", (int)n, line + 7);
			snprintf(current, sizeof(current), "%.*s", (int)n, line + 7);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			size_t n = strlen(current);
			const char *type = line + 7 + n + 1;

			assert_true(strncmp(line + 7, current, n) == 0 && line[7 + n] == ' ');
			assert_true(strcmp(type, "gauge") == 0 || strcmp(type, "counter") == 0);
			if (strcmp(type, "counter") == 0)
				assert_true(n > 6 && strcmp(current + n - 6, "_total") == 0);
			continue;
		}
		assert_true(line[0] != '#');
		{
			size_t n = strcspn(line, "{ ");
			const char *after;

			if (!is_name(line, n, true) || strlen(current) != n ||
			    strncmp(line, current, n) != 0)
				fail_msg("sample outside its family (%s): %s", current, line);
			after = parse_labels(line + n);
			if (!after || *after != ' ' || !is_value(after + 1))
				fail_msg("malformed sample: %s", line);
			samples++;
		}
	}
	return samples;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

#define assert_line(text, line)                             \
	do {                                                \
		if (!has_line(text, line))                  \
			fail_msg("missing line: %s", line); \
	} while (0)

#define PAGE 4096 /* the page size the Prometheus tests pass */

static void test_prom(void **state)
{
	static const char *const lines[] = {
		"# HELP tcptune_sockets TCP sockets by state and address family.",
		"# TYPE tcptune_sockets gauge",
		"tcptune_sockets{state=\"established\",family=\"ipv4\"} 1200",
		"tcptune_sockets{state=\"established\",family=\"ipv6\"} 34",
		"tcptune_sockets{state=\"closing\",family=\"ipv6\"} 0",
		"# TYPE tcptune_port_sockets gauge",
		"tcptune_port_sockets{state=\"time_wait\",port=\"443\",role=\"server\","
		"process=\"nginx\"} 9000",
		"tcptune_port_sockets{state=\"time_wait\",port=\"5432\",role=\"client\"} 4000",
		"# TYPE tcptune_listener_queue_length gauge",
		"tcptune_listener_queue_length{address=\"0.0.0.0\",port=\"443\",process=\"nginx\","
		"socket=\"0\"} 3",
		"tcptune_listener_queue_length{address=\"0.0.0.0\",port=\"443\",process=\"nginx\","
		"socket=\"1\"} 0",
		"tcptune_listener_queue_length{address=\"127.0.0.1\",port=\"5432\"} 1",
		"tcptune_listener_queue_length{address=\"2001:db8::1\",port=\"8080\"} 7",
		"tcptune_listener_backlog{address=\"::\",port=\"22\",process=\"sshd\"} 128",
		"# TYPE tcptune_sockstat_tw gauge",
		"tcptune_sockstat_tw 15002",
		/* Memory in bytes: 312 pages of 4096. */
		"# HELP tcptune_sockstat_mem_bytes TCP field mem of /proc/net/sockstat, in bytes "
		"(pages times the page size).",
		"# TYPE tcptune_sockstat_mem_bytes gauge",
		"tcptune_sockstat_mem_bytes 1277952",
		"tcptune_sockstat_v6_inuse 36",
		/* Counters: snake_case, _total, TYPE counter. */
		"# HELP tcptune_netstat_tcp_active_opens_total Kernel statistic Tcp ActiveOpens "
		"(/proc/net/snmp, /proc/net/netstat).",
		"# TYPE tcptune_netstat_tcp_active_opens_total counter",
		"tcptune_netstat_tcp_active_opens_total 51234",
		"# TYPE tcptune_netstat_tcp_curr_estab gauge",
		"tcptune_netstat_tcp_curr_estab 1234",
		"tcptune_netstat_tcp_max_conn -1",
		"# TYPE tcptune_netstat_tcpext_listen_overflows_total counter",
		"tcptune_netstat_tcpext_listen_overflows_total 17",
		"tcptune_netstat_tcpext_tw_total 800000",
		"tcptune_netstat_tcpext_tcp_time_wait_overflow_total 0",
		/* Milliseconds in seconds. */
		"# TYPE tcptune_netstat_tcp_rto_min_seconds gauge",
		"tcptune_netstat_tcp_rto_min_seconds 0.2",
		"# TYPE tcptune_sysctl gauge",
		"tcptune_sysctl{key=\"net.ipv4.tcp_fin_timeout\"} 60",
		"tcptune_sysctl{key=\"net.ipv4.ip_local_port_range\",index=\"0\"} 32768",
		"tcptune_sysctl{key=\"net.ipv4.ip_local_port_range\",index=\"1\"} 60999",
		"tcptune_sysctl_info{key=\"net.ipv4.tcp_congestion_control\",value=\"cubic\"} 1",
		"tcptune_observation_timestamp_seconds 1714557600.25",
		"tcptune_info{source=\"netlink\",kernel=\"6.1.0-18-amd64\",netns=\"\"} 1",
	};
	_cleanup_observation_ struct observation *o = make_obs();
	_cleanup_free_ char *text = NULL, *no_page = NULL;

	(void)state;
	o->interval = 5;
	add_counter(&o->counters, &o->n_counters, "Tcp.RtoMin", 200, 0);
	RENDER(report_stats_prom(f, o, PAGE), &text);
	/*
	 * 22 states, 3 ports, 5 + 4 listeners, 4 orphaned, 2 stalled, 6 sockstat, 11 counters,
	 * 3 + 1 sysctls, 2 info
	 */
	assert_int_equal(check_prom(text), 22 + 3 + 9 + 4 + 2 + 6 + 11 + 4 + 2);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_line(text, lines[i]);
	assert_null(strstr(text, "tcp_tw_recycle"));
	assert_null(strstr(text, "rate"));
	assert_null(strstr(text, "_pages"));
	assert_null(strstr(text, "_ms"));
	assert_null(strstr(text, "backlog{address=\"2001:db8::1\""));
	assert_null(strstr(text, "tcptune_netstat_tcp_curr_estab_total"));
	assert_null(strstr(text, "tcptune_diagnose_"));
	/* Without the page size, memory is left out rather than given in pages. */
	RENDER(report_stats_prom(f, o, 0), &no_page);
	assert_int_equal(check_prom(no_page), 22 + 3 + 9 + 4 + 2 + 5 + 11 + 4 + 2);
	assert_null(strstr(no_page, "sockstat_mem"));
}

/* Kernel names and the metric each becomes: table-driven, one line per case. */
static void test_prom_names(void **state)
{
	static const struct {
		const char *kernel, *metric;
	} cases[] = {
		{ "TcpExt.ListenOverflows", "tcptune_netstat_tcpext_listen_overflows_total 1" },
		{ "TcpExt.TCPReqQFullDrop", "tcptune_netstat_tcpext_tcp_req_q_full_drop_total 2" },
		{ "TcpExt.TCPSACKReneging", "tcptune_netstat_tcpext_tcp_sack_reneging_total 3" },
		{ "TcpExt.DelayedACKs", "tcptune_netstat_tcpext_delayed_acks_total 4" },
		{ "TcpExt.DelayedACKLocked", "tcptune_netstat_tcpext_delayed_ack_locked_total 5" },
		{ "TcpExt.TCPMD5NotFound", "tcptune_netstat_tcpext_tcp_md5_not_found_total 6" },
		{ "TcpExt.TWRecycled", "tcptune_netstat_tcpext_tw_recycled_total 7" },
		{ "TcpExt.PAWSActive", "tcptune_netstat_tcpext_paws_active_total 8" },
		{ "TcpExt.TCPHPHits", "tcptune_netstat_tcpext_tcp_hp_hits_total 9" },
		{ "TcpExt.TcpTimeoutRehash", "tcptune_netstat_tcpext_tcp_timeout_rehash_total 10" },
		{ "Tcp.InCsumErrors", "tcptune_netstat_tcp_in_csum_errors_total 11" },
		{ "Tcp.RtoMax", "tcptune_netstat_tcp_rto_max_seconds 120.0" },
		{ "Odd", "tcptune_netstat_odd_total 13" },
		{ "Ip-Ext.Weird-Name", "tcptune_netstat_ip_ext_weird_name_total 14" },
		/* Meets the first case's name: only the first is written. */
		{ "TcpExt.Listen_Overflows", NULL },
	};
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_non_null(o);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		add_counter(&o->counters, &o->n_counters, cases[i].kernel,
			    strcmp(cases[i].kernel, "Tcp.RtoMax") == 0 ? 120000 : (int64_t)i + 1,
			    0);
	RENDER(report_stats_prom(f, o, PAGE), &text);
	/* 22 states, 4 orphaned, 2 stalled, the cases but the repeated name, 2 info; no family
	 * twice. */
	assert_int_equal(check_prom(text), 22 + 4 + 2 + ARRAY_SIZE(cases) - 1 + 2);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (cases[i].metric)
			assert_line(text, cases[i].metric);
	assert_null(strstr(text, " 15\n"));
}

static void test_prom_escaping(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_non_null(o);
	o->source = "proc";
	o->netns = xstrdup("/run/netns/a\"b\\c\nd");
	add_port(o, TS_ESTABLISHED, 80, 2, false, 7, "we\"ird\\na\nme");
	add_port(o, TS_ESTABLISHED, 81, 1, false, 8, "caf\xc3\xa9\xff");
	add_counter(&o->sockstat, &o->n_sockstat, "odd-field.x", 1, 0);
	add_counter(&o->sockstat, &o->n_sockstat, "mem", INT64_MAX / 2, 0);
	RENDER(report_stats_prom(f, o, PAGE), &text);
	assert_line(text, "tcptune_port_sockets{state=\"established\",port=\"81\",role=\"client\","
			  "process=\"café?\"} 1");
	check_prom(text);
	assert_line(text, "tcptune_port_sockets{state=\"established\",port=\"80\",role=\"client\","
			  "process=\"we\\\"ird\\\\na\\nme\"} 2");
	assert_line(text, "tcptune_info{source=\"proc\",kernel=\"\","
			  "netns=\"/run/netns/a\\\"b\\\\c\\nd\"} 1");
	assert_line(text, "tcptune_sockstat_odd_field_x 1");
	/* No listeners: no empty families. Bytes that overflow: no wrapped number. */
	assert_null(strstr(text, "listener"));
	assert_null(strstr(text, "mem_bytes"));
}

/* A judgement with one warning, built by hand: the renderer only reads it. */
static struct rule warn_rule = { .id = "close-wait-leak", .severity = SEV_WARNING };
static struct finding warn_finding = { .rule = &warn_rule };
static const struct judgement warn_judgement = {
	.findings = &warn_finding,
	.n_findings = 1,
	.n_evaluated = 20,
	.n_skipped = 2,
	.worst = SEV_WARNING,
};

/* The HELP names of a Prometheus text, one per line. */
static char *prom_families(const char *text)
{
	_cleanup_free_ char *copy = xstrdup(text);
	char *out = NULL, *rest = copy;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);

	assert_non_null(m);
	for (char *line = strsep(&rest, "\n"); line; line = strsep(&rest, "\n"))
		if (strncmp(line, "# HELP ", 7) == 0)
			fprintf(m, "%.*s\n", (int)strcspn(line + 7, " "), line + 7);
	assert_int_equal(fclose(m), 0);
	return out;
}

/*
 * diagnose writes only tcptune_diagnose_* and stats never does: the two files
 * share a textfile directory without a family, so a series, in common.
 */
static void test_prom_diagnose(void **state)
{
	_cleanup_observation_ struct observation *o = make_obs();
	_cleanup_free_ char *text = NULL, *stats = NULL, *fams = NULL, *stats_fams = NULL;
	char *rest;

	(void)state;
	RENDER(report_diagnose_prom(f, o, &warn_judgement), &text);
	assert_int_equal(check_prom(text), 1 + 1 + 1 + 3);
	assert_line(text, "tcptune_diagnose_timestamp_seconds 1714557600.25");
	assert_line(text, "tcptune_diagnose_status 1");
	assert_line(text,
		    "tcptune_diagnose_finding{id=\"close-wait-leak\",severity=\"warning\"} 1");
	assert_line(text, "tcptune_diagnose_rules{outcome=\"fired\"} 1");
	assert_line(text, "tcptune_diagnose_rules{outcome=\"evaluated\"} 20");
	assert_line(text, "tcptune_diagnose_rules{outcome=\"not_evaluated\"} 2");
	RENDER(report_stats_prom(f, o, PAGE), &stats);
	fams = prom_families(text);
	stats_fams = prom_families(stats);
	rest = fams;
	for (char *name = strsep(&rest, "\n"); name && *name; name = strsep(&rest, "\n")) {
		if (strncmp(name, "tcptune_diagnose_", 17) != 0)
			fail_msg("diagnose writes a family it does not own: %s", name);
		if (has_line(stats_fams, name))
			fail_msg("both outputs write %s", name);
	}
	assert_non_null(strstr(stats_fams, "tcptune_sockets\n"));
	assert_null(strstr(stats_fams, "tcptune_diagnose_"));
}

static bool promtool_path(char *buf, size_t size)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *copy = xstrdup(path ? path : "/usr/bin:/bin");
	char *rest = copy;

	for (char *dir = strsep(&rest, ":"); dir; dir = strsep(&rest, ":")) {
		snprintf(buf, size, "%s/promtool", dir);
		if (access(buf, X_OK) == 0)
			return true;
	}
	return false;
}

/* `promtool check metrics` on text: its exit status; its output in *ret_out. */
static int promtool_check(const char *tool, const char *text, char **ret_out)
{
	char in_path[] = "/tmp/test_report_promXXXXXX", line[1024];
	char *cmd = NULL;
	size_t outlen = 0;
	FILE *p, *m;
	int fd, status;

	fd = mkstemp(in_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_true(asprintf(&cmd, "'%s' check metrics < '%s' 2>&1", tool, in_path) > 0);
	p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	m = open_memstream(ret_out, &outlen);
	assert_non_null(m);
	while (fgets(line, sizeof(line), p))
		fputs(line, m);
	fclose(m);
	status = pclose(p);
	unlink(in_path);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/*
 * promtool (scripts/install-deps installs it) parses both outputs as
 * Prometheus would and lints them (snake_case, base units, _total on
 * counters, HELP): any complaint fails. Without promtool the test skips,
 * except under CI=true, where a skip would hide a broken setup.
 */
static void test_prom_promtool(void **state)
{
	_cleanup_observation_ struct observation *o = NULL;
	_cleanup_free_ char *stats = NULL, *diag = NULL, *out = NULL, *out2 = NULL;
	char tool[4096];
	int rc;

	(void)state;
	/* skip() and fail_msg() jump over the cleanups: nothing is allocated before them. */
	if (!promtool_path(tool, sizeof(tool))) {
		const char *ci = getenv("CI");

		if (ci && strcmp(ci, "true") == 0)
			fail_msg("promtool is not installed (scripts/install-deps installs it); "
				 "under CI a skip is a failure");
		skip();
	}
	o = make_obs();
	add_counter(&o->counters, &o->n_counters, "Tcp.RtoMin", 200, 0);
	add_counter(&o->counters, &o->n_counters, "TcpExt.TCPMD5NotFound", 0, 0);
	RENDER(report_stats_prom(f, o, PAGE), &stats);
	RENDER(report_diagnose_prom(f, o, &warn_judgement), &diag);
	rc = promtool_check(tool, stats, &out);
	if (rc != 0)
		fail_msg("promtool on stats' output: exit %d: %s", rc, out);
	rc = promtool_check(tool, diag, &out2);
	if (rc != 0)
		fail_msg("promtool on diagnose's output: exit %d: %s", rc, out2);
}

/* ---- text ---- */

/* Display columns of each line (UTF-8 aware, ANSI sequences skipped): the widest. */
static size_t widest_line(const char *text)
{
	size_t widest = 0, col = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			widest = col > widest ? col : widest;
			col = 0;
		} else if (*p == '\033') {
			p += strcspn(p, "m");
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			col++;
		}
	}
	return col > widest ? col : widest;
}

static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += *text == '\n';
	return n;
}

static void test_text(void **state)
{
	static const char *const lines[] = {
		"State             total       ipv4       ipv6",
		"syn_sent              0          0          0",
		"total             16333      16295         38",
		"Top local ports   port    sockets  role    process",
		"  time_wait        443       9000  server  nginx (812)",
		"                  5432       4000  client",
		"  close_wait      8080         80  server  java (4321)",
		"Listeners                    queue  backlog   fill  process",
		"  0.0.0.0:443                    3      511     1%  nginx (812)",
		"  127.0.0.1:5432                 1        4    25%",
		"  [::]:22                        0      128     0%  sshd (900)",
		"  [2001:db8::1]:8080             7        ?      -",
		"  TCP:   inuse 1290  orphan 2  tw 15002  alloc 1300  mem 312 pages",
		"  TCP6:  inuse 36",
		"  zero: SyncookiesSent TCPTimeWaitOverflow",
		"  net.ipv4.tcp_fin_timeout        = 60",
		"  net.ipv4.ip_local_port_range    = 32768 60999",
		"  net.ipv4.tcp_tw_recycle         = (absent)",
		"  - owners of 3 sockets were not found",
	};
	_cleanup_observation_ struct observation *o = make_obs();
	struct report_text_opts opts = { .color = false, .unicode = false, .width = 80 };
	_cleanup_free_ char *text = NULL, *wide = NULL, *fancy = NULL, *rates = NULL;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	RENDER(report_stats_text(f, o, &opts), &text);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_line(text, lines[i]);
	assert_line(text, "TCP sockets from netlink, own namespace, kernel 6.1.0-18-amd64");
	assert_line(text, "  at 2024-05-01 10:00:00 UTC");
	/* The largest state gets the whole bar (80 - 47 = 33 columns). */
	assert_non_null(strstr(text, "time_wait         15002      15000          2  "
				     "#################################\n"));
	assert_null(strstr(text, "\033"));
	assert_null(strstr(text, "█"));
	assert_true(strstr(text, "ListenOverflows") != NULL);
	assert_null(strstr(text, "/s"));
	assert_true(widest_line(text) <= 80);
	assert_true(count_lines(text) <= 60);

	opts = (struct report_text_opts){ .color = true, .unicode = true, .width = 100 };
	RENDER(report_stats_text(f, o, &opts), &fancy);
	assert_non_null(strstr(fancy, "█"));
	assert_non_null(strstr(fancy, "\033[1m"));
	assert_true(widest_line(fancy) <= 100);

	o->interval = 5;
	opts = (struct report_text_opts){ .width = 100 };
	RENDER(report_stats_text(f, o, &opts), &rates);
	assert_non_null(strstr(rates, "Kernel (rates over 5.0 s)"));
	assert_non_null(strstr(rates, "PassiveOpens               998877      120/s"));
	assert_non_null(strstr(rates, "ListenOverflows                17        ?/s"));
	assert_true(widest_line(rates) <= 100);

	/* NULL opts: defaults. */
	RENDER(report_stats_text(f, o, NULL), &wide);
	assert_true(widest_line(wide) <= 80);
}

static void test_text_empty(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_non_null(o);
	RENDER(report_stats_text(f, o, NULL), &text);
	assert_non_null(strstr(text, "established"));
	assert_non_null(strstr(text, "closing"));
	assert_null(strstr(text, "Listeners"));
	assert_null(strstr(text, "Top local ports"));
	assert_null(strstr(text, "Kernel"));
	assert_null(strstr(text, "Sysctls"));
	assert_null(strstr(text, "Notes"));
}

/* Process names are chosen by whoever runs the process: no escape sequence gets through. */
/* Holders: the service first, up to four pids, "and N more", a caveat unless whole. */
static void test_holders(void **state)
{
	static const struct {
		struct owner_set s;
		int pid;
		const char *comm, *want;
	} cases[] = {
		{ { .looked = true,
		    .complete = true,
		    .pids = { 1234, 1235 },
		    .n_pids = 2,
		    .service = "nginx.service" },
		  1234,
		  "nginx",
		  "nginx.service (pids 1234, 1235)" },
		{ { .looked = true, .pids = { 1, 2, 3, 4 }, .n_pids = 4, .n_more = 3 },
		  1,
		  "java",
		  "java (pids 1, 2, 3, 4 and 3 more, perhaps others)" },
		{ { .looked = true, .complete = true, .pids = { 812 }, .n_pids = 1 },
		  812,
		  NULL,
		  "(pid 812)" },
		{ { .looked = true }, 0, NULL, "" },
		/* A sample socket's owner without a holders' lookup: as before. */
		{ { 0 }, 812, "nginx", "nginx (812)" },
		{ { .looked = true,
		    .complete = true,
		    .pids = { 7 },
		    .n_pids = 1,
		    .service = "bad\033[2J.service" },
		  7,
		  "x",
		  "bad?[2J.service (pid 7)" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[REPORT_HOLDERS_MAX];

		report_format_holders(buf, sizeof(buf), &cases[i].s, cases[i].pid, cases[i].comm);
		assert_string_equal(buf, cases[i].want);
	}
}

/* The owners in JSON and the service label, on the top-port series only. */
static void test_owners_json_prom(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *json = NULL, *prom = NULL;
	struct port_count *p;

	(void)state;
	add_port(o, TS_CLOSE_WAIT, 8080, 4812, true, 1234, "nginx");
	add_listener(o, AF_INET, "0.0.0.0", 8080, 0, 511, 1234, "nginx");
	p = &o->top[TS_CLOSE_WAIT].ports[0];
	p->owners = (struct owner_set){ .looked = true,
					.complete = false,
					.pids = { 1234, 1235 },
					.n_pids = 2,
					.cgroup = xstrdup("/system.slice/nginx.service"),
					.service = xstrdup("nginx.service") };
	o->listeners[0].owners = (struct owner_set){ .looked = true,
						     .complete = true,
						     .pids = { 1234 },
						     .n_pids = 1,
						     .service = xstrdup("nginx.service") };
	RENDER(report_stats_json(f, o), &json);
	assert_non_null(strstr(json, "\"more_pids\":0"));
	assert_non_null(strstr(json, "\"owners_complete\":false"));
	assert_non_null(strstr(json, "\"service\":\"nginx.service\""));
	assert_non_null(strstr(json, "\"cgroup\":\"/system.slice/nginx.service\""));
	RENDER(report_stats_prom(f, o, 4096), &prom);
	assert_non_null(strstr(prom, "tcptune_port_sockets{state=\"close_wait\",port=\"8080\","
				     "role=\"server\",process=\"nginx\",service=\"nginx.service\"} "
				     "4812\n"));
	/* No other series carries the service. */
	assert_null(strstr(strstr(prom, "service=") + 1, "service="));
}

/* A stalled endpoint: 198.51.100.<host>:port (port 0: the host). */
static void add_stalled(struct observation *o, enum stall k, uint8_t host, uint16_t port,
			uint32_t count, uint32_t orphaned, uint32_t retries, uint32_t idle)
{
	struct stalled *st = &o->stalled[k];
	struct peer_count *p = realloc(st->peers, (st->n_peers + 1) * sizeof(*p));

	assert_non_null(p);
	st->peers = p;
	p[st->n_peers++] = (struct peer_count){ .family = AF_INET,
						.addr = { 198, 51, 100, host },
						.port = port,
						.count = count,
						.orphaned = orphaned,
						.retries = retries,
						.idle = idle };
	st->sockets += count;
	st->orphaned += orphaned;
}

/* Orphans and stalled connections in the three outputs of stats. */
static void test_orphans_and_stalled(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *json = NULL, *text = NULL, *prom = NULL;
	json_object *j;

	(void)state;
	o->states[OBS_V4][TS_FIN_WAIT1] = 150;
	o->unheld[TS_FIN_WAIT1] = 150;
	o->unheld[TS_FIN_WAIT2] = 5;
	o->unheld[TS_TIME_WAIT] = 40; /* not the namespace's orphans */
	add_stalled(o, STALL_RETRANS, 2, 5432, 100, 0, 6, 200);
	add_stalled(o, STALL_RETRANS, 3, 0, 7, 7, 4, 0);
	add_stalled(o, STALL_ZERO_WINDOW, 4, 9300, 150, 150, 2, 0);

	j = render_json(o);
	assert_int_equal(get_int(j, "orphaned/fin_wait1"), 150);
	assert_int_equal(get_int(j, "orphaned/closing"), 0);
	assert_int_equal(json_object_object_length(get(j, "orphaned")), 4); /* orphan states */
	assert_int_equal(get_int(j, "orphans"), 155);
	assert_int_equal(get_int(j, "stalled/retransmitting/sockets"), 107);
	assert_int_equal(get_int(j, "stalled/retransmitting/orphaned"), 7);
	assert_string_equal(
		json_object_get_string(get(j, "stalled/retransmitting/peers/0/address")),
		"198.51.100.2");
	assert_int_equal(get_int(j, "stalled/retransmitting/peers/0/port"), 5432);
	assert_int_equal(get_int(j, "stalled/retransmitting/peers/0/retries"), 6);
	assert_int_equal(get_int(j, "stalled/retransmitting/peers/0/idle"), 200);
	assert_true(
		json_object_is_type(get(j, "stalled/retransmitting/peers/1/port"), json_type_null));
	assert_int_equal(get_int(j, "stalled/zero_window/peers/0/orphaned"), 150);
	json_object_put(j);

	RENDER(report_stats_text(f, o, NULL), &text);
	assert_non_null(
		strstr(text, "Orphans  155 in this namespace: fin_wait1 150, fin_wait2 5\n"));
	assert_non_null(strstr(text,
			       "  retransmitting                      107        7\n"
			       "    198.51.100.2:5432                 100        0       6    200\n"
			       "    198.51.100.3                        7        7       4\n"));
	assert_non_null(strstr(text, "  zero window                         150      150\n"));

	RENDER(report_stats_prom(f, o, 4096), &prom);
	assert_non_null(strstr(prom, "tcptune_orphaned_sockets{state=\"fin_wait1\"} 150\n"));
	assert_null(strstr(prom, "tcptune_orphaned_sockets{state=\"time_wait\"}"));
	assert_non_null(strstr(prom, "tcptune_orphaned_sockets{state=\"last_ack\"} 0\n"));
	assert_non_null(strstr(prom, "tcptune_stalled_sockets{kind=\"zero_window\"} 150\n"));
	assert_non_null(strstr(prom, "tcptune_stalled_peer_sockets{kind=\"retransmitting\","
				     "address=\"198.51.100.2\",port=\"5432\"} 100\n"));
	assert_non_null(strstr(prom, "tcptune_stalled_peer_sockets{kind=\"retransmitting\","
				     "address=\"198.51.100.3\"} 7\n"));
}

/* Nothing orphaned or stalled: no section in the text. */
static void test_nothing_stalled(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *text = NULL;

	(void)state;
	o->unheld[TS_TIME_WAIT] = 40;
	RENDER(report_stats_text(f, o, NULL), &text);
	assert_null(strstr(text, "Orphans"));
	assert_null(strstr(text, "Stalled"));
}

static void test_text_control_chars(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	_cleanup_free_ char *text = NULL;

	(void)state;
	assert_non_null(o);
	o->netns = xstrdup("/run/netns/\033]0;x\007");
	add_port(o, TS_ESTABLISHED, 80, 2, false, 7, "\033[2Jevil");
	add_listener(o, AF_INET, "127.0.0.1", 80, 0, 8, 7, "\033[2Jevil");
	add_listener(o, AF_INET, "127.0.0.1", 81, 0, 8, 8, "x\xff\xc3");
	RENDER(report_stats_text(f, o, NULL), &text);
	assert_null(strchr(text, '\033'));
	assert_null(strchr(text, '\007'));
	assert_non_null(strstr(text, "?[2Jevil (7)"));
	assert_non_null(strstr(text, "/run/netns/?]0;x?"));
	assert_non_null(strstr(text, "x?? (8)"));
}

/* ---- results (results.h): plans, transactions, explain, lint, profiles ---- */

/* A plan as apply resolved it: fin_timeout 60 -> 30, keepalive in place, somaxconn absent. */
static struct plan_item plan_items[] = {
	{ .key = "net.ipv4.tcp_fin_timeout",
	  .want = "30",
	  .kind = REC_SET,
	  .source = "--set",
	  .current = "60",
	  .value = "30",
	  .change = true },
	{ .key = "net.ipv4.tcp_keepalive_time",
	  .want = "600",
	  .kind = REC_SET,
	  .source = "--set",
	  .current = "600",
	  .value = "600",
	  .change = false },
	{ .key = "net.core.somaxconn",
	  .want = "4096",
	  .kind = REC_MIN,
	  .source = "profile high-conn (profiles/high-conn.yaml:7)",
	  .current = NULL,
	  .value = "4096",
	  .change = true },
};
static const struct plan test_plan = { .items = plan_items, .n = 3 };

#define PLAN_LINES                                                          \
	"  net.ipv4.tcp_fin_timeout  60 -> 30  (--set)\n"                   \
	"  net.core.somaxconn        (absent) -> 4096  (profile high-conn " \
	"(profiles/high-conn.yaml:7))\n"

static void test_apply_text(void **state)
{
	struct txn t = { .id = "20261121-063000-4f2a", .n_keys = 2 };
	struct report_apply a = { .plan = &test_plan, .n_changes = 2 };
	_cleanup_free_ char *matches = NULL, *preview = NULL, *check = NULL, *applied = NULL,
			    *persisted = NULL, *failed = NULL;

	(void)state;
	a.status = REPORT_APPLY_MATCHES;
	RENDER(report_apply_text(f, &a), &matches);
	assert_string_equal(matches, "Nothing to change: the system already matches.\n");

	a.status = REPORT_APPLY_WOULD_CHANGE;
	RENDER(report_apply_text(f, &a), &preview);
	assert_string_equal(preview, "Would apply 2 changes:\n" PLAN_LINES);

	a.check = true;
	a.persist = "/etc/sysctl.d/90-tcptune.conf";
	RENDER(report_apply_text(f, &a), &check);
	assert_string_equal(check, "Would make 2 changes and write the persisted file:\n" PLAN_LINES
				   "  /etc/sysctl.d/90-tcptune.conf  (--persist)\n");

	a = (struct report_apply){ .status = REPORT_APPLY_COMMITTED,
				   .plan = &test_plan,
				   .n_changes = 2,
				   .txn = &t,
				   .persist = "/etc/sysctl.d/90-tcptune.conf" };
	RENDER(report_apply_text(f, &a), &applied);
	assert_string_equal(applied,
			    "Applied 2 changes as transaction 20261121-063000-4f2a:\n" PLAN_LINES
			    "Wrote /etc/sysctl.d/90-tcptune.conf.\n");

	/* Only the persisted file was written again: nothing else to list. */
	t.n_keys = 0;
	a.status = REPORT_APPLY_PENDING;
	a.plan = &(struct plan){ .items = &plan_items[1], .n = 1 };
	a.n_changes = 0;
	RENDER(report_apply_text(f, &a), &persisted);
	assert_string_equal(persisted, "Applied 0 changes as transaction 20261121-063000-4f2a.\n"
				       "Wrote /etc/sysctl.d/90-tcptune.conf.\n");

	/* A failure is the command's to tell, on stderr. */
	a.status = REPORT_APPLY_ROLLED_BACK;
	RENDER(report_apply_text(f, &a), &failed);
	assert_string_equal(failed, "");
}

/* A plan for another network namespace says which, in every outcome. */
static void test_apply_text_netns(void **state)
{
	struct plan one = { .items = plan_items, .n = 2, .netns = "pid 4242" };
	struct txn t = { .id = "20261121-063000-4f2a", .n_keys = 1 };
	struct report_apply a = { .status = REPORT_APPLY_WOULD_CHANGE,
				  .plan = &one,
				  .n_changes = 1 };
	_cleanup_free_ char *preview = NULL, *applied = NULL, *matches = NULL, *json = NULL;

	(void)state;
	RENDER(report_apply_text(f, &a), &preview);
	assert_string_equal(preview, "Would apply 1 change in network namespace pid 4242:\n"
				     "  net.ipv4.tcp_fin_timeout  60 -> 30  (--set)\n");
	a.status = REPORT_APPLY_COMMITTED;
	a.txn = &t;
	RENDER(report_apply_text(f, &a), &applied);
	assert_string_equal(applied,
			    "Applied 1 change in network namespace pid 4242 as transaction "
			    "20261121-063000-4f2a:\n"
			    "  net.ipv4.tcp_fin_timeout  60 -> 30  (--set)\n");
	RENDER(report_apply_json(f, &a), &json);
	assert_non_null(strstr(json, "  \"netns\":\"pid 4242\",\n"));
	a.status = REPORT_APPLY_MATCHES;
	RENDER(report_apply_text(f, &a), &matches);
	assert_string_equal(matches,
			    "Nothing to change: network namespace pid 4242 already matches.\n");
}

static void test_apply_text_one(void **state)
{
	struct plan one = { .items = plan_items, .n = 2 };
	struct txn t = { .id = "20261121-063000-4f2a", .n_keys = 1 };
	struct report_apply a = { .status = REPORT_APPLY_WOULD_CHANGE,
				  .plan = &one,
				  .n_changes = 1 };
	_cleanup_free_ char *preview = NULL, *applied = NULL;

	(void)state;
	RENDER(report_apply_text(f, &a), &preview);
	assert_string_equal(preview, "Would apply 1 change:\n"
				     "  net.ipv4.tcp_fin_timeout  60 -> 30  (--set)\n");
	a.status = REPORT_APPLY_COMMITTED;
	a.txn = &t;
	RENDER(report_apply_text(f, &a), &applied);
	assert_string_equal(applied, "Applied 1 change as transaction 20261121-063000-4f2a:\n"
				     "  net.ipv4.tcp_fin_timeout  60 -> 30  (--set)\n");
}

static void test_apply_json(void **state)
{
	static const char *const names[] = {
		[REPORT_APPLY_MATCHES] = "matches",
		[REPORT_APPLY_WOULD_CHANGE] = "would-change",
		[REPORT_APPLY_COMMITTED] = "committed",
		[REPORT_APPLY_PENDING] = "pending",
		[REPORT_APPLY_ROLLED_BACK] = "rolled-back",
		[REPORT_APPLY_UNCHANGED] = "unchanged",
		[REPORT_APPLY_INCOMPLETE] = "incomplete",
	};
	struct txn t = { .id = "20261121-063000-4f2a", .n_keys = 2 };
	struct report_apply a = {
		.status = REPORT_APPLY_COMMITTED, .plan = &test_plan, .n_changes = 2, .txn = &t
	};
	_cleanup_free_ char *committed = NULL, *matches = NULL;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_string_equal(report_apply_status_name((enum report_apply_status)i),
				    names[i]);
	RENDER(report_apply_json(f, &a), &committed);
	assert_string_equal(committed,
			    "{\n"
			    "  \"status\":\"committed\",\n"
			    "  \"transaction\":\"20261121-063000-4f2a\",\n"
			    "  \"netns\":null,\n"
			    "  \"changes\":[\n"
			    "    {\n"
			    "      \"key\":\"net.ipv4.tcp_fin_timeout\",\n"
			    "      \"current\":\"60\",\n"
			    "      \"new\":\"30\",\n"
			    "      \"source\":\"--set\"\n"
			    "    },\n"
			    "    {\n"
			    "      \"key\":\"net.core.somaxconn\",\n"
			    "      \"current\":null,\n"
			    "      \"new\":\"4096\",\n"
			    "      \"source\":\"profile high-conn (profiles/high-conn.yaml:7)\"\n"
			    "    }\n"
			    "  ]\n"
			    "}\n");
	a = (struct report_apply){ .status = REPORT_APPLY_MATCHES,
				   .plan = &(struct plan){ .items = &plan_items[1], .n = 1 } };
	RENDER(report_apply_json(f, &a), &matches);
	assert_string_equal(matches, "{\n"
				     "  \"status\":\"matches\",\n"
				     "  \"transaction\":null,\n"
				     "  \"netns\":null,\n"
				     "  \"changes\":[\n"
				     "  ]\n"
				     "}\n");
}

static void test_verify(void **state)
{
	struct report_verify v = { .profile = "high-conn", .plan = &test_plan, .n_changes = 2 };
	_cleanup_free_ char *text = NULL, *json = NULL, *same = NULL, *same_json = NULL;

	(void)state;
	RENDER(report_verify_text(f, &v), &text);
	assert_string_equal(text, "2 of 3 keys differ from profile high-conn:\n"
				  "  net.ipv4.tcp_fin_timeout is 60, the profile wants 30\n"
				  "  net.core.somaxconn is (absent), the profile wants 4096\n");
	RENDER(report_verify_json(f, &v), &json);
	assert_string_equal(json, "{\n"
				  "  \"profile\":\"high-conn\",\n"
				  "  \"netns\":null,\n"
				  "  \"matches\":false,\n"
				  "  \"keys\":3,\n"
				  "  \"drift\":[\n"
				  "    {\n"
				  "      \"key\":\"net.ipv4.tcp_fin_timeout\",\n"
				  "      \"current\":\"60\",\n"
				  "      \"new\":\"30\"\n"
				  "    },\n"
				  "    {\n"
				  "      \"key\":\"net.core.somaxconn\",\n"
				  "      \"current\":null,\n"
				  "      \"new\":\"4096\"\n"
				  "    }\n"
				  "  ]\n"
				  "}\n");

	v.plan = &(struct plan){ .items = &plan_items[1], .n = 1 };
	v.n_changes = 0;
	RENDER(report_verify_text(f, &v), &same);
	assert_string_equal(same, "The system matches profile high-conn (1 keys).\n");
	RENDER(report_verify_json(f, &v), &same_json);
	{
		_cleanup_free_ char *ns_text = NULL, *ns_json = NULL;

		v.plan = &(struct plan){ .items = &plan_items[1], .n = 1, .netns = "blue" };
		RENDER(report_verify_text(f, &v), &ns_text);
		assert_string_equal(ns_text,
				    "Network namespace blue matches profile high-conn (1 keys).\n");
		RENDER(report_verify_json(f, &v), &ns_json);
		assert_non_null(strstr(ns_json, "  \"netns\":\"blue\",\n"));
	}
	assert_string_equal(same_json, "{\n"
				       "  \"profile\":\"high-conn\",\n"
				       "  \"netns\":null,\n"
				       "  \"matches\":true,\n"
				       "  \"keys\":1,\n"
				       "  \"drift\":[\n"
				       "  ]\n"
				       "}\n");
}

/* A committed transaction, one rolled back, one whose restore failed. */
static struct txn *history_txn(const char *id, int64_t time, const char *source,
			       enum txn_status status)
{
	struct txn *t = txn_new();

	assert_non_null(t);
	t->id = xstrdup(id);
	t->time = time;
	t->boot_id = xstrdup("0c1bdcb6-3f5e-4b8e-9e8e-3d4c1d7e9a10");
	t->source = xstrdup(source);
	t->status = status;
	assert_int_equal(txn_add_key(t, "net.ipv4.tcp_fin_timeout", "60", "30"), 0);
	return t;
}

static void test_history(void **state)
{
	_cleanup_txn_ struct txn *a =
		history_txn("20261121-063000-4f2a", 1795242600, "profile high-conn", TXN_COMMITTED);
	_cleanup_txn_ struct txn *b =
		history_txn("20261121-070005-0001", 1795244405, "set", TXN_ROLLED_BACK);
	_cleanup_txn_ struct txn *c =
		history_txn("20261121-070005-0002", 1795244405, "recommended", TXN_RESTORE_FAILED);
	struct report_history_row rows[3] = {
		{ .txn = a, .status = "committed" },
		{ .txn = b, .status = "rolled-back" },
		{ .txn = c, .status = "interrupted", .left = "net.ipv4.tcp_fin_timeout" },
	};
	_cleanup_free_ char *text = NULL, *none = NULL;

	(void)state;
	b->rollback_time = 1795244405 + 55;
	b->netns.given = xstrdup("pid 4242");
	assert_int_equal(txn_add_key(b, "net.core.somaxconn", "128", "4096"), 0);
	RENDER(report_history_text(f, rows, 3), &text);
	assert_string_equal(
		text, "TRANSACTION           TIME (UTC)           STATUS          KEYS  NETNS     "
		      "    SOURCE\n"
		      "20261121-063000-4f2a  2026-11-21 06:30:00  committed          1  -         "
		      "    profile high-conn\n"
		      "20261121-070005-0001  2026-11-21 07:00:05  rolled-back        2  pid 4242  "
		      "    set, rolled back 2026-11-21 07:01:00\n"
		      "20261121-070005-0002  2026-11-21 07:00:05  interrupted        1  -         "
		      "    recommended, left changed: net.ipv4.tcp_fin_timeout\n");
	RENDER(report_history_text(f, NULL, 0), &none);
	assert_string_equal(
		none, "TRANSACTION           TIME (UTC)           STATUS          KEYS  NETNS     "
		      "    SOURCE\n"
		      "(no transactions)\n");
}

static void test_history_json(void **state)
{
	_cleanup_txn_ struct txn *a = history_txn("20261121-063000-4f2a", 1795242600,
						  "profile high-conn", TXN_IN_PROGRESS);
	struct report_history_row row = { .txn = a, .status = "interrupted" };
	_cleanup_free_ char *json = NULL, *none = NULL, *journal = NULL;
	_cleanup_json_ json_object *arr = NULL, *want = NULL;
	json_object *got;

	(void)state;
	RENDER(report_history_json(f, &row, 1), &json);
	arr = json_tokener_parse(json);
	assert_non_null(arr);
	assert_int_equal(json_object_array_length(arr), 1);
	got = json_object_array_get_idx(arr, 0);
	/* The journal itself, as stored, and the status a person reads. */
	assert_string_equal(json_object_get_string(json_object_object_get(got, "shown_status")),
			    "interrupted");
	json_object_object_del(got, "shown_status");
	assert_int_equal(txn_to_json(a, &journal), 0);
	want = json_tokener_parse(journal);
	assert_true(json_object_equal(got, want));
	assert_string_equal(json_object_get_string(json_object_object_get(got, "status")),
			    "in-progress");

	RENDER(report_history_json(f, NULL, 0), &none);
	assert_string_equal(none, "[]\n");
}

static void test_rollback_confirm(void **state)
{
	_cleanup_txn_ struct txn *t =
		history_txn("20261121-063000-4f2a", 1795242600, "set", TXN_ROLLED_BACK);
	_cleanup_free_ char *one = NULL, *two = NULL, *confirmed = NULL;

	(void)state;
	RENDER(report_rollback_text(f, t), &one);
	assert_string_equal(one,
			    "Rolled back 20261121-063000-4f2a: 1 value restored and read back.\n");
	assert_int_equal(txn_add_key(t, "net.core.somaxconn", "128", "4096"), 0);
	t->error = xstrdup("after a reboot only the persisted file");
	RENDER(report_rollback_text(f, t), &two);
	assert_string_equal(two,
			    "Rolled back 20261121-063000-4f2a: 2 values restored and read back; "
			    "after a reboot only the persisted file.\n");
	RENDER(report_confirm_text(f, "20261121-063000-4f2a"), &confirmed);
	assert_string_equal(confirmed, "Transaction 20261121-063000-4f2a confirmed.\n");
	{
		_cleanup_free_ char *ns = NULL;

		free(t->error);
		t->error = NULL;
		t->netns.given = xstrdup("blue");
		RENDER(report_rollback_text(f, t), &ns);
		assert_string_equal(ns,
				    "Rolled back 20261121-063000-4f2a in network namespace blue: "
				    "2 values restored and read back.\n");
	}
}

/* ---- explain ---- */

static const struct kb_entry kb_fin = {
	.key = "net.ipv4.tcp_fin_timeout",
	.type = KB_INT,
	.n = 1,
	.range = { { 1, 2147483 } },
	.def = "60",
	.per_netns = true,
	.unit = "seconds",
	.summary = "How long an orphaned connection may stay in FIN_WAIT2.",
	.doc = "It does not shorten TIME_WAIT, which lasts 60 seconds whatever this says; it only "
	       "bounds FIN_WAIT2 for sockets the application already closed.",
	.ref = "ip-sysctl.rst: tcp_fin_timeout",
};

static const char *const cc_choices[] = { "reno", "cubic", "bbr", NULL };

static const struct kb_entry kb_more[] = {
	{ .key = "net.ipv4.tcp_rmem",
	  .type = KB_VEC,
	  .n = 3,
	  .range = { { 4096, 1073741824 }, { 4096, 1073741824 }, { 4096, 2147483647 } },
	  .def_note = "computed at boot from the memory size",
	  .unit = "bytes",
	  .since = KB_VERSION(2, 6, 7),
	  .removed = KB_VERSION(9, 1, 0),
	  .never_lower = true,
	  .summary = "Receive buffers.",
	  .doc = "Short.",
	  .ref = "ip-sysctl.rst: tcp_rmem" },
	{ .key = "net.ipv4.tcp_congestion_control",
	  .type = KB_STRING,
	  .choices = cc_choices,
	  .def = "cubic",
	  .summary = "Congestion control.",
	  .doc = "Per namespace.",
	  .ref = "ip-sysctl.rst: tcp_congestion_control" },
};

static void test_explain_text(void **state)
{
	const struct report_explain_key keys[] = {
		{ .key = kb_fin.key, .kb = &kb_fin, .current = "60", .is_default = true },
		{ .key = "net.ipv4.tcp_rmem", .kb = &kb_more[0], .read_r = -ENOENT },
		{ .key = "net.ipv4.tcp_congestion_control", .kb = &kb_more[1], .read_r = -EACCES },
		{ .key = "net.ipv4.tcp_ecn",
		  .current = "2",
		  .path = "/proc/sys/net/ipv4/tcp_ecn",
		  .shape = { .type = KB_INT, .n = 1, .per_netns = true } },
		{ .key = "kernel.printk",
		  .current = "4 4 1 7",
		  .path = "/proc/sys/kernel/printk",
		  .writable_r = -EROFS,
		  .shape = { .type = KB_VEC, .n = 4 } },
	};
	_cleanup_free_ char *text = NULL;

	(void)state;
	RENDER(report_explain_text(f, keys, ARRAY_SIZE(keys)), &text);
	assert_string_equal(
		text,
		"net.ipv4.tcp_fin_timeout\n"
		"  How long an orphaned connection may stay in FIN_WAIT2.\n"
		"\n"
		"  current    60 (the default)\n"
		"  type       integer, 1 to 2147483 seconds\n"
		"  default    60\n"
		"  scope      per network namespace\n"
		"  history    in every kernel tcptune supports\n"
		"  reference  ip-sysctl.rst: tcp_fin_timeout\n"
		"\n"
		"  It does not shorten TIME_WAIT, which lasts 60 seconds whatever this says; it\n"
		"  only bounds FIN_WAIT2 for sockets the application already closed.\n"
		"\n"
		"net.ipv4.tcp_rmem\n"
		"  Receive buffers.\n"
		"\n"
		"  current    absent on this kernel or in this namespace\n"
		"  type       3 integers, 4096 to 1073741824, 4096 to 1073741824, 4096 to "
		"2147483647 "
		"bytes\n"
		"  default    computed at boot from the memory size\n"
		"  scope      global: exists only in the initial network namespace\n"
		"  history    added in Linux 2.6, removed in Linux 9.1\n"
		"  caution    never lower it (the kernel documentation forbids it)\n"
		"  reference  ip-sysctl.rst: tcp_rmem\n"
		"\n"
		"  Short.\n"
		"\n"
		"net.ipv4.tcp_congestion_control\n"
		"  Congestion control.\n"
		"\n"
		"  current    unreadable: Permission denied\n"
		"  type       one of: reno cubic bbr\n"
		"  default    cubic\n"
		"  scope      global: exists only in the initial network namespace\n"
		"  history    in every kernel tcptune supports\n"
		"  reference  ip-sysctl.rst: tcp_congestion_control\n"
		"\n"
		"  Per namespace.\n"
		"\n"
		"net.ipv4.tcp_ecn\n"
		"  current    2\n"
		"  file       /proc/sys/net/ipv4/tcp_ecn\n"
		"  shape      one integer\n"
		"  writable   yes\n"
		"  scope      a net.* key: per network namespace, unless it exists only in the "
		"initial one\n"
		"  tcptune has no knowledge of this key; see the kernel documentation.\n"
		"  apply sets it like any other, checking only the shape of the value.\n"
		"\n"
		"kernel.printk\n"
		"  current    4 4 1 7\n"
		"  file       /proc/sys/kernel/printk\n"
		"  shape      4 integers\n"
		"  writable   no: read-only here\n"
		"  scope      global: not a network namespace's\n"
		"  tcptune has no knowledge of this key; see the kernel documentation.\n");
}

static void test_explain_list(void **state)
{
	_cleanup_free_ char *text = NULL;

	(void)state;
	RENDER(report_explain_list_text(f, kb_more, ARRAY_SIZE(kb_more)), &text);
	assert_string_equal(text, "net.ipv4.tcp_rmem                Receive buffers.\n"
				  "net.ipv4.tcp_congestion_control  Congestion control.\n");
}

static void test_explain_json(void **state)
{
	const struct report_explain_key keys[] = {
		{ .key = kb_fin.key, .kb = &kb_fin, .current = "60", .is_default = true },
		{ .key = "net.ipv4.tcp_congestion_control", .kb = &kb_more[1], .read_r = -EACCES },
		{ .key = "net.ipv4.tcp_ecn", .read_r = -ENOENT },
	};
	_cleanup_free_ char *json = NULL;

	(void)state;
	RENDER(report_explain_json(f, keys, ARRAY_SIZE(keys)), &json);
	assert_string_equal(json,
			    "[\n"
			    "  {\n"
			    "    \"key\":\"net.ipv4.tcp_fin_timeout\",\n"
			    "    \"known\":true,\n"
			    "    \"present\":true,\n"
			    "    \"current\":\"60\",\n"
			    "    \"summary\":\"How long an orphaned connection may stay in "
			    "FIN_WAIT2.\",\n"
			    "    \"doc\":\"It does not shorten TIME_WAIT, which lasts 60 seconds "
			    "whatever this says; it only bounds FIN_WAIT2 for sockets the "
			    "application already closed.\",\n"
			    "    \"type\":\"integer\",\n"
			    "    \"count\":1,\n"
			    "    \"range\":[\n"
			    "      {\n"
			    "        \"min\":1,\n"
			    "        \"max\":2147483\n"
			    "      }\n"
			    "    ],\n"
			    "    \"default\":\"60\",\n"
			    "    \"default_note\":null,\n"
			    "    \"per_netns\":true,\n"
			    "    \"since\":null,\n"
			    "    \"removed\":null,\n"
			    "    \"never_lower\":false,\n"
			    "    \"unit\":\"seconds\",\n"
			    "    \"reference\":\"ip-sysctl.rst: tcp_fin_timeout\"\n"
			    "  },\n"
			    "  {\n"
			    "    \"key\":\"net.ipv4.tcp_congestion_control\",\n"
			    "    \"known\":true,\n"
			    "    \"present\":true,\n"
			    "    \"current\":null,\n"
			    "    \"summary\":\"Congestion control.\",\n"
			    "    \"doc\":\"Per namespace.\",\n"
			    "    \"type\":\"string\",\n"
			    "    \"choices\":[\n"
			    "      \"reno\",\n"
			    "      \"cubic\",\n"
			    "      \"bbr\"\n"
			    "    ],\n"
			    "    \"default\":\"cubic\",\n"
			    "    \"default_note\":null,\n"
			    "    \"per_netns\":false,\n"
			    "    \"since\":null,\n"
			    "    \"removed\":null,\n"
			    "    \"never_lower\":false,\n"
			    "    \"unit\":null,\n"
			    "    \"reference\":\"ip-sysctl.rst: tcp_congestion_control\"\n"
			    "  },\n"
			    "  {\n"
			    "    \"key\":\"net.ipv4.tcp_ecn\",\n"
			    "    \"known\":false,\n"
			    "    \"present\":false,\n"
			    "    \"current\":null\n"
			    "  }\n"
			    "]\n");
}

static void test_explain_json_vector(void **state)
{
	const struct report_explain_key key = { .key = "net.ipv4.tcp_rmem",
						.kb = &kb_more[0],
						.current = "4096 131072 6291456" };
	_cleanup_free_ char *json = NULL;

	(void)state;
	RENDER(report_explain_json(f, &key, 1), &json);
	assert_non_null(strstr(json, "    \"current\":\"4096 131072 6291456\",\n"));
	assert_non_null(strstr(json, "    \"type\":\"vector\",\n"
				     "    \"count\":3,\n"
				     "    \"range\":[\n"
				     "      {\n"
				     "        \"min\":4096,\n"
				     "        \"max\":1073741824\n"
				     "      },\n"));
	assert_non_null(strstr(json, "        \"max\":2147483647\n"));
	assert_non_null(strstr(json,
			       "    \"default\":null,\n"
			       "    \"default_note\":\"computed at boot from the memory size\",\n"
			       "    \"per_netns\":false,\n"
			       "    \"since\":\"2.6\",\n"
			       "    \"removed\":\"9.1\",\n"
			       "    \"never_lower\":true,\n"));
}

/* ---- lint ---- */

static void test_lint(void **state)
{
	struct lint_finding findings[] = {
		{ .file = "/etc/sysctl.d/99-x.conf",
		  .line = 3,
		  .key = "net.ipv4.tcp_tw_recycle",
		  .severity = LINT_ERROR,
		  .message = "net.ipv4.tcp_tw_recycle was removed in Linux 4.12" },
		{ .file = "/etc/sysctl.d/bad\nname.conf",
		  .line = 1,
		  .key = NULL,
		  .severity = LINT_WARNING,
		  .message = "not a key = value line: '\033[2J'" },
	};
	struct lint_report rep = { .findings = findings, .n = 2, .n_files = 2 };
	_cleanup_free_ char *text = NULL, *json = NULL, *none = NULL;

	(void)state;
	RENDER(report_lint_text(f, &rep), &text);
	assert_string_equal(text,
			    "/etc/sysctl.d/99-x.conf:3: net.ipv4.tcp_tw_recycle was removed in "
			    "Linux 4.12\n"
			    "/etc/sysctl.d/bad\\nname.conf:1: not a key = value line: "
			    "'\\x1b[2J'\n");
	RENDER(report_lint_json(f, &rep), &json);
	assert_string_equal(
		json, "[\n"
		      "  {\n"
		      "    \"file\":\"/etc/sysctl.d/99-x.conf\",\n"
		      "    \"line\":3,\n"
		      "    \"key\":\"net.ipv4.tcp_tw_recycle\",\n"
		      "    \"severity\":\"error\",\n"
		      "    \"message\":\"net.ipv4.tcp_tw_recycle was removed in Linux 4.12\"\n"
		      "  },\n"
		      "  {\n"
		      "    \"file\":\"/etc/sysctl.d/bad\\nname.conf\",\n"
		      "    \"line\":1,\n"
		      "    \"key\":null,\n"
		      "    \"severity\":\"warning\",\n"
		      "    \"message\":\"not a key = value line: '\\u001b[2J'\"\n"
		      "  }\n"
		      "]\n");
	rep.n = 0;
	RENDER(report_lint_text(f, &rep), &none);
	assert_string_equal(none, "");
}

/* ---- profiles ---- */

static void test_profiles_list(void **state)
{
	const struct profile good = { .name = "high-conn",
				      .description = "Servers with very many short connections.",
				      .path = "/usr/share/tcptune/profiles/high-conn.yaml" };
	const struct profile broken = { 0 };
	const struct report_profile_item items[] = {
		{ .name = "high-conn", .profile = &good, .valid = true },
		{ .name = "mine", .profile = &broken, .valid = false },
	};
	_cleanup_free_ char *text = NULL, *json = NULL;

	(void)state;
	RENDER(report_profiles_list_text(f, items, 2), &text);
	assert_string_equal(text, "high-conn  Servers with very many short connections.\n"
				  "mine       (invalid; see tcptune profiles show)\n");
	RENDER(report_profiles_list_json(f, items, 2), &json);
	assert_string_equal(json,
			    "[\n"
			    "  {\n"
			    "    \"name\":\"high-conn\",\n"
			    "    \"description\":\"Servers with very many short connections.\",\n"
			    "    \"path\":\"/usr/share/tcptune/profiles/high-conn.yaml\",\n"
			    "    \"valid\":true\n"
			    "  },\n"
			    "  {\n"
			    "    \"name\":\"mine\",\n"
			    "    \"description\":null,\n"
			    "    \"path\":null,\n"
			    "    \"valid\":false\n"
			    "  }\n"
			    "]\n");
}

static struct profile_entry show_entries[] = {
	{ .key = "net.core.somaxconn",
	  .value = "4096",
	  .kind = REC_MIN,
	  .origin = "profiles/high-conn.yaml:6" },
	{ .key = "net.ipv4.tcp_fin_timeout",
	  .value = "30",
	  .kind = REC_SET,
	  .origin = "profiles/high-conn.yaml:7" },
	{ .key = "net.ipv4.tcp_max_tw_buckets",
	  .value = "10",
	  .kind = REC_MAX,
	  .origin = "profiles/defaults.yaml:4" },
	{ .key = "net.ipv4.tcp_tw_recycle",
	  .value = "0",
	  .kind = REC_SET,
	  .origin = "profiles/defaults.yaml:5" },
};

static const struct profile show_profile = { .name = "high-conn",
					     .description = "Many short connections.",
					     .include = "defaults",
					     .path = "profiles/high-conn.yaml",
					     .entries = show_entries,
					     .n = 4 };

static const struct report_profile_row show_rows[] = {
	{ .entry = &show_entries[0], .current = "4096", .status = REPORT_KEY_SATISFIED },
	{ .entry = &show_entries[1], .current = "60", .status = REPORT_KEY_DIFFERS },
	{ .entry = &show_entries[2], .read_r = -EACCES, .status = REPORT_KEY_UNREADABLE },
	{ .entry = &show_entries[3], .read_r = -ENOENT, .status = REPORT_KEY_ABSENT },
};

static void test_profile_show_text(void **state)
{
	const struct report_profile_show s = { .profile = &show_profile,
					       .rows = show_rows,
					       .n_in_place = 1 };
	struct profile plain = { .name = "p", .description = "d", .path = "p.yaml", .n = 1 };
	const struct report_profile_row one = { .entry = &show_entries[1],
						.current = "30",
						.status = REPORT_KEY_MATCHES };
	_cleanup_free_ char *text = NULL, *short_text = NULL;

	(void)state;
	RENDER(report_profile_show_text(f, &s), &text);
	assert_string_equal(text, "high-conn: Many short connections.\n"
				  "file: profiles/high-conn.yaml\n"
				  "includes: defaults\n"
				  "\n"
				  "key                          profile        current  status\n"
				  "net.core.somaxconn           at least 4096  4096     satisfied\n"
				  "net.ipv4.tcp_fin_timeout     30             60       differs\n"
				  "net.ipv4.tcp_max_tw_buckets  at most 10     ?        unreadable "
				  "(Permission denied)\n"
				  "net.ipv4.tcp_tw_recycle      0              -        absent\n"
				  "\n"
				  "1 of 4 settings already in place.\n");
	/* The columns are never narrower than their headings. */
	plain.entries = &show_entries[1];
	RENDER(report_profile_show_text(f, &(struct report_profile_show){ .profile = &plain,
									  .rows = &one,
									  .n_in_place = 1 }),
	       &short_text);
	assert_string_equal(short_text, "p: d\n"
					"file: p.yaml\n"
					"\n"
					"key                       profile  current  status\n"
					"net.ipv4.tcp_fin_timeout  30       30       matches\n"
					"\n"
					"1 of 1 settings already in place.\n");
}

static void test_profile_show_json(void **state)
{
	const struct report_profile_show s = { .profile = &show_profile,
					       .rows = show_rows,
					       .n_in_place = 1 };
	_cleanup_free_ char *json = NULL;

	(void)state;
	for (int i = REPORT_KEY_MATCHES; i <= REPORT_KEY_UNREADABLE; i++)
		assert_non_null(report_key_status_name((enum report_key_status)i));
	RENDER(report_profile_show_json(f, &s), &json);
	assert_string_equal(json, "{\n"
				  "  \"name\":\"high-conn\",\n"
				  "  \"description\":\"Many short connections.\",\n"
				  "  \"include\":\"defaults\",\n"
				  "  \"path\":\"profiles/high-conn.yaml\",\n"
				  "  \"netns\":null,\n"
				  "  \"sysctl\":[\n"
				  "    {\n"
				  "      \"key\":\"net.core.somaxconn\",\n"
				  "      \"kind\":\"min\",\n"
				  "      \"value\":\"4096\",\n"
				  "      \"current\":\"4096\",\n"
				  "      \"status\":\"satisfied\",\n"
				  "      \"origin\":\"profiles/high-conn.yaml:6\"\n"
				  "    },\n"
				  "    {\n"
				  "      \"key\":\"net.ipv4.tcp_fin_timeout\",\n"
				  "      \"kind\":\"set\",\n"
				  "      \"value\":\"30\",\n"
				  "      \"current\":\"60\",\n"
				  "      \"status\":\"differs\",\n"
				  "      \"origin\":\"profiles/high-conn.yaml:7\"\n"
				  "    },\n"
				  "    {\n"
				  "      \"key\":\"net.ipv4.tcp_max_tw_buckets\",\n"
				  "      \"kind\":\"max\",\n"
				  "      \"value\":\"10\",\n"
				  "      \"current\":null,\n"
				  "      \"status\":\"unreadable\",\n"
				  "      \"origin\":\"profiles/defaults.yaml:4\"\n"
				  "    },\n"
				  "    {\n"
				  "      \"key\":\"net.ipv4.tcp_tw_recycle\",\n"
				  "      \"kind\":\"set\",\n"
				  "      \"value\":\"0\",\n"
				  "      \"current\":null,\n"
				  "      \"status\":\"absent\",\n"
				  "      \"origin\":\"profiles/defaults.yaml:5\"\n"
				  "    }\n"
				  "  ]\n"
				  "}\n");
}

/* The exports for orchestrators: the classes of each key are cmd's, as given. */
static struct profile_entry export_entries[] = {
	{ .key = "net.core.rmem_max", .value = "4194304", .kind = REC_SET },
	{ .key = "net.core.somaxconn", .value = "4096", .kind = REC_MIN },
	{ .key = "net.ipv4.ip_local_port_range", .value = "10240 65535", .kind = REC_SET },
	{ .key = "net.ipv4.tcp_synack_retries", .value = "3", .kind = REC_MAX },
	{ .key = "net.x.odd", .value = "a'b \"c\"", .kind = REC_SET },
};

static const struct profile export_profile = { .name = "mine",
					       .description = "Two\nlines.",
					       .path = "mine.yaml",
					       .entries = export_entries,
					       .n = 5 };

static const struct report_export_row export_rows[] = {
	{ .entry = &export_entries[0], .host_only = true, .k8s_unsafe = true },
	{ .entry = &export_entries[1], .k8s_unsafe = true },
	{ .entry = &export_entries[2] },
	{ .entry = &export_entries[3], .k8s_unsafe = true },
	{ .entry = &export_entries[4], .k8s_unsafe = true },
};

static void test_profile_export(void **state)
{
	const struct report_profile_export x = { .profile = &export_profile, .rows = export_rows };
	const struct report_profile_export host = {
		.profile = &(struct profile){ .name = "h",
					      .description = "d",
					      .entries = export_entries,
					      .n = 1 },
		.rows = export_rows
	};
	_cleanup_free_ char *k8s = NULL, *docker = NULL, *notes = NULL, *k8s_none = NULL,
			    *docker_none = NULL, *notes_none = NULL;
	size_t len;
	FILE *nf;

	(void)state;
	RENDER(report_profile_kubernetes(f, &x), &k8s);
	assert_string_equal(
		k8s,
		"# tcptune profile mine: Two?lines.\n"
		"# left out: net.core.rmem_max is not per network namespace (host-only; set it "
		"on the node)\n"
		"securityContext:\n"
		"  sysctls:\n"
		"  - name: net.core.somaxconn  # unsafe: the kubelet must allow it "
		"(--allowed-unsafe-sysctls)\n"
		"    value: \"4096\"  # a bound: the profile wants at least 4096\n"
		"  - name: net.ipv4.ip_local_port_range\n"
		"    value: \"10240 65535\"\n"
		"  - name: net.ipv4.tcp_synack_retries  # unsafe: the kubelet must allow it "
		"(--allowed-unsafe-sysctls)\n"
		"    value: \"3\"  # a bound: the profile wants at most 3\n"
		"  - name: net.x.odd  # unsafe: the kubelet must allow it "
		"(--allowed-unsafe-sysctls)\n"
		"    value: \"a'b \\\"c\\\"\"\n");

	nf = open_memstream(&notes, &len);
	assert_non_null(nf);
	RENDER(report_profile_docker(f, nf, &x), &docker);
	assert_int_equal(fclose(nf), 0);
	assert_string_equal(docker, "--sysctl net.core.somaxconn=4096 "
				    "--sysctl 'net.ipv4.ip_local_port_range=10240 65535' "
				    "--sysctl net.ipv4.tcp_synack_retries=3 "
				    "--sysctl 'net.x.odd=a'\\''b \"c\"'\n");
	assert_string_equal(notes,
			    "# left out: net.core.rmem_max is not per network namespace "
			    "(host-only; set it on the node)\n"
			    "# net.core.somaxconn=4096 is a bound: the profile wants at least "
			    "4096\n"
			    "# net.ipv4.tcp_synack_retries=3 is a bound: the profile wants at "
			    "most 3\n");

	/* Only host-only keys: an empty list, and no docker line at all. */
	RENDER(report_profile_kubernetes(f, &host), &k8s_none);
	assert_string_equal(k8s_none, "# tcptune profile h: d\n"
				      "# left out: net.core.rmem_max is not per network namespace "
				      "(host-only; set it on the node)\n"
				      "securityContext:\n"
				      "  sysctls: []\n");
	nf = open_memstream(&notes_none, &len);
	assert_non_null(nf);
	RENDER(report_profile_docker(f, nf, &host), &docker_none);
	assert_int_equal(fclose(nf), 0);
	assert_string_equal(docker_none, "");
	assert_string_equal(notes_none, "# left out: net.core.rmem_max is not per network "
					"namespace (host-only; set it on the node)\n");
}

/* A renderer tells a write that failed. */
static void test_results_write_error(void **state)
{
	struct report_verify v = { .profile = "high-conn", .plan = &test_plan, .n_changes = 2 };
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	if (!f)
		skip();
	assert_int_equal(report_verify_text(f, &v), -EIO);
	fclose(f);
	f = fopen("/dev/full", "w");
	assert_non_null(f);
	assert_int_equal(report_verify_json(f, &v), -EIO);
	fclose(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_helpers),
		cmocka_unit_test(test_json_helpers),
		cmocka_unit_test(test_json_states),
		cmocka_unit_test(test_json_ports_listeners),
		cmocka_unit_test(test_json_sysctl_types),
		cmocka_unit_test(test_json_rates),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_json_invalid_utf8),
		cmocka_unit_test(test_prom),
		cmocka_unit_test(test_prom_names),
		cmocka_unit_test(test_prom_escaping),
		cmocka_unit_test(test_prom_diagnose),
		cmocka_unit_test(test_prom_promtool),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_empty),
		cmocka_unit_test(test_text_control_chars),
		cmocka_unit_test(test_orphans_and_stalled),
		cmocka_unit_test(test_nothing_stalled),
		cmocka_unit_test(test_holders),
		cmocka_unit_test(test_owners_json_prom),
		cmocka_unit_test(test_apply_text),
		cmocka_unit_test(test_apply_text_one),
		cmocka_unit_test(test_apply_text_netns),
		cmocka_unit_test(test_apply_json),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_history_json),
		cmocka_unit_test(test_rollback_confirm),
		cmocka_unit_test(test_explain_text),
		cmocka_unit_test(test_explain_list),
		cmocka_unit_test(test_explain_json),
		cmocka_unit_test(test_explain_json_vector),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_profiles_list),
		cmocka_unit_test(test_profile_show_text),
		cmocka_unit_test(test_profile_show_json),
		cmocka_unit_test(test_profile_export),
		cmocka_unit_test(test_results_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
