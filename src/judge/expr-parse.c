// SPDX-License-Identifier: GPL-2.0-or-later
/* The condition language's tokenizer and parser: text to the tree of expr-tree.h. */
#define _GNU_SOURCE
#include "expr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr-tree.h"
#include "metrics.h"
#include "util.h"

/*
 * Conditions are one line of a rule. The caps keep the recursive parser and
 * evaluator far from the end of the stack whatever a rule file holds.
 */
#define EXPR_MAX_LEN 4096
#define EXPR_MAX_DEPTH 64

struct token {
	enum tok type;
	size_t start, len; /* in the source text */
	double num;	   /* T_NUM */
};

struct parser {
	const char *text;
	size_t pos;	  /* where the tokenizer goes on */
	struct token tok; /* the current token */
	unsigned depth;
	struct expr *e;
	size_t err_pos;
	char **errmsg;
};

static void expr_freep(struct expr **e)
{
	expr_free(*e);
}

/* ---- tokenizer ---- */

static int fail(struct parser *p, size_t pos, const char *fmt, ...) _printf_(3, 4);
static int fail(struct parser *p, size_t pos, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	p->err_pos = pos;
	return err_set(p->errmsg, -EINVAL, "%s", msg);
}

/* Not <ctype.h>: the language is ASCII whatever the locale. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || is_digit(c) || c == '.';
}

/*
 * The token spans everything that could belong to a number, so that "1e" or
 * "0x10" is one malformed number rather than a number and a metric.
 */
static int lex_number(struct parser *p, size_t start)
{
	_cleanup_free_ char *s = NULL;
	const char *t = p->text;
	size_t i = start;
	char *end;

	while (is_name_char(t[i]) ||
	       ((t[i] == '+' || t[i] == '-') && (t[i - 1] == 'e' || t[i - 1] == 'E')))
		i++;
	s = strndup(t + start, i - start);
	if (!s)
		return -ENOMEM;
	/* strtod also takes hex, "inf" and "nan", which the language does not. */
	if (strspn(s, "0123456789.eE+-") != i - start)
		return fail(p, start, "malformed number '%s'", s);
	errno = 0;
	p->tok.num = strtod(s, &end);
	if (*end)
		return fail(p, start, "malformed number '%s'", s);
	if (errno == ERANGE)
		return fail(p, start, "number out of range '%s'", s);
	p->tok.type = T_NUM;
	p->tok.len = i - start;
	p->pos = i;
	return 0;
}

/* A dotted name with an optional index: "sysctl.net.ipv4.ip_local_port_range[1]". */
static int lex_metric(struct parser *p, size_t start)
{
	const char *t = p->text;
	size_t i = start;

	while (is_name_char(t[i]))
		i++;
	if (t[i] == '[') {
		i++;
		if (!is_digit(t[i]))
			return fail(p, i, "expected an index after '['");
		while (is_digit(t[i]))
			i++;
		if (t[i] != ']')
			return fail(p, i, "expected ']'");
		i++;
	}
	p->tok.type = T_METRIC;
	p->tok.len = i - start;
	p->pos = i;
	return 0;
}

static const struct {
	const char *text;
	enum tok type;
} operators[] = {
	/* Two-character operators first, so that "<=" is not read as "<". */
	{ "&&", T_AND },  { "||", T_OR },  { "<=", T_LE },   { ">=", T_GE },	{ "==", T_EQ },
	{ "!=", T_NE },	  { "<", T_LT },   { ">", T_GT },    { "!", T_NOT },	{ "+", T_PLUS },
	{ "-", T_MINUS }, { "*", T_STAR }, { "/", T_SLASH }, { "(", T_LPAREN }, { ")", T_RPAREN },
};

static int lex(struct parser *p)
{
	const char *t = p->text;
	size_t start;

	p->pos += strspn(t + p->pos, " \t\r\n");
	start = p->pos;
	p->tok = (struct token){ .type = T_END, .start = start };
	if (!t[start])
		return 0;
	if (is_digit(t[start]))
		return lex_number(p, start);
	if (is_name_start(t[start]))
		return lex_metric(p, start);
	for (size_t i = 0; i < ARRAY_SIZE(operators); i++) {
		size_t len = strlen(operators[i].text);

		if (strncmp(t + start, operators[i].text, len) == 0) {
			p->tok.type = operators[i].type;
			p->tok.len = len;
			p->pos += len;
			return 0;
		}
	}
	if (t[start] > ' ' && t[start] < 0x7f)
		return fail(p, start, "unexpected character '%c'", t[start]);
	return fail(p, start, "unexpected byte 0x%02x", (unsigned char)t[start]);
}

