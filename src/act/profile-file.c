// SPDX-License-Identifier: GPL-2.0-or-later
/* One profile file: its fields and `sysctl:` entries, checked against the knowledge base. */
#define _GNU_SOURCE
#include "profile-file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "sysctl.h"
#include "util.h"
#include "yamltree.h"

void profile_entry_clear(struct profile_entry *e)
{
	free(e->key);
	free(e->value);
	free(e->origin);
}

/* The value as the kernel prints it back: decimal numbers, one blank between them. */
static char *canonical_value(const struct kb_entry *e, const char *value)
{
	int64_t nums[KB_MAX_VEC];
	char *out = NULL;
	size_t n, len = 0;
	FILE *f;

	if (e->type == KB_STRING || e->type == KB_TEXT)
		return sysctl_value_normalize(strdup(value));
	if (kb_parse_value(e, value, nums, &n, NULL) < 0)
		return NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%lld", i ? " " : "", (long long)nums[i]);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

const struct profile_entry *profile_find_entry(const struct profile *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->entries[i].key, key) == 0)
			return &p->entries[i];
	return NULL;
}

int profile_append_entry(struct profile *p, struct profile_entry *e)
{
	struct profile_entry *grown = realloc(p->entries, (p->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	p->entries = grown;
	p->entries[p->n++] = *e;
	return 0;
}

/* A value, {min: N} or {max: N}: exact values, so that a profile means the same everywhere. */
static const struct want_syntax entry_syntax = {
	.kinds = WANT_KIND(REC_MIN) | WANT_KIND(REC_MAX),
};

static void parse_entry(const struct load_ctx *c, const struct ymap_entry *me, struct profile *p)
{
	_cleanup_free_ char *reason = NULL, *key = NULL;
	struct profile_entry e = { 0 };
	const struct profile_entry *dup;
	const struct kb_entry *kb;
	struct kb_entry shape;
	const struct ynode *v;

	if (sysctl_key_normalize(me->key->value, &key) < 0) {
		load_bad(c, me->key, "'%s' is not a sysctl key", me->key->value);
		return;
	}
	kb = kb_lookup(key);
	if (!kb) {
		/*
		 * Any key: the value is taken as written (a number, numbers or one
		 * line of text) and checked against the live value when applied.
		 */
		v = me->value->kind == YNODE_MAP && me->value->n == 1 ? me->value->entries[0].value
								      : me->value;
		kb_entry_from_value(key, v->kind == YNODE_SCALAR ? v->value : NULL, &shape);
		kb = &shape;
	}
	/* Checked apart from the value so that even {min: N} cannot bring it back. */
	if (kb->removed) {
		load_bad(c, me->key, "%s was removed in Linux %u.%u and must not be set", key,
			 kb->removed >> 16, (kb->removed >> 8) & 0xff);
		return;
	}
	v = want_parse(c, &entry_syntax, key, kb, me->value, &e.kind);
	if (!v)
		return;
	/*
	 * An exact value may lower a limit that scales with memory on a larger
	 * machine than the author's: only a floor keeps such keys safe.
	 */
	if (kb->never_lower && e.kind != REC_MIN) {
		load_bad(c, me->value,
			 "%s: only {min: N} is allowed: the kernel documentation says this "
			 "limit must not be lowered",
			 key);
		return;
	}
	if (kb_check_set(kb, v->value, 0, NULL, &reason) < 0) {
		if (e.kind == REC_SET)
			load_bad(c, v, "%s = %s: %s", key, v->value,
				 reason ? reason : "invalid value");
		else
			load_bad(c, v, "%s: {%s: %s}: %s", key, want_kind_name(e.kind), v->value,
				 reason ? reason : "invalid value");
		return;
	}
	dup = profile_find_entry(p, key);
	if (dup) {
		load_bad(c, me->key, "%s is set twice (first at %s)", key, dup->origin);
		return;
	}
	e.value = canonical_value(kb, v->value);
	if (asprintf(&e.origin, "%s:%u", c->file, me->key->line) < 0)
		e.origin = NULL;
	e.key = TAKE_PTR(key);
	if (!e.value || !e.origin || profile_append_entry(p, &e) < 0) {
		profile_entry_clear(&e);
		load_errors_add(c->errs, "%s: out of memory", c->file);
	}
}

static void parse_sysctl(const struct load_ctx *c, const struct ynode *n, struct profile *p)
{
	if (n->kind != YNODE_MAP) {
		load_bad(c, n, "sysctl: expected a mapping of sysctl keys to values");
		return;
	}
	for (size_t i = 0; i < n->n; i++)
		parse_entry(c, &n->entries[i], p);
}

/* A one-line description: folded like a value, so that `>` blocks read well in lists. */
static void parse_description(const struct load_ctx *c, const struct ynode *n, struct profile *p)
{
	const char *s = load_scalar(c, n, "description");

	if (!s)
		return;
	p->description = sysctl_value_normalize(strdup(s));
	if (!p->description)
		load_errors_add(c->errs, "%s: out of memory", c->file);
	else if (!*p->description)
		load_bad(c, n, "description: must not be empty");
}

static void parse_name(const struct load_ctx *c, const struct ynode *n, const char *expect,
		       struct profile *p)
{
	const char *s = load_scalar(c, n, "name");

	if (!s)
		return;
	if (!load_valid_id(s))
		load_bad(c, n, "name '%s' must be lower-case letters, digits and '-'", s);
	else if (expect && strcmp(s, expect) != 0)
		load_bad(c, n, "name '%s' does not match the file name '%s" PROFILE_SUFFIX "'", s,
			 expect);
	else
		p->name = strdup(s);
}

static void parse_include(struct profile_ctx *c, const struct ynode *n, struct profile *p)
{
	const char *s = load_scalar(&c->lc, n, "include");

	if (!s)
		return;
	if (!load_valid_id(s)) {
		load_bad(&c->lc, n, "include: '%s' is not a profile name", s);
		return;
	}
	p->include = strdup(s);
	c->include_line = n->line;
	c->include_column = n->column;
}

static const char *const fields[] = { "name", "description", "include", "sysctl", NULL };

static bool known_field(const char *name)
{
	for (const char *const *f = fields; *f; f++)
		if (strcmp(*f, name) == 0)
			return true;
	return false;
}

static void parse_root(struct profile_ctx *c, const struct ynode *root, const char *expect,
		       struct profile *p)
{
	const struct ynode *v;

	if (root->kind != YNODE_MAP) {
		load_bad(&c->lc, root, "a profile must be a mapping, found a %s",
			 ynode_kind_name(root->kind));
		return;
	}
	for (size_t i = 0; i < root->n; i++)
		if (!known_field(root->entries[i].key->value))
			load_bad(&c->lc, root->entries[i].key, "unknown field '%s'",
				 root->entries[i].key->value);
	if (!(v = ynode_get(root, "name")))
		load_bad(&c->lc, root, "a profile needs a name");
	else
		parse_name(&c->lc, v, expect, p);
	if (!(v = ynode_get(root, "description")))
		load_bad(&c->lc, root, "a profile needs a description");
	else
		parse_description(&c->lc, v, p);
	if ((v = ynode_get(root, "include")))
		parse_include(c, v, p);
	if ((v = ynode_get(root, "sysctl")))
		parse_sysctl(&c->lc, v, p);
}

int profile_parse_file(struct profile_ctx *c, const char *expect, struct profile *p)
{
	_cleanup_ynode_ struct ynode *root = NULL;
	_cleanup_free_ char *msg = NULL;
	_cleanup_close_ int fd = -1;
	int r;

	p->path = strdup(c->lc.file);
	if (!p->path)
		return -ENOMEM;
	fd = load_open_safe(c->lc.file, "profile", c->lc.errs);
	if (fd < 0)
		return fd == -EPERM ? 0 : fd;
	r = ytree_load_fd(fd, c->lc.file, &root, &msg);
	if (r < 0) {
		if (msg)
			load_errors_add(c->lc.errs, "%s", msg);
		else
			load_errors_add(c->lc.errs, "%s: %s", c->lc.file, strerror(-r));
		return r == -EBADMSG ? 0 : r;
	}
	if (!root) {
		load_errors_add(c->lc.errs,
				"%s: empty profile: it needs a name, a description and "
				"sysctl settings",
				c->lc.file);
		return 0;
	}
	parse_root(c, root, expect, p);
	return 0;
}
