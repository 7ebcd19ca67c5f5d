// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "observation.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct observation *observation_new(void)
{
	return calloc(1, sizeof(struct observation));
}

static void counters_free(struct counter *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(c[i].name);
	free(c);
}

struct observation *observation_free(struct observation *o)
{
	if (!o)
		return NULL;
	free(o->netns);
	free(o->kernel_release);
	FOREACH_TCP_STATE(s) {
		for (size_t i = 0; i < o->top[s].n; i++)
			free(o->top[s].ports[i].comm);
		free(o->top[s].ports);
	}
	for (size_t i = 0; i < o->n_listeners; i++)
		free(o->listeners[i].comm);
	free(o->listeners);
	free(o->peers);
	counters_free(o->sockstat, o->n_sockstat);
	counters_free(o->counters, o->n_counters);
	for (size_t i = 0; i < o->n_sysctls; i++) {
		free(o->sysctls[i].key);
		free(o->sysctls[i].value);
	}
	free(o->sysctls);
	for (size_t i = 0; i < o->n_notes; i++)
		free(o->notes[i]);
	free(o->notes);
	free(o);
	return NULL;
}

int observation_add_note(struct observation *o, const char *fmt, ...)
{
	va_list ap;
	char **notes, *note;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&note, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	notes = realloc(o->notes, (o->n_notes + 1) * sizeof(*notes));
	if (!notes) {
		free(note);
		return -ENOMEM;
	}
	notes[o->n_notes++] = note;
	o->notes = notes;
	return 0;
}

bool listener_fill(const struct listener *l, double *ret)
{
	if (l->backlog < 0)
		return false;
	*ret = l->backlog > 0 ? (double)l->queue / (double)l->backlog : (double)l->queue;
	return true;
}

uint64_t observation_state_total(const struct observation *o, enum tcp_state s)
{
	return o->states[OBS_V4][s] + o->states[OBS_V6][s];
}

static const struct counter *find_counter(const struct counter *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return &c[i];
	return NULL;
}

const struct counter *observation_counter(const struct observation *o, const char *name)
{
	return find_counter(o->counters, o->n_counters, name);
}

const struct counter *observation_sockstat(const struct observation *o, const char *name)
{
	return find_counter(o->sockstat, o->n_sockstat, name);
}

const struct sysctl_reading *observation_sysctl(const struct observation *o, const char *key)
{
	for (size_t i = 0; i < o->n_sysctls; i++)
		if (strcmp(o->sysctls[i].key, key) == 0)
			return &o->sysctls[i];
	return NULL;
}

void observation_derive_rates(struct observation *cur, const struct observation *prev,
			      double seconds)
{
	if (seconds <= 0)
		return;
	cur->interval = seconds;
	for (size_t i = 0; i < cur->n_counters; i++) {
		const struct counter *p = observation_counter(prev, cur->counters[i].name);

		/* A counter that appeared or wrapped between samples has no honest rate. */
		if (p && cur->counters[i].value >= p->value)
			cur->counters[i].rate =
				(double)(cur->counters[i].value - p->value) / seconds;
		else
			cur->counters[i].rate = NAN;
	}
}

/* ---- metrics by name ---- */

enum metric_kind {
	M_NUMBER,
	M_TEXT,
};

struct metric_value {
	enum metric_kind kind;
	double num;
	const char *text;
};

static bool is_ident(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && !strchr(extra, *s))
			return false;
	return true;
}

/* "state.v6.time_wait" -> family and state. */
static int parse_state_metric(const char *rest, int *ret_family, enum tcp_state *ret_state)
{
	int family = -1;

	if (strncmp(rest, "v4.", 3) == 0) {
		family = OBS_V4;
		rest += 3;
	} else if (strncmp(rest, "v6.", 3) == 0) {
		family = OBS_V6;
		rest += 3;
	}
	*ret_state = tcp_state_from_name(rest);
	*ret_family = family;
	return *ret_state ? 0 : -EINVAL;
}

