/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_REPORT_RESULTS_H
#define TCPTUNE_REPORT_RESULTS_H

/*
 * Renderers of what the commands that plan, change and explain sysctls come
 * to: plans (apply, verify), transactions (history, rollback, confirm),
 * explain, lint and profiles. Like report.h's, they format what they are
 * given and compute nothing: the command decides every status and hands it
 * over. Each writes to f only and returns 0, -ENOMEM, or -EIO when writing
 * to f failed.
 *
 * JSON: one name per concept, whatever the command (tcptune(8), JSON OUTPUT):
 *   key      a sysctl key, dotted
 *   current  its live value; null when absent (or unreadable)
 *   new      the value a plan writes (apply, verify) or wrote (history's keys)
 *   source   where a plan item or a transaction comes from ("--set", "profile x")
 *   origin   the file:line a value or a rule comes from
 *   status   what a result came to: apply's outcome, a transaction's, a key's
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "journal.h"
#include "kb.h"
#include "lint.h"
#include "plan.h"
#include "profile.h"

/* ---- plans: apply, verify (report/plan.c) ---- */

/* What an apply (or its --dry-run or --check) came to: its JSON "status". */
enum report_apply_status {
	REPORT_APPLY_MATCHES,	   /* "matches": nothing to change */
	REPORT_APPLY_WOULD_CHANGE, /* "would-change": a preview that changes something */
	REPORT_APPLY_COMMITTED,	   /* "committed" */
	REPORT_APPLY_PENDING,	   /* "pending": --try, waiting for confirmation */
	REPORT_APPLY_ROLLED_BACK,  /* "rolled-back": failed, every change undone */
	REPORT_APPLY_UNCHANGED,	   /* "unchanged": failed before changing anything */
	REPORT_APPLY_INCOMPLETE,   /* "incomplete": failed, keys may be left changed */
};

const char *report_apply_status_name(enum report_apply_status s);

struct report_apply {
	enum report_apply_status status;
	const struct plan *plan; /* resolved: its items with change set are listed */
	size_t n_changes;	 /* plan_changes(plan) */
	const struct txn *txn;	 /* the transaction recorded; NULL when none was */
	bool check;		 /* --check: a preview says "Would make", not "Would apply" */
	/* The sysctl.d file: that a preview would write again, or that was written. */
	const char *persist;
};

/*
 * Text: "Nothing to change: ..."; a preview, "Would apply 2 changes:" and one
 * line per change, "  key  current -> new  (source)"; or "Applied 2 changes
 * as transaction ID:", the changes and "Wrote FILE.". A failure writes
 * nothing (the command says on stderr how it left the system).
 * With a plan for another network namespace, the text says "in network
 * namespace NAME".
 * JSON: {"status", "transaction" (id or null), "netns" (as given, or null),
 * "changes": [{"key", "current", "new", "source"}]}.
 */
int report_apply_text(FILE *f, const struct report_apply *a);
int report_apply_json(FILE *f, const struct report_apply *a);

struct report_verify {
	const char *profile;	 /* its name */
	const struct plan *plan; /* the profile resolved as apply would: what changes drifted */
	size_t n_changes;	 /* plan_changes(plan) */
};

/*
 * Text: "The system matches profile NAME (N keys)." or "D of N keys differ
 * from profile NAME:" and "  key is current, the profile wants new" each.
 * JSON: {"profile", "netns" (as given, or null), "matches", "keys" (how many
 * the profile sets), "drift":
 * [{"key", "current", "new"}]}.
 */
int report_verify_text(FILE *f, const struct report_verify *v);
int report_verify_json(FILE *f, const struct report_verify *v);

/* ---- transactions: history, rollback, confirm (report/txn.c) ---- */

/* One transaction as history shows it. */
struct report_history_row {
	const struct txn *txn;
	const char *status; /* as a person reads it ("interrupted" for one found in progress) */
	const char *left;   /* the keys a failed restore left changed, "a, b"; NULL: none */
};

/*
 * Text: a table of id, time (UTC), status, keys, network namespace (as
 * given, "-" for the one tcptune ran in) and source, with when it was rolled
 * back and the keys left changed; "(no transactions)" for none.
 * JSON: an array of the journals themselves (txn_to_json()), each with
 * "shown_status", the status of the text.
 */
int report_history_text(FILE *f, const struct report_history_row *rows, size_t n);
int report_history_json(FILE *f, const struct report_history_row *rows, size_t n);

/* "Rolled back ID[ in network namespace NAME]: N values restored and read back[; error]." */
int report_rollback_text(FILE *f, const struct txn *t);
/* "Transaction ID confirmed." */
int report_confirm_text(FILE *f, const char *id);

/* ---- explain (report/explain.c) ---- */

