// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resolvers of the metric registry for what the sockets tell beyond their
 * states: client-side peers, listeners, orphans and stalled connections.
 * The table that names them is in metrics.c.
 */
#include <errno.h>

#include "metrics-impl.h"
#include "observation.h"
#include "util.h"

int res_peer_count(const struct observation *o, _unused_ const struct metric_arg *a,
		   struct metric_value *v)
{
	/* No client sockets at all is a count of zero, not an unknown. */
	return number(v, o->n_peers ? o->peers[0].count : 0);
}

int res_peer_port(const struct observation *o, _unused_ const struct metric_arg *a,
		  struct metric_value *v)
{
	return o->n_peers ? number(v, o->peers[0].port) : -ENODATA;
}

int res_peer_address(const struct observation *o, _unused_ const struct metric_arg *a,
		     struct metric_value *v)
{
	return observation_peer_address(o, v->buf, sizeof(v->buf)) < 0 ? -ENODATA : text(v, v->buf);
}

int res_listen_count(const struct observation *o, _unused_ const struct metric_arg *a,
		     struct metric_value *v)
{
	return number(v, (double)o->n_listeners);
}

int res_listen_max_queue(const struct observation *o, _unused_ const struct metric_arg *a,
			 struct metric_value *v)
{
	return number(v, observation_listen_summary(o).max_queue);
}

/* Without limits (the /proc source) ratios cannot be told. */
static bool limits_unknown(const struct observation *o, const struct listen_summary *s)
{
	return s->max_ratio < 0 && o->n_listeners > 0;
}

int res_listen_max_queue_ratio(const struct observation *o, _unused_ const struct metric_arg *a,
			       struct metric_value *v)
{
	struct listen_summary s = observation_listen_summary(o);

	if (limits_unknown(o, &s))
		return -ENODATA;
	return number(v, s.max_ratio < 0 ? 0 : s.max_ratio);
}

int res_listen_full(const struct observation *o, _unused_ const struct metric_arg *a,
		    struct metric_value *v)
{
	struct listen_summary s = observation_listen_summary(o);

	return limits_unknown(o, &s) ? -ENODATA : number(v, s.full);
}

int res_listen_capped(const struct observation *o, _unused_ const struct metric_arg *a,
		      struct metric_value *v)
{
	double n;

	return observation_listen_capped(o, &n) < 0 ? -ENODATA : number(v, n);
}

int res_listen_fullest(const struct observation *o, _unused_ const struct metric_arg *a,
		       struct metric_value *v)
{
	const struct listener *l = observation_listen_summary(o).fullest;

	if (!l || !l->queue || endpoint_format(l->family, l->addr, l->port, v->buf, sizeof(v->buf)))
		return -ENODATA;
	return text(v, v->buf);
}

int res_orphaned(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	return number(v, (double)o->unheld[a->state]);
}

int res_held(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	return number(v, (double)(observation_state_total(o, a->state) - o->unheld[a->state]));
}

int res_orphans_count(const struct observation *o, _unused_ const struct metric_arg *a,
		      struct metric_value *v)
{
	return number(v, (double)observation_orphans(o));
}

/* retrans.* and zero_window.*: the registry's text says which. */
static const struct stalled *stall_of(const struct observation *o, const struct metric_arg *a)
{
	return &o->stalled[a->which == STALL_ZERO_WINDOW ? STALL_ZERO_WINDOW : STALL_RETRANS];
}

static const struct peer_count *stall_peer(const struct observation *o, const struct metric_arg *a)
{
	const struct stalled *st = stall_of(o, a);

	return st->n_peers ? &st->peers[0] : NULL;
}

int res_stalled_count(const struct observation *o, const struct metric_arg *a,
		      struct metric_value *v)
{
	return number(v, (double)stall_of(o, a)->sockets);
}

int res_stalled_orphaned(const struct observation *o, const struct metric_arg *a,
			 struct metric_value *v)
{
	return number(v, (double)stall_of(o, a)->orphaned);
}

int res_stalled_peer_address(const struct observation *o, const struct metric_arg *a,
			     struct metric_value *v)
{
	const struct peer_count *p = stall_peer(o, a);

	if (!p || endpoint_format(p->family, p->addr, p->port, v->buf, sizeof(v->buf)))
		return -ENODATA;
	return text(v, v->buf);
}

/* No stalled connection at all is a count of zero, not an unknown. */
int res_stalled_peer_count(const struct observation *o, const struct metric_arg *a,
			   struct metric_value *v)
{
	const struct peer_count *p = stall_peer(o, a);

	return number(v, p ? p->count : 0);
}

int res_stalled_peer_retries(const struct observation *o, const struct metric_arg *a,
			     struct metric_value *v)
{
	const struct peer_count *p = stall_peer(o, a);

	return number(v, p ? p->retries : 0);
}

int res_stalled_peer_idle(const struct observation *o, const struct metric_arg *a,
			  struct metric_value *v)
{
	const struct peer_count *p = stall_peer(o, a);

	return number(v, p ? p->idle : 0);
}
