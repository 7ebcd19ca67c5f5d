// SPDX-License-Identifier: GPL-2.0-or-later
/* diagnose's first line: the status line of a monitoring plugin (Nagios, Icinga). */
#define _GNU_SOURCE
#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "format.h"
#include "textflow.h"

static const char *const plugin_state_names[] = {
	[REPORT_PLUGIN_OK] = "OK",
	[REPORT_PLUGIN_WARNING] = "WARNING",
	[REPORT_PLUGIN_CRITICAL] = "CRITICAL",
	[REPORT_PLUGIN_UNKNOWN] = "UNKNOWN",
};

/*
 * The words of s one space apart, made safe, with '|' as '/': a summary holds
 * process names, and the status must stay one line whose first '|' starts the
 * performance data.
 */
static void put_words(FILE *f, const char *s)
{
	bool first = true;

	while (*s) {
		size_t len;

		s += strspn(s, " \t\n\r\v\f");
		len = strcspn(s, " \t\n\r\v\f");
		if (len == 0)
			break;
		if (!first)
			fputc(' ', f);
		first = false;
		for (size_t i = 0; i < len;) {
			size_t seg = strcspn(s + i, "|");

			if (seg > len - i)
				seg = len - i;
			text_put_safe(f, s + i, seg);
			i += seg;
			if (i < len) {
				fputc('/', f);
				i++;
			}
		}
		s += len;
	}
}

int report_status_text(FILE *f, const struct report_status *s)
{
	const struct finding *top = s->top;

	fprintf(f, "TCPTUNE %s - ", plugin_state_names[s->state]);
	if (s->state == REPORT_PLUGIN_UNKNOWN) {
		put_words(f, s->reason ? s->reason : "could not observe");
	} else if (top) {
		put_words(f, top->rule->id);
		if (top->summary && *top->summary) {
			fputs(": ", f);
			put_words(f, top->summary);
		}
		if (s->n_more)
			fprintf(f, " (+%zu more)", s->n_more);
	} else {
		fprintf(f, "%zu rules, no findings", s->n_rules);
	}
	for (size_t i = 0; i < s->n_perf; i++)
		fprintf(f, "%s'%s'=%" PRIu64 ";;;0", i ? " " : " | ", s->perf[i].label,
			s->perf[i].value);
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}