/* "net.ipv4.ip_local_port_range[1]" -> key (heap) and index (-1 when none). */
static int parse_sysctl_metric(const char *rest, char **ret_key, int *ret_index)
{
	const char *br = strchr(rest, '[');
	_cleanup_free_ char *key = NULL;
	int64_t idx = -1;

	if (br) {
		_cleanup_free_ char *num = NULL;
		size_t len = strlen(br);

		if (len < 3 || br[len - 1] != ']')
			return -EINVAL;
		num = strndup(br + 1, len - 2);
		if (!num)
			return -ENOMEM;
		if (parse_i64(num, 0, SYSCTL_MAX_VEC - 1, &idx) < 0)
			return -EINVAL;
		key = strndup(rest, (size_t)(br - rest));
	} else {
		key = strdup(rest);
	}
	if (!key)
		return -ENOMEM;
	if (!is_ident(key, ".-") || key[0] == '.' || strstr(key, ".."))
		return -EINVAL;
	*ret_key = TAKE_PTR(key);
	*ret_index = (int)idx;
	return 0;
}

static int lookup_top(const struct observation *o, const char *rest, struct metric_value *v)
{
	const char *dot = strrchr(rest, '.');
	_cleanup_free_ char *sname = NULL;
	const struct port_count *p;
	enum tcp_state s;

	if (!dot)
		return -EINVAL;
	sname = strndup(rest, (size_t)(dot - rest));
	if (!sname)
		return -ENOMEM;
	s = tcp_state_from_name(sname);
	if (!s || s == TS_LISTEN || s == TS_CLOSE)
		return -EINVAL;
	dot++;
	if (strcmp(dot, "port") && strcmp(dot, "count") && strcmp(dot, "pid") &&
	    strcmp(dot, "process") && strcmp(dot, "server"))
		return -EINVAL;
	if (!o)
		return 0;
	if (o->top[s].n == 0)
		return -ENODATA;
	p = &o->top[s].ports[0];
	if (strcmp(dot, "port") == 0)
		*v = (struct metric_value){ M_NUMBER, p->port, NULL };
	else if (strcmp(dot, "count") == 0)
		*v = (struct metric_value){ M_NUMBER, p->count, NULL };
	else if (strcmp(dot, "server") == 0)
		*v = (struct metric_value){ M_NUMBER, p->server, NULL };
	else if (!o->processes || p->pid <= 0)
		return -ENODATA;
	else if (strcmp(dot, "pid") == 0)
		*v = (struct metric_value){ M_NUMBER, p->pid, NULL };
	else
		*v = (struct metric_value){ M_TEXT, 0, p->comm ? p->comm : "?" };
	return 0;
}

/* Listeners that somaxconn holds back: their limit is somaxconn and they are half full. */
static int listen_capped(const struct observation *o, struct metric_value *v)
{
	const struct sysctl_reading *s = observation_sysctl(o, "net.core.somaxconn");
	double n = 0;

	if (!s || s->n != 1)
		return -ENODATA;
	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];

		if (l->backlog < 0)
			return -ENODATA;
		if (l->backlog == s->num[0] && 2 * (int64_t)l->queue >= l->backlog)
			n++;
	}
	*v = (struct metric_value){ M_NUMBER, n, NULL };
	return 0;
}

static int lookup_peer(const struct observation *o, const char *rest, struct metric_value *v,
		       char *buf, size_t size)
{
	const struct peer_count *p;
	char addr[INET6_ADDRSTRLEN];

	if (strcmp(rest, "count") && strcmp(rest, "port") && strcmp(rest, "address"))
		return -EINVAL;
	if (!o)
		return 0;
	if (o->n_peers == 0) {
		/* No client sockets at all is a count of zero, not an unknown. */
		if (strcmp(rest, "count") != 0)
			return -ENODATA;
		*v = (struct metric_value){ M_NUMBER, 0, NULL };
		return 0;
	}
	p = &o->peers[0];
	if (strcmp(rest, "count") == 0) {
		*v = (struct metric_value){ M_NUMBER, p->count, NULL };
	} else if (strcmp(rest, "port") == 0) {
		*v = (struct metric_value){ M_NUMBER, p->port, NULL };
	} else {
		if (!inet_ntop(p->family, p->addr, addr, sizeof(addr)))
			return -ENODATA;
		snprintf(buf, size, p->family == AF_INET6 ? "[%s]:%u" : "%s:%u", addr, p->port);
		*v = (struct metric_value){ M_TEXT, 0, buf };
	}
	return 0;
}

