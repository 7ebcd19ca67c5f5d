// SPDX-License-Identifier: GPL-2.0-or-later
/* stats' text sections about remote endpoints and the sockets that wait on them. */
#include <inttypes.h>
#include <stdio.h>

#include "format.h"
#include "observation.h"
#include "textflow.h"

/* The endpoint, or "?" (a family the kernel should not report). */
static void endpoint(const struct peer_count *p, char *buf, size_t size)
{
	if (endpoint_format(p->family, p->addr, p->port, buf, size) < 0)
		snprintf(buf, size, "?");
}

/* Where client-side connections go: the endpoints that can run out of local ports. */
void text_put_peers(const struct text *t, const struct observation *o)
{
	if (o->n_peers == 0)
		return;
	fprintf(t->f, "\n%s%-32s %8s%s\n", bold(t), "Remote endpoints (client side)", "sockets",
		reset(t));
	for (size_t i = 0; i < o->n_peers; i++) {
		char ep[REPORT_ENDPOINT_MAX];

		endpoint(&o->peers[i], ep, sizeof(ep));
		fprintf(t->f, "  %-30s %8" PRIu32 "\n", ep, o->peers[i].count);
	}
}

/*
 * "Orphans  155 in this namespace: fin_wait1 150, fin_wait2 5": sockets closed
 * by their application that the kernel still holds (sockstat's count is the
 * machine's).
 */
void text_put_orphans(const struct text *t, const struct observation *o)
{
	const char *sep = ": ";

	if (observation_orphans(o) == 0)
		return;
	fprintf(t->f, "\n%sOrphans%s  %" PRIu64 " in this namespace", bold(t), reset(t),
		observation_orphans(o));
	FOREACH_TCP_STATE(s) {
		if (!tcp_state_orphan(s) || !o->unheld[s])
			continue;
		fprintf(t->f, "%s%s %" PRIu64, sep, tcp_state_name(s), o->unheld[s]);
		sep = ", ";
	}
	fputc('\n', t->f);
}

/* Connections stalled on their peer, and the busiest endpoints of each kind. */
void text_put_stalled(const struct text *t, const struct observation *o)
{
	static const char *const kinds[STALL_N] = {
		[STALL_RETRANS] = "retransmitting", [STALL_ZERO_WINDOW] = "zero window"
	};

	if (!o->stalled[STALL_RETRANS].sockets && !o->stalled[STALL_ZERO_WINDOW].sockets)
		return;
	fprintf(t->f, "\n%s%-32s %8s %8s %7s %6s%s\n", bold(t), "Stalled on their peer", "sockets",
		"orphaned", "retries", "idle", reset(t));
	for (size_t k = 0; k < STALL_N; k++) {
		const struct stalled *st = &o->stalled[k];

		if (!st->sockets)
			continue;
		fprintf(t->f, "  %-30s %8" PRIu64 " %8" PRIu64 "\n", kinds[k], st->sockets,
			st->orphaned);
		for (size_t i = 0; i < st->n_peers; i++) {
			const struct peer_count *p = &st->peers[i];
			char ep[REPORT_ENDPOINT_MAX];

			endpoint(p, ep, sizeof(ep));
			fprintf(t->f, "    %-28s %8" PRIu32 " %8" PRIu32 " %7" PRIu32, ep, p->count,
				p->orphaned, p->retries);
			if (p->port)
				fprintf(t->f, " %6" PRIu32, p->idle);
			fputc('\n', t->f);
		}
	}
}
