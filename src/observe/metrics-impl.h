/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_METRICS_IMPL_H
#define TCPTUNE_METRICS_IMPL_H

/*
 * Inside the metric registry: what a resolver is given and how it answers.
 * metrics.c holds the table and the resolvers of kernel numbers and sysctls;
 * metrics-sockets.c those of what the sockets tell.
 */
#include <stddef.h>

#include "metrics.h"
#include "tcpstate.h"

struct metric_value;
struct observation;

struct metric_arg {
	enum tcp_state state; /* ARG_STATE, ARG_CONN_STATE */
	char *text;	      /* the placeholder's text; for ARG_KEY_INDEX the key alone */
	int index;	      /* ARG_KEY_INDEX */
	int which;	      /* the row's own number, for rows that share a resolver */
};

static inline int number(struct metric_value *v, double num)
{
	v->type = METRIC_NUMBER;
	v->num = num;
	v->text = NULL;
	return 0;
}

static inline int text(struct metric_value *v, const char *s)
{
	v->type = METRIC_TEXT;
	v->num = 0;
	v->text = s;
	return 0;
}

#define RESOLVER(name) \
	int name(const struct observation *o, const struct metric_arg *a, struct metric_value *v)

RESOLVER(res_peer_count);
RESOLVER(res_peer_port);
RESOLVER(res_peer_address);
RESOLVER(res_listen_count);
RESOLVER(res_listen_max_queue);
RESOLVER(res_listen_max_queue_ratio);
RESOLVER(res_listen_full);
RESOLVER(res_listen_capped);
RESOLVER(res_listen_fullest);
RESOLVER(res_orphaned);
RESOLVER(res_held);
RESOLVER(res_orphans_count);
RESOLVER(res_stalled_count);
RESOLVER(res_stalled_orphaned);
RESOLVER(res_stalled_peer_address);
RESOLVER(res_stalled_peer_count);
RESOLVER(res_stalled_peer_retries);
RESOLVER(res_stalled_peer_idle);

#endif
