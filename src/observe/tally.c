// SPDX-License-Identifier: GPL-2.0-or-later
#include "tally.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

void tally_init(struct tally *t, bool want_inodes)
{
	memset(t, 0, sizeof(*t));
	t->want_inodes = want_inodes;
}

void tally_done(struct tally *t)
{
	uint16_t lo = t->eph_lo, hi = t->eph_hi;
	uint64_t only = t->only_cgroup;
	bool user = t->filter_user;
	uint32_t held_states = t->held_states;

	FOREACH_TCP_STATE(s) {
		free(t->ports[s]);
		free(t->sample_inode[s]);
		free(t->held[s]);
	}
	free(t->listeners);
	free(t->peers);
	tally_init(t, t->want_inodes);
	tally_set_ephemeral(t, lo, hi);
	t->only_cgroup = only;
	t->filter_user = user;
	t->held_states = held_states;
}

/* 1 + the cgroup's index in the table (added when new), or 0 when unknown or the table is full. */
static uint16_t held_cgroup(struct tally *t, uint64_t id)
{
	if (!id)
		return 0;
	for (size_t i = t->n_held_cgroups; i-- > 0;)
		if (t->held_cgroups[i] == id)
			return (uint16_t)(i + 1);
	if (t->n_held_cgroups == HELD_CGROUPS)
		return 0;
	t->held_cgroups[t->n_held_cgroups++] = id;
	return (uint16_t)t->n_held_cgroups;
}

void tally_held(struct tally *t, enum tcp_state s, uint16_t port, uint32_t inode,
		uint64_t cgroup_id)
{
	if (!inode)
		return;
	if (t->n_held[s] == HELD_MAX) {
		t->held_full[s] = true;
		return;
	}
	if (!t->held[s]) {
		t->held[s] = malloc(HELD_MAX * sizeof(*t->held[s]));
		if (!t->held[s]) {
			t->error = -ENOMEM;
			return;
		}
	}
	t->held[s][t->n_held[s]++] = (struct held_socket){ .inode = inode,
							   .port = port,
							   .cgroup = held_cgroup(t, cgroup_id) };
}

void tally_set_ephemeral(struct tally *t, uint16_t lo, uint16_t hi)
{
	t->eph_lo = lo;
	t->eph_hi = hi;
}

static uint32_t peer_hash(enum obs_family f, const uint8_t *addr, uint16_t port)
{
	/* FNV-1a: peers are not chosen by an attacker who knows the table's size. */
	uint32_t h = 2166136261u ^ f;

	for (size_t i = 0; i < (f == OBS_V4 ? 4 : 16); i++)
		h = (h ^ addr[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	return (h ^ (port >> 8)) * 16777619u;
}

/*
 * Bounded probing keeps the cost per socket constant; a destination that
 * finds no slot within it is counted as untracked, so a table crowded by
 * thousands of destinations under-reports rather than grows.
 */
#define PEER_PROBES 8

static void peer_add(struct tally *t, int family, const uint8_t *addr, uint16_t port,
		     uint32_t count)
{
	enum obs_family f = family == AF_INET ? OBS_V4 : OBS_V6;
	size_t len = f == OBS_V4 ? 4 : 16;
	uint32_t h = peer_hash(f, addr, port);

	if (!t->peers) {
		t->peers = calloc(TALLY_PEER_SLOTS, sizeof(*t->peers));
		if (!t->peers) {
			t->error = -ENOMEM;
			return;
		}
	}
	for (unsigned i = 0; i < PEER_PROBES; i++) {
		struct peer_count *p = &t->peers[(h + i) & (TALLY_PEER_SLOTS - 1)];

		if (p->count == 0) {
			*p = (struct peer_count){ .family = family, .port = port, .count = count };
			memcpy(p->addr, addr, len);
			t->n_peers++;
			return;
		}
		if (p->port == port && p->family == family && memcmp(p->addr, addr, len) == 0) {
			p->count += count;
			return;
		}
	}
	t->peers_untracked += count;
}

void tally_peer_slow(struct tally *t, enum obs_family f, const uint8_t *daddr, uint16_t dport)
{
	peer_add(t, f == OBS_V4 ? AF_INET : AF_INET6, daddr, dport, 1);
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
	FOREACH_TCP_STATE(s) {
		for (size_t i = 0; i < src->n_held[s]; i++) {
			const struct held_socket *h = &src->held[s][i];

			tally_held(dst, s, h->port, h->inode,
				   h->cgroup ? src->held_cgroups[h->cgroup - 1] : 0);
		}
		dst->held_full[s] |= src->held_full[s];
	}
	for (size_t i = 0; src->peers && i < TALLY_PEER_SLOTS; i++)
		if (src->peers[i].count)
			peer_add(dst, src->peers[i].family, src->peers[i].addr, src->peers[i].port,
				 src->peers[i].count);
	dst->peers_untracked += src->peers_untracked;
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

static int cmp_peer(const void *a, const void *b)
{
	const struct peer_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

static int finish_peers(struct tally *t, unsigned top, struct observation *o)
{
	size_t n = 0;

	if (!t->peers || top == 0)
		return 0;
	/* Compact the table in place, then keep the busiest. */
	for (size_t i = 0; i < TALLY_PEER_SLOTS; i++)
		if (t->peers[i].count)
			t->peers[n++] = t->peers[i];
	qsort(t->peers, n, sizeof(*t->peers), cmp_peer);
	if (n > top)
		n = top;
	o->peers = calloc(n ? n : 1, sizeof(*o->peers));
	if (!o->peers)
		return -ENOMEM;
	memcpy(o->peers, t->peers, n * sizeof(*o->peers));
	o->n_peers = n;
	return 0;
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
	FOREACH_TCP_STATE(s) {
		o->held[s] = t->held[s];
		o->n_held[s] = t->n_held[s];
		o->held_full[s] = t->held_full[s];
		t->held[s] = NULL;
		t->n_held[s] = 0;
	}
	memcpy(o->held_cgroups, t->held_cgroups, sizeof(o->held_cgroups));
	o->n_held_cgroups = t->n_held_cgroups;
	o->listeners = t->listeners;
	o->n_listeners = t->n_listeners;
	t->listeners = NULL;
	t->n_listeners = t->cap_listeners = 0;
	return finish_peers(t, top, o);
}
