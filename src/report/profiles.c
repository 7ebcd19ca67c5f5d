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
	if (s->netns)
		fprintf(f, "current values: network namespace %s\n", s->netns);
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
	    report_json_add_str(o, "netns", s->netns) < 0 ||
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

/* ---- export: kubernetes, docker ---- */

/* s on one line of a comment: control characters as '?'. */
static void put_comment_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* s as a YAML double-quoted scalar. */
static void put_yaml_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void put_left_out(FILE *f, const char *key)
{
	fprintf(f, "# left out: %s is not per network namespace (host-only; set it on the node)\n",
		key);
}

int report_profile_kubernetes(FILE *f, const struct report_profile_export *x)
{
	const struct profile *p = x->profile;
	size_t shown = 0;

	fprintf(f, "# tcptune profile %s: ", p->name);
	put_comment_text(f, p->description);
	fputc('\n', f);
	for (size_t i = 0; i < p->n; i++)
		if (x->rows[i].host_only)
			put_left_out(f, x->rows[i].entry->key);
		else
			shown++;
	fprintf(f, "securityContext:\n  sysctls:%s\n", shown ? "" : " []");
	for (size_t i = 0; i < p->n; i++) {
		const struct report_export_row *row = &x->rows[i];

		if (row->host_only)
			continue;
		fprintf(f, "  - name: %s", row->entry->key);
		if (row->k8s_unsafe)
			fputs("  # unsafe: the kubelet must allow it (--allowed-unsafe-sysctls)",
			      f);
		fputs("\n    value: ", f);
		put_yaml_quoted(f, row->entry->value);
		if (row->entry->kind == REC_MIN || row->entry->kind == REC_MAX)
			fprintf(f, "  # a bound: the profile wants %s%s",
				bound_prefix(row->entry->kind), row->entry->value);
		fputc('\n', f);
	}
	return report_flushed(f);
}

/* One shell word: as is when every byte is plain, else in single quotes. */
static void put_shell_word(FILE *f, const char *key, const char *value)
{
	static const char plain[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789_.,:/=+@%-";
	bool quote = strspn(key, plain) != strlen(key) || strspn(value, plain) != strlen(value) ||
		     !*value;

	if (!quote) {
		fprintf(f, "%s=%s", key, value);
		return;
	}
	fprintf(f, "'%s=", key);
	for (; *value; value++)
		if (*value == '\'')
			fputs("'\\''", f);
		else
			fputc(*value, f);
	fputc('\'', f);
}

int report_profile_docker(FILE *f, FILE *notes, const struct report_profile_export *x)
{
	const struct profile *p = x->profile;
	size_t shown = 0;
	int r;

	for (size_t i = 0; i < p->n; i++) {
		const struct report_export_row *row = &x->rows[i];

		if (row->host_only) {
			put_left_out(notes, row->entry->key);
			continue;
		}
		if (row->entry->kind == REC_MIN || row->entry->kind == REC_MAX)
			fprintf(notes, "# %s=%s is a bound: the profile wants %s%s\n",
				row->entry->key, row->entry->value, bound_prefix(row->entry->kind),
				row->entry->value);
		fputs(shown++ ? " --sysctl " : "--sysctl ", f);
		put_shell_word(f, row->entry->key, row->entry->value);
	}
	if (shown)
		fputc('\n', f);
	r = report_flushed(f);
	return r ? r : report_flushed(notes);
}
