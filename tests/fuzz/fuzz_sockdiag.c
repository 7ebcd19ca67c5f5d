// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The inet_diag message parser (observe/sockdiag.h): the input is one
 * buffer of netlink messages as a sock_diag dump hands it out, parsed into
 * a tally that is finished into a snapshot. Listeners and states counted
 * must match what the finished snapshot says.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sockdiag.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_observation_ struct observation *o = observation_new();
	/* Aligned as a recv() buffer is: the parser reads the headers in place. */
	_cleanup_free_ void *buf = malloc(size ? size : 1);
	bool done = true;
	struct tally t;
	size_t listeners;
	int r;

	fuzz_assert(o && buf);
	if (size)
		memcpy(buf, data, size);
	tally_init(&t, true);
	tally_set_ephemeral(&t, 32768, 60999);
	r = sockdiag_parse(buf, size, &t, &done);
	/* 0 or a negative errno: the kernel's, or -EBADMSG; never done on a failure. */
	fuzz_assert(r <= 0 && r > -4096);
	fuzz_assert(r == 0 || !done);
	if (r == 0) {
		listeners = t.n_listeners;
		fuzz_assert(tally_finish(&t, 5, o) == 0);
		fuzz_assert(o->n_listeners == listeners);
		fuzz_assert(observation_state_total(o, TS_LISTEN) == listeners);
	}
	tally_done(&t);
	return 0;
}
