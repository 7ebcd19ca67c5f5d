// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "lint.h"

#include <fcntl.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlist.h"
#include "kb.h"
#include "sysctl.h"
#include "util.h"

/* sysctl.d files are a few lines; anything this large is not one. */
#define LINT_MAX_FILE (1024 * 1024)

#define TW_REUSE "net.ipv4.tcp_tw_reuse"
#define TIMESTAMPS "net.ipv4.tcp_timestamps"

const char *lint_severity_name(enum lint_severity s)
{
	return s == LINT_ERROR ? "error" : "warning";
}

/* ---- Reading the files ---- */

struct assign {
	size_t file; /* index into ctx.shown: reading order */
	unsigned line;
	char *key;   /* dotted */
	char *value; /* blanks folded */
	bool ignore; /* "-key = value": failures to apply are ignored */
};

struct item {
	struct lint_finding f;
	size_t file, seq; /* sort keys: reading order, then the order found */
};

struct lint_ctx {
	const struct lint_opts *o;
	char **shown; /* the files' names as shown in findings */
	size_t n_shown;
	struct assign *a;
	size_t n_a;
	struct item *items;
	size_t n_items;
	int error; /* set when a finding could not be recorded */
};

static void vadd(struct lint_ctx *c, size_t file, unsigned line, const char *key,
		 enum lint_severity sev, const char *fmt, va_list ap)
{
	struct item *ni, *it;

	ni = realloc(c->items, (c->n_items + 1) * sizeof(*ni));
	if (!ni) {
		c->error = -ENOMEM;
		return;
	}
	c->items = ni;
	it = &ni[c->n_items];
	*it = (struct item){ .file = file, .seq = c->n_items };
	it->f.line = line;
	it->f.severity = sev;
	it->f.file = strdup(c->shown[file]);
	it->f.key = key ? strdup(key) : NULL;
	if (vasprintf(&it->f.message, fmt, ap) < 0)
		it->f.message = NULL;
	c->n_items++;
	if (!it->f.file || (key && !it->f.key) || !it->f.message)
		c->error = -ENOMEM;
}

_printf_(5, 6) static void add_line(struct lint_ctx *c, size_t file, unsigned line,
				    enum lint_severity sev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c, file, line, NULL, sev, fmt, ap);
	va_end(ap);
}

_printf_(4, 5) static void add(struct lint_ctx *c, const struct assign *a, enum lint_severity sev,
			       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c, a->file, a->line, a->key, sev, fmt, ap);
	va_end(ap);
}

