/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_RULES_H
#define TCPTUNE_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"
#include "loaderr.h" /* struct load_errors: every problem found while loading */
#include "want.h"    /* enum rec_kind: how a recommended value relates to the live one */
#include "dirlist.h" /* strv_free() */

enum severity {
	SEV_INFO = 1,
	SEV_WARNING,
	SEV_CRITICAL,
};

const char *severity_name(enum severity s);
/* 0 when the name is none of info, warning, critical. */
enum severity severity_from_name(const char *name);

struct recommendation {
	char *key;	    /* canonical dotted form */
	char *value;	    /* the value, or the bound's expression text */
	struct expr *bound; /* REC_MIN/REC_MAX relative to the machine: "2 * sysctl.x" */
	enum rec_kind kind;
};

struct rule {
	char *id;
	enum severity severity;
	char *when_text;
	struct expr *when;
	char *summary; /* templates: "{state.close_wait} sockets ..." */
	char *explain;
	char *action;
	struct recommendation *recommend;
	size_t n_recommend;
	char **see;
	size_t n_see;
	char **evidence; /* metrics shown as evidence: the condition's, then `evidence:` */
	size_t n_evidence;
	bool enabled;
	char *origin; /* "rules/close-wait.yaml:3" */
	/* Rules of the same condition at a lesser level: when this one fires, theirs are not
	 * reported (one condition, one finding). */
	char **supersedes;
	size_t n_supersedes;
};

struct ruleset {
	struct rule *rules;
	size_t n;
};

/*
 * Loads a rule file, or every *.yaml file of a directory in name order, as one
 * layer on top of what rs holds: a rule whose id is already there replaces
 * it; `enabled: false` (with nothing else but the id) disables it. Within a
 * layer an id may appear once. Every rule is validated before the layer
 * lands: metric names, expression syntax, severity, summary templates,
 * recommended keys and values against the sysctl knowledge base. All
 * problems are gathered in errs; if there is any, rs is left as it was and
 * -EBADMSG returned. A missing path is -ENOENT (also in errs). Files owned
 * by another user than root or us, or that group or others may write, are
 * refused like invalid ones (load_open_safe()), as they would let another
 * user change the advice given to root.
 */
int ruleset_load(struct ruleset *rs, const char *path, struct load_errors *errs);
/*
 * Checks what only the whole set can tell, once every layer is loaded: each
 * id a rule supersedes is a rule of the set, not itself, and no rules
 * supersede one another, two of them or a longer circle (supersedes.c).
 * Problems go to errs ("<origin>: ..."); -EBADMSG, -ENOMEM.
 */
int ruleset_check(const struct ruleset *rs, struct load_errors *errs);
void ruleset_free(struct ruleset *rs);

/* The rule with this id, or NULL. */
const struct rule *ruleset_find(const struct ruleset *rs, const char *id);
/* Whether r names id among the rules it supersedes. */
bool rule_supersedes(const struct rule *r, const char *id);

/*
 * Keys of the sysctls the enabled rules read or recommend, NULL-terminated;
 * the observer reads them all. Free with strv_free().
 */
char **ruleset_sysctl_keys(const struct ruleset *rs);

/*
 * Expands "{metric}" in a template with the snapshot's values. A metric this
 * snapshot lacks reads as the fallback after '|' ("{top.x.process|unknown}"),
 * or "?" without one. "{{" is a literal brace.
 */
char *rule_interpolate(const char *tmpl, const struct observation *o);
/* Calls fn for the metric name of every "{metric}" or "{metric|fallback}" in a template. */
void rule_template_foreach(const char *tmpl, void (*fn)(const char *name, void *data), void *data);

#endif
