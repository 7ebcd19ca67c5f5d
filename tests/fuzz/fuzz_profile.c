// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The profile loader (act/profile.h): the input is a profile file, loaded
 * by path and by its name ("fuzz") from a directory list that also holds
 * the test profiles, so that `include:` can name a real profile, itself
 * (a cycle) or one that is missing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "profile.h"
#include "util.h"

static void check(const struct profile *p)
{
	fuzz_assert(p->name && p->description && p->path);
	/* Resolved: every key once, in key order, each with a value and an origin. */
	for (size_t i = 0; i < p->n; i++) {
		const struct profile_entry *e = &p->entries[i];

		fuzz_assert(e->key && e->value && e->origin);
		fuzz_assert(e->kind == REC_SET || e->kind == REC_MIN || e->kind == REC_MAX);
		fuzz_assert(i == 0 || strcmp(p->entries[i - 1].key, e->key) < 0);
	}
}

static void load(const char *name_or_path, const char *const *dirs)
{
	struct load_errors errs = { 0 };
	struct profile p = { 0 };
	int r;

	r = profile_load(name_or_path, dirs, &p, &errs);
	/* The file is there and readable: it loads, or every problem is listed. */
	fuzz_assert(r == 0 || r == -EBADMSG);
	fuzz_assert((r == 0) == (errs.n == 0));
	for (size_t i = 0; i < errs.n; i++)
		fuzz_assert(errs.msgs[i] && *errs.msgs[i]);
	if (r == 0)
		check(&p);
	profile_free(&p);
	load_errors_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = fuzz_write_file("fuzz.yaml", data, size);
	const char *const dirs[] = { fuzz_tmpdir(), TCPTUNE_SOURCE_DIR "/tests/fixtures/profiles",
				     NULL };

	load(path, dirs);
	load("fuzz", dirs);
	return 0;
}
