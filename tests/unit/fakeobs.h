/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Building synthetic snapshots for the renderers' tests (include after cmocka.h). */
#ifndef TCPTUNE_TEST_FAKEOBS_H
#define TCPTUNE_TEST_FAKEOBS_H

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "observation.h"

static inline char *xstrdup(const char *s)
{
	char *d = strdup(s);

	assert_non_null(d);
	return d;
}

static inline void add_counter(struct counter **arr, size_t *n, const char *name, int64_t value,
			       double rate)
{
	struct counter *c = realloc(*arr, (*n + 1) * sizeof(**arr));

	assert_non_null(c);
	c[*n] = (struct counter){ .name = xstrdup(name), .value = value, .rate = rate };
	*arr = c;
	(*n)++;
}

static inline void add_port(struct observation *o, enum tcp_state s, uint16_t port, uint32_t count,
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

static inline void add_listener(struct observation *o, int family, const char *addr, uint16_t port,
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
static inline void add_sysctl(struct observation *o, const char *key, const char *value, size_t n,
			      ...)
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

#endif
