/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_KB_H
#define TCPTUNE_KB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The sysctl knowledge base: every key tcptune reasons about, its type, valid
 * values, default, namespace scope and history, from the kernel's
 * Documentation/networking/ip-sysctl.rst. Rules, profiles, lint and explain
 * all validate against this one table.
 */

#define KB_MAX_VEC 8
#define KB_VERSION(a, b, c) (((a) << 16) | ((b) << 8) | (c))

enum kb_type {
	KB_INT,	   /* one integer */
	KB_VEC,	   /* n integers separated by blanks */
	KB_STRING, /* a name, optionally one of choices */
	KB_TEXT,   /* any one line of text: a key outside the knowledge base */
};

struct kb_range {
	int64_t min, max;
};

struct kb_entry {
	const char *key; /* dotted, canonical */
	enum kb_type type;
	unsigned n;			   /* KB_VEC: element count */
	struct kb_range range[KB_MAX_VEC]; /* per element (KB_INT: range[0]) */
	const char *const *choices;	   /* KB_STRING: allowed values, NULL: any */
	const char *def;		   /* kernel default as text; NULL when computed at boot */
	const char *def_note;		   /* how a computed default is derived */
	bool per_netns;			   /* each network namespace has its own value */
	unsigned since, removed;	   /* KB_VERSION(); 0: always there / never removed */
	bool never_lower;		   /* must not be set below its default/current value */
	int64_t zero_means;  /* KB_INT: what the kernel does with 0 (0: nothing special) */
	const char *unit;    /* "seconds", "pages", "bytes", NULL */
	const char *summary; /* one line */
	const char *doc;     /* what it really does, the caveats (a paragraph) */
	const char *ref;     /* "ip-sysctl.rst: tcp_fin_timeout" */
	bool unknown;	     /* made by kb_entry_from_value(): not in the knowledge base */
};

/* The entry of a key (dotted or slashed), or NULL when tcptune does not know it. */
const struct kb_entry *kb_lookup(const char *key);

/*
 * For a key outside the knowledge base, an entry that says only what a value
 * of it shows (its live value, or for a profile the value asked): one integer
 * (KB_INT), up to KB_MAX_VEC integers (KB_VEC), or else one line of text
 * (KB_TEXT), with no range, default, guard or documentation (unknown is
 * set), and per_netns as kb_per_netns() guesses. The key is borrowed. Any
 * existing, writable sysctl can so be set, checked against that shape.
 */
void kb_entry_from_value(const char *key, const char *value, struct kb_entry *ret);

/*
 * Whether each network namespace has its own value of key: the knowledge
 * base's per_netns; for another key, whether it lies under net. (the kernel
 * does not say; a few net.* keys exist only in the initial namespace).
 */
bool kb_per_netns(const char *key);
/* All entries, in a stable order (for explain --all, tests, man pages). */
const struct kb_entry *kb_entries(size_t *ret_n);

/*
 * Parses and checks a value for the key's type and range: 0 and the parsed
 * integers (*ret_n of them, may be NULL) or -EINVAL with a reason such as
 * "expects 2 integers, got 1", "element 1 (60999x) is not an integer",
 * "65536 is above the maximum 65535", "low end 61000 is not below high end 32768",
 * "'bbrx' is not one of: reno cubic bbr".
 */
int kb_parse_value(const struct kb_entry *e, const char *value, int64_t *ret_nums, size_t *ret_n,
		   char **reason);

/*
 * Whether tcptune may set the key to value, given the kernel version
 * (KB_VERSION, 0 when unknown) and the current value (NULL when unknown or
 * absent): 0, or -EINVAL with a reason: the value is invalid (as above), the
 * key was removed ("tcp_tw_recycle was removed in Linux 4.12"), it does not
 * exist yet on this kernel, or the change is forbidden ("must not be lowered
 * below 262144: the kernel documentation warns against lowering it").
 */
int kb_check_set(const struct kb_entry *e, const char *value, unsigned kernel_version,
		 const char *current, char **reason);

/*
 * The value the kernel acts on: for tcp_orphan_retries 0 means 8. Only for
 * KB_INT keys; other values pass through.
 */
int64_t kb_effective(const struct kb_entry *e, int64_t value);

/* Compares two values of a key as the kernel would (whitespace-insensitive, numeric). */
bool kb_values_equal(const struct kb_entry *e, const char *a, const char *b);

#endif
