// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "profile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dirlist.h"
#include "kb.h"
#include "loaderr.h"
#include "sysctl.h"
#include "util.h"
#include "yamltree.h"

#define SUFFIX ".yaml"

static void entry_clear(struct profile_entry *e)
{
	free(e->key);
	free(e->value);
	free(e->origin);
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->description);
	free(p->include);
	free(p->path);
	for (size_t i = 0; i < p->n; i++)
		entry_clear(&p->entries[i]);
	free(p->entries);
	memset(p, 0, sizeof(*p));
}

/* ---- one file ---- */

struct ctx {
	struct load_ctx lc;
	unsigned include_line, include_column; /* where `include:` points, for its errors */
};

/* The value as the kernel prints it back: decimal numbers, one blank between them. */
static char *canonical_value(const struct kb_entry *e, const char *value)
{
	int64_t nums[KB_MAX_VEC];
	char *out = NULL;
	size_t n, len = 0;
	FILE *f;

	if (e->type == KB_STRING)
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

static const struct profile_entry *find_entry(const struct profile *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->entries[i].key, key) == 0)
			return &p->entries[i];
	return NULL;
}

static int append_entry(struct profile *p, struct profile_entry *e)
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
	const struct ynode *v;

	if (sysctl_key_normalize(me->key->value, &key) < 0) {
		load_bad(c, me->key, "'%s' is not a sysctl key", me->key->value);
		return;
	}
	kb = kb_lookup(key);
	if (!kb) {
		load_bad(c, me->key, "unknown sysctl '%s' (not in the knowledge base)", key);
		return;
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
			load_bad(c, v, "%s: {%s: %s}: %s", key, e.kind == REC_MIN ? "min" : "max",
				 v->value, reason ? reason : "invalid value");
		return;
	}
	dup = find_entry(p, key);
	if (dup) {
		load_bad(c, me->key, "%s is set twice (first at %s)", key, dup->origin);
		return;
	}
	e.value = canonical_value(kb, v->value);
	if (asprintf(&e.origin, "%s:%u", c->file, me->key->line) < 0)
		e.origin = NULL;
	e.key = TAKE_PTR(key);
	if (!e.value || !e.origin || append_entry(p, &e) < 0) {
		entry_clear(&e);
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
		load_bad(c, n, "name '%s' does not match the file name '%s" SUFFIX "'", s, expect);
	else
		p->name = strdup(s);
}

static void parse_include(struct ctx *c, const struct ynode *n, struct profile *p)
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

static void parse_root(struct ctx *c, const struct ynode *root, const char *expect,
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

/*
 * Parses one file into p (entries in file order, include unresolved). expect:
 * the name the file was found by, NULL for a path. Returns 0, or the -errno of
 * a file that could not be read; content problems only go to c->lc.errs.
 */
static int parse_file(struct ctx *c, const char *expect, struct profile *p)
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

/* ---- the include chain ---- */

static bool is_path(const char *s)
{
	size_t len = strlen(s);

	return strchr(s, '/') ||
	       (len >= strlen(SUFFIX) && strcmp(s + len - strlen(SUFFIX), SUFFIX) == 0);
}

/* "<dir>/<name>.yaml" of the first dir that has it: 0, -ENOENT or -ENOMEM. */
static int find_profile(const char *const *dirs, const char *name, char **ret)
{
	struct stat st;

	for (size_t i = 0; dirs && dirs[i]; i++) {
		_cleanup_free_ char *file = NULL, *path = NULL;

		if (asprintf(&file, "%s" SUFFIX, name) < 0 || !(path = path_join(dirs[i], file)))
			return -ENOMEM;
		/* Anything there, even unreadable, is the one: the loader says what is wrong. */
		if (lstat(path, &st) == 0 || errno != ENOENT) {
			*ret = TAKE_PTR(path);
			return 0;
		}
	}
	return -ENOENT;
}

/* "a, b" for messages. */
static char *join_dirs(const char *const *dirs)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; dirs && dirs[i]; i++)
		fprintf(f, "%s%s", i ? ", " : "", dirs[i]);
	if (!dirs || !dirs[0])
		fputs("no directory", f);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The files of one profile, the named one first, each including the next. */
struct chain {
	struct profile *layers;
	char **names; /* what each layer is called in cycle messages */
	size_t n;
};

