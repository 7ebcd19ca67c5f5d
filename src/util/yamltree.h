/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_YAMLTREE_H
#define TCPTUNE_YAMLTREE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A small YAML node tree (libyaml underneath) in which every node remembers
 * where it stood, so that the loaders of rules and profiles can name
 * file:line:column in every error instead of walking parser events in giant
 * switches. Anchors and aliases are refused (a rule file has no use for them
 * and they allow exponential expansion); tags other than the standard ones
 * are refused too.
 */

enum ynode_kind {
	YNODE_SCALAR,
	YNODE_SEQ,
	YNODE_MAP,
};

struct ynode;

struct ymap_entry {
	struct ynode *key; /* always a scalar */
	struct ynode *value;
};

struct ynode {
	enum ynode_kind kind;
	unsigned line, column; /* 1-based, where the node starts */
	char *value;	       /* YNODE_SCALAR: its text */
	bool quoted;	       /* YNODE_SCALAR: written in quotes (so "1" is text, not a number) */
	size_t n;
	struct ynode **items;	    /* YNODE_SEQ */
	struct ymap_entry *entries; /* YNODE_MAP, in file order */
};

/*
 * Loads one YAML document. An empty document gives *ret = NULL and 0.
 * Errors: -EBADMSG with "<name>:<line>:<column>: <libyaml's problem>", a
 * duplicate key ("<name>:3:5: duplicate key 'id'"), an alias or anchor;
 * -ENOENT/-EACCES/-EFBIG for the file (files are capped at 4 MiB).
 */
int ytree_load_file(const char *path, struct ynode **ret, char **errmsg);
/* The same from an open file (read to its end), named name in messages. */
int ytree_load_fd(int fd, const char *name, struct ynode **ret, char **errmsg);
int ytree_load_string(const char *text, size_t len, const char *name, struct ynode **ret,
		      char **errmsg);

struct ynode *ynode_free(struct ynode *n);
static inline void ynode_freep(struct ynode **n)
{
	ynode_free(*n);
}
#define _cleanup_ynode_ __attribute__((cleanup(ynode_freep)))

/* The value of key in a map, or NULL (also when n is not a map). */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* "scalar", "sequence", "mapping": for messages. */
const char *ynode_kind_name(enum ynode_kind k);

#endif
