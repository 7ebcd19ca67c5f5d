// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "yamltree.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util.h"

/*
 * Bounds against hostile input: the tree costs memory linear in the file, and
 * the builder recurses once per nesting level.
 */
#define YTREE_MAX_SIZE (4u << 20)
#define YTREE_MAX_DEPTH 64

struct loader {
	yaml_parser_t parser;
	const char *name;
	const char *text;
	size_t len;
	char **errmsg;
};

static int build_node(struct loader *l, yaml_event_t *ev, unsigned depth, struct ynode **ret);

struct ynode *ynode_free(struct ynode *n)
{
	if (!n)
		return NULL;
	free(n->value);
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == YNODE_SEQ) {
			ynode_free(n->items[i]);
		} else if (n->kind == YNODE_MAP) {
			ynode_free(n->entries[i].key);
			ynode_free(n->entries[i].value);
		}
	}
	free(n->items);
	free(n->entries);
	free(n);
	return NULL;
}

const struct ynode *ynode_get(const struct ynode *map, const char *key)
{
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->entries[i].key->value, key) == 0)
			return map->entries[i].value;
	return NULL;
}

const char *ynode_kind_name(enum ynode_kind k)
{
	static const char *const names[] = {
		[YNODE_SCALAR] = "scalar",
		[YNODE_SEQ] = "sequence",
		[YNODE_MAP] = "mapping",
	};

	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

/* Every error of the loader: "<name>:<line>:<column>: <problem>", -EBADMSG. */
static int fail_at(struct loader *l, unsigned line, unsigned column, const char *fmt, ...)
	_printf_(4, 5);
static int fail_at(struct loader *l, unsigned line, unsigned column, const char *fmt, ...)
{
	_cleanup_free_ char *problem = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&problem, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return err_set(l->errmsg, -EBADMSG, "%s:%u:%u: %s", l->name, line, column, problem);
}

/* libyaml's marks are 0-based; ours are 1-based. */
#define fail_mark(l, mark, ...) \
	fail_at(l, (unsigned)(mark).line + 1, (unsigned)(mark).column + 1, __VA_ARGS__)

/* Reader errors (bad encoding) carry a byte offset only: count lines ourselves. */
static int fail_offset(struct loader *l, size_t offset, const char *problem)
{
	unsigned line = 1, column = 1;

	for (size_t i = 0; i < offset && i < l->len; i++) {
		if (l->text[i] == '\n') {
			line++;
			column = 1;
		} else {
			column++;
		}
	}
	return fail_at(l, line, column, "%s", problem);
}

static int parser_error(struct loader *l)
{
	yaml_parser_t *p = &l->parser;
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_MEMORY_ERROR)
		return -ENOMEM;
	if (p->error == YAML_READER_ERROR)
		return fail_offset(l, p->problem_offset, problem);
	if (p->context)
		return fail_mark(l, p->problem_mark, "%s (%s at %u:%u)", problem, p->context,
				 (unsigned)p->context_mark.line + 1,
				 (unsigned)p->context_mark.column + 1);
	return fail_mark(l, p->problem_mark, "%s", problem);
}

static int next_event(struct loader *l, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&l->parser, ev))
		return parser_error(l);
	return 0;
}

/*
 * Only the YAML 1.1 core tags, each on its kind of node: anything else asks
 * for a type this tree cannot represent.
 */
static bool tag_allowed(const char *tag, enum ynode_kind kind)
{
	static const struct {
		const char *name;
		enum ynode_kind kind;
	} tags[] = {
		{ "str", YNODE_SCALAR },  { "int", YNODE_SCALAR },  { "float", YNODE_SCALAR },
		{ "bool", YNODE_SCALAR }, { "null", YNODE_SCALAR }, { "seq", YNODE_SEQ },
		{ "map", YNODE_MAP },
	};
	const char *prefix = "tag:yaml.org,2002:";

	if (strncmp(tag, prefix, strlen(prefix)) != 0)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++)
		if (strcmp(tag + strlen(prefix), tags[i].name) == 0)
			return tags[i].kind == kind;
	return false;
}

static struct ynode *node_new(enum ynode_kind kind, const yaml_mark_t *mark)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (unsigned)mark->line + 1;
	n->column = (unsigned)mark->column + 1;
	return n;
}