static void chain_free(struct chain *ch)
{
	for (size_t i = 0; i < ch->n; i++) {
		profile_free(&ch->layers[i]);
		free(ch->names[i]);
	}
	free(ch->layers);
	free(ch->names);
}

static struct profile *chain_push(struct chain *ch, const char *name)
{
	struct profile *layers = realloc(ch->layers, (ch->n + 1) * sizeof(*layers));
	char **names;

	if (!layers)
		return NULL;
	ch->layers = layers;
	names = realloc(ch->names, (ch->n + 1) * sizeof(*names));
	if (!names)
		return NULL;
	ch->names = names;
	names[ch->n] = strdup(name);
	if (!names[ch->n])
		return NULL;
	memset(&layers[ch->n], 0, sizeof(layers[0]));
	return &layers[ch->n++];
}

/* The layer named name, or -1. */
static ssize_t chain_find(const struct chain *ch, const char *name)
{
	for (size_t i = 0; i < ch->n; i++)
		if (strcmp(ch->names[i], name) == 0)
			return (ssize_t)i;
	return -1;
}

/* "include cycle: a -> b -> a", at the include that closes it. */
static void report_cycle(const struct ctx *c, const struct chain *ch, size_t from,
			 const char *include)
{
	struct ynode at = { .line = c->include_line, .column = c->include_column };
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f) {
		load_errors_add(c->lc.errs, "%s: out of memory", c->lc.file);
		return;
	}
	for (size_t i = from; i < ch->n; i++)
		fprintf(f, "%s -> ", ch->names[i]);
	fputs(include, f);
	if (fclose(f) != 0) {
		free(out);
		out = NULL;
	}
	load_bad(&c->lc, &at, "include cycle: %s", out ? out : include);
	free(out);
}

/* A path's name for messages: the name it declares, else its file name. */
static char *path_name(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > strlen(SUFFIX) && strcmp(base + len - strlen(SUFFIX), SUFFIX) == 0)
		len -= strlen(SUFFIX);
	return strndup(base, len);
}

/*
 * Loads path and then what it includes, gathering every file's problems.
 * name: the profile name path was found by (NULL for a path given by the user).
 */
static int load_chain(const char *path, const char *name, const char *const *dirs, struct chain *ch,
		      struct load_errors *errs)
{
	_cleanup_free_ char *next = strdup(path), *next_name = name ? strdup(name) : NULL;
	bool top = true;
	int r;

	if (!next || (name && !next_name))
		return -ENOMEM;
	for (;;) {
		_cleanup_free_ char *label = next_name ? strdup(next_name) : path_name(next);
		struct ctx c = { .lc = { .file = next, .errs = errs } };
		_cleanup_free_ char *where = NULL;
		struct profile *p;
		ssize_t loop;

		if (!label || !(p = chain_push(ch, label)))
			return -ENOMEM;
		r = parse_file(&c, next_name, p);
		/* Only the profile asked for can be missing; a broken include is bad data. */
		if (r == -ENOMEM || (top && (r == -ENOENT || r == -EACCES)))
			return r;
		if (r < 0)
			return -EBADMSG;
		top = false;
		c.lc.file = p->path; /* next is about to be reused; the layer keeps its path */
		/* A path-loaded profile is known by its declared name in cycle messages. */
		if (!next_name && p->name) {
			free(ch->names[ch->n - 1]);
			if (!(ch->names[ch->n - 1] = strdup(p->name)))
				return -ENOMEM;
		}
		if (!p->include)
			return 0;
		loop = chain_find(ch, p->include);
		if (loop >= 0) {
			report_cycle(&c, ch, (size_t)loop, p->include);
			return 0;
		}
		free(next_name);
		next_name = strdup(p->include);
		free(next);
		next = NULL;
		if (!next_name)
			return -ENOMEM;
		r = find_profile(dirs, next_name, &next);
		if (r == -ENOENT) {
			struct ynode at = { .line = c.include_line, .column = c.include_column };

			where = join_dirs(dirs);
			load_bad(&c.lc, &at, "include: no profile '%s' in %s", next_name,
				 where ? where : "the profile directories");
			return 0;
		}
		if (r < 0)
			return r;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct profile_entry *)a)->key,
		      ((const struct profile_entry *)b)->key);
}

