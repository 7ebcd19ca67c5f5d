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
#include "profile-file.h"
#include "loaderr.h"
#include "sysctl.h"
#include "util.h"
#include "yamltree.h"

void profile_free(struct profile *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->description);
	free(p->include);
	free(p->path);
	for (size_t i = 0; i < p->n; i++)
		profile_entry_clear(&p->entries[i]);
	free(p->entries);
	memset(p, 0, sizeof(*p));
}

/* ---- the include chain ---- */

static bool is_path(const char *s)
{
	size_t len = strlen(s);

	return strchr(s, '/') || (len >= strlen(PROFILE_SUFFIX) &&
				  strcmp(s + len - strlen(PROFILE_SUFFIX), PROFILE_SUFFIX) == 0);
}

/* "<dir>/<name>.yaml" of the first dir that has it: 0, -ENOENT or -ENOMEM. */
static int find_profile(const char *const *dirs, const char *name, char **ret)
{
	struct stat st;

	for (size_t i = 0; dirs && dirs[i]; i++) {
		_cleanup_free_ char *file = NULL, *path = NULL;

		if (asprintf(&file, "%s" PROFILE_SUFFIX, name) < 0 ||
		    !(path = path_join(dirs[i], file)))
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
static void report_cycle(const struct profile_ctx *c, const struct chain *ch, size_t from,
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
	if (len > strlen(PROFILE_SUFFIX) &&
	    strcmp(base + len - strlen(PROFILE_SUFFIX), PROFILE_SUFFIX) == 0)
		len -= strlen(PROFILE_SUFFIX);
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
		struct profile_ctx c = { .lc = { .file = next, .errs = errs } };
		_cleanup_free_ char *where = NULL;
		struct profile *p;
		ssize_t loop;

		if (!label || !(p = chain_push(ch, label)))
			return -ENOMEM;
		r = profile_parse_file(&c, next_name, p);
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
		profile_entry_clear(&e);
		return -ENOMEM;
	}
	profile_entry_clear(dst);
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
				(struct profile_entry *)profile_find_entry(&out, src->key);
			struct profile_entry fresh = { 0 };

			if (dst) {
				r = copy_entry(dst, src);
			} else if ((r = copy_entry(&fresh, src)) == 0 &&
				   (r = profile_append_entry(&out, &fresh)) < 0) {
				profile_entry_clear(&fresh);
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
	int r = dir_list(AT_FDCWD, dir, PROFILE_SUFFIX, &files, &n_files);

	if (r < 0)
		return r == -ENOENT || r == -ENOTDIR ? 0 : r;
	for (size_t i = 0; r == 0 && i < n_files; i++) {
		char **grown, *name = files[i];

		name[strlen(name) - strlen(PROFILE_SUFFIX)] = '\0';
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
