// SPDX-License-Identifier: GPL-2.0-or-later
/* What explain shows of a key: the knowledge base's entry and the live value. */
#include "results.h"

#include <errno.h>
#include <string.h>

#include "format.h"
#include "util.h"

#define DOC_WIDTH 78

/* Words of text, wrapped at DOC_WIDTH: first before the first line, indent before the others. */
static void put_wrapped(FILE *f, const char *first, const char *indent, const char *text)
{
	size_t col = (size_t)fprintf(f, "%s", first);
	bool line_empty = true;

	while (*text) {
		size_t len = strcspn(text, " ");

		if (!line_empty && col + 1 + len > DOC_WIDTH) {
			fputc('\n', f);
			col = (size_t)fprintf(f, "%s", indent);
			line_empty = true;
		}
		if (!line_empty)
			col += (size_t)fprintf(f, " ");
		col += fwrite(text, 1, len, f);
		line_empty = false;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static bool ranges_equal(const struct kb_entry *e)
{
	for (unsigned i = 1; i < e->n; i++)
		if (e->range[i].min != e->range[0].min || e->range[i].max != e->range[0].max)
			return false;
	return true;
}

static void put_type(FILE *f, const struct kb_entry *e)
{
	const char *unit = e->unit ? e->unit : "";

	fputs("  type       ", f);
	if (e->type == KB_STRING) {
		if (!e->choices) {
			fputs("name (lowercase letters, digits, '_')\n", f);
			return;
		}
		fputs("one of:", f);
		for (const char *const *c = e->choices; *c; c++)
			fprintf(f, " %s", *c);
		fputc('\n', f);
		return;
	}
	if (e->type == KB_INT)
		fprintf(f, "integer, ");
	else
		fprintf(f, "%u integers, %s", e->n, ranges_equal(e) ? "each " : "");
	for (unsigned i = 0; i < (ranges_equal(e) ? 1 : e->n); i++)
		fprintf(f, "%s%lld to %lld", i ? ", " : "", (long long)e->range[i].min,
			(long long)e->range[i].max);
	fprintf(f, "%s%s\n", *unit ? " " : "", unit);
}

static void put_history(FILE *f, const struct kb_entry *e)
{
	fputs("  history    ", f);
	if (e->since)
		fprintf(f, "added in Linux %u.%u", e->since >> 16, (e->since >> 8) & 0xff);
	if (e->since && e->removed)
		fputs(", ", f);
	if (e->removed)
		fprintf(f, "removed in Linux %u.%u", e->removed >> 16, (e->removed >> 8) & 0xff);
	if (!e->since && !e->removed)
		fputs("in every kernel tcptune supports", f);
	fputc('\n', f);
}

static void put_current(FILE *f, const struct report_explain_key *k)
{
	fputs("  current    ", f);
	if (k->read_r == -ENOENT)
		fputs("absent on this kernel or in this namespace\n", f);
	else if (k->read_r < 0)
		fprintf(f, "unreadable: %s\n", strerror(-k->read_r));
	else
		fprintf(f, "%s%s\n", k->current, k->is_default ? " (the default)" : "");
}

/* What its live value shows: "one integer", "3 integers", "text". */
static void put_shape(FILE *f, const struct kb_entry *shape)
{
	if (shape->type == KB_INT)
		fputs("  shape      one integer\n", f);
	else if (shape->type == KB_VEC)
		fprintf(f, "  shape      %u integers\n", shape->n);
	else
		fputs("  shape      text\n", f);
}

/* A key outside the knowledge base: what its file and value tell. */
static void put_unknown(FILE *f, const struct report_explain_key *k)
{
	fprintf(f, "%s\n", k->key);
	put_current(f, k);
	if (k->read_r == 0) {
		if (k->path)
			fprintf(f, "  file       %s\n", k->path);
		put_shape(f, &k->shape);
		fprintf(f, "  writable   %s\n",
			k->writable_r == 0	  ? "yes"
			: k->writable_r == -EROFS ? "no: read-only here"
						  : strerror(-k->writable_r));
		fprintf(f, "  scope      %s\n",
			k->shape.per_netns ? "a net.* key: per network namespace, unless it "
					     "exists only in the initial one"
					   : "global: not a network namespace's");
	}
	fputs("  tcptune has no knowledge of this key; see the kernel documentation.\n", f);
	if (k->read_r == 0 && k->writable_r == 0)
		fputs("  apply sets it like any other, checking only the shape of the value.\n", f);
}

static void put_entry(FILE *f, const struct report_explain_key *k)
{
	const struct kb_entry *e = k->kb;

	fprintf(f, "%s\n", e->key);
	put_wrapped(f, "  ", "  ", e->summary);
	fputc('\n', f);
	put_current(f, k);
	put_type(f, e);
	put_wrapped(f, "  default    ", "             ", e->def ? e->def : e->def_note);
	fprintf(f, "  scope      %s\n",
		e->per_netns ? "per network namespace"
			     : "global: exists only in the initial network namespace");
	put_history(f, e);
	if (e->never_lower)
		fputs("  caution    never lower it (the kernel documentation forbids it)\n", f);
	fprintf(f, "  reference  %s\n\n", e->ref);
	put_wrapped(f, "  ", "  ", e->doc);
}

int report_explain_text(FILE *f, const struct report_explain_key *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc('\n', f);
		if (keys[i].kb) {
			put_entry(f, &keys[i]);
			continue;
		}
		put_unknown(f, &keys[i]);
	}
	return report_flushed(f);
}

int report_explain_list_text(FILE *f, const struct kb_entry *entries, size_t n)
{
	size_t width = 0;

	for (size_t i = 0; i < n; i++)
		if (strlen(entries[i].key) > width)
			width = strlen(entries[i].key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-*s  %s\n", (int)width, entries[i].key, entries[i].summary);
	return report_flushed(f);
}

/* ---- JSON ---- */

static int add_version(json_object *o, const char *key, unsigned v)
{
	char buf[16];

	if (!v)
		return report_json_add_str(o, key, NULL);
	snprintf(buf, sizeof(buf), "%u.%u", v >> 16, (v >> 8) & 0xff);
	return report_json_add_str(o, key, buf);
}

static const char *type_name(enum kb_type t)
{
	return t == KB_INT ? "integer" : t == KB_VEC ? "vector" : t == KB_TEXT ? "text" : "string";
}

static int add_ranges(json_object *o, const struct kb_entry *e)
{
	json_object *arr, *choices;

	if (e->type == KB_STRING) {
		if (!e->choices)
			return json_object_object_add(o, "choices", NULL) < 0 ? -ENOMEM : 0;
		if (json_add(o, "choices", choices = json_object_new_array()) < 0)
			return -ENOMEM;
		for (const char *const *c = e->choices; *c; c++)
			if (json_object_array_add(choices, json_object_new_string(*c)) < 0)
				return -ENOMEM;
		return 0;
	}
	if (json_add(o, "count", json_object_new_int((int)e->n)) < 0 ||
	    json_add(o, "range", arr = json_object_new_array()) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < e->n; i++) {
		json_object *r = json_append_object(arr);

		if (!r)
			return -ENOMEM;
		if (json_add(r, "min", json_object_new_int64(e->range[i].min)) < 0 ||
		    json_add(r, "max", json_object_new_int64(e->range[i].max)) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int add_entry(json_object *o, const struct kb_entry *e)
{
	if (report_json_add_str(o, "summary", e->summary) < 0 ||
	    report_json_add_str(o, "doc", e->doc) < 0 ||
	    report_json_add_str(o, "type", type_name(e->type)) < 0 || add_ranges(o, e) < 0 ||
	    report_json_add_str(o, "default", e->def) < 0 ||
	    report_json_add_str(o, "default_note", e->def_note) < 0 ||
	    json_add(o, "per_netns", json_object_new_boolean(e->per_netns)) < 0 ||
	    add_version(o, "since", e->since) < 0 || add_version(o, "removed", e->removed) < 0 ||
	    json_add(o, "never_lower", json_object_new_boolean(e->never_lower)) < 0 ||
	    report_json_add_str(o, "unit", e->unit) < 0 ||
	    report_json_add_str(o, "reference", e->ref) < 0)
		return -ENOMEM;
	return 0;
}

/* A key outside the knowledge base: its file, the shape of its value, whether it is writable. */
static int add_unknown(json_object *o, const struct report_explain_key *k)
{
	if (k->read_r != 0)
		return 0;
	if (report_json_add_str(o, "file", k->path) < 0 ||
	    report_json_add_str(o, "type", type_name(k->shape.type)) < 0 ||
	    json_add(o, "count", json_object_new_int((int)k->shape.n)) < 0 ||
	    json_add(o, "writable", json_object_new_boolean(k->writable_r == 0)) < 0)
		return -ENOMEM;
	return 0;
}

static int add_key(json_object *arr, const struct report_explain_key *k)
{
	json_object *o = json_append_object(arr);

	if (!o)
		return -ENOMEM;
	if (report_json_add_str(o, "key", k->key) < 0 ||
	    json_add(o, "known", json_object_new_boolean(k->kb != NULL)) < 0 ||
	    json_add(o, "present", json_object_new_boolean(k->read_r != -ENOENT)) < 0 ||
	    report_json_add_str(o, "current", k->read_r == 0 ? k->current : NULL) < 0)
		return -ENOMEM;
	return k->kb ? add_entry(o, k->kb) : add_unknown(o, k);
}

int report_explain_json(FILE *f, const struct report_explain_key *keys, size_t n)
{
	_cleanup_json_ json_object *arr = json_object_new_array();

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (add_key(arr, &keys[i]) < 0)
			return -ENOMEM;
	return report_json_print(f, arr);
}
