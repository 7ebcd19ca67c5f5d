// SPDX-License-Identifier: GPL-2.0-or-later
/* The tree of a parsed condition, and its evaluation against a snapshot. */
#define _GNU_SOURCE
#include "expr.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr-tree.h"
#include "util.h"

/* ---- tree ---- */

struct node *expr_node_free(struct node *n)
{
	if (!n)
		return NULL;
	expr_node_free(n->l);
	expr_node_free(n->r);
	free(n);
	return NULL;
}

struct node *expr_node_new(enum node_kind kind, size_t start, size_t end)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->kind = kind;
	n->start = start;
	n->end = end;
	return n;
}

struct expr *expr_free(struct expr *e)
{
	if (!e)
		return NULL;
	expr_node_free(e->root);
	for (size_t i = 0; i < e->n_metrics; i++)
		free(e->metrics[i]);
	free(e->metrics);
	free(e->text);
	free(e);
	return NULL;
}

/* ---- evaluator ---- */

struct evalctx {
	const struct observation *o;
	const char *text;
	char *why; /* why the last failed evaluation failed */
};

static int eval(const struct node *n, struct evalctx *c, double *ret);

static int eval_metric(const struct node *n, struct evalctx *c, double *ret)
{
	int r = observation_metric(c->o, n->metric, ret);

	if (r == -ENODATA)
		return err_set(&c->why, -ENODATA, "%s is not available", n->metric);
	/*
	 * Text where a number belongs (a string sysctl, a vector without an
	 * index) cannot be told at parse time: the rule is not evaluated.
	 */
	if (r == -EMEDIUMTYPE)
		return err_set(&c->why, -ENODATA, "%s is not a number", n->metric);
	return r;
}

/*
 * && and || with three values: true, false and unavailable (-ENODATA). When
 * one side alone decides the result (false for &&, true for ||), the other
 * side may be unavailable; otherwise unavailability wins. This avoids both a
 * false finding and a needless "not evaluated".
 */
static int eval_logic(const struct node *n, struct evalctx *c, double *ret)
{
	bool decisive = n->op == T_OR;
	_cleanup_free_ char *lwhy = NULL;
	double lv, rv;
	int lr, rr;

	lr = eval(n->l, c, &lv);
	if (lr == 0 && (lv != 0) == decisive)
		goto decided;
	if (lr < 0 && lr != -ENODATA)
		return lr;
	lwhy = TAKE_PTR(c->why);
	rr = eval(n->r, c, &rv);
	if (rr == 0 && (rv != 0) == decisive)
		goto decided;
	if (rr < 0 && rr != -ENODATA)
		return rr;
	if (lr < 0) {
		free(c->why);
		c->why = TAKE_PTR(lwhy);
		return lr;
	}
	if (rr < 0)
		return rr;
	*ret = !decisive;
	return 0;
decided:
	free(c->why);
	c->why = NULL;
	*ret = decisive;
	return 0;
}

static int eval_arith(const struct node *n, struct evalctx *c, double *ret)
{
	double l, r;
	int k;

	k = eval(n->l, c, &l);
	if (k < 0)
		return k;
	k = eval(n->r, c, &r);
	if (k < 0)
		return k;
	switch (n->op) {
	case T_PLUS:
		*ret = l + r;
		break;
	case T_MINUS:
		*ret = l - r;
		break;
	case T_STAR:
		*ret = l * r;
		break;
	case T_SLASH:
		if (r == 0)
			return err_set(&c->why, -EDOM, "division by zero in '%.*s'",
				       (int)(n->end - n->start), c->text + n->start);
		*ret = l / r;
		break;
	case T_LT:
		*ret = l < r;
		break;
	case T_LE:
		*ret = l <= r;
		break;
	case T_GT:
		*ret = l > r;
		break;
	case T_GE:
		*ret = l >= r;
		break;
	case T_EQ:
		*ret = l == r;
		break;
	case T_NE:
		*ret = l != r;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int eval(const struct node *n, struct evalctx *c, double *ret)
{
	double v;
	int r;

	switch (n->kind) {
	case N_NUM:
		*ret = n->num;
		return 0;
	case N_METRIC:
		return eval_metric(n, c, ret);
	case N_NEG:
	case N_NOT:
		r = eval(n->l, c, &v);
		if (r < 0)
			return r;
		*ret = n->kind == N_NEG ? -v : v == 0;
		return 0;
	case N_BINARY:
		if (n->op == T_AND || n->op == T_OR)
			return eval_logic(n, c, ret);
		return eval_arith(n, c, ret);
	}
	return -EINVAL;
}

int expr_eval(const struct expr *e, const struct observation *o, double *ret, char **why)
{
	struct evalctx c = { .o = o, .text = e->text };
	double v;
	int r;

	r = eval(e->root, &c, &v);
	if (r < 0) {
		if (why) {
			free(*why);
			*why = TAKE_PTR(c.why);
		}
		free(c.why);
		return r;
	}
	free(c.why);
	*ret = v;
	return 0;
}

void expr_foreach_metric(const struct expr *e, void (*fn)(const char *name, void *data), void *data)
{
	for (size_t i = 0; i < e->n_metrics; i++)
		fn(e->metrics[i], data);
}
