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

#include "format.h"
#include "observation.h"
#include "report.h"
#include "util.h"

/* ---- building synthetic snapshots ---- */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static void add_counter(struct counter **arr, size_t *n, const char *name, int64_t value,
			double rate)
{
	struct counter *c = realloc(*arr, (*n + 1) * sizeof(**arr));

	assert_non_null(c);
	c[*n] = (struct counter){ .name = xstrdup(name), .value = value, .rate = rate };
	*arr = c;
	(*n)++;
}

static void add_port(struct observation *o, enum tcp_state s, uint16_t port, uint32_t count,
		     bool server, int pid, const char *comm)
{
	struct top_ports *t = &o->top[s];
	struct port_count *p = realloc(t->ports, (t->n + 1) * sizeof(*p));

	assert_non_null(p);
	p[t->n] = (struct port_count){ .port = port,
				       .count = count,
				       .server = server,
				       .pid = pid,
				       .comm = comm ? xstrdup(comm) : NULL };
	t->ports = p;
	t->n++;
}

static void add_listener(struct observation *o, int family, const char *addr, uint16_t port,
			 uint32_t queue, int64_t backlog, int pid, const char *comm)
{
	struct listener *l = realloc(o->listeners, (o->n_listeners + 1) * sizeof(*l));

	assert_non_null(l);
	l[o->n_listeners] = (struct listener){ .family = family,
					       .port = port,
					       .queue = queue,
					       .backlog = backlog,
					       .pid = pid,
					       .comm = comm ? xstrdup(comm) : NULL };
	assert_int_equal(inet_pton(family, addr, l[o->n_listeners].addr), 1);
	o->listeners = l;
	o->n_listeners++;
}

/* value NULL: absent; n integers follow for a number or a vector. */
static void add_sysctl(struct observation *o, const char *key, const char *value, size_t n, ...)
{
	struct sysctl_reading *s = realloc(o->sysctls, (o->n_sysctls + 1) * sizeof(*s));
	va_list ap;

	assert_non_null(s);
	s[o->n_sysctls] = (struct sysctl_reading){ .key = xstrdup(key),
						   .value = value ? xstrdup(value) : NULL,
						   .n = n };
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		s[o->n_sysctls].num[i] = va_arg(ap, int64_t);
	va_end(ap);
	o->sysctls = s;
	o->n_sysctls++;
}

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

