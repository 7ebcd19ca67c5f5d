/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_TOP_H
#define TCPTUNE_TOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "observation.h"

/*
 * tcptune top's screen, as a renderer of snapshots and findings: a model
 * updated from each snapshot (history rings, deltas, findings that appear and
 * clear) and laid out into a grid of cells that cmd/top.c paints with
 * curses. Nothing here knows about terminals, so that tests lay it out.
 */

/* The last TOP_HISTORY values of a series: two minutes at the default interval. */
#define TOP_HISTORY 60

struct top_ring {
	uint64_t v[TOP_HISTORY];
	size_t n;    /* how many are held, up to TOP_HISTORY */
	size_t next; /* where the next one goes */
};

void top_ring_push(struct top_ring *r, uint64_t v);
/* The i-th value held, oldest first (i < r->n). */
uint64_t top_ring_get(const struct top_ring *r, size_t i);

/*
 * The last width values of r as a sparkline into buf: one block (U+2581 to
 * U+2588) per value, scaled from 0 to the largest shown, or ASCII "_.:-=+*#"
 * without unicode; right-aligned, spaces before what is not held yet.
 * Returns buf.
 */
char *top_sparkline(const struct top_ring *r, size_t width, bool unicode, char *buf, size_t size);

/* How a cell is shown: cmd/top.c maps these to colours, or to attributes only. */
enum top_attr {
	TOP_NORMAL,
	TOP_TITLE, /* the title and status bars */
	TOP_HEAD,  /* section headings, column names */
	TOP_HOT,   /* a counter that is moving, a finding that just appeared */
	TOP_CRIT,
	TOP_WARN,
	TOP_INFO,
	TOP_DIM,   /* a finding that cleared */
	TOP_FOCUS, /* the state in focus */
	TOP_ERROR, /* the status bar when a snapshot failed */
};

struct top_cell {
	char ch[4];	    /* one UTF-8 character, one column */
	unsigned char len;  /* its bytes; 0: a blank */
	unsigned char attr; /* enum top_attr */
};

struct top_grid {
	int rows, cols;
	struct top_cell *cells; /* rows * cols */
};

int top_grid_init(struct top_grid *g, int rows, int cols);
void top_grid_free(struct top_grid *g);
/* Row r as text (trailing blanks dropped), into buf. */
char *top_grid_row(const struct top_grid *g, int r, char *buf, size_t size);

/*
 * Writes text at row r, column c with attr, at most width columns (one per
 * character; control characters shown as '?'); returns the columns written.
 */
int top_put(struct top_grid *g, int r, int c, int width, const char *text, enum top_attr attr);
/* Row r as a bar in attr: left at its start, right at its end when both fit. */
void top_bar(struct top_grid *g, int r, const char *left, const char *right, enum top_attr attr);
/*
 * text cut to width columns at a space, never inside a word, with an
 * ellipsis ("…", or "..." without unicode) when something was left out.
 */
char *top_fit(const char *text, size_t width, bool unicode, char *buf, size_t size);
/* Columns text takes on a terminal: one per UTF-8 character. */
size_t top_text_cols(const char *s);
/* 1234567 as "1,234,567". */
char *top_grouped(uint64_t v, char *buf, size_t size);

enum top_sort { TOP_SORT_COUNT, TOP_SORT_PORT, TOP_SORT_STATE, TOP_SORT_N };
const char *top_sort_name(enum top_sort s);

/* A finding as the screen tracks it across refreshes. */
struct top_finding {
	char *id;
	char *summary;
	enum severity severity;
	double since;	    /* when it appeared */
	double cleared;	    /* when it cleared; 0: still there */
	unsigned refreshes; /* refreshes since it appeared (0: this one) or cleared */
};

/* Cleared findings stay on screen, dimmed, for this many refreshes. */
#define TOP_CLEARED_REFRESHES 5

struct top_model {
	/* Settings, changed by keys. */
	double interval;
	bool owners; /* look up who holds the busiest ports */
	enum top_sort sort;
	int focus;	   /* a tcp_state to show alone; 0: all */
	bool help;	   /* the key help is shown */
	bool unicode;	   /* blocks for sparklines, "…" for cuts */
	const char *where; /* "network namespace X", or NULL for ours */

	struct top_ring history[TS_MAX];
	uint64_t count[TS_MAX];
	int64_t delta[TS_MAX]; /* since the refresh before */
	size_t refreshes;

	const struct observation *o;  /* the latest snapshot (borrowed); NULL before the first */
	struct top_finding *findings; /* newest first */
	size_t n_findings;
	size_t n_rules;
	double now;	  /* when the latest snapshot was taken */
	char status[256]; /* the error of the last snapshot, or "" */
};

void top_model_init(struct top_model *m, double interval, bool unicode);
void top_model_free(struct top_model *m);
/*
 * Takes a snapshot and its judgement: the counts, their history and deltas,
 * the findings that appeared (marked), are still there, or cleared (dimmed
 * for a few refreshes). o is kept (borrowed) until the next update. 0 or
 * -ENOMEM.
 */
int top_model_update(struct top_model *m, const struct observation *o, const struct judgement *j,
		     double now);

/*
 * Lays the model out on g: a title bar, the states (count, change and
 * sparkline), the counters as rates, the busiest ports and the listeners by
 * accept-queue fill, the findings newest first, and a status bar; or the key
 * help. Every row fits g->cols; text is cut at a word, never inside one.
 * Usable from 80x24; wider and taller screens get more columns and rows.
 */
void top_render(const struct top_model *m, struct top_grid *g);

#endif
