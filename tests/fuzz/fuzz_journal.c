// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal reader (act/journal.h): the input is a journal file. What
 * txn_from_json() accepts must survive a round trip: txn_to_json() of it
 * succeeds, parses again, and serialises to the same text. Rollback trusts
 * these records, so a journal that reads as something it would not write
 * is a bug; the one exception is a version 1 rollback record, which is
 * history that tcptune no longer writes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "journal.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *text = fuzz_strdup(data, size), *msg = NULL;
	_cleanup_free_ char *json = NULL, *again = NULL;
	_cleanup_txn_ struct txn *t = NULL, *t2 = NULL;
	int r;

	r = txn_from_json(text, "fuzz.json", &t, &msg);
	if (r < 0) {
		fuzz_assert(r == -EBADMSG);
		fuzz_assert(msg && *msg);
		return 0;
	}
	fuzz_assert(t);
	/* Version 1's rollback records are history: read, never written again. */
	if (t->undoes) {
		fuzz_assert(txn_to_json(t, &json) == -EINVAL);
		return 0;
	}
	fuzz_assert(txn_to_json(t, &json) == 0);
	free(msg);
	msg = NULL;
	fuzz_assert(txn_from_json(json, "fuzz.json", &t2, &msg) == 0);
	fuzz_assert(txn_to_json(t2, &again) == 0);
	fuzz_assert(strcmp(json, again) == 0);
	return 0;
}
