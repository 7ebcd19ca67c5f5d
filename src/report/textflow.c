// SPDX-License-Identifier: GPL-2.0-or-later
#include "textflow.h"

#include <string.h>

#include "format.h"

void text_put_safe(FILE *f, const char *s, size_t len)
{
	for (size_t i = 0; i < len && s[i];) {
		size_t n = report_utf8_char(s + i);

		if (n == 0 || (unsigned char)s[i] < 0x20 || s[i] == 0x7f || i + n > len) {
			fputc('?', f);
			i++;
		} else {
			fwrite(s + i, 1, n, f);
			i += n;
		}
	}
}

void text_flow_start(struct flow *fl, const struct text *t, const char *first, const char *indent,
		     const char *sep)
{
	*fl = (struct flow){ .t = t, .indent = indent, .sep = sep, .col = (int)strlen(first) };
	fputs(first, t->f);
}

void text_flow_word(struct flow *fl, const char *word, int len)
{
	int sep = (int)strlen(fl->sep);

	if (!fl->fresh && fl->col + sep + len > fl->t->width) {
		fprintf(fl->t->f, "\n%s", fl->indent);
		fl->col = (int)strlen(fl->indent);
		fl->fresh = true;
	}
	if (!fl->fresh) {
		fputs(fl->sep, fl->t->f);
		fl->col += sep;
	}
	text_put_safe(fl->t->f, word, (size_t)len);
	fl->col += len;
	fl->fresh = false;
}

void text_flow_text(struct flow *fl, const char *s)
{
	while (*s) {
		size_t len;

		s += strspn(s, " \t\n");
		len = strcspn(s, " \t\n");
		if (len)
			text_flow_word(fl, s, (int)len);
		s += len;
	}
}

void text_flow_end(struct flow *fl)
{
	fputc('\n', fl->t->f);
}