static int build_scalar(struct loader *l, yaml_event_t *ev, struct ynode **ret)
{
	_cleanup_ynode_ struct ynode *n = NULL;
	const char *tag = (const char *)ev->data.scalar.tag;

	/* "\0" in a quoted scalar would let "id\0x" pass for "id" in C strings. */
	if (memchr(ev->data.scalar.value, '\0', ev->data.scalar.length))
		return fail_mark(l, ev->start_mark, "NUL character in a scalar");
	n = node_new(YNODE_SCALAR, &ev->start_mark);
	if (!n)
		return -ENOMEM;
	n->value = strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
	if (!n->value)
		return -ENOMEM;
	/* An explicit !!str is as good as quotes: the author asked for text. */
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    (tag && strcmp(tag, "tag:yaml.org,2002:str") == 0);
	*ret = TAKE_PTR(n);
	return 0;
}

static int build_seq(struct loader *l, yaml_event_t *ev, unsigned depth, struct ynode **ret)
{
	_cleanup_ynode_ struct ynode *n = node_new(YNODE_SEQ, &ev->start_mark);
	size_t cap = 0;

	if (!n)
		return -ENOMEM;
	for (;;) {
		struct ynode *item = NULL;
		yaml_event_t e;
		int r;

		r = next_event(l, &e);
		if (r < 0)
			return r;
		if (e.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&e);
			break;
		}
		r = build_node(l, &e, depth + 1, &item);
		yaml_event_delete(&e);
		if (r < 0)
			return r;
		if (n->n == cap) {
			struct ynode **items;

			cap = cap ? cap * 2 : 4;
			items = reallocarray(n->items, cap, sizeof(*items));
			if (!items) {
				ynode_free(item);
				return -ENOMEM;
			}
			n->items = items;
		}
		n->items[n->n++] = item;
	}
	*ret = TAKE_PTR(n);
	return 0;
}

/* Reads one map key or value; *ret stays NULL at the end of the map. */
static int build_map_part(struct loader *l, unsigned depth, struct ynode **ret)
{
	yaml_event_t e;
	int r;

	r = next_event(l, &e);
	if (r < 0)
		return r;
	if (e.type == YAML_MAPPING_END_EVENT)
		r = 0;
	else
		r = build_node(l, &e, depth, ret);
	yaml_event_delete(&e);
	return r;
}

static int cmp_entry_index(const void *a, const void *b, void *arg)
{
	const struct ymap_entry *entries = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(entries[i].key->value, entries[j].key->value);

	if (c)
		return c;
	return i < j ? -1 : i > j;
}

/*
 * Sorting keeps duplicate detection O(n log n) on hostile maps with many keys.
 * Among all repeated keys, the one reported is the earliest repetition in the file.
 */
static int check_duplicates(struct loader *l, const struct ynode *map)
{
	_cleanup_free_ size_t *idx = NULL;
	size_t dup = SIZE_MAX;

	if (map->n < 2)
		return 0;
	idx = reallocarray(NULL, map->n, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < map->n; i++)
		idx[i] = i;
	qsort_r(idx, map->n, sizeof(*idx), cmp_entry_index, map->entries);
	for (size_t i = 1; i < map->n; i++)
		if (strcmp(map->entries[idx[i - 1]].key->value, map->entries[idx[i]].key->value) ==
			    0 &&
		    idx[i] < dup)
			dup = idx[i];
	if (dup == SIZE_MAX)
		return 0;
	return fail_at(l, map->entries[dup].key->line, map->entries[dup].key->column,
		       "duplicate key '%s'", map->entries[dup].key->value);
}

static int build_map(struct loader *l, yaml_event_t *ev, unsigned depth, struct ynode **ret)
{
	_cleanup_ynode_ struct ynode *n = node_new(YNODE_MAP, &ev->start_mark);
	size_t cap = 0;
	int r;

	if (!n)
		return -ENOMEM;
	for (;;) {
		_cleanup_ynode_ struct ynode *key = NULL, *value = NULL;

		r = build_map_part(l, depth + 1, &key);
		if (r < 0)
			return r;
		if (!key)
			break;
		if (key->kind != YNODE_SCALAR)
			return fail_at(l, key->line, key->column, "a %s cannot be a mapping key",
				       ynode_kind_name(key->kind));
		r = build_map_part(l, depth + 1, &value);
		if (r < 0)
			return r;
		if (n->n == cap) {
			struct ymap_entry *entries;

			cap = cap ? cap * 2 : 4;
			entries = reallocarray(n->entries, cap, sizeof(*entries));
			if (!entries)
				return -ENOMEM;
			n->entries = entries;
		}
		n->entries[n->n++] = (struct ymap_entry){ TAKE_PTR(key), TAKE_PTR(value) };
	}
	r = check_duplicates(l, n);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(n);
	return 0;
}

