/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_REPORT_TEXTFLOW_H
#define TCPTUNE_REPORT_TEXTFLOW_H

/*
 * The report wing's own text layout, for the renderers of text.c: colours,
 * bytes made safe for a terminal, and words flowed into lines no wider than
 * it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct text {
	FILE *f;
	bool color;
	bool unicode;
	int width;
};

static inline const char *bold(const struct text *t)
{
	return t->color ? "\033[1m" : "";
}

static inline const char *dim(const struct text *t)
{
	return t->color ? "\033[2m" : "";
}

static inline const char *reset(const struct text *t)
{
	return t->color ? "\033[0m" : "";
}

/*
 * The first len bytes of s, or up to its NUL, with each control character
 * and each byte of invalid UTF-8 as '?'. Process names and paths come from
 * other users: a control character in one must not reach the terminal, where
 * it could be an escape sequence.
 */
void text_put_safe(FILE *f, const char *s, size_t len);

/* Words laid out in lines no wider than the terminal, sep between them. */
struct flow {
	const struct text *t;
	const char *indent;
	const char *sep;
	int col;
	bool fresh; /* at the start of a continuation line */
};

/* Starts with first on the current line; continuation lines start with indent. */
void text_flow_start(struct flow *fl, const struct text *t, const char *first, const char *indent,
		     const char *sep);
/* One word of len bytes, made safe, on this line or the next. */
void text_flow_word(struct flow *fl, const char *word, int len);
/* Each blank-separated word of s. */
void text_flow_text(struct flow *fl, const char *s);
/* Ends the last line. */
void text_flow_end(struct flow *fl);

/*
 * stats' sections of remote endpoints (textpeers.c): where client-side
 * connections go, the orphans of the namespace, and the connections stalled
 * on their peer. Each says nothing when it has nothing to show.
 */
struct observation;
void text_put_peers(const struct text *t, const struct observation *o);
void text_put_orphans(const struct text *t, const struct observation *o);
void text_put_stalled(const struct text *t, const struct observation *o);

#endif
