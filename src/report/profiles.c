// SPDX-License-Identifier: GPL-2.0-or-later
/* Profiles as 'profiles list' and 'profiles show' present them. */
#include "results.h"

#include <errno.h>
#include <string.h>

#include "format.h"
#include "util.h"
#include "want.h"

static const char *const key_status_names[] = {
	[REPORT_KEY_MATCHES] = "matches",	[REPORT_KEY_SATISFIED] = "satisfied",
	[REPORT_KEY_DIFFERS] = "differs",	[REPORT_KEY_ABSENT] = "absent",
	[REPORT_KEY_UNREADABLE] = "unreadable",
};

const char *report_key_status_name(enum report_key_status s)
{
	return (unsigned)s < ARRAY_SIZE(key_status_names) ? key_status_names[s] : "?";
}

/* ---- list ---- */

int report_profiles_list_text(FILE *f, const struct report_profile_item *items, size_t n)
{
	size_t width = 4;

	for (size_t i = 0; i < n; i++)
		if (strlen(items[i].name) > width)
			width = strlen(items[i].name);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%-*s  %s\n", (int)width, items[i].name,
			items[i].valid ? items[i].profile->description
				       : "(invalid; see tcptune profiles show)");
	return report_flushed(f);
}

int report_profiles_list_json(FILE *f, const struct report_profile_item *items, size_t n)
{
	_cleanup_json_ json_object *arr = json_object_new_array();

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct report_profile_item *it = &items[i];
		json_object *o = json_append_object(arr);

		if (!o || report_json_add_str(o, "name", it->name) < 0 ||
		    report_json_add_str(o, "description", it->profile->description) < 0 ||
		    report_json_add_str(o, "path", it->profile->path) < 0 ||
		    json_add(o, "valid", json_object_new_boolean(it->valid)) < 0)
			return -ENOMEM;
	}
	return report_json_print(f, arr);
}

/* ---- show ---- */

/* "at least " for a lower bound, "at most " for an upper one: the profile column. */
static const char *bound_prefix(enum rec_kind k)
{
	return k == REC_MIN ? "at least " : k == REC_MAX ? "at most " : "";
}

static const char *current_text(const struct report_profile_row *row)
{
	if (row->current)
		return row->current;
	return row->status == REPORT_KEY_ABSENT ? "-" : "?";
}

static void put_row(FILE *f, const struct report_profile_row *row, int wk, int ww, int wc)
{
	const char *prefix = bound_prefix(row->entry->kind);

	fprintf(f, "%-*s  %s%-*s  %-*s  %s", wk, row->entry->key, prefix, ww - (int)strlen(prefix),
		row->entry->value, wc, current_text(row), report_key_status_name(row->status));
	if (row->status == REPORT_KEY_UNREADABLE)
		fprintf(f, " (%s)", strerror(-row->read_r));
	fputc('\n', f);
}

int report_profile_show_text(FILE *f, const struct report_profile_show *s)
{
	const struct profile *p = s->profile;
	size_t wk = 3, ww = 7, wc = 7;

	for (size_t i = 0; i < p->n; i++) {
		const struct report_profile_row *row = &s->rows[i];
		size_t want = strlen(bound_prefix(row->entry->kind)) + strlen(row->entry->value);

		if (strlen(row->entry->key) > wk)
			wk = strlen(row->entry->key);
		if (want > ww)
			ww = want;
		if (strlen(current_text(row)) > wc)
			wc = strlen(current_text(row));
	}
	fprintf(f, "%s: %s\n", p->name, p->description);
	fprintf(f, "file: %s\n", p->path);
	if (p->include)
		fprintf(f, "includes: %s\n", p->include);
	fprintf(f, "\n%-*s  %-*s  %-*s  %s\n", (int)wk, "key", (int)ww, "profile", (int)wc,
		"current", "status");
	for (size_t i = 0; i < p->n; i++)
		put_row(f, &s->rows[i], (int)wk, (int)ww, (int)wc);
	fprintf(f, "\n%zu of %zu settings already in place.\n", s->n_in_place, p->n);
	return report_flushed(f);
}

int report_profile_show_json(FILE *f, const struct report_profile_show *s)
{
	const struct profile *p = s->profile;
	_cleanup_json_ json_object *o = json_object_new_object();
	json_object *arr;

	if (!o || report_json_add_str(o, "name", p->name) < 0 ||
	    report_json_add_str(o, "description", p->description) < 0 ||
	    report_json_add_str(o, "include", p->include) < 0 ||
	    report_json_add_str(o, "path", p->path) < 0 ||
	    json_add(o, "sysctl", arr = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < p->n; i++) {
		const struct report_profile_row *row = &s->rows[i];
		json_object *e = json_append_object(arr);

		if (!e || report_json_add_str(e, "key", row->entry->key) < 0 ||
		    report_json_add_str(e, "kind", want_kind_name(row->entry->kind)) < 0 ||
		    report_json_add_str(e, "value", row->entry->value) < 0 ||
		    report_json_add_str(e, "current", row->current) < 0 ||
		    report_json_add_str(e, "status", report_key_status_name(row->status)) < 0 ||
		    report_json_add_str(e, "origin", row->entry->origin) < 0)
			return -ENOMEM;
	}
	return report_json_print(f, o);
}