/* Refuses what the tree does not represent, before building anything. */
static int check_node_event(struct loader *l, const yaml_event_t *ev, unsigned depth)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	enum ynode_kind kind;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		kind = YNODE_SCALAR;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		kind = YNODE_SEQ;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		kind = YNODE_MAP;
		break;
	case YAML_ALIAS_EVENT:
		return fail_mark(l, ev->start_mark, "anchors and aliases are not supported");
	default:
		/* libyaml only hands out well-formed event streams. */
		return fail_mark(l, ev->start_mark, "unexpected YAML event");
	}
	if (anchor)
		return fail_mark(l, ev->start_mark, "anchors and aliases are not supported");
	if (tag && !tag_allowed((const char *)tag, kind))
		return fail_mark(l, ev->start_mark, "tag '%s' is not supported", (const char *)tag);
	if (depth > YTREE_MAX_DEPTH)
		return fail_mark(l, ev->start_mark, "nested deeper than %d levels",
				 YTREE_MAX_DEPTH);
	return 0;
}

/* Builds the node that ev starts; ev stays the caller's to delete. */
static int build_node(struct loader *l, yaml_event_t *ev, unsigned depth, struct ynode **ret)
{
	int r;

	r = check_node_event(l, ev, depth);
	if (r < 0)
		return r;
	if (ev->type == YAML_SCALAR_EVENT)
		return build_scalar(l, ev, ret);
	if (ev->type == YAML_SEQUENCE_START_EVENT)
		return build_seq(l, ev, depth, ret);
	return build_map(l, ev, depth, ret);
}

/* Reads the next event and requires it to be of one type. */
static int expect_event(struct loader *l, yaml_event_type_t type, yaml_event_t *ev)
{
	int r;

	r = next_event(l, ev);
	if (r < 0)
		return r;
	if (ev->type == type)
		return 0;
	r = ev->type == YAML_DOCUMENT_START_EVENT
		    ? fail_mark(l, ev->start_mark, "only one YAML document is allowed")
		    : fail_mark(l, ev->start_mark, "unexpected YAML event");
	yaml_event_delete(ev);
	return r;
}

static int load_document(struct loader *l, struct ynode **ret)
{
	_cleanup_ynode_ struct ynode *root = NULL;
	yaml_event_t e;
	int r;

	r = next_event(l, &e);
	if (r < 0)
		return r;
	r = build_node(l, &e, 1, &root);
	yaml_event_delete(&e);
	if (r < 0)
		return r;
	r = expect_event(l, YAML_DOCUMENT_END_EVENT, &e);
	if (r < 0)
		return r;
	yaml_event_delete(&e);
	r = expect_event(l, YAML_STREAM_END_EVENT, &e);
	if (r < 0)
		return r;
	yaml_event_delete(&e);
	/* A bare "---" is a document holding one empty plain scalar: nothing. */
	if (root->kind == YNODE_SCALAR && !root->quoted && !root->value[0])
		root = ynode_free(root);
	*ret = TAKE_PTR(root);
	return 0;
}

static int load_stream(struct loader *l, struct ynode **ret)
{
	yaml_event_t e;
	int r;

	r = expect_event(l, YAML_STREAM_START_EVENT, &e);
	if (r < 0)
		return r;
	yaml_event_delete(&e);
	r = next_event(l, &e);
	if (r < 0)
		return r;
	if (e.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&e);
		*ret = NULL;
		return 0;
	}
	yaml_event_delete(&e);
	return load_document(l, ret);
}

int ytree_load_string(const char *text, size_t len, const char *name, struct ynode **ret,
		      char **errmsg)
{
	struct loader l = { .name = name, .text = text, .len = len, .errmsg = errmsg };
	struct ynode *root = NULL;
	int r;

	if (len > YTREE_MAX_SIZE)
		return err_set(errmsg, -EFBIG, "%s: larger than %u MiB", name,
			       YTREE_MAX_SIZE >> 20);
	if (!yaml_parser_initialize(&l.parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&l.parser, (const unsigned char *)text, len);
	r = load_stream(&l, &root);
	yaml_parser_delete(&l.parser);
	if (r < 0)
		return r;
	*ret = root;
	return 0;
}

int ytree_load_fd(int fd, const char *name, struct ynode **ret, char **errmsg)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	/* Room for the cap and the NUL, so that a file of exactly 4 MiB still fits. */
	r = read_fd_str(fd, YTREE_MAX_SIZE + 2, &text, &len);
	if (r == -EFBIG)
		return err_set(errmsg, r, "%s: larger than %u MiB", name, YTREE_MAX_SIZE >> 20);
	if (r < 0) {
		errno = -r;
		return err_set(errmsg, r, "%s: %m", name);
	}
	return ytree_load_string(text, len, name, ret, errmsg);
}

int ytree_load_file(const char *path, struct ynode **ret, char **errmsg)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		int r = -errno;

		return err_set(errmsg, r, "%s: %m", path);
	}
	return ytree_load_fd(fd, path, ret, errmsg);
}