static char *strip(char *s)
{
	char *end;

	s += strspn(s, " \t\r\v\f");
	end = s + strlen(s);
	while (end > s && strchr(" \t\r\v\f", end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int add_assign(struct lint_ctx *c, size_t file, unsigned line, char *key, const char *value,
		      bool ignore)
{
	struct assign *na = realloc(c->a, (c->n_a + 1) * sizeof(*na));

	if (!na) {
		free(key);
		return -ENOMEM;
	}
	c->a = na;
	na[c->n_a] = (struct assign){ file, line, key, strdup(value), ignore };
	if (!na[c->n_a++].value)
		return -ENOMEM;
	return 0;
}

/* One line as systemd-sysctl reads it: comments only at the start of a line. */
static int parse_line(struct lint_ctx *c, size_t file, unsigned line, char *p)
{
	char *eq, *key, *dotted;
	bool ignore = false;

	p = strip(p);
	if (!*p || *p == '#' || *p == ';')
		return 0;
	eq = strchr(p, '=');
	if (!eq) {
		/* "-key" alone excludes a key from a glob assignment (systemd 254). */
		if (*p != '-')
			add_line(c, file, line, LINT_ERROR,
				 "line is not a 'key = value' assignment");
		return 0;
	}
	*eq = '\0';
	key = strip(p);
	if (*key == '-') {
		ignore = true;
		key = strip(key + 1);
	}
	/* Globs (net.ipv4.conf.*.rp_filter) apply to whatever matches at boot. */
	if (strpbrk(key, "*?["))
		return 0;
	if (sysctl_key_normalize(key, &dotted) < 0) {
		add_line(c, file, line, LINT_ERROR, "'%s' is not a valid sysctl key", key);
		return 0;
	}
	return add_assign(c, file, line, dotted, sysctl_value_normalize(eq + 1), ignore);
}

/*
 * The buffer is walked by its length, not as a C string: a NUL byte must not
 * hide the lines after it, which `sysctl -p` still applies.
 */
static int parse_file(struct lint_ctx *c, size_t file, const char *path, char **errmsg)
{
	_cleanup_free_ char *buf = NULL;
	unsigned line = 0;
	size_t len;
	int r;

	r = read_file_str(path, LINT_MAX_FILE, &buf, &len);
	if (r < 0)
		return err_set(errmsg, r, "%s: %s", c->shown[file],
			       r == -EFBIG ? "too large for a sysctl.d file" : strerror(-r));
	for (char *p = buf, *eol; p < buf + len; p = eol + 1) {
		eol = memchr(p, '\n', (size_t)(buf + len - p));
		if (!eol)
			eol = buf + len; /* a last line without its newline: buf[len] is the NUL */
		line++;
		/* Tools disagree on what follows a NUL: nothing on this line is sure. */
		if (memchr(p, '\0', (size_t)(eol - p))) {
			add_line(c, file, line, LINT_ERROR,
				 "line holds a NUL byte: sysctl.d files are text; remove it");
			continue;
		}
		*eol = '\0';
		r = parse_line(c, file, line, p);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The same file twice (sysctl.d/99-sysctl.conf -> ../sysctl.conf) is read once. */
static bool seen_before(dev_t *devs, ino_t *inos, size_t *n, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	for (size_t i = 0; i < *n; i++)
		if (devs[i] == st.st_dev && inos[i] == st.st_ino)
			return true;
	devs[*n] = st.st_dev;
	inos[(*n)++] = st.st_ino;
	return false;
}

static int read_all(struct lint_ctx *c, size_t *n_read, char **errmsg)
{
	_cleanup_free_ dev_t *devs = calloc(c->n_shown + 1, sizeof(*devs));
	_cleanup_free_ ino_t *inos = calloc(c->n_shown + 1, sizeof(*inos));
	size_t n_seen = 0;
	int r = 0;

	if (!devs || !inos)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < c->n_shown; i++) {
		_cleanup_free_ char *path =
			c->o->files ? strdup(c->shown[i]) : path_join(c->o->root, c->shown[i]);

		if (!path)
			return -ENOMEM;
		if (seen_before(devs, inos, &n_seen, path))
			continue;
		r = parse_file(c, i, path, errmsg);
		(*n_read)++;
	}
	return r;
}

/* ---- Checks ---- */

static void check_port_parity(struct lint_ctx *c, const struct assign *a, const struct kb_entry *e)
{
	int64_t v[KB_MAX_VEC];

	if (strcmp(e->key, "net.ipv4.ip_local_port_range") != 0 ||
	    kb_parse_value(e, a->value, v, NULL, NULL) < 0 || (v[0] - v[1]) % 2 != 0)
		return;
	add(c, a, LINT_WARNING,
	    "%s = %s: both ends are %s; the kernel documentation advises one even and one odd end",
	    a->key, a->value, v[0] % 2 ? "odd" : "even");
}

static void check_absent(struct lint_ctx *c, const struct assign *a, const struct kb_entry *e)
{
	char since[48] = "";

	/* "-key": the author expects the key to be missing on some machines. */
	if (a->ignore)
		return;
	if (!e) {
		add(c, a, LINT_ERROR,
		    "unknown key %s: not in tcptune's knowledge base and not present in the "
		    "running kernel",
		    a->key);
		return;
	}
	if (e->since)
		snprintf(since, sizeof(since), "; it was added in Linux %u.%u", e->since >> 16,
			 (e->since >> 8) & 0xff);
	add(c, a, LINT_WARNING, "%s does not exist on this kernel or in this network namespace%s%s",
	    a->key, since, e->per_netns ? "" : "; it exists only in the initial network namespace");
}

static void check_assign(struct lint_ctx *c, const struct assign *a)
{
	const struct kb_entry *e = kb_lookup(a->key);
	_cleanup_free_ char *cur = NULL, *reason = NULL;
	int r;

	if (e && e->removed) {
		add(c, a, LINT_ERROR,
		    "%s was removed in Linux %u.%u: setting it makes `sysctl -p` fail on current "
		    "kernels; delete the line",
		    a->key, e->removed >> 16, (e->removed >> 8) & 0xff);
		return;
	}
	r = sysctl_read(c->o->sysctl_root, a->key, &cur);
	/* Unreadable (EACCES) still exists; a directory ("net.ipv4") is not a key. */
	if (r == -ENOENT || r == -EISDIR)
		check_absent(c, a, e);
	if (!e)
		return;
	if (kb_check_set(e, a->value, 0, r == 0 ? cur : NULL, &reason) < 0) {
		add(c, a, LINT_ERROR, "%s = %s: %s%s", a->key, a->value,
		    reason ? reason : "invalid",
		    strpbrk(a->value, "#;") ? " (a comment must be on a line of its own)" : "");
		return;
	}
	check_port_parity(c, a, e);
}

/* Each setting that a later one replaces, named with what replaces it. */
static void check_overrides(struct lint_ctx *c)
{
	for (size_t i = 0; i < c->n_a; i++) {
		const struct assign *a = &c->a[i], *b = NULL;

		for (size_t j = i + 1; j < c->n_a && !b; j++)
			if (strcmp(c->a[j].key, a->key) == 0)
				b = &c->a[j];
		if (!b)
			continue;
		if (b->file == a->file)
			add(c, a, LINT_WARNING,
			    "%s = %s is set again on line %u of this file (= %s)", a->key, a->value,
			    b->line, b->value);
		else
			add(c, a, LINT_WARNING, "%s = %s here is overridden by %s:%u (= %s)",
			    a->key, a->value, c->shown[b->file], b->line, b->value);
	}
}

/* The assignment of key that takes effect: the last one read. */
static const struct assign *winner(const struct lint_ctx *c, const char *key)
{
	for (size_t i = c->n_a; i-- > 0;)
		if (strcmp(c->a[i].key, key) == 0)
			return &c->a[i];
	return NULL;
}

static bool value_is(const char *key, const char *value, int64_t want)
{
	int64_t v;

	return value && kb_parse_value(kb_lookup(key), value, &v, NULL, NULL) == 0 && v == want;
}

/* TIME_WAIT reuse checks the peer's timestamps: without them it never happens. */
static void check_tw_reuse(struct lint_ctx *c)
{
	const struct assign *reuse = winner(c, TW_REUSE), *ts = winner(c, TIMESTAMPS);
	_cleanup_free_ char *cur_reuse = NULL, *cur_ts = NULL;

	if (!reuse && !ts)
		return;
	if (!reuse)
		(void)sysctl_read(c->o->sysctl_root, TW_REUSE, &cur_reuse);
	if (!ts)
		(void)sysctl_read(c->o->sysctl_root, TIMESTAMPS, &cur_ts);
	if (!value_is(TW_REUSE, reuse ? reuse->value : cur_reuse, 1) ||
	    !value_is(TIMESTAMPS, ts ? ts->value : cur_ts, 0))
		return;
	if (reuse && ts)
		add(c, reuse, LINT_WARNING,
		    TW_REUSE " = 1 needs TCP timestamps, but " TIMESTAMPS " = 0 is set at %s:%u",
		    c->shown[ts->file], ts->line);
	else if (reuse)
		add(c, reuse, LINT_WARNING,
		    TW_REUSE " = 1 needs TCP timestamps, but " TIMESTAMPS
			     " is 0 in the running kernel");
	else
		add(c, ts, LINT_WARNING,
		    TIMESTAMPS " = 0 disables TIME_WAIT reuse: " TW_REUSE
			       " is 1 in the running kernel and needs timestamps");
}

/* ---- The report ---- */

static void finding_done(struct lint_finding *f)
{
	free(f->file);
	free(f->key);
	free(f->message);
}

struct lint_report *lint_report_free(struct lint_report *r)
{
	if (!r)
		return NULL;
	for (size_t i = 0; i < r->n; i++)
		finding_done(&r->findings[i]);
	free(r->findings);
	free(r);
	return NULL;
}

static int item_cmp(const void *x, const void *y)
{
	const struct item *a = x, *b = y;

	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->f.line != b->f.line)
		return a->f.line < b->f.line ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int build_report(struct lint_ctx *c, size_t n_read, struct lint_report **ret)
{
	struct lint_report *rep = calloc(1, sizeof(*rep));

	if (!rep)
		return -ENOMEM;
	rep->findings = calloc(c->n_items + 1, sizeof(*rep->findings));
	if (!rep->findings) {
		free(rep);
		return -ENOMEM;
	}
	if (c->n_items)
		qsort(c->items, c->n_items, sizeof(*c->items), item_cmp);
	for (size_t i = 0; i < c->n_items; i++)
		rep->findings[i] = c->items[i].f;
	rep->n = c->n_items;
	rep->n_files = n_read;
	c->n_items = 0; /* the report owns the strings now */
	*ret = rep;
	return 0;
}

static void ctx_done(struct lint_ctx *c)
{
	for (size_t i = 0; i < c->n_a; i++) {
		free(c->a[i].key);
		free(c->a[i].value);
	}
	free(c->a);
	for (size_t i = 0; i < c->n_items; i++)
		finding_done(&c->items[i].f);
	free(c->items);
	lint_files_free(c->shown, c->n_shown);
}

static int list_files(struct lint_ctx *c)
{
	const struct lint_opts *o = c->o;

	if (!o->files)
		return lint_default_files(o->root, &c->shown, &c->n_shown);
	c->shown = calloc(o->n_files + 1, sizeof(*c->shown));
	if (!c->shown)
		return -ENOMEM;
	for (; c->n_shown < o->n_files; c->n_shown++)
		if (!(c->shown[c->n_shown] = strdup(o->files[c->n_shown])))
			return -ENOMEM;
	return 0;
}

static int check_sysctl_root(const char *root, char **errmsg)
{
	struct stat st;

	if (stat(root, &st) < 0) {
		int r = -errno;

		return err_set(errmsg, r, "%s: %s", root, strerror(-r));
	}
	if (!S_ISDIR(st.st_mode))
		return err_set(errmsg, -ENOTDIR, "%s: %s", root, strerror(ENOTDIR));
	return 0;
}

int lint_run(const struct lint_opts *o, struct lint_report **ret, char **errmsg)
{
	struct lint_ctx c = { .o = o };
	size_t n_read = 0;
	int r;

	r = check_sysctl_root(o->sysctl_root, errmsg);
	if (r == 0)
		r = list_files(&c);
	if (r == 0)
		r = read_all(&c, &n_read, errmsg);
	if (r == 0) {
		for (size_t i = 0; i < c.n_a; i++)
			check_assign(&c, &c.a[i]);
		check_overrides(&c);
		check_tw_reuse(&c);
		r = c.error;
	}
	if (r == 0)
		r = build_report(&c, n_read, ret);
	if (r == -ENOMEM)
		err_set(errmsg, r, "out of memory");
	ctx_done(&c);
	return r;
}