/* Runs a renderer into a heap string. */
#define RENDER(call, ret)                             \
	do {                                          \
		size_t _len;                          \
		FILE *f = open_memstream(ret, &_len); \
		assert_non_null(f);                   \
		assert_int_equal((call), 0);          \
		assert_int_equal(fclose(f), 0);       \
	} while (0)

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
	assert_int_equal(report_format_endpoint(AF_INET, a4, 80, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.1.2.3:80");
	assert_int_equal(report_format_endpoint(AF_INET6, a6, 443, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[fe80::1]:443");
	assert_int_equal(report_format_addr(AF_UNIX, a4, buf, sizeof(buf)), -EAFNOSUPPORT);
	assert_int_equal(report_format_endpoint(AF_INET, a4, 80, buf, 8), -ENOSPC);

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
		"tcptune_sockstat_mem_pages 312",
		"tcptune_sockstat_v6_inuse 36",
		"# TYPE tcptune_netstat_Tcp_ActiveOpens_total counter",
		"tcptune_netstat_Tcp_ActiveOpens_total 51234",
		"# TYPE tcptune_netstat_Tcp_CurrEstab gauge",
		"tcptune_netstat_Tcp_CurrEstab 1234",
		"tcptune_netstat_Tcp_MaxConn -1",
		"tcptune_netstat_TcpExt_ListenOverflows_total 17",
		"# TYPE tcptune_sysctl gauge",
		"tcptune_sysctl{key=\"net.ipv4.tcp_fin_timeout\"} 60",
		"tcptune_sysctl{key=\"net.ipv4.ip_local_port_range\",index=\"0\"} 32768",
		"tcptune_sysctl{key=\"net.ipv4.ip_local_port_range\",index=\"1\"} 60999",
		"tcptune_sysctl_info{key=\"net.ipv4.tcp_congestion_control\",value=\"cubic\"} 1",
		"tcptune_observation_timestamp_seconds 1714557600.25",
		"tcptune_info{source=\"netlink\",kernel=\"6.1.0-18-amd64\",netns=\"\"} 1",
	};
	_cleanup_observation_ struct observation *o = make_obs();
	_cleanup_free_ char *text = NULL;

	(void)state;
	o->interval = 5;
	RENDER(report_stats_prom(f, o), &text);
	/* 22 states, 3 ports, 5 + 4 listeners, 6 sockstat, 10 counters, 3 + 1 sysctls, 2 info */
	assert_int_equal(check_prom(text), 22 + 3 + 9 + 6 + 10 + 4 + 2);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		assert_line(text, lines[i]);
	assert_null(strstr(text, "tcp_tw_recycle"));
	assert_null(strstr(text, "rate"));
	assert_null(strstr(text, "backlog{address=\"2001:db8::1\""));
	assert_null(strstr(text, "tcptune_netstat_Tcp_CurrEstab_total"));
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
	RENDER(report_stats_prom(f, o), &text);
	assert_line(text, "tcptune_port_sockets{state=\"established\",port=\"81\",role=\"client\","
			  "process=\"café?\"} 1");
	check_prom(text);
	assert_line(text, "tcptune_port_sockets{state=\"established\",port=\"80\",role=\"client\","
			  "process=\"we\\\"ird\\\\na\\nme\"} 2");
	assert_line(text, "tcptune_info{source=\"proc\",kernel=\"\","
			  "netns=\"/run/netns/a\\\"b\\\\c\\nd\"} 1");
	assert_line(text, "tcptune_sockstat_odd_field_x 1");
	/* No listeners: no empty families. */
	assert_null(strstr(text, "listener"));
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

/*
 * promtool (scripts/install-deps installs it) parses the output as Prometheus
 * would. Its linter objects to the camelCase of kernel counter names (kept as
 * node_exporter spells them, to match /proc/net/netstat); any other complaint
 * fails. Without promtool the test skips, except under CI=true, where a skip
 * would hide a broken setup.
 */
static void test_prom_promtool(void **state)
{
	_cleanup_observation_ struct observation *o = NULL;
	_cleanup_free_ char *text = NULL, *out = NULL;
	char tool[4096], in_path[] = "/tmp/test_report_promXXXXXX";
	char *cmd = NULL;
	size_t outlen = 0;
	FILE *p;
	int fd, status;

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
	RENDER(report_stats_prom(f, o), &text);
	fd = mkstemp(in_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_true(asprintf(&cmd, "'%s' check metrics < '%s' 2>&1", tool, in_path) > 0);
	p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	{
		FILE *m = open_memstream(&out, &outlen);
		char line[1024];

		assert_non_null(m);
		while (fgets(line, sizeof(line), p))
			fputs(line, m);
		fclose(m);
	}
	status = pclose(p);
	unlink(in_path);
	assert_true(WIFEXITED(status));
	/* 1: does not parse; 3: parses, with lint problems. */
	if (WEXITSTATUS(status) != 0) {
		assert_int_equal(WEXITSTATUS(status), 3);
		_cleanup_free_ char *copy = xstrdup(out);
		char *rest = copy;

		/* "tcptune_netstat_TcpExt_ListenOverflows_total metric names should be ..." */
		for (char *line = strsep(&rest, "\n"); line; line = strsep(&rest, "\n"))
			if (*line && (strncmp(line, "tcptune_netstat_", 16) != 0 ||
				      !strstr(line, " metric names should be written in "
						    "'snake_case' not 'camelCase'")))
				fail_msg("promtool: %s", line);
	}
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
		cmocka_unit_test(test_prom_escaping),
		cmocka_unit_test(test_prom_promtool),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_empty),
		cmocka_unit_test(test_text_control_chars),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
