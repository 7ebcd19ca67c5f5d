// SPDX-License-Identifier: GPL-2.0-or-later
#include "tally.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tally_init(struct tally *t, bool want_inodes)
{
	memset(t, 0, sizeof(*t));
	t->want_inodes = want_inodes;
}

void tally_done(struct tally *t)
{
	FOREACH_TCP_STATE(s) {
		free(t->ports[s]);
		free(t->sample_inode[s]);
	}
	free(t->listeners);
	tally_init(t, t->want_inodes);
}

void tally_port_alloc(struct tally *t, enum tcp_state s)
{
	t->ports[s] = calloc(TALLY_PORTS, sizeof(uint32_t));
	if (t->ports[s] && t->want_inodes) {
		t->sample_inode[s] = calloc(TALLY_PORTS, sizeof(uint32_t));
		if (!t->sample_inode[s]) {
			free(t->ports[s]);
			t->ports[s] = NULL;
		}
	}
	if (!t->ports[s])
		t->error = -ENOMEM;
}

void tally_listener(struct tally *t, const struct listener *l)
{
	if (t->n_listeners == t->cap_listeners) {
		size_t cap = t->cap_listeners ? t->cap_listeners * 2 : 16;
		struct listener *nl = realloc(t->listeners, cap * sizeof(*nl));

		if (!nl) {
			t->error = -ENOMEM;
			return;
		}
		t->listeners = nl;
		t->cap_listeners = cap;
	}
	t->listeners[t->n_listeners++] = *l;
}

void tally_merge(struct tally *dst, struct tally *src)
{
	for (int f = 0; f < OBS_NFAMILY; f++)
		FOREACH_TCP_STATE(s)
			dst->states[f][s] += src->states[f][s];
	FOREACH_TCP_STATE(s) {
		if (!src->ports[s])
			continue;
		if (!dst->ports[s]) {
			dst->ports[s] = src->ports[s];
			dst->sample_inode[s] = src->sample_inode[s];
			src->ports[s] = src->sample_inode[s] = NULL;
			continue;
		}
		for (size_t p = 0; p < TALLY_PORTS; p++) {
			dst->ports[s][p] += src->ports[s][p];
			if (dst->sample_inode[s] && !dst->sample_inode[s][p])
				dst->sample_inode[s][p] = src->sample_inode[s][p];
		}
	}
	for (size_t i = 0; i < src->n_listeners; i++)
		tally_listener(dst, &src->listeners[i]);
	if (src->error && !dst->error)
		dst->error = src->error;
	tally_done(src);
}

/* Keeps the n largest counts of one state, largest first, ties by lower port. */
static size_t select_top(const uint32_t *ports, unsigned n, struct port_count *out)
{
	size_t have = 0;

	for (size_t p = 0; p < TALLY_PORTS; p++) {
		uint32_t c = ports[p];
		size_t i;

		if (!c || (have == n && c <= out[have - 1].count))
			continue;
		i = have < n ? have++ : have - 1;
		while (i > 0 && out[i - 1].count < c) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = (struct port_count){ .port = (uint16_t)p, .count = c };
	}
	return have;
}

int tally_finish(struct tally *t, unsigned top, struct observation *o)
{
	uint8_t listening[TALLY_PORTS / 8] = { 0 };

	if (t->error)
		return t->error;
	if (top > TALLY_TOP_MAX)
		top = TALLY_TOP_MAX;
	memcpy(o->states, t->states, sizeof(o->states));
	for (size_t i = 0; i < t->n_listeners; i++)
		listening[t->listeners[i].port / 8] |= (uint8_t)(1u << (t->listeners[i].port % 8));

	FOREACH_TCP_STATE(s) {
		struct port_count *pc;
		size_t n;

		if (!t->ports[s])
			continue;
		for (size_t p = 0; p < TALLY_PORTS; p++)
			if (t->ports[s][p] && !(listening[p / 8] & (1u << (p % 8))))
				o->client[s] += t->ports[s][p];
		if (top == 0)
			continue;
		pc = calloc(top, sizeof(*pc));
		if (!pc)
			return -ENOMEM;
		n = select_top(t->ports[s], top, pc);
		for (size_t i = 0; i < n; i++) {
			uint16_t p = pc[i].port;

			pc[i].server = listening[p / 8] & (1u << (p % 8));
			if (t->sample_inode[s])
				pc[i].inode = t->sample_inode[s][p];
		}
		o->top[s] = (struct top_ports){ .n = n, .ports = pc };
	}
	o->listeners = t->listeners;
	o->n_listeners = t->n_listeners;
	t->listeners = NULL;
	t->n_listeners = t->cap_listeners = 0;
	return 0;
}
