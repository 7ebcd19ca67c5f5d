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
	free(o->cgroup);
	FOREACH_TCP_STATE(s)
		free(o->held[s]);
	FOREACH_TCP_STATE(s) {
		for (size_t i = 0; i < o->top[s].n; i++) {
			free(o->top[s].ports[i].comm);
			owner_set_clear(&o->top[s].ports[i].owners);
		}
		free(o->top[s].ports);
	}
	for (size_t i = 0; i < o->n_listeners; i++) {
		free(o->listeners[i].comm);
		owner_set_clear(&o->listeners[i].owners);
	}
	free(o->listeners);
	free(o->peers);
	for (size_t i = 0; i < STALL_N; i++)
		free(o->stalled[i].peers);
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

void owner_set_clear(struct owner_set *s)
{
	free(s->cgroup);
	free(s->service);
	*s = (struct owner_set){ 0 };
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

struct listen_summary observation_listen_summary(const struct observation *o)
{
	struct listen_summary s = { .max_ratio = -1 };

	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];
		double ratio;

		if (l->queue > s.max_queue) {
			s.max_queue = l->queue;
			if (s.max_ratio < 0)
				s.fullest = l;
		}
		if (!listener_fill(l, &ratio))
			continue;
		/* The kernel's queue holds backlog + 1 before it counts as full. */
		if ((int64_t)l->queue > l->backlog)
			s.full++;
		if (ratio > s.max_ratio) {
			s.max_ratio = ratio;
			s.fullest = l;
		}
	}
	return s;
}

int observation_listen_capped(const struct observation *o, double *ret)
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
	*ret = n;
	return 0;
}

int endpoint_format(int family, const uint8_t addr[16], uint16_t port, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!inet_ntop(family, addr, a, sizeof(a)))
		return -errno;
	if (port == 0)
		n = snprintf(buf, size, "%s", a);
	else
		n = snprintf(buf, size, family == AF_INET6 ? "[%s]:%u" : "%s:%u", a,
			     (unsigned)port);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int observation_peer_address(const struct observation *o, char *buf, size_t size)
{
	const struct peer_count *p = o->n_peers ? &o->peers[0] : NULL;

	return p && endpoint_format(p->family, p->addr, p->port, buf, size) == 0 ? 0 : -ENODATA;
}

uint64_t observation_orphans(const struct observation *o)
{
	uint64_t n = 0;

	FOREACH_TCP_STATE(s)
		if (tcp_state_orphan(s))
			n += o->unheld[s];
	return n;
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
