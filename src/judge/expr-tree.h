/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_EXPR_TREE_H
#define TCPTUNE_EXPR_TREE_H

#include <stddef.h>

#include "expr.h"
#include "util.h"

/*
 * The parsed form of a condition, shared by the parser (expr-parse.c) and
 * the evaluator (expr.c); nothing outside judge/expr* sees it.
 */

enum tok {
	T_END,
	T_NUM,
	T_METRIC,
	T_LPAREN,
	T_RPAREN,
	T_PLUS,
	T_MINUS,
	T_STAR,
	T_SLASH,
	T_LT,
	T_LE,
	T_GT,
	T_GE,
	T_EQ,
	T_NE,
	T_AND,
	T_OR,
	T_NOT,
};

enum node_kind {
	N_NUM,
	N_METRIC,
	N_NEG,
	N_NOT,
	N_BINARY,
};

struct node {
	enum node_kind kind;
	enum tok op;	    /* N_BINARY */
	double num;	    /* N_NUM */
	const char *metric; /* N_METRIC: one of expr.metrics */
	struct node *l, *r; /* l alone for N_NEG and N_NOT */
	size_t start, end;  /* source span, so that messages can quote it */
};

struct expr {
	char *text;
	struct node *root;
	char **metrics; /* each name once, in order of appearance */
	size_t n_metrics;
};

struct node *expr_node_new(enum node_kind kind, size_t start, size_t end);
struct node *expr_node_free(struct node *n);
static inline void expr_node_freep(struct node **n)
{
	expr_node_free(*n);
}
#define _cleanup_node_ _cleanup_(expr_node_freep)

#endif