static int copy_entry(struct profile_entry *dst, const struct profile_entry *src)
{
	struct profile_entry e = {
		.key = strdup(src->key),
		.value = strdup(src->value),
		.kind = src->kind,
		.origin = strdup(src->origin),
	};

	if (!e.key || !e.value || !e.origin) {
		entry_clear(&e);
		return -ENOMEM;
	}
	entry_clear(dst);
	*dst = e;
	return 0;
}

/* The top layer's fields, and every key once, the most including layer's value winning. */
static int resolve(struct chain *ch, struct profile *ret)
{
	struct profile out = { 0 };
	struct profile *top = &ch->layers[0];
	int r = 0;

	out.name = TAKE_PTR(top->name);
	out.description = TAKE_PTR(top->description);
	out.include = TAKE_PTR(top->include);
	out.path = TAKE_PTR(top->path);
	for (size_t i = ch->n; r == 0 && i-- > 0;) {
		for (size_t j = 0; r == 0 && j < ch->layers[i].n; j++) {
			const struct profile_entry *src = &ch->layers[i].entries[j];
			struct profile_entry *dst =
				(struct profile_entry *)find_entry(&out, src->key);
			struct profile_entry fresh = { 0 };

			if (dst) {
				r = copy_entry(dst, src);
			} else if ((r = copy_entry(&fresh, src)) == 0 &&
				   (r = append_entry(&out, &fresh)) < 0) {
				entry_clear(&fresh);
			}
		}
	}
	if (r < 0) {
		profile_free(&out);
		return r;
	}
	if (out.n)
		qsort(out.entries, out.n, sizeof(out.entries[0]), cmp_entry);
	*ret = out;
	return 0;
}

int profile_load(const char *name_or_path, const char *const *dirs, struct profile *ret,
		 struct load_errors *errs)
{
	_cleanup_free_ char *path = NULL;
	struct chain ch = { 0 };
	size_t before = errs->n;
	bool named = !is_path(name_or_path);
	int r;

	if (named) {
		r = find_profile(dirs, name_or_path, &path);
		if (r == -ENOENT) {
			_cleanup_free_ char *where = join_dirs(dirs);

			load_errors_add(errs, "no profile '%s' in %s", name_or_path,
					where ? where : "the profile directories");
		}
		if (r < 0)
			return r;
	} else if (!(path = strdup(name_or_path))) {
		return -ENOMEM;
	}
	r = load_chain(path, named ? name_or_path : NULL, dirs, &ch, errs);
	if (r == 0 && errs->n > before)
		r = -EBADMSG;
	if (r == 0)
		r = resolve(&ch, ret);
	chain_free(&ch);
	return r;
}

/* ---- listing ---- */

static bool have_name(char **names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Adds the profile names of one directory that no earlier directory had. */
static int list_dir(const char *dir, char ***names, size_t *n)
{
	char **files = NULL;
	size_t n_files = 0;
	int r = dir_list(AT_FDCWD, dir, SUFFIX, &files, &n_files);

	if (r < 0)
		return r == -ENOENT || r == -ENOTDIR ? 0 : r;
	for (size_t i = 0; r == 0 && i < n_files; i++) {
		char **grown, *name = files[i];

		name[strlen(name) - strlen(SUFFIX)] = '\0';
		/* A file profile_load() could not find by name is no profile. */
		if (!load_valid_id(name) || have_name(*names, *n, name))
			continue;
		if (!(grown = realloc(*names, (*n + 2) * sizeof(*grown)))) {
			r = -ENOMEM;
			break;
		}
		*names = grown;
		grown[(*n)++] = strdup(name);
		grown[*n] = NULL;
		if (!grown[*n - 1])
			r = -ENOMEM;
	}
	strv_free(files);
	return r;
}

int profile_list(const char *const *dirs, char ***ret, size_t *ret_n)
{
	char **names = calloc(1, sizeof(*names));
	size_t n = 0;
	int r = 0;

	if (!names)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && dirs && dirs[i]; i++)
		r = list_dir(dirs[i], &names, &n);
	if (r < 0) {
		strv_free(names);
		return r;
	}
	qsort(names, n, sizeof(*names), strv_cmp);
	*ret = names;
	*ret_n = n;
	return 0;
}
