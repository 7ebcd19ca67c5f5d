// SPDX-License-Identifier: GPL-2.0-or-later
/* Plans as apply and verify show them: the changes, "key: current -> new". */
#include "results.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "util.h"

static const char *const apply_status_names[] = {
	[REPORT_APPLY_MATCHES] = "matches",	    [REPORT_APPLY_WOULD_CHANGE] = "would-change",
	[REPORT_APPLY_COMMITTED] = "committed",	    [REPORT_APPLY_PENDING] = "pending",
	[REPORT_APPLY_ROLLED_BACK] = "rolled-back", [REPORT_APPLY_UNCHANGED] = "unchanged",
	[REPORT_APPLY_INCOMPLETE] = "incomplete",
};

const char *report_apply_status_name(enum report_apply_status s)
{
	return (unsigned)s < ARRAY_SIZE(apply_status_names) ? apply_status_names[s] : "?";
}

/* "  key  current -> new  (source)" for each change, the keys aligned. */
static void put_changes(FILE *f, const struct plan *p)
{
	size_t width = 0;

	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].change && strlen(p->items[i].key) > width)
			width = strlen(p->items[i].key);
	for (size_t i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];

		if (it->change)
			fprintf(f, "  %-*s  %s -> %s  (%s%s)\n", (int)width, it->key,
				it->current ? it->current : "(absent)", it->value, it->source,
				it->unknown ? "; not in the knowledge base: only the shape of its "
					      "value was checked"
					    : "");
	}
}

/* " in network namespace NAME" for a plan of another namespace, else "". */
static const char *in_netns(const struct plan *p, char *buf, size_t size)
{
	if (!p->netns)
		return "";
	snprintf(buf, size, " in network namespace %s", p->netns);
	return buf;
}

int report_apply_text(FILE *f, const struct report_apply *a)
{
	const struct txn *t = a->txn;
	char ns[320];

	switch (a->status) {
	case REPORT_APPLY_MATCHES:
		if (a->plan->netns)
			fprintf(f, "Nothing to change: network namespace %s already matches.\n",
				a->plan->netns);
		else
			fputs("Nothing to change: the system already matches.\n", f);
		break;
	case REPORT_APPLY_WOULD_CHANGE:
		fprintf(f, "%s %zu change%s%s%s:\n", a->check ? "Would make" : "Would apply",
			a->n_changes, a->n_changes == 1 ? "" : "s",
			in_netns(a->plan, ns, sizeof(ns)),
			a->persist ? " and write the persisted file" : "");
		put_changes(f, a->plan);
		if (a->persist)
			fprintf(f, "  %s  (--persist)\n", a->persist);
		break;
	case REPORT_APPLY_COMMITTED:
	case REPORT_APPLY_PENDING:
		fprintf(f, "Applied %zu change%s%s as transaction %s%s\n", t->n_keys,
			t->n_keys == 1 ? "" : "s", in_netns(a->plan, ns, sizeof(ns)), t->id,
			t->n_keys ? ":" : ".");
		put_changes(f, a->plan);
		if (a->persist)
			fprintf(f, "Wrote %s.\n", a->persist);
		break;
	default:
		/* A failure: the command tells on stderr how it left the system. */
		break;
	}
	return report_flushed(f);
}

/* {"key", "current", "new"} and, with_source, "source": a diff entry, the same in every verb. */
static int add_change(json_object *arr, const struct plan_item *it, bool with_source)
{
	json_object *c = json_append_object(arr);

	if (!c)
		return -ENOMEM;
	if (report_json_add_str(c, "key", it->key) < 0 ||
	    report_json_add_str(c, "current", it->current) < 0 ||
	    report_json_add_str(c, "new", it->value) < 0 ||
	    (with_source && report_json_add_str(c, "source", it->source) < 0))
		return -ENOMEM;
	return 0;
}

/* The plan's changes as an array under key. */
static int add_changes(json_object *o, const char *key, const struct plan *p, bool with_source)
{
	json_object *arr = json_object_new_array();

	if (json_add(o, key, arr) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].change && add_change(arr, &p->items[i], with_source) < 0)
			return -ENOMEM;
	return 0;
}

int report_apply_json(FILE *f, const struct report_apply *a)
{
	_cleanup_json_ json_object *o = json_object_new_object();

	if (!o || report_json_add_str(o, "status", report_apply_status_name(a->status)) < 0 ||
	    report_json_add_str(o, "transaction", a->txn ? a->txn->id : NULL) < 0 ||
	    report_json_add_str(o, "netns", a->plan->netns) < 0 ||
	    add_changes(o, "changes", a->plan, true) < 0)
		return -ENOMEM;
	return report_json_print(f, o);
}

int report_verify_text(FILE *f, const struct report_verify *v)
{
	const struct plan *p = v->plan;
	char ns[320];

	if (v->n_changes == 0) {
		if (p->netns)
			fprintf(f, "Network namespace %s matches profile %s (%zu keys).\n",
				p->netns, v->profile, p->n);
		else
			fprintf(f, "The system matches profile %s (%zu keys).\n", v->profile, p->n);
		return report_flushed(f);
	}
	fprintf(f, "%zu of %zu keys differ from profile %s%s:\n", v->n_changes, p->n, v->profile,
		in_netns(p, ns, sizeof(ns)));
	for (size_t i = 0; i < p->n; i++)
		if (p->items[i].change)
			fprintf(f, "  %s is %s, the profile wants %s\n", p->items[i].key,
				p->items[i].current ? p->items[i].current : "(absent)",
				p->items[i].value);
	return report_flushed(f);
}

int report_verify_json(FILE *f, const struct report_verify *v)
{
	_cleanup_json_ json_object *o = json_object_new_object();

	if (!o || report_json_add_str(o, "profile", v->profile) < 0 ||
	    report_json_add_str(o, "netns", v->plan->netns) < 0 ||
	    json_add(o, "matches", json_object_new_boolean(v->n_changes == 0)) < 0 ||
	    json_add(o, "keys", json_object_new_int64((int64_t)v->plan->n)) < 0 ||
	    add_changes(o, "drift", v->plan, false) < 0)
		return -ENOMEM;
	return report_json_print(f, o);
}
