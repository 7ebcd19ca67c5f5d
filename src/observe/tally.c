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
	free(t->peers.slots);
	for (size_t k = 0; k < STALL_N; k++)
		free(t->stalled[k].slots);
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

static bool same_peer(const struct peer_count *p, const struct peer_count *in)
{
	return p->port == in->port && p->family == in->family &&
	       memcmp(p->addr, in->addr, in->family == AF_INET ? 4 : 16) == 0;
}

/* Adds in's numbers to its endpoint's slot (retries: the most). */
static void peer_add(struct tally *t, struct peer_table *pt, const struct peer_count *in)
{
	uint32_t h = peer_hash(in->family == AF_INET ? OBS_V4 : OBS_V6, in->addr, in->port);

	if (!pt->slots) {
		pt->slots = calloc(TALLY_PEER_SLOTS, sizeof(*pt->slots));
		if (!pt->slots) {
			t->error = -ENOMEM;
			return;
		}
	}
	for (unsigned i = 0; i < PEER_PROBES; i++) {
		struct peer_count *p = &pt->slots[(h + i) & (TALLY_PEER_SLOTS - 1)];

		if (p->count == 0) {
			*p = *in;
			pt->n++;
			return;
		}
		if (same_peer(p, in)) {
			p->count += in->count;
			p->idle += in->idle;
			p->orphaned += in->orphaned;
			if (in->retries > p->retries)
				p->retries = in->retries;
			return;
		}
	}
	pt->untracked += in->count;
}

static const struct peer_count *peer_find(const struct peer_table *pt, const struct peer_count *key)
{
	uint32_t h = peer_hash(key->family == AF_INET ? OBS_V4 : OBS_V6, key->addr, key->port);

	for (unsigned i = 0; pt->slots && i < PEER_PROBES; i++) {
		const struct peer_count *p = &pt->slots[(h + i) & (TALLY_PEER_SLOTS - 1)];

		if (p->count == 0)
			break;
		if (same_peer(p, key))
			return p;
	}
	return NULL;
}

static struct peer_count conn_peer(const struct conn *c, uint16_t port)
{
	struct peer_count p = {
		.family = c->f == OBS_V4 ? AF_INET : AF_INET6,
		.port = port,
		.count = 1,
		.orphaned = !c->inode && tcp_state_orphan(c->s),
	};

	memcpy(p.addr, c->daddr, c->f == OBS_V4 ? 4 : 16);
	return p;
}

void tally_peer_slow(struct tally *t, const struct conn *c)
{
	struct peer_count p = conn_peer(c, c->dport);

	/* Nothing in flight, no probe unanswered: keepalive alone would find its peer gone. */
	p.idle = c->s == TS_ESTABLISHED && !c->wqueue &&
		 (c->timer == TIMER_NONE || (c->timer == TIMER_KEEPALIVE && !c->retries));
	peer_add(t, &t->peers, &p);
}

void tally_stalled(struct tally *t, const struct conn *c)
{
	enum stall k = c->timer == TIMER_PROBE0 ? STALL_ZERO_WINDOW : STALL_RETRANS;
	/* A server's peers are clients on ports of their own: the host names them. */
	struct peer_count p = conn_peer(c, tally_client_side(t, c->sport) ? c->dport : 0);

	p.retries = c->retries;
	t->stalled_sockets[k]++;
	t->stalled_orphaned[k] += p.orphaned;
	peer_add(t, &t->stalled[k], &p);
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

static void merge_peers(struct tally *t, struct peer_table *dst, const struct peer_table *src)
{
	for (size_t i = 0; src->slots && i < TALLY_PEER_SLOTS; i++)
		if (src->slots[i].count)
			peer_add(t, dst, &src->slots[i]);
	dst->untracked += src->untracked;
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
	merge_peers(dst, &dst->peers, &src->peers);
	FOREACH_TCP_STATE(s)
		dst->unheld[s] += src->unheld[s];
	for (size_t k = 0; k < STALL_N; k++) {
		merge_peers(dst, &dst->stalled[k], &src->stalled[k]);
		dst->stalled_sockets[k] += src->stalled_sockets[k];
		dst->stalled_orphaned[k] += src->stalled_orphaned[k];
	}
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

/* The `top` busiest endpoints of a table, which is compacted and sorted in place. */
static int busiest(struct peer_table *pt, unsigned top, struct peer_count **ret, size_t *ret_n)
{
	size_t n = 0;

	if (!pt->slots || top == 0)
		return 0;
	for (size_t i = 0; i < TALLY_PEER_SLOTS; i++)
		if (pt->slots[i].count)
			pt->slots[n++] = pt->slots[i];
	qsort(pt->slots, n, sizeof(*pt->slots), cmp_peer);
	if (n > top)
		n = top;
	*ret = calloc(n ? n : 1, sizeof(**ret));
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, pt->slots, n * sizeof(**ret));
	*ret_n = n;
	/* The slots are no longer a hash table. */
	free(pt->slots);
	pt->slots = NULL;
	return 0;
}

/*
 * The stalled connections, and to each client-side endpoint among the
 * busiest the idle connections that wait on the same peer. Before the
 * client-side table is sorted away.
 */
static int finish_stalled(struct tally *t, unsigned top, struct observation *o)
{
	for (size_t k = 0; k < STALL_N; k++) {
		struct stalled *st = &o->stalled[k];
		int r;

		st->sockets = t->stalled_sockets[k];
		st->orphaned = t->stalled_orphaned[k];
		r = busiest(&t->stalled[k], top, &st->peers, &st->n_peers);
		if (r < 0)
			return r;
		for (size_t i = 0; i < st->n_peers; i++) {
			const struct peer_count *all = peer_find(&t->peers, &st->peers[i]);

			st->peers[i].idle = all ? all->idle : 0;
		}
	}
	return 0;
}

int tally_finish(struct tally *t, unsigned top, struct observation *o)
{
	uint8_t listening[TALLY_PORTS / 8] = { 0 };
	int r;

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
	memcpy(o->unheld, t->unheld, sizeof(o->unheld));
	r = finish_stalled(t, top, o);
	return r < 0 ? r : busiest(&t->peers, top, &o->peers, &o->n_peers);
}
