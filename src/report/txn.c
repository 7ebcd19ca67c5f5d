// SPDX-License-Identifier: GPL-2.0-or-later
/* Transactions as history, rollback and confirm show them. */
#include "results.h"

#include <errno.h>
#include <time.h>

#include "format.h"
#include "util.h"

static void put_history_row(FILE *f, const struct report_history_row *row)
{
	const struct txn *t = row->txn;
	char when[32] = "?", undone[64] = "";
	time_t tt = (time_t)t->time, ut = (time_t)t->rollback_time;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (t->rollback_time && gmtime_r(&ut, &tm))
		strftime(undone, sizeof(undone), ", rolled back %Y-%m-%d %H:%M:%S", &tm);
	fprintf(f, "%-20s  %-19s  %-14s  %4zu  %-12s  %s%s%s%s\n", t->id, when, row->status,
		t->n_keys, t->netns.given ? t->netns.given : "-", t->source,
		t->status == TXN_ROLLED_BACK ? undone : "", row->left ? ", left changed: " : "",
		row->left ? row->left : "");
}

int report_history_text(FILE *f, const struct report_history_row *rows, size_t n)
{
	fprintf(f, "%-20s  %-19s  %-14s  %4s  %-12s  %s\n", "TRANSACTION", "TIME (UTC)", "STATUS",
		"KEYS", "NETNS", "SOURCE");
	for (size_t i = 0; i < n; i++)
		put_history_row(f, &rows[i]);
	if (n == 0)
		fputs("(no transactions)\n", f);
	return report_flushed(f);
}

/* The journal of one transaction as it is stored, with the status a person reads. */
static int add_journal(json_object *arr, const struct report_history_row *row)
{
	_cleanup_free_ char *text = NULL;
	json_object *j;
	int r;

	r = txn_to_json(row->txn, &text);
	if (r < 0)
		return r;
	j = json_tokener_parse(text);
	if (json_append(arr, j) < 0)
		return -ENOMEM;
	return report_json_add_str(j, "shown_status", row->status);
}

int report_history_json(FILE *f, const struct report_history_row *rows, size_t n)
{
	_cleanup_json_ json_object *arr = NULL;

	/* json-c prints an empty array over two lines. */
	if (n == 0) {
		fputs("[]\n", f);
		return report_flushed(f);
	}
	arr = json_object_new_array();
	if (!arr)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (add_journal(arr, &rows[i]) < 0)
			return -ENOMEM;
	return report_json_print(f, arr);
}

int report_rollback_text(FILE *f, const struct txn *t)
{
	fprintf(f, "Rolled back %s%s%s: %zu value%s restored and read back%s%s.\n", t->id,
		t->netns.given ? " in network namespace " : "",
		t->netns.given ? t->netns.given : "", t->n_keys, t->n_keys == 1 ? "" : "s",
		t->error ? "; " : "", t->error ? t->error : "");
	return report_flushed(f);
}

int report_confirm_text(FILE *f, const char *id)
{
	fprintf(f, "Transaction %s confirmed.\n", id);
	return report_flushed(f);
}
