// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dump-compare SS-4 SS-6: counts this namespace's sockets through both
 * sock_diag interfaces, each split in two halves by the port pivot, and a
 * plain dump, and checks every count per family and state against ss: SS-4
 * and SS-6 hold the output of `ss -tan -4` and `ss -tan -6` taken at the same
 * moment. Comparing the three with each other alone would pass whatever
 * tcptune's own parser gets wrong, since all three go through it; ss is an
 * independent count (iproute2's own parser). Prints the total; exits 1 on
 * any difference (each one on stderr), 2 when it cannot count, 64 on usage.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockdiag.h"

/* ss's names of the states it prints, as tcptune's. */
static const struct {
	const char *ss;
	enum tcp_state state;
} ss_names[] = {
	{ "ESTAB", TS_ESTABLISHED },	 { "SYN-SENT", TS_SYN_SENT },
	{ "SYN-RECV", TS_SYN_RECV },	 { "FIN-WAIT-1", TS_FIN_WAIT1 },
	{ "FIN-WAIT-2", TS_FIN_WAIT2 },	 { "TIME-WAIT", TS_TIME_WAIT },
	{ "UNCONN", TS_CLOSE },		 { "CLOSE", TS_CLOSE },
	{ "CLOSE-WAIT", TS_CLOSE_WAIT }, { "LAST-ACK", TS_LAST_ACK },
	{ "LISTEN", TS_LISTEN },	 { "CLOSING", TS_CLOSING },
};

/* Counts the first column of every line but the header. */
static int count_ss(const char *path, uint64_t out[TS_MAX])
{
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	FILE *f = fopen(path, "re");
	int r = 0;

	if (!f) {
		fprintf(stderr, "dump-compare: %s: %m\n", path);
		return -1;
	}
	memset(out, 0, TS_MAX * sizeof(out[0]));
	while (r == 0 && getline(&line, &cap, f) > 0) {
		size_t len = strcspn(line, " \t\n");
		size_t i;

		if (lineno++ == 0)
			continue; /* State Recv-Q Send-Q ... */
		for (i = 0; i < sizeof(ss_names) / sizeof(ss_names[0]); i++)
			if (strlen(ss_names[i].ss) == len &&
			    strncmp(line, ss_names[i].ss, len) == 0)
				break;
		if (i == sizeof(ss_names) / sizeof(ss_names[0])) {
			fprintf(stderr, "dump-compare: %s:%u: unknown ss state '%.*s'\n", path,
				lineno, (int)len, line);
			r = -1;
		} else {
			out[ss_names[i].state]++;
		}
	}
	if (r == 0 && lineno == 0) {
		fprintf(stderr, "dump-compare: %s: empty, not the output of ss\n", path);
		r = -1;
	}
	free(line);
	fclose(f);
	return r;
}

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
	free(errmsg);
	return r;
}

int main(int argc, char **argv)
{
	static const char *const how[] = { "plain dump", "legacy halves", "per-family halves" };
	uint64_t got[3][OBS_NFAMILY][TS_MAX], ss[OBS_NFAMILY][TS_MAX];
	uint64_t total = 0;
	int differ = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: dump-compare SS-TAN-4-FILE SS-TAN-6-FILE\n");
		return 64;
	}
	if (count_ss(argv[1], ss[OBS_V4]) < 0 || count_ss(argv[2], ss[OBS_V6]) < 0)
		return 2;
	if (count(SOCKDIAG_LEGACY, false, got[0]) < 0 || count(SOCKDIAG_LEGACY, true, got[1]) < 0 ||
	    count(SOCKDIAG_PER_FAMILY, true, got[2]) < 0)
		return 2;
	for (int f = 0; f < OBS_NFAMILY; f++)
		FOREACH_TCP_STATE(s) {
			total += ss[f][s];
			for (int k = 0; k < 3; k++) {
				if (got[k][f][s] == ss[f][s])
					continue;
				fprintf(stderr, "%s %s: ss %llu, %s %llu\n",
					f == OBS_V4 ? "ipv4" : "ipv6", tcp_state_name(s),
					(unsigned long long)ss[f][s], how[k],
					(unsigned long long)got[k][f][s]);
				differ = 1;
			}
		}
	if (differ)
		return 1;
	printf("%llu sockets counted alike by ss and all three\n", (unsigned long long)total);
	return 0;
}
