// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "procnet.h"
#include "util.h"

/*
 * tests/fixtures/procnet (and sockdiag, recorded from the same mix) was
 * captured in a private namespace holding (see ss-tan.txt): v4: a listener
 * on 127.0.0.1:8080 with 2 connections waiting to be accepted, 11
 * established, 2 time_wait, 1 close_wait and its fin_wait2 peer, a
 * TCP_DEFER_ACCEPT listener on 9090 holding 1 syn_recv request; v6: a
 * listener on [::1]:8443 and one established pair.
 */

static const struct listener *find_listener(const struct observation *o, uint16_t port)
{
	for (size_t i = 0; i < o->n_listeners; i++)
		if (o->listeners[i].port == port)
			return &o->listeners[i];
	fail_msg("no listener on port %u", port);
	return NULL;
}
static void test_fixture_counts(void **state)
{
	char *errmsg = NULL;
	struct tally t;
	struct observation *o = observation_new();
	const struct listener *l;

	(void)state;
	tally_init(&t, false);
	assert_int_equal(procnet_collect(FIXTURES "/procnet", &t, &errmsg), 0);
	assert_int_equal(tally_finish(&t, 5, o), 0);
	tally_done(&t);

	assert_int_equal(o->states[OBS_V4][TS_ESTABLISHED], 11);
	assert_int_equal(o->states[OBS_V4][TS_SYN_RECV], 1);
	assert_int_equal(o->states[OBS_V4][TS_TIME_WAIT], 2);
	assert_int_equal(o->states[OBS_V4][TS_CLOSE_WAIT], 1);
	assert_int_equal(o->states[OBS_V4][TS_FIN_WAIT2], 1);
	assert_int_equal(o->states[OBS_V4][TS_LISTEN], 2);
	assert_int_equal(o->states[OBS_V6][TS_ESTABLISHED], 2);
	assert_int_equal(o->states[OBS_V6][TS_LISTEN], 1);
	assert_int_equal(o->states[OBS_V6][TS_TIME_WAIT], 0);

	assert_int_equal(o->n_listeners, 3);
	l = find_listener(o, 8080);
	assert_int_equal(l->family, AF_INET);
	assert_int_equal(l->queue, 2);
	assert_int_equal(l->backlog, -1);
	assert_memory_equal(l->addr, "\x7f\x00\x00\x01", 4);
	l = find_listener(o, 8443);
	assert_int_equal(l->family, AF_INET6);
	assert_memory_equal(l->addr, &in6addr_loopback, 16);
	assert_int_equal(o->top[TS_SYN_RECV].ports[0].port, 9090);
	assert_true(o->top[TS_SYN_RECV].ports[0].server);

	/* 6 of the 10 established sockets are the server side on 8080. */
	assert_int_equal(o->top[TS_ESTABLISHED].ports[0].port, 8080);
	assert_int_equal(o->top[TS_ESTABLISHED].ports[0].count, 5);
	assert_true(o->top[TS_ESTABLISHED].ports[0].server);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[0].port, 8080);
	assert_true(o->top[TS_CLOSE_WAIT].ports[0].server);
	assert_false(o->top[TS_TIME_WAIT].ports[0].server);
	observation_free(o);
	free(errmsg);
}

static void test_bad_lines(void **state)
{
	static const char *const bad[] = {
		"",
		"0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000 0 0",
		"0: 0100007F1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000 0 0 8057",
		"0: 0100007G:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000 0 0 8057",
		"0: 0100007F:1F90 00000000:0000 0D 00000000:00000002 00:00000000 00000000 0 0 8057",
		"0: 0100007F:1F90 00000000:0000 0A 00000000-00000002 00:00000000 00000000 0 0 8057",
		"0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000 0 0 -1",
		"0: 0100007F:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000 0 0 8x",
	};
	struct tally t;

	(void)state;
	tally_init(&t, false);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *line = strdup(bad[i]);

		if (procnet_parse_line(line, OBS_V4, &t) != -EBADMSG)
			fail_msg("accepted bad line %zu: %s", i, bad[i]);
		free(line);
	}
	/* A v4 address in the v6 file is malformed too. */
	char *line = strdup("0: 0100007F:1F90 00000000:0000 01 0:0 00:0 0 0 0 77");
	assert_int_equal(procnet_parse_line(line, OBS_V6, &t), -EBADMSG);
	free(line);
	FOREACH_TCP_STATE(s)
		assert_int_equal(t.states[OBS_V4][s] + t.states[OBS_V6][s], 0);
	tally_done(&t);
}

