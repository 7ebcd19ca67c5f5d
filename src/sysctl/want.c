// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "want.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yamltree.h"

static const char *const kind_names[] = {
	[REC_SET] = "set",
	[REC_MIN] = "min",
	[REC_MAX] = "max",
	[REC_WIDEN] = "widen",
};

const char *want_kind_name(enum rec_kind kind)
{
	return (unsigned)kind < ARRAY_SIZE(kind_names) ? kind_names[kind] : "?";
}

static bool kind_from_name(const char *name, enum rec_kind *ret)
{
	for (size_t k = REC_MIN; k < ARRAY_SIZE(kind_names); k++)
		if (strcmp(name, kind_names[k]) == 0) {
			*ret = k;
			return true;
		}
	return false;
}

/* "min or max", "min, max or widen": the forms a syntax accepts, for messages. */
static const char *kinds_text(unsigned kinds)
{
	return kinds & WANT_KIND(REC_WIDEN) ? "min, max or widen" : "min or max";
}

static const char *forms_text(unsigned kinds)
{
	return kinds & WANT_KIND(REC_WIDEN) ? "{min: N}, {max: N} or {widen: LO HI}"
					    : "{min: N} or {max: N}";
}

const struct ynode *want_parse(const struct load_ctx *c, const struct want_syntax *syntax,
			       const char *key, const struct kb_entry *kb, const struct ynode *v,
			       enum rec_kind *ret_kind)
{
	const char *what = syntax->what ? syntax->what : "";

	*ret_kind = REC_SET;
	if (v->kind == YNODE_MAP && v->n == 1) {
		const char *name = v->entries[0].key->value;

		if (!kind_from_name(name, ret_kind) || !(syntax->kinds & WANT_KIND(*ret_kind))) {
			load_bad(c, v->entries[0].key, "%s%s: '%s' is not %s", what, key, name,
				 kinds_text(syntax->kinds));
			return NULL;
		}
		/* A form the key cannot take is the form's error: the position of the {...}. */
		if (!want_kind_fits(kb, *ret_kind)) {
			load_bad(c, v, "%s%s: %s", what, key,
				 *ret_kind == REC_WIDEN
					 ? "widen needs a range of two integers"
					 : "{min: N} and {max: N} need an integer key");
			return NULL;
		}
		v = v->entries[0].value;
	}
	if (v->kind != YNODE_SCALAR) {
		load_bad(c, v, "%s%s: expected a value, %s", what, key, forms_text(syntax->kinds));
		return NULL;
	}
	return v;
}

bool want_kind_fits(const struct kb_entry *kb, enum rec_kind kind)
{
	switch (kind) {
	case REC_MIN:
	case REC_MAX:
		return kb->type == KB_INT;
	case REC_WIDEN:
		return kb->type == KB_VEC && kb->n == 2;
	case REC_SET:
		break;
	}
	return true;
}

/* Parses n integers separated by blanks ("30", "1024 65535"), as the kernel writes them. */
static bool parse_ints(const char *s, int64_t *v, size_t n)
{
	_cleanup_free_ char *copy = s ? strdup(s) : NULL;
	char *f[3];

	if (!copy || split_fields(copy, f, 3) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (parse_i64(f[i], INT64_MIN, INT64_MAX, &v[i]) < 0)
			return false;
	return true;
}

bool want_satisfied(const struct kb_entry *kb, enum rec_kind kind, const char *live,
		    const char *wanted)
{
	int64_t l[2], w[2];

	if (!live)
		return false;
	switch (kind) {
	case REC_SET:
		return kb_values_equal(kb, live, wanted);
	case REC_WIDEN:
		return parse_ints(live, l, 2) && parse_ints(wanted, w, 2) && l[0] <= w[0] &&
		       l[1] >= w[1];
	case REC_MIN:
	case REC_MAX:
		if (!parse_ints(live, l, 1) || !parse_ints(wanted, w, 1))
			return false;
		/* Compare what the kernel does: tcp_orphan_retries 0 means 8. */
		if (kb)
			l[0] = kb_effective(kb, l[0]);
		return kind == REC_MIN ? l[0] >= w[0] : l[0] <= w[0];
	}
	return false;
}

char *want_resolve(const struct kb_entry *kb, enum rec_kind kind, const char *live,
		   const char *wanted)
{
	int64_t l[2], w[2];
	char *s;

	if (kind == REC_SET || !live)
		return strdup(wanted);
	if (kind == REC_WIDEN) {
		if (!parse_ints(live, l, 2) || !parse_ints(wanted, w, 2))
			return strdup(wanted);
		if (asprintf(&s, "%lld %lld", (long long)(l[0] < w[0] ? l[0] : w[0]),
			     (long long)(l[1] > w[1] ? l[1] : w[1])) < 0)
			return NULL;
		return s;
	}
	/* A bound already met keeps what is there. */
	return strdup(want_satisfied(kb, kind, live, wanted) ? live : wanted);
}