static int lookup_listen(const struct observation *o, const char *rest, struct metric_value *v)
{
	double max_ratio = -1, max_queue = 0, full = 0;

	if (strcmp(rest, "count") && strcmp(rest, "max_queue_ratio") && strcmp(rest, "max_queue") &&
	    strcmp(rest, "full") && strcmp(rest, "capped"))
		return -EINVAL;
	if (!o)
		return 0;
	if (strcmp(rest, "capped") == 0)
		return listen_capped(o, v);
	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];
		double ratio;

		if (l->queue > max_queue)
			max_queue = l->queue;
		if (!listener_fill(l, &ratio))
			continue;
		/* The kernel's queue holds backlog + 1 before it counts as full. */
		if ((int64_t)l->queue > l->backlog)
			full++;
		if (ratio > max_ratio)
			max_ratio = ratio;
	}
	if (strcmp(rest, "count") == 0) {
		v->num = (double)o->n_listeners;
	} else if (strcmp(rest, "max_queue") == 0) {
		v->num = max_queue;
	} else {
		/* Without limits (the /proc source) ratios cannot be told. */
		if (max_ratio < 0 && o->n_listeners > 0)
			return -ENODATA;
		v->num = strcmp(rest, "full") == 0 ? full : (max_ratio < 0 ? 0 : max_ratio);
	}
	v->kind = M_NUMBER;
	return 0;
}

static int kernel_version_code(const char *release, double *ret)
{
	unsigned code;

	if (parse_kernel_release(release, &code) < 0)
		return -ENODATA;
	*ret = (double)code;
	return 0;
}

/*
 * Resolves a metric. With o == NULL it only checks the name's shape, which is
 * what rules need at load time.
 */
