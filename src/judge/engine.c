// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "util.h"

static void finding_clear(struct finding *f)
{
	free(f->summary);
	free(f->explain);
	free(f->action);
	for (size_t i = 0; i < f->n_evidence; i++)
		free(f->evidence[i].value);
	free(f->evidence);
	for (size_t i = 0; i < f->n_changes; i++) {
		free(f->changes[i].current);
		free(f->changes[i].value);
	}
	free(f->changes);
}

struct judgement *judgement_free(struct judgement *j)
{
	if (!j)
		return NULL;
	for (size_t i = 0; i < j->n_findings; i++)
		finding_clear(&j->findings[i]);
	free(j->findings);
	for (size_t i = 0; i < j->n_skipped; i++)
		free(j->skipped[i].reason);
	free(j->skipped);
	free(j);
	return NULL;
}

/*
 * The value a recommendation asks for on this machine: its literal, a range
 * widened to cover the current one, or its bound evaluated and kept within the
 * key's valid range. NULL when the bound cannot be evaluated here.
 */
static char *recommended_value(const struct recommendation *rec, const struct observation *o,
			       const char *current)
{
	const struct kb_entry *e = kb_lookup(rec->key);
	_cleanup_free_ char *why = NULL;
	char *s = NULL;
	double v;

	if (rec->kind == REC_WIDEN)
		return want_resolve(e, rec->kind, current, rec->value);
	if (!rec->bound)
		return strdup(rec->value);
	if (expr_eval(rec->bound, o, &v, &why) < 0 || !e || v != v)
		return NULL;
	if (v < (double)e->range[0].min)
		v = (double)e->range[0].min;
	if (v > (double)e->range[0].max)
		v = (double)e->range[0].max;
	if (asprintf(&s, "%.0f", v) < 0)
		return NULL;
	return s;
}

static int fill_changes(const struct rule *r, const struct observation *o, struct finding *f)
{
	f->changes = calloc(r->n_recommend ? r->n_recommend : 1, sizeof(*f->changes));
	if (!f->changes)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_recommend; i++) {
		const struct recommendation *rec = &r->recommend[i];
		const struct sysctl_reading *s = observation_sysctl(o, rec->key);
		char *value = recommended_value(rec, o, s ? s->value : NULL);
		struct change *c;

		if (!value)
			continue; /* a bound this machine cannot tell: recommend nothing */
		c = &f->changes[f->n_changes++];
		c->key = rec->key;
		c->value = value;
		c->kind = rec->kind;
		c->current = s && s->value ? strdup(s->value) : NULL;
		c->needed = !want_satisfied(kb_lookup(rec->key), rec->kind, c->current, value);
	}
	return 0;
}

static int fill_evidence(const struct rule *r, const struct observation *o, struct finding *f)
{
	f->evidence = calloc(r->n_evidence ? r->n_evidence : 1, sizeof(*f->evidence));
	if (!f->evidence)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_evidence; i++) {
		struct evidence *e = &f->evidence[f->n_evidence++];

		e->metric = r->evidence[i];
		if (observation_metric_text(o, e->metric, &e->value) < 0)
			e->value = NULL;
	}
	return 0;
}

/* top.<state>.pid|process|service: the state's bit into *data. */
static void owner_metric(const char *name, void *data)
{
	static const char *const suffixes[] = { ".pid", ".process", ".service" };
	size_t n = strlen(name);

	if (strncmp(name, "top.", 4) != 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		size_t ns = strlen(suffixes[i]);
		_cleanup_free_ char *state = NULL;
		enum tcp_state s;

		if (n <= 4 + ns || strcmp(name + n - ns, suffixes[i]) != 0)
			continue;
		state = strndup(name + 4, n - 4 - ns);
		s = state ? tcp_state_from_name(state) : 0;
		if (s)
			*(uint32_t *)data |= 1u << s;
	}
}

/* The same, and TS_LISTEN for the accept-queue metrics: a full queue's listener. */
static void finding_metric(const char *name, void *data)
{
	owner_metric(name, data);
	if (strcmp(name, "listen.full") == 0 || strcmp(name, "listen.fullest") == 0 ||
	    strncmp(name, "listen.max_queue", 16) == 0)
		*(uint32_t *)data |= 1u << TS_LISTEN;
}

/* The states whose holders the rule's texts and evidence (its condition's metrics first) name. */
static uint32_t rule_owner_states(const struct rule *r)
{
	uint32_t states = 0;

	rule_template_foreach(r->summary, finding_metric, &states);
	rule_template_foreach(r->explain, finding_metric, &states);
	rule_template_foreach(r->action, finding_metric, &states);
	for (size_t k = 0; k < r->n_evidence; k++)
		finding_metric(r->evidence[k], &states);
	return states;
}

