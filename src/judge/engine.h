/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_ENGINE_H
#define TCPTUNE_ENGINE_H

#include "observation.h"
#include "rules.h"

struct evidence {
	const char *metric;
	char *value; /* NULL: not available in this snapshot */
};

struct change {
	const char *key;
	char *current; /* NULL: absent */
	char *value;   /* the recommended value (a bound evaluated on this machine) */
	enum rec_kind kind;
	bool needed; /* false: the current value already satisfies it */
};

struct finding {
	const struct rule *rule;
	char *summary, *explain, *action; /* interpolated */
	struct evidence *evidence;
	size_t n_evidence;
	struct change *changes;
	size_t n_changes;
	uint32_t owner_states; /* states whose busiest port's holders it names (1 << state);
				  TS_LISTEN: the listeners with a full accept queue */
};

struct skipped {
	const struct rule *rule;
	char *reason; /* "rate.TcpExt.ListenOverflows is not available" */
};

struct judgement {
	struct finding *findings; /* most severe first, then by id */
	size_t n_findings;
	struct skipped *skipped; /* rules not evaluated */
	size_t n_skipped;
	size_t n_evaluated;
	enum severity worst; /* 0 when nothing was found */
};

/* Evaluates every enabled rule against a snapshot. */
int engine_judge(const struct ruleset *rs, const struct observation *o, struct judgement **ret);
struct judgement *judgement_free(struct judgement *j);

/*
 * The states whose busiest port's holder the findings name (bit 1 << state):
 * top.<state>.pid, .process or .service in a finding's texts or evidence, or
 * in any enabled rule's condition. Owners are looked up for these only, after
 * judging, and the rules judged again. TS_LISTEN: a finding about full
 * accept queues names their listeners. Without a judgement (j NULL): the
 * states any enabled rule may name, whose held sockets observing records.
 */
uint32_t engine_owner_states(const struct ruleset *rs, const struct judgement *j);

/* Drops findings below min and recomputes the worst severity. */
void judgement_filter(struct judgement *j, enum severity min);

#endif
