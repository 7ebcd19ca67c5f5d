// SPDX-License-Identifier: GPL-2.0-or-later
/* Summary templates: "{metric}" and "{metric|fallback}" in a rule's texts. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"
#include "util.h"

char *rule_interpolate(const char *tmpl, const struct observation *o)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (const char *p = tmpl; *p; p++) {
		_cleanup_free_ char *name = NULL, *value = NULL;
		char *fallback;
		const char *end;

		if (*p != '{' || !(end = strchr(p, '}'))) {
			fputc(*p, f);
			continue;
		}
		if (p[1] == '{') {
			fputc('{', f);
			p++;
			continue;
		}
		name = strndup(p + 1, (size_t)(end - p - 1));
		if (!name)
			break;
		fallback = strchr(name, '|');
		if (fallback)
			*fallback++ = '\0';
		if (observation_metric_text(o, name, &value) == 0)
			fputs(value, f);
		else
			fputs(fallback ? fallback : "?", f);
		p = end;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

void rule_template_foreach(const char *tmpl, void (*fn)(const char *name, void *data), void *data)
{
	for (const char *p = tmpl; p && *p; p++) {
		_cleanup_free_ char *name = NULL;
		const char *end;

		if (*p != '{' || !(end = strchr(p, '}')))
			continue;
		if (p[1] == '{') {
			p++;
			continue;
		}
		name = strndup(p + 1, strcspn(p + 1, "|}"));
		if (name)
			fn(name, data);
		p = end;
	}
}
