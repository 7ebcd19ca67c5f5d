// SPDX-License-Identifier: GPL-2.0-or-later
/* lint's findings: "FILE:LINE: MESSAGE", or JSON. */
#include "results.h"

#include <errno.h>

#include "format.h"
#include "util.h"

/*
 * One line per finding, whatever the file holds: a finding quotes the file's
 * values, and a file name can hold anything, so control characters are escaped
 * as in errors.
 */
int report_lint_text(FILE *f, const struct lint_report *rep)
{
	for (size_t i = 0; i < rep->n; i++) {
		_cleanup_free_ char *file = str_escape_controls(rep->findings[i].file);
		_cleanup_free_ char *msg = str_escape_controls(rep->findings[i].message);

		if (!file || !msg)
			return -ENOMEM;
		fprintf(f, "%s:%u: %s\n", file, rep->findings[i].line, msg);
	}
	return report_flushed(f);
}

static int add_finding(json_object *arr, const struct lint_finding *lf)
{
	json_object *o = json_append_object(arr);

	if (!o)
		return -ENOMEM;
	if (report_json_add_str(o, "file", lf->file) < 0 ||
	    json_add(o, "line", json_object_new_int64(lf->line)) < 0 ||
	    report_json_add_str(o, "key", lf->key) < 0 ||
	    report_json_add_str(o, "severity", lint_severity_name(lf->severity)) < 0 ||
	    report_json_add_str(o, "message", lf->message) < 0)
		return -ENOMEM;
	return 0;
}

int report_lint_json(FILE *f, const struct lint_report *rep)
{
	_cleanup_json_ json_object *arr = json_object_new_array();

	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < rep->n; i++)
		if (add_finding(arr, &rep->findings[i]) < 0)
			return -ENOMEM;
	return report_json_print(f, arr);
}
