/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_PLAN_H
#define TCPTUNE_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "loaderr.h" /* struct load_errors */
#include "want.h"    /* enum rec_kind */

/*
 * A plan: the ordered sysctl changes one transaction makes, each with where
 * it came from. Profiles, --set and the recommendations of a diagnosis all
 * become plans; the transaction only ever sees a plan.
 */

struct plan_item {
	char *key;  /* canonical dotted */
	char *want; /* as asked: a value, or a bound / range for min, max, widen */
	enum rec_kind kind;
	char *source;  /* "profile high-conn (profiles/high-conn.yaml:12)", "--set" */
	char *current; /* the live value, normalised; NULL when absent */
	char *value;   /* the value to write on this machine (bounds resolved) */
	bool change;   /* value differs from current */
	bool unknown;  /* not in the knowledge base: checked against its live value's shape only */
};

struct plan {
	struct plan_item *items;
	size_t n;
	/* The plan is for this network namespace (as --netns gave it), not the one
	 * tcptune runs in: keys that are not per namespace are refused (borrowed). */
	const char *netns;
};

void plan_free(struct plan *p);

/* Adds an item; a later item for the same key replaces the earlier one. */
int plan_add(struct plan *p, const char *key, const char *want, enum rec_kind kind,
	     const char *source);

/*
 * Validates the whole plan against the knowledge base and the live kernel
 * under sysctl_root, before anything is written, gathering every problem in
 * errs ("net.ipv4.x = y: <reason> (from <source>)"): keys absent on this
 * kernel or namespace, or read-only here; values invalid for the key (per the
 * knowledge base, or for a key outside it per the shape of its live value:
 * one integer, N integers or text); forbidden values; in a plan for another
 * network namespace, keys that are not per namespace (the knowledge base
 * says; for another key, only net.* ones that exist and are writable there);
 * and constraints between
 * keys in the resulting state (tcp_tw_reuse = 1 needs tcp_timestamps). Fills
 * current, value, change and unknown.
 * Returns 0 or -EBADMSG.
 */
int plan_resolve(struct plan *p, const char *sysctl_root, unsigned kernel_version,
		 struct load_errors *errs);

/* How many items change something. */
size_t plan_changes(const struct plan *p);

#endif
