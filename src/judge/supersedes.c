// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One condition, one finding: a rule names the rules it supersedes (the same
 * condition at a lesser level), and the set is checked once every layer is
 * loaded.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loaderr.h"
#include "rules.h"

bool rule_supersedes(const struct rule *r, const char *id)
{
	for (size_t i = 0; i < r->n_supersedes; i++)
		if (strcmp(r->supersedes[i], id) == 0)
			return true;
	return false;
}

/* Whether rule `from` supersedes rule `to`, directly or through others; seen: one per rule. */
static bool reaches(const struct ruleset *rs, size_t from, size_t to, bool *seen)
{
	const struct rule *r = &rs->rules[from];

	seen[from] = true;
	for (size_t k = 0; k < r->n_supersedes; k++) {
		const struct rule *next = ruleset_find(rs, r->supersedes[k]);
		size_t i = next ? (size_t)(next - rs->rules) : rs->n;

		if (i == to || (i < rs->n && !seen[i] && reaches(rs, i, to, seen)))
			return true;
	}
	return false;
}

static bool supersedes_through(const struct ruleset *rs, size_t from, size_t to, bool *seen)
{
	memset(seen, 0, rs->n * sizeof(*seen));
	return reaches(rs, from, to, seen);
}

/*
 * A circle of three rules or more through rule i, reported once: by its
 * member that comes first in the set, naming the others. (Every rule of a
 * circle would drop the next one's finding, and all of them would go.)
 */
static int check_circle(const struct ruleset *rs, size_t i, bool *seen, struct load_errors *errs)
{
	char names[512] = "";
	size_t members = 0;

	if (!supersedes_through(rs, i, i, seen))
		return 0;
	for (size_t k = 0; k < rs->n; k++) {
		size_t len = strlen(names);

		if (k == i || !supersedes_through(rs, i, k, seen) ||
		    !supersedes_through(rs, k, i, seen))
			continue;
		if (k < i)
			return 0; /* the first member reports it */
		snprintf(names + len, sizeof(names) - len, ", '%s'", rs->rules[k].id);
		members++;
	}
	if (members < 2)
		return 0; /* itself, or two rules: said already */
	return load_errors_add(errs, "%s: rules '%s'%s supersede one another in a circle",
			       rs->rules[i].origin, rs->rules[i].id, names);
}

int ruleset_check(const struct ruleset *rs, struct load_errors *errs)
{
	size_t before = errs->n;
	bool *seen = calloc(rs->n ? rs->n : 1, sizeof(*seen));

	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		for (size_t k = 0; k < r->n_supersedes; k++) {
			const char *id = r->supersedes[k];
			const struct rule *other = ruleset_find(rs, id);

			if (strcmp(id, r->id) == 0)
				load_errors_add(errs, "%s: rule '%s' supersedes itself", r->origin,
						r->id);
			else if (!other)
				load_errors_add(errs,
						"%s: rule '%s' supersedes '%s', which no rule "
						"defines",
						r->origin, r->id, id);
			else if (rule_supersedes(other, r->id) && strcmp(r->id, id) < 0)
				load_errors_add(errs,
						"%s: rules '%s' and '%s' supersede each other",
						r->origin, r->id, id);
		}
		check_circle(rs, i, seen, errs);
	}
	free(seen);
	return errs->n > before ? -EBADMSG : 0;
}