static void test_file_errors(void **state)
{
	char *errmsg = NULL;
	char dir[] = "/tmp/tcptune-procnet-XXXXXX";
	char path[128];
	struct tally t;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tcp", dir);
	tally_init(&t, false);

	assert_int_equal(procnet_read(path, OBS_V4, &t, &errmsg), -ENOENT);
	assert_non_null(strstr(errmsg, path));

	f = fopen(path, "w");
	fputs("  sl  local_address ...\n"
	      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 "
	      "1\n"
	      "   1: 0100007F:1F90 0100007F:91B6 01 00000000:000",
	      f);
	fclose(f);
	assert_int_equal(procnet_read(path, OBS_V4, &t, &errmsg), -EBADMSG);
	assert_non_null(strstr(errmsg, "/tcp:3: malformed socket line"));

	f = fopen(path, "w");
	fclose(f);
	assert_int_equal(procnet_read(path, OBS_V4, &t, &errmsg), -EBADMSG);
	assert_non_null(strstr(errmsg, "empty file"));

	/* Only the header: no sockets, no error. The last line needs no newline. */
	f = fopen(path, "w");
	fputs("  sl  local_address\n"
	      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1",
	      f);
	fclose(f);
	tally_done(&t);
	tally_init(&t, false);
	assert_int_equal(procnet_read(path, OBS_V4, &t, &errmsg), 0);
	assert_int_equal(t.states[OBS_V4][TS_LISTEN], 1);

	tally_done(&t);
	unlink(path);
	rmdir(dir);
	free(errmsg);
}

/* Lines straddle the 128 KiB read buffer many times over. */
static void test_large_file(void **state)
{
	char dir[] = "/tmp/tcptune-procnet-XXXXXX";
	char path[128];
	char *errmsg = NULL;
	struct tally t;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/tcp", dir);
	f = fopen(path, "w");
	fputs("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid "
	      " timeout inode\n",
	      f);
	for (int i = 0; i < 50000; i++)
		fprintf(f,
			"%4d: 0100007F:%04X 0100007F:1F90 %02X 00000000:00000000 00:00000000 "
			"00000000     0        0 %d 1 0000000000000000 20 0 0 10 -1\n",
			i, 20000 + i % 1000, i % 3 ? 1 : 6, i % 3 ? 1000 + i : 0);
	fclose(f);
	tally_init(&t, false);
	assert_int_equal(procnet_read(path, OBS_V4, &t, &errmsg), 0);
	assert_int_equal(t.states[OBS_V4][TS_ESTABLISHED], 33333);
	assert_int_equal(t.states[OBS_V4][TS_TIME_WAIT], 16667);
	/* i = 1, 1001, ... 49001 land on port 20001; a third of them are time_wait. */
	assert_int_equal(t.ports[TS_ESTABLISHED][20001], 34);
	assert_int_equal(t.ports[TS_TIME_WAIT][20001], 16);
	tally_done(&t);
	unlink(path);
	rmdir(dir);
	free(errmsg);
}

/*
 * The timer columns: "tr" (1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero
 * window), retrnsmt in hex, and keepalive's unanswered probes in "timeout".
 */
static void test_timer_columns(void **state)
{
	static const char *const lines[] = {
		/* established to 10.0.0.2:5432, 17 retransmissions, 100 bytes in flight */
		"0: 0100007F:A000 0200000A:1538 01 00000064:00000000 01:00000010 00000011 0 0 31",
		/* the same peer, keepalive with 3 probes unanswered */
		"1: 0100007F:A001 0200000A:1538 01 00000000:00000000 02:00000010 00000000 0 3 32",
		/* the same peer, idle */
		"2: 0100007F:A002 0200000A:1538 01 00000000:00000000 00:00000000 00000000 0 0 33",
		/* an orphan probing a zero window */
		"3: 0100007F:A003 0300000A:0050 04 00001000:00000000 04:00000010 00000000 0 2 0",
		/* an orphaned FIN_WAIT2 kept as a TIME_WAIT socket */
		"4: 0100007F:A004 0300000A:0050 05 00000000:00000000 03:00000010 00000000 0 0 0",
	};
	_cleanup_observation_ struct observation *o = observation_new();
	char bad[] =
		"0: 0100007F:A000 0200000A:1538 01 00000064:00000000 0100000010 00000011 0 0 31";
	struct tally t;

	(void)state;
	tally_init(&t, false);
	tally_set_ephemeral(&t, 40000, 49999);
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		char *line = strdup(lines[i]);

		assert_non_null(line);
		assert_int_equal(procnet_parse_line(line, OBS_V4, &t), 0);
		free(line);
	}
	assert_int_equal(procnet_parse_line(bad, OBS_V4, &t), -EBADMSG);
	assert_int_equal(tally_finish(&t, 5, o), 0);
	tally_done(&t);
	assert_int_equal(o->stalled[STALL_RETRANS].sockets, 2);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].count, 2);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].retries, 17);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].idle, 1);
	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].sockets, 1);
	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].orphaned, 1);
	assert_int_equal(o->unheld[TS_FIN_WAIT2], 1);
	assert_int_equal(observation_orphans(o), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_counts), cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_file_errors),    cmocka_unit_test(test_large_file),
		cmocka_unit_test(test_timer_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
