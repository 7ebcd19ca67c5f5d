// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rule loader (judge/rules.h): the input is a rule file. It is loaded
 * twice into one ruleset, the second time as a layer over the first (same
 * ids replace, `enabled: false` stubs disable); what loads has its sysctl
 * keys listed and its templates expanded against a snapshot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules.h"
#include "util.h"

static void expand(const char *tmpl)
{
	_cleanup_free_ char *s = NULL;

	if (!tmpl)
		return;
	s = rule_interpolate(tmpl, fuzz_snapshot());
	fuzz_assert(s);
}

static void use(const struct ruleset *rs)
{
	char **keys = ruleset_sysctl_keys(rs);

	fuzz_assert(keys);
	strv_free(keys);
	for (size_t i = 0; i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		fuzz_assert(r->id && ruleset_find(rs, r->id) == r);
		/* A rule that is there to be judged has its condition. */
		fuzz_assert(!r->enabled || (r->when && r->summary));
		expand(r->summary);
		expand(r->explain);
		expand(r->action);
	}
}

static void load(struct ruleset *rs, const char *path)
{
	struct load_errors errs = { 0 };
	size_t before = rs->n;
	int r;

	r = ruleset_load(rs, path, &errs);
	/* Every refusal says why, and leaves the ruleset as it was. */
	fuzz_assert(r == 0 || r == -EBADMSG);
	fuzz_assert((r == 0) == (errs.n == 0));
	fuzz_assert(r == 0 || rs->n == before);
	for (size_t i = 0; i < errs.n; i++)
		fuzz_assert(errs.msgs[i] && *errs.msgs[i]);
	load_errors_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = fuzz_write_file("rules.yaml", data, size);
	struct ruleset rs = { 0 };

	load(&rs, path);
	load(&rs, path);
	use(&rs);
	ruleset_free(&rs);
	return 0;
}