/* ---- parser: one function per precedence level ---- */

static int parse_or(struct parser *p, struct node **ret);

static int unexpected(struct parser *p)
{
	if (p->tok.type == T_END)
		return fail(p, p->tok.start, "unexpected end of expression");
	return fail(p, p->tok.start, "unexpected '%.*s'", (int)p->tok.len, p->text + p->tok.start);
}

static int enter(struct parser *p)
{
	if (p->depth >= EXPR_MAX_DEPTH)
		return fail(p, p->tok.start, "expression nested deeper than %d levels",
			    EXPR_MAX_DEPTH);
	p->depth++;
	return 0;
}

/* Keeps one copy of each name, which also makes expr_foreach_metric() trivial. */
static int intern_metric(struct expr *e, char **name, const char **ret)
{
	char **metrics;

	for (size_t i = 0; i < e->n_metrics; i++)
		if (strcmp(e->metrics[i], *name) == 0) {
			*ret = e->metrics[i];
			return 0;
		}
	metrics = reallocarray(e->metrics, e->n_metrics + 1, sizeof(*metrics));
	if (!metrics)
		return -ENOMEM;
	e->metrics = metrics;
	*ret = e->metrics[e->n_metrics++] = TAKE_PTR(*name);
	return 0;
}

static int parse_metric(struct parser *p, struct node **ret)
{
	_cleanup_free_ char *name = strndup(p->text + p->tok.start, p->tok.len);
	_cleanup_node_ struct node *n = NULL;
	enum metric_type type;
	int r;

	if (!name)
		return -ENOMEM;
	r = metric_validate(name, &type, NULL);
	if (r == -EINVAL)
		return fail(p, p->tok.start, "unknown metric '%s'", name);
	if (r < 0)
		return r;
	/*
	 * The language has numbers only: a metric the registry knows as text
	 * could never be compared or added, so the rule is refused now rather
	 * than never evaluated.
	 */
	if (type == METRIC_TEXT)
		return fail(p, p->tok.start, "'%s' is text, not a number", name);
	n = expr_node_new(N_METRIC, p->tok.start, p->tok.start + p->tok.len);
	if (!n)
		return -ENOMEM;
	r = intern_metric(p->e, &name, &n->metric);
	if (r < 0)
		return r;
	r = lex(p);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(n);
	return 0;
}

static int parse_parens(struct parser *p, struct node **ret)
{
	_cleanup_node_ struct node *n = NULL;
	size_t start = p->tok.start;
	int r;

	r = enter(p);
	if (r < 0)
		return r;
	r = lex(p);
	if (r < 0)
		return r;
	r = parse_or(p, &n);
	if (r < 0)
		return r;
	if (p->tok.type != T_RPAREN)
		return fail(p, p->tok.start, "expected ')'");
	/* Quote "(a - b)" whole in messages, parentheses included. */
	n->start = start;
	n->end = p->tok.start + 1;
	p->depth--;
	r = lex(p);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(n);
	return 0;
}

static int parse_primary(struct parser *p, struct node **ret)
{
	_cleanup_node_ struct node *n = NULL;
	int r;

	switch (p->tok.type) {
	case T_NUM:
		n = expr_node_new(N_NUM, p->tok.start, p->tok.start + p->tok.len);
		if (!n)
			return -ENOMEM;
		n->num = p->tok.num;
		r = lex(p);
		if (r < 0)
			return r;
		*ret = TAKE_PTR(n);
		return 0;
	case T_METRIC:
		return parse_metric(p, ret);
	case T_LPAREN:
		return parse_parens(p, ret);
	default:
		return unexpected(p);
	}
}

/* A prefix operator (op) applied to what sub parses. */
static int parse_prefix(struct parser *p, enum tok op, enum node_kind kind,
			int (*sub)(struct parser *, struct node **),
			int (*next)(struct parser *, struct node **), struct node **ret)
{
	_cleanup_node_ struct node *operand = NULL;
	size_t start = p->tok.start;
	struct node *n;
	int r;

	if (p->tok.type != op)
		return next(p, ret);
	r = enter(p);
	if (r < 0)
		return r;
	r = lex(p);
	if (r < 0)
		return r;
	r = sub(p, &operand);
	if (r < 0)
		return r;
	p->depth--;
	n = expr_node_new(kind, start, operand->end);
	if (!n)
		return -ENOMEM;
	n->l = TAKE_PTR(operand);
	*ret = n;
	return 0;
}