static int lookup(const struct observation *o, const char *name, struct metric_value *v, char *buf,
		  size_t size)
{
	const char *rest;

	if ((rest = strchr(name, '.')) == NULL)
		return -EINVAL;
	rest++;
	if (strncmp(name, "state.", 6) == 0) {
		enum tcp_state s;
		int family;

		if (parse_state_metric(rest, &family, &s) < 0)
			return -EINVAL;
		if (o)
			*v = (struct metric_value){
				M_NUMBER,
				family < 0 ? (double)observation_state_total(o, s)
					   : (double)o->states[family][s],
				NULL,
			};
		return 0;
	}
	if (strncmp(name, "client.", 7) == 0 || strncmp(name, "server.", 7) == 0) {
		enum tcp_state s = tcp_state_from_name(rest);

		/* Listeners and closed sockets have no role. */
		if (!s || s == TS_LISTEN || s == TS_CLOSE)
			return -EINVAL;
		if (o)
			*v = (struct metric_value){
				M_NUMBER,
				name[0] == 'c'
					? (double)o->client[s]
					: (double)(observation_state_total(o, s) - o->client[s]),
				NULL,
			};
		return 0;
	}
	if (strncmp(name, "sockstat.", 9) == 0 || strncmp(name, "counter.", 8) == 0 ||
	    strncmp(name, "rate.", 5) == 0) {
		const struct counter *c;

		if (!is_ident(rest, ".") || rest[0] == '.')
			return -EINVAL;
		if (name[0] != 's' && !strchr(rest, '.'))
			return -EINVAL;
		if (!o)
			return 0;
		c = name[0] == 's' ? observation_sockstat(o, rest) : observation_counter(o, rest);
		if (!c)
			return -ENODATA;
		if (name[0] == 'r') {
			if (o->interval <= 0 || isnan(c->rate))
				return -ENODATA;
			*v = (struct metric_value){ M_NUMBER, c->rate, NULL };
		} else {
			*v = (struct metric_value){ M_NUMBER, (double)c->value, NULL };
		}
		return 0;
	}
	if (strncmp(name, "sysctl.", 7) == 0) {
		_cleanup_free_ char *key = NULL;
		const struct sysctl_reading *s;
		int idx, r;

		r = parse_sysctl_metric(rest, &key, &idx);
		if (r < 0)
			return r;
		if (!o)
			return 0;
		s = observation_sysctl(o, key);
		if (!s || !s->value)
			return -ENODATA;
		/* Text, or a vector shown whole: only an index makes a vector a number. */
		if (idx < 0 && s->n != 1)
			*v = (struct metric_value){ M_TEXT, 0, s->value };
		else if ((size_t)(idx < 0 ? 0 : idx) >= s->n)
			return -ENODATA;
		else
			*v = (struct metric_value){ M_NUMBER, (double)s->num[idx < 0 ? 0 : idx],
						    NULL };
		return 0;
	}
	if (strncmp(name, "top.", 4) == 0)
		return lookup_top(o, rest, v);
	if (strncmp(name, "listen.", 7) == 0)
		return lookup_listen(o, rest, v);
	if (strncmp(name, "peer.", 5) == 0)
		return lookup_peer(o, rest, v, buf, size);
	if (strcmp(name, "kernel.version") == 0) {
		if (o) {
			if (!o->kernel_release)
				return -ENODATA;
			*v = (struct metric_value){ M_TEXT, 0, o->kernel_release };
		}
		return 0;
	}
	if (strcmp(name, "kernel.version_code") == 0) {
		if (o) {
			v->kind = M_NUMBER;
			return kernel_version_code(o->kernel_release, &v->num);
		}
		return 0;
	}
	return -EINVAL;
}

/* Room for text a metric formats itself: "[ffff:...:ffff]:65535". */
#define METRIC_BUF 64

int metric_check(const char *name)
{
	struct metric_value v;
	char buf[METRIC_BUF];

	return lookup(NULL, name, &v, buf, sizeof(buf));
}

int observation_metric(const struct observation *o, const char *name, double *ret)
{
	struct metric_value v;
	char buf[METRIC_BUF];
	int r;

	r = lookup(o, name, &v, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (v.kind != M_NUMBER)
		return -EMEDIUMTYPE;
	*ret = v.num;
	return 0;
}

int observation_metric_text(const struct observation *o, const char *name, char **ret)
{
	struct metric_value v;
	char buf[METRIC_BUF];
	char *s;
	int r;

	r = lookup(o, name, &v, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (v.kind == M_TEXT)
		s = strdup(v.text);
	else if (v.num == floor(v.num) && fabs(v.num) < 1e15)
		r = asprintf(&s, "%.0f", v.num);
	else
		r = asprintf(&s, "%.2f", v.num);
	if (r < 0 || !s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

const char *observation_metric_why(const struct observation *o, const char *name)
{
	if (strncmp(name, "rate.", 5) == 0)
		return o->interval > 0 ? "this kernel does not report that counter"
				       : "rates need two samples: run with --interval SEC";
	if (strncmp(name, "sysctl.", 7) == 0)
		return "the key is absent on this kernel or in this network namespace";
	if (strncmp(name, "counter.", 8) == 0 || strncmp(name, "sockstat.", 9) == 0)
		return "this kernel does not report it";
	if (strncmp(name, "top.", 4) == 0)
		return strstr(name, ".pid") || strstr(name, ".process")
			       ? "owners were not looked up or are not known (--processes, root)"
			       : "no socket is in that state";
	if (strncmp(name, "listen.", 7) == 0)
		return "the /proc source does not report accept-queue limits";
	if (strncmp(name, "peer.", 5) == 0)
		return "no client-side connection";
	return "not in this snapshot";
}