static int make_finding(const struct rule *r, const struct observation *o, struct finding *f)
{
	memset(f, 0, sizeof(*f));
	f->rule = r;
	f->owner_states = rule_owner_states(r);
	f->summary = rule_interpolate(r->summary, o);
	f->explain = r->explain ? rule_interpolate(r->explain, o) : NULL;
	f->action = r->action ? rule_interpolate(r->action, o) : NULL;
	if (!f->summary || (r->explain && !f->explain) || (r->action && !f->action) ||
	    fill_evidence(r, o, f) < 0 || fill_changes(r, o, f) < 0) {
		finding_clear(f);
		return -ENOMEM;
	}
	return 0;
}

/* The evaluator's reason, and why this snapshot lacks the metric it names. */
static char *skip_reason(const struct rule *r, const struct observation *o, int e, const char *why)
{
	char *s;

	if (!why)
		return strdup(strerror(-e));
	/* The condition's metrics come first in the evidence. */
	for (size_t i = 0; e == -ENODATA && i < r->n_evidence; i++) {
		double v;

		if (strncmp(why, r->evidence[i], strlen(r->evidence[i])) != 0 ||
		    observation_metric(o, r->evidence[i], &v) != -ENODATA)
			continue;
		if (asprintf(&s, "%s (%s)", why, observation_metric_why(o, r->evidence[i])) < 0)
			return NULL;
		return s;
	}
	return strdup(why);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	if (x->rule->severity != y->rule->severity)
		return x->rule->severity > y->rule->severity ? -1 : 1;
	return strcmp(x->rule->id, y->rule->id);
}

/*
 * One condition, one finding: a finding whose rule the rule of another
 * finding supersedes (the same condition at a worse level) is not reported.
 */
static void drop_superseded(struct judgement *j)
{
	size_t kept = 0;

	for (size_t i = 0; i < j->n_findings; i++) {
		bool gone = false;

		for (size_t k = 0; k < j->n_findings && !gone; k++)
			gone = k != i &&
			       rule_supersedes(j->findings[k].rule, j->findings[i].rule->id);
		if (gone)
			finding_clear(&j->findings[i]);
		else
			j->findings[kept++] = j->findings[i];
	}
	j->n_findings = kept;
	j->worst = 0;
	for (size_t i = 0; i < kept; i++)
		if (j->findings[i].rule->severity > j->worst)
			j->worst = j->findings[i].rule->severity;
}

int engine_judge(const struct ruleset *rs, const struct observation *o, struct judgement **ret)
{
	struct judgement *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->findings = calloc(rs->n + 1, sizeof(*j->findings));
	j->skipped = calloc(rs->n + 1, sizeof(*j->skipped));
	if (!j->findings || !j->skipped)
		goto oom;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];
		char *why = NULL;
		double v;
		int e;

		if (!r->enabled)
			continue;
		e = expr_eval(r->when, o, &v, &why);
		if (e < 0) {
			struct skipped *s = &j->skipped[j->n_skipped++];

			s->rule = r;
			s->reason = skip_reason(r, o, e, why);
			free(why);
			if (!s->reason)
				goto oom;
			continue;
		}
		free(why);
		j->n_evaluated++;
		if (v == 0)
			continue;
		if (make_finding(r, o, &j->findings[j->n_findings]) < 0)
			goto oom;
		if (r->severity > j->worst)
			j->worst = r->severity;
		j->n_findings++;
	}
	drop_superseded(j);
	qsort(j->findings, j->n_findings, sizeof(*j->findings), cmp_finding);
	*ret = j;
	return 0;
oom:
	judgement_free(j);
	return -ENOMEM;
}

uint32_t engine_owner_states(const struct ruleset *rs, const struct judgement *j)
{
	uint32_t states = 0;

	for (size_t i = 0; i < rs->n; i++)
		if (rs->rules[i].enabled)
			expr_foreach_metric(rs->rules[i].when, owner_metric, &states);
	for (size_t i = 0; j && i < j->n_findings; i++)
		states |= j->findings[i].owner_states;
	for (size_t i = 0; !j && i < rs->n; i++)
		if (rs->rules[i].enabled)
			states |= rule_owner_states(&rs->rules[i]) & ~(1u << TS_LISTEN);
	return states;
}

void judgement_filter(struct judgement *j, enum severity min)
{
	size_t kept = 0;

	j->worst = 0;
	for (size_t i = 0; i < j->n_findings; i++) {
		if (j->findings[i].rule->severity < min) {
			finding_clear(&j->findings[i]);
			continue;
		}
		if (j->findings[i].rule->severity > j->worst)
			j->worst = j->findings[i].rule->severity;
		j->findings[kept++] = j->findings[i];
	}
	j->n_findings = kept;
}