static int parse_unary(struct parser *p, struct node **ret)
{
	return parse_prefix(p, T_MINUS, N_NEG, parse_unary, parse_primary, ret);
}

static int binary(enum tok op, struct node **l, struct node **r)
{
	struct node *n = expr_node_new(N_BINARY, (*l)->start, (*r)->end);

	if (!n)
		return -ENOMEM;
	n->op = op;
	n->l = TAKE_PTR(*l);
	n->r = TAKE_PTR(*r);
	*l = n;
	return 0;
}

/* sub ( op sub )*, for the left-associative levels; ops ends with T_END. */
static int parse_left_assoc(struct parser *p, int (*sub)(struct parser *, struct node **),
			    const enum tok *ops, struct node **ret)
{
	_cleanup_node_ struct node *l = NULL;
	int r;

	r = sub(p, &l);
	if (r < 0)
		return r;
	for (;;) {
		_cleanup_node_ struct node *rhs = NULL;
		enum tok op = p->tok.type;
		size_t i = 0;

		while (ops[i] != T_END && ops[i] != op)
			i++;
		if (ops[i] == T_END)
			break;
		r = lex(p);
		if (r < 0)
			return r;
		r = sub(p, &rhs);
		if (r < 0)
			return r;
		r = binary(op, &l, &rhs);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(l);
	return 0;
}

static int parse_product(struct parser *p, struct node **ret)
{
	static const enum tok ops[] = { T_STAR, T_SLASH, T_END };

	return parse_left_assoc(p, parse_unary, ops, ret);
}

static int parse_sum(struct parser *p, struct node **ret)
{
	static const enum tok ops[] = { T_PLUS, T_MINUS, T_END };

	return parse_left_assoc(p, parse_product, ops, ret);
}

static bool is_comparison(enum tok t)
{
	return t >= T_LT && t <= T_NE;
}

static int parse_cmp(struct parser *p, struct node **ret)
{
	_cleanup_node_ struct node *l = NULL, *rhs = NULL;
	enum tok op;
	int r;

	r = parse_sum(p, &l);
	if (r < 0)
		return r;
	op = p->tok.type;
	if (!is_comparison(op)) {
		*ret = TAKE_PTR(l);
		return 0;
	}
	r = lex(p);
	if (r < 0)
		return r;
	r = parse_sum(p, &rhs);
	if (r < 0)
		return r;
	/* "a < b < c" means something else in C than in mathematics: refuse both. */
	if (is_comparison(p->tok.type))
		return fail(p, p->tok.start, "comparisons cannot be chained");
	r = binary(op, &l, &rhs);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(l);
	return 0;
}

static int parse_not(struct parser *p, struct node **ret)
{
	return parse_prefix(p, T_NOT, N_NOT, parse_not, parse_cmp, ret);
}

static int parse_and(struct parser *p, struct node **ret)
{
	static const enum tok ops[] = { T_AND, T_END };

	return parse_left_assoc(p, parse_not, ops, ret);
}

static int parse_or(struct parser *p, struct node **ret)
{
	static const enum tok ops[] = { T_OR, T_END };

	return parse_left_assoc(p, parse_and, ops, ret);
}

static int parse_all(struct parser *p)
{
	int r;

	if (strlen(p->text) > EXPR_MAX_LEN)
		return fail(p, EXPR_MAX_LEN, "expression longer than %d characters", EXPR_MAX_LEN);
	r = lex(p);
	if (r < 0)
		return r;
	if (p->tok.type == T_END)
		return fail(p, 0, "empty expression");
	r = parse_or(p, &p->e->root);
	if (r < 0)
		return r;
	if (p->tok.type != T_END)
		return unexpected(p);
	return 0;
}

int expr_parse(const char *text, struct expr **ret, unsigned *ret_column, char **errmsg)
{
	_cleanup_(expr_freep) struct expr *e = calloc(1, sizeof(*e));
	struct parser p = { .e = e, .errmsg = errmsg };
	int r;

	if (!e)
		return -ENOMEM;
	e->text = strdup(text);
	if (!e->text)
		return -ENOMEM;
	p.text = e->text;
	r = parse_all(&p);
	if (r < 0) {
		if (r == -EINVAL && ret_column)
			*ret_column = (unsigned)p.err_pos + 1;
		return r;
	}
	*ret = TAKE_PTR(e);
	return 0;
}
