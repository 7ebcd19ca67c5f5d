// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Counts this namespace's sockets through both sock_diag interfaces, each
 * split in two halves by the port pivot, and checks that they agree with
 * each other and with a plain dump: the per-family fallback is otherwise
 * only used on kernels without the legacy interface. Prints the totals;
 * exits 1 on any difference.
 */
#include <stdio.h>
#include <string.h>

#include "sockdiag.h"

static int count(enum sockdiag_api api, bool split, uint64_t out[OBS_NFAMILY][TS_MAX])
{
	const struct sockdiag_req plain[] = { { true, 0, SOCKDIAG_ALL_STATES, SOCKDIAG_ALL, 0 } };
	char *errmsg = NULL;
	struct tally t;
	int r;

	tally_init(&t, false);
	r = split ? sockdiag_collect_with(&t, 46884, api, &errmsg)
		  : sockdiag_dump(plain, 1, &t, &errmsg);
	if (r < 0)
		fprintf(stderr, "dump-compare: %s\n", errmsg ? errmsg : "failed");
	memcpy(out, t.states, sizeof(t.states));
	tally_done(&t);
	return r;
}

int main(void)
{
	uint64_t plain[OBS_NFAMILY][TS_MAX], legacy[OBS_NFAMILY][TS_MAX], v2[OBS_NFAMILY][TS_MAX];
	uint64_t total = 0;

	if (count(SOCKDIAG_LEGACY, false, plain) < 0 || count(SOCKDIAG_LEGACY, true, legacy) < 0 ||
	    count(SOCKDIAG_PER_FAMILY, true, v2) < 0)
		return 2;
	for (int f = 0; f < OBS_NFAMILY; f++)
		FOREACH_TCP_STATE(s) {
			total += plain[f][s];
			if (plain[f][s] != legacy[f][s] || plain[f][s] != v2[f][s]) {
				fprintf(stderr,
					"%s %s: plain %llu, legacy halves %llu, per-family halves "
					"%llu\n",
					f == OBS_V4 ? "ipv4" : "ipv6", tcp_state_name(s),
					(unsigned long long)plain[f][s],
					(unsigned long long)legacy[f][s],
					(unsigned long long)v2[f][s]);
				return 1;
			}
		}
	printf("%llu sockets counted alike by all three\n", (unsigned long long)total);
	return 0;
}