/* One key as explain shows it. */
struct report_explain_key {
	const char *key;	   /* dotted */
	const struct kb_entry *kb; /* what tcptune knows of it; NULL: nothing */
	int read_r;		   /* reading its live value: 0, or -errno (-ENOENT: absent) */
	const char *current;	   /* the live value, when read_r is 0 */
	bool is_default;	   /* current is kb's default */
	/* A key outside the knowledge base: what can be told of it anyway. */
	const char *path;      /* its file */
	int writable_r;	       /* sysctl_writable(): 0, -EROFS (read-only here), -errno */
	struct kb_entry shape; /* what its live value shows (kb_entry_from_value()) */
};

/*
 * Text: each key, a blank line between them: the summary, the current value,
 * type and range, default, scope, history, caution, reference and the
 * documentation, wrapped at 78 columns; a key tcptune does not know with its
 * value only. JSON: an array of {"key", "known", "present", "current", and
 * for known keys "summary", "doc", "type", "count" and "range" or "choices",
 * "default", "default_note", "per_netns", "since", "removed", "never_lower",
 * "unit", "reference"}.
 */
int report_explain_text(FILE *f, const struct report_explain_key *keys, size_t n);
int report_explain_json(FILE *f, const struct report_explain_key *keys, size_t n);
/* explain --all: "key  summary", one line per entry, the keys aligned. */
int report_explain_list_text(FILE *f, const struct kb_entry *entries, size_t n);

/* ---- lint (report/lint.c) ---- */

/*
 * Text: "FILE:LINE: MESSAGE" per finding, control characters escaped.
 * JSON: an array of {"file", "line", "key" (or null), "severity", "message"}.
 */
int report_lint_text(FILE *f, const struct lint_report *rep);
int report_lint_json(FILE *f, const struct lint_report *rep);

/* ---- profiles (report/profiles.c) ---- */

/* One profile of the list. */
struct report_profile_item {
	const char *name;
	const struct profile *profile; /* what was loaded: name, description, path */
	bool valid;		       /* it loaded without problems */
};

/*
 * Text: "name  description" per profile, "(invalid; ...)" for an invalid one.
 * JSON: an array of {"name", "description", "path", "valid"}.
 */
int report_profiles_list_text(FILE *f, const struct report_profile_item *items, size_t n);
int report_profiles_list_json(FILE *f, const struct report_profile_item *items, size_t n);

/* How a key of a profile stands on this machine. */
enum report_key_status {
	REPORT_KEY_MATCHES,    /* "matches": the value is set */
	REPORT_KEY_SATISFIED,  /* "satisfied": a bound holds */
	REPORT_KEY_DIFFERS,    /* "differs" */
	REPORT_KEY_ABSENT,     /* "absent" on this kernel or in this namespace */
	REPORT_KEY_UNREADABLE, /* "unreadable" */
};

const char *report_key_status_name(enum report_key_status s);

struct report_profile_row {
	const struct profile_entry *entry;
	const char *current; /* NULL: absent or unreadable */
	int read_r;	     /* reading it: 0 or -errno, named when unreadable */
	enum report_key_status status;
};

struct report_profile_show {
	const struct profile *profile;
	const struct report_profile_row *rows; /* one per entry of profile */
	size_t n_in_place;		       /* rows that match or are satisfied */
	const char *netns; /* whose current values: a namespace as given, NULL: ours */
};

/*
 * Text: the name, description, file and include, then a table of key,
 * profile value ("at least 4096" for a bound), current value and status, and
 * "N of M settings already in place"; with netns, whose values they are.
 * JSON: {"name", "description", "include", "path", "netns" (or null),
 * "sysctl": [{"key", "kind", "value", "current", "status", "origin"}]}.
 */
int report_profile_show_text(FILE *f, const struct report_profile_show *s);
int report_profile_show_json(FILE *f, const struct report_profile_show *s);

/* A key of a profile as an export for an orchestrator carries it. */
struct report_export_row {
	const struct profile_entry *entry;
	bool host_only;	 /* not per network namespace: left out, with a note */
	bool k8s_unsafe; /* Kubernetes classes it unsafe: --allowed-unsafe-sysctls */
};

struct report_profile_export {
	const struct profile *profile;
	const struct report_export_row *rows; /* one per entry of profile */
};

/*
 * Kubernetes: a Pod's "securityContext:" with its "sysctls:" list of {name,
 * value (a quoted string)}, after a comment naming the profile and one per
 * host-only key left out; an unsafe key has a comment naming the kubelet's
 * --allowed-unsafe-sysctls, a bound one saying the value is a bound.
 * Docker: one line of "--sysctl key=value" flags on f, each shell-quoted
 * where needed (nothing when there is none); on notes, a "# ..." line per
 * bound and per host-only key left out.
 */
int report_profile_kubernetes(FILE *f, const struct report_profile_export *x);
int report_profile_docker(FILE *f, FILE *notes, const struct report_profile_export *x);

#endif
