// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The /proc/net parsers: the input is read as /proc/net/tcp and as
 * /proc/net/tcp6 (procnet_read(), streamed through its fixed buffer, into
 * one tally that is then finished into a snapshot), and parsed as
 * /proc/net/snmp and netstat (counters_parse_pairs()) and as sockstat and
 * sockstat6 (counters_parse_sockstat()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "fuzz.h"
#include "procnet.h"
#include "util.h"

static void read_sockets(const char *path)
{
	_cleanup_observation_ struct observation *o = observation_new();
	struct tally t;
	int r;

	fuzz_assert(o);
	tally_init(&t, false);
	tally_set_ephemeral(&t, 32768, 60999);
	for (enum obs_family f = OBS_V4; f < OBS_NFAMILY; f++) {
		_cleanup_free_ char *msg = NULL;

		r = procnet_read(path, f, &t, &msg);
		fuzz_assert(r == 0 || r == -EBADMSG);
		fuzz_assert(r == 0 || (msg && *msg));
	}
	fuzz_assert(tally_finish(&t, 5, o) == 0);
	tally_done(&t);
}

/* A counter already there: a failed parse must leave the array as it was. */
static void parse_counters(const char *text, bool pairs, const char *tag, const char *prefix)
{
	static const char *const sections[] = { "Tcp", "TcpExt", NULL };
	_cleanup_free_ char *msg = NULL;
	struct counter *arr = calloc(1, sizeof(*arr));
	size_t n = 1;
	int r;

	fuzz_assert(arr);
	arr[0].name = strdup("before");
	fuzz_assert(arr[0].name);
	if (pairs)
		r = counters_parse_pairs(text, sections, &arr, &n, &msg);
	else
		r = counters_parse_sockstat(text, tag, prefix, &arr, &n, &msg);
	fuzz_assert(r == 0 || r == -EBADMSG);
	fuzz_assert(r == 0 || (msg && *msg && n == 1));
	fuzz_assert(strcmp(arr[0].name, "before") == 0);
	for (size_t i = 1; i < n; i++)
		fuzz_assert(arr[i].name && *arr[i].name);
	counters_free(arr, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *path = fuzz_write_file("tcp", data, size);
	_cleanup_free_ char *text = fuzz_strdup(data, size);

	read_sockets(path);
	parse_counters(text, true, NULL, NULL);
	parse_counters(text, false, "TCP", "");
	parse_counters(text, false, "TCP6", "v6.");
	return 0;
}
