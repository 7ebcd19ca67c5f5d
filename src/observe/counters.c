// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "counters.h"

#include <stdarg.h>
#include <string.h>

#include "util.h"

/* These files are a few KiB; a MiB means a wrong root, not a busier kernel. */
#define COUNTERS_MAX_FILE (1024 * 1024)

void counters_free(struct counter *arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i].name);
	free(arr);
}

/* Counters owned by a function until it hands them over whole. */
struct counter_list {
	struct counter *v;
	size_t n;
};

static void counter_list_clear(struct counter_list *l)
{
	counters_free(l->v, l->n);
	*l = (struct counter_list){ 0 };
}
#define _cleanup_counter_list_ _cleanup_(counter_list_clear)

static int counter_list_addf(struct counter_list *l, size_t *cap, int64_t value, const char *fmt,
			     ...) _printf_(4, 5);
static int counter_list_addf(struct counter_list *l, size_t *cap, int64_t value, const char *fmt,
			     ...)
{
	va_list ap;
	char *name;
	int r;

	if (l->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct counter *v = reallocarray(l->v, ncap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		*cap = ncap;
	}
	va_start(ap, fmt);
	r = vasprintf(&name, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	l->v[l->n++] = (struct counter){ .name = name, .value = value };
	return 0;
}

/* Grows *arr for `more` entries without changing *n, so that a later failure leaves it valid. */
static int counter_array_reserve(struct counter **arr, size_t n, size_t more)
{
	struct counter *v;

	if (more == 0)
		return 0;
	if (n > SIZE_MAX / sizeof(*v) - more)
		return -ENOMEM;
	v = reallocarray(*arr, n + more, sizeof(*v));
	if (!v)
		return -ENOMEM;
	*arr = v;
	return 0;
}

/* Appends l's counters to arr, which has room for them (reserved); l is left empty. */
static void counter_list_splice(struct counter_list *l, struct counter *arr, size_t *n)
{
	if (l->n)
		memcpy(arr + *n, l->v, l->n * sizeof(*l->v));
	*n += l->n;
	free(l->v);
	*l = (struct counter_list){ 0 };
}

/* Appends l's counters to *arr / *n; l is left empty. Fails only before changing anything. */
static int counter_list_move(struct counter_list *l, struct counter **arr, size_t *n)
{
	int r = counter_array_reserve(arr, *n, l->n);

	if (r < 0)
		return r;
	counter_list_splice(l, *arr, n);
	return 0;
}

struct lines {
	char *next;    /* start of the next line; NULL after the last */
	size_t lineno; /* number of the line last returned, for messages */
};

/* The next line that is not blank, NUL-terminated in place. */
static char *lines_next(struct lines *it)
{
	while (it->next) {
		char *line = it->next;
		char *nl = strchr(line, '\n');

		if (nl) {
			*nl = '\0';
			it->next = nl + 1;
		} else {
			it->next = NULL;
		}
		it->lineno++;
		if (line[strspn(line, " \t")])
			return line;
	}
	return NULL;
}

/* Splits a line in place into a heap array sized from the line itself (never truncated). */
static int fields_split(char *line, char ***ret, size_t *ret_n)
{
	size_t n = 0;
	char **f;

	for (const char *p = line;;) {
		p += strspn(p, " \t\n");
		if (!*p)
			break;
		n++;
		p += strcspn(p, " \t\n");
	}
	f = calloc(n ? n : 1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	*ret_n = split_fields(line, f, n);
	*ret = f;
	return 0;
}

/* Whether field is "<tag>:"; tag NULL accepts any non-empty tag. */
static bool field_is_tag(const char *field, const char *tag)
{
	size_t len = strlen(field);

	if (len < 2 || field[len - 1] != ':')
		return false;
	return !tag || (strlen(tag) == len - 1 && strncmp(field, tag, len - 1) == 0);
}

static int section_index(const char *const *sections, const char *field)
{
	for (int i = 0; sections[i]; i++)
		if (field_is_tag(field, sections[i]))
			return i;
	return -1;
}

struct pairs_ctx {
	const char *const *sections;
	bool *seen;
	struct counter_list *out;
	size_t cap;
	char **errmsg;
};

static int pairs_take(struct pairs_ctx *c, char **names, char **vals, size_t n, size_t lineno)
{
	int taglen = (int)strlen(names[0]) - 1;

	for (size_t i = 1; i < n; i++) {
		int64_t v;
		int r = parse_i64(vals[i], INT64_MIN, INT64_MAX, &v);

		if (r < 0)
			return err_set(c->errmsg, -EBADMSG, "line %zu: '%s' %s: %s '%s'", lineno,
				       names[0], names[i],
				       r == -ERANGE ? "number out of range" : "bad number",
				       vals[i]);
		r = counter_list_addf(c->out, &c->cap, v, "%.*s.%s", taglen, names[0], names[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * One header line and the value line that must follow it. Sections we do not
 * keep are checked only for pairing, which the rest of the file depends on: a
 * kernel oddity in, say, MPTcpExt should not hide the TCP counters.
 */
static int pairs_one(struct pairs_ctx *c, struct lines *it, char *header)
{
	_cleanup_free_ char **names = NULL;
	_cleanup_free_ char **vals = NULL;
	size_t n_names, n_vals, header_no = it->lineno;
	char *line;
	int idx, r;

	r = fields_split(header, &names, &n_names);
	if (r < 0)
		return r;
	if (!field_is_tag(names[0], NULL))
		return err_set(c->errmsg, -EBADMSG, "line %zu: '%s' is not a section tag",
			       header_no, names[0]);
	line = lines_next(it);
	if (!line)
		return err_set(c->errmsg, -EBADMSG, "line %zu: '%s' has no value line", header_no,
			       names[0]);
	r = fields_split(line, &vals, &n_vals);
	if (r < 0)
		return r;
	if (strcmp(vals[0], names[0]) != 0)
		return err_set(c->errmsg, -EBADMSG, "line %zu: expected '%s' values but found '%s'",
			       it->lineno, names[0], vals[0]);
	idx = section_index(c->sections, names[0]);
	if (idx < 0)
		return 0;
	if (c->seen[idx])
		return err_set(c->errmsg, -EBADMSG, "line %zu: second '%s' section", header_no,
			       names[0]);
	c->seen[idx] = true;
	if (n_names != n_vals)
		return err_set(c->errmsg, -EBADMSG, "line %zu: '%s' has %zu names but %zu values",
			       it->lineno, names[0], n_names - 1, n_vals - 1);
	return pairs_take(c, names, vals, n_names, it->lineno);
}

int counters_parse_pairs(const char *text, const char *const *sections, struct counter **arr,
			 size_t *n, char **errmsg)
{
	_cleanup_counter_list_ struct counter_list out = { 0 };
	struct pairs_ctx c = { .sections = sections, .out = &out, .errmsg = errmsg };
	_cleanup_free_ bool *seen = NULL;
	_cleanup_free_ char *copy = NULL;
	struct lines it;
	size_t n_sections = 0;
	char *line;
	int r;

	if (!text || !sections || !arr || !n)
		return -EINVAL;
	while (sections[n_sections])
		n_sections++;
	seen = calloc(n_sections + 1, sizeof(*seen));
	copy = strdup(text);
	if (!seen || !copy)
		return -ENOMEM;
	c.seen = seen;
	it = (struct lines){ .next = copy };
	while ((line = lines_next(&it))) {
		r = pairs_one(&c, &it, line);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n_sections; i++)
		if (!seen[i])
			return err_set(errmsg, -EBADMSG, "no '%s:' section", sections[i]);
	return counter_list_move(&out, arr, n);
}

struct sockstat_ctx {
	const char *tag;    /* "TCP" or "TCP6" */
	const char *prefix; /* "" or "v6." */
	bool seen_tag, seen_sockets;
	struct counter_list *out;
	size_t cap;
	char **errmsg;
};

/* "TCP: inuse 5 orphan 0 ..." or "sockets: used 120"; lines of other protocols are not ours. */
static int sockstat_line(struct sockstat_ctx *c, char *line, size_t lineno)
{
	_cleanup_free_ char **f = NULL;
	const char *kind;
	bool *seen;
	size_t n;
	int r;

	r = fields_split(line, &f, &n);
	if (r < 0)
		return r;
	if (field_is_tag(f[0], c->tag)) {
		kind = "";
		seen = &c->seen_tag;
	} else if (field_is_tag(f[0], "sockets")) {
		kind = "sockets_";
		seen = &c->seen_sockets;
	} else {
		return 0;
	}
	if (*seen)
		return err_set(c->errmsg, -EBADMSG, "line %zu: second '%s' line", lineno, f[0]);
	*seen = true;
	if (n % 2 == 0)
		return err_set(c->errmsg, -EBADMSG, "line %zu: '%s' key '%s' has no value", lineno,
			       f[0], f[n - 1]);
	for (size_t i = 1; i + 1 < n; i += 2) {
		int64_t v;

		r = parse_i64(f[i + 1], INT64_MIN, INT64_MAX, &v);
		if (r < 0)
			return err_set(c->errmsg, -EBADMSG, "line %zu: '%s' %s: %s '%s'", lineno,
				       f[0], f[i],
				       r == -ERANGE ? "number out of range" : "bad number",
				       f[i + 1]);
		r = counter_list_addf(c->out, &c->cap, v, "%s%s%s", c->prefix, kind, f[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int counters_parse_sockstat(const char *text, const char *line_tag, const char *prefix,
			    struct counter **arr, size_t *n, char **errmsg)
{
	_cleanup_counter_list_ struct counter_list out = { 0 };
	struct sockstat_ctx c = {
		.tag = line_tag, .prefix = prefix, .out = &out, .errmsg = errmsg
	};
	_cleanup_free_ char *copy = NULL;
	struct lines it;
	char *line;
	int r;

	if (!text || !line_tag || !*line_tag || !prefix || !arr || !n)
		return -EINVAL;
	copy = strdup(text);
	if (!copy)
		return -ENOMEM;
	it = (struct lines){ .next = copy };
	while ((line = lines_next(&it))) {
		r = sockstat_line(&c, line, it.lineno);
		if (r < 0)
			return r;
	}
	if (!c.seen_tag)
		return err_set(errmsg, -EBADMSG, "no '%s:' line", line_tag);
	return counter_list_move(&out, arr, n);
}

static const char *const snmp_sections[] = { "Tcp", NULL };
static const char *const netstat_sections[] = { "TcpExt", NULL };

/* What each file holds; sections == NULL means the sockstat format. */
static const struct counter_source {
	const char *rel;
	bool optional; /* sockstat6 is absent when IPv6 is disabled */
	const char *tag, *prefix;
	const char *const *sections;
} counter_sources[] = {
	{ "net/sockstat", false, "TCP", "", NULL },
	{ "net/sockstat6", true, "TCP6", "v6.", NULL },
	{ "net/snmp", false, NULL, NULL, snmp_sections },
	{ "net/netstat", false, NULL, NULL, netstat_sections },
};

static int source_read(const char *proc_root, const struct counter_source *src,
		       struct counter_list *out, char **errmsg)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *msg = NULL;
	int r;

	path = path_join(proc_root, src->rel);
	if (!path)
		return -ENOMEM;
	r = read_file_str(path, COUNTERS_MAX_FILE, &text, NULL);
	if (r == -ENOENT && src->optional)
		return 0;
	if (r < 0)
		return err_set(errmsg, r, "%s: %s", path, strerror(-r));
	if (src->sections)
		r = counters_parse_pairs(text, src->sections, &out->v, &out->n, &msg);
	else
		r = counters_parse_sockstat(text, src->tag, src->prefix, &out->v, &out->n, &msg);
	if (r < 0)
		return err_set(errmsg, r, "%s: %s", path, msg ? msg : strerror(-r));
	return 0;
}

int counters_read(const char *proc_root, struct observation *o, char **errmsg)
{
	_cleanup_counter_list_ struct counter_list sockstat = { 0 };
	_cleanup_counter_list_ struct counter_list counters = { 0 };
	int r;

	if (!proc_root || !o)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(counter_sources); i++) {
		const struct counter_source *src = &counter_sources[i];

		r = source_read(proc_root, src, src->sections ? &counters : &sockstat, errmsg);
		if (r < 0)
			return r;
	}
	/* Reserve both first: the observation gets all four files or nothing. */
	r = counter_array_reserve(&o->sockstat, o->n_sockstat, sockstat.n);
	if (r < 0)
		return r;
	r = counter_array_reserve(&o->counters, o->n_counters, counters.n);
	if (r < 0)
		return r;
	counter_list_splice(&sockstat, o->sockstat, &o->n_sockstat);
	counter_list_splice(&counters, o->counters, &o->n_counters);
	return 0;
}
