// SPDX-License-Identifier: GPL-2.0-or-later
/* tcptune top's building blocks: the history ring, sparklines, and the grid of cells. */
#define _GNU_SOURCE
#include "top.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- history ---- */

void top_ring_push(struct top_ring *r, uint64_t v)
{
	r->v[r->next] = v;
	r->next = (r->next + 1) % TOP_HISTORY;
	if (r->n < TOP_HISTORY)
		r->n++;
}

uint64_t top_ring_get(const struct top_ring *r, size_t i)
{
	return r->v[(r->next + TOP_HISTORY - r->n + i) % TOP_HISTORY];
}

char *top_sparkline(const struct top_ring *r, size_t width, bool unicode, char *buf, size_t size)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.:-=+*#";
	size_t shown = r->n < width ? r->n : width, first = r->n - shown, len = 0;
	uint64_t max = 0;

	for (size_t i = first; i < r->n; i++)
		if (top_ring_get(r, i) > max)
			max = top_ring_get(r, i);
	buf[0] = '\0';
	for (size_t i = 0; i < width; i++) {
		const char *c = " ";
		char one[2] = { 0 };

		if (i >= width - shown) {
			uint64_t v = top_ring_get(r, first + i - (width - shown));
			/* 0 is the lowest block (never a blank); the largest shown, the highest. */
			size_t level = max ? (size_t)((v * 7 + max / 2) / max) : 0;

			one[0] = ascii[level];
			c = unicode ? blocks[level] : one;
		}
		if (len + strlen(c) + 1 > size)
			break;
		memcpy(buf + len, c, strlen(c) + 1);
		len += strlen(c);
	}
	return buf;
}

/* ---- the grid ---- */

int top_grid_init(struct top_grid *g, int rows, int cols)
{
	g->rows = rows > 0 ? rows : 0;
	g->cols = cols > 0 ? cols : 0;
	g->cells = calloc((size_t)g->rows * (size_t)g->cols + 1, sizeof(*g->cells));
	return g->cells ? 0 : -ENOMEM;
}

void top_grid_free(struct top_grid *g)
{
	free(g->cells);
	*g = (struct top_grid){ 0 };
}

char *top_grid_row(const struct top_grid *g, int r, char *buf, size_t size)
{
	size_t len = 0, end = 0;

	for (int c = 0; c < g->cols; c++) {
		const struct top_cell *cell = &g->cells[(size_t)r * (size_t)g->cols + (size_t)c];
		const char *ch = cell->len ? cell->ch : " ";
		size_t n = cell->len ? cell->len : 1;

		if (len + n + 1 > size)
			break;
		memcpy(buf + len, ch, n);
		len += n;
		if (cell->len && !(n == 1 && ch[0] == ' '))
			end = len;
	}
	buf[end] = '\0';
	return buf;
}

/* The length of the UTF-8 character at s (1 for a stray byte). */
static size_t utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;

	for (size_t i = 1; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Columns text takes: one per character. */
size_t top_text_cols(const char *s)
{
	size_t cols = 0;

	for (; *s; s += utf8_len(s))
		cols++;
	return cols;
}

/* Writes text at (r, c) with attr, at most width columns; returns the columns written. */
int top_put(struct top_grid *g, int r, int c, int width, const char *text, enum top_attr attr)
{
	int n = 0;

	if (r < 0 || r >= g->rows)
		return 0;
	for (const char *s = text; *s && n < width && c + n < g->cols; n++) {
		struct top_cell *cell = &g->cells[(size_t)r * (size_t)g->cols + (size_t)(c + n)];
		size_t len = utf8_len(s);
		unsigned char ch = (unsigned char)*s;

		/* Control characters from a process name or a rule never reach the terminal. */
		cell->len = (unsigned char)len;
		memcpy(cell->ch, ch < 0x20 || ch == 0x7f ? "?" : s, len);
		cell->attr = (unsigned char)attr;
		s += len;
	}
	return n;
}

/* A whole row in attr (a bar), text on it. */
void top_bar(struct top_grid *g, int r, const char *left, const char *right, enum top_attr attr)
{
	int rw = (int)top_text_cols(right);

	for (int c = 0; c < g->cols; c++)
		top_put(g, r, c, 1, " ", attr);
	top_put(g, r, 0, g->cols, left, attr);
	if ((int)top_text_cols(left) + rw + 2 <= g->cols)
		top_put(g, r, g->cols - rw, rw, right, attr);
}

/*
 * text cut to width columns at a space, never inside a word, with an
 * ellipsis when anything was left out; a first word too long goes whole.
 */
char *top_fit(const char *text, size_t width, bool unicode, char *buf, size_t size)
{
	const char *more = unicode ? "\u2026" : "...";
	size_t mcols = unicode ? 1 : 3, cols = 0, cut = 0;

	if (top_text_cols(text) <= width) {
		snprintf(buf, size, "%s", text);
		return buf;
	}
	for (const char *s = text; *s && cols + mcols <= width; s += utf8_len(s), cols++)
		if (*s == ' ')
			cut = (size_t)(s - text);
	while (cut > 0 && text[cut - 1] == ' ')
		cut--;
	snprintf(buf, size, "%.*s%s", (int)cut, text, width >= mcols ? more : "");
	return buf;
}

/* 1234567 -> "1,234,567". */
char *top_grouped(uint64_t v, char *buf, size_t size)
{
	char digits[24];
	size_t n = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v), j = 0;

	for (size_t i = 0; i < n && j + 2 < size; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[j++] = ',';
		buf[j++] = digits[i];
	}
	buf[j] = '\0';
	return buf;
}
