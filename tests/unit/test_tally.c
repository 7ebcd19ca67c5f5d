// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tally.h"

static void add(struct tally *t, enum tcp_state s, uint16_t port, unsigned n, uint32_t inode)
{
	for (unsigned i = 0; i < n; i++)
		tally_socket(t, OBS_V4, s, port, inode);
}

static void test_top_order_and_roles(void **state)
{
	struct observation *o = observation_new();
	struct listener l = { .family = AF_INET, .port = 80, .backlog = 128 };
	struct tally t;

	(void)state;
	tally_init(&t, true);
	tally_socket(&t, OBS_V4, TS_LISTEN, 80, 7);
	tally_listener(&t, &l);
	add(&t, TS_TIME_WAIT, 50000, 3, 0);
	add(&t, TS_TIME_WAIT, 40000, 3, 0); /* ties go to the lower port */
	add(&t, TS_TIME_WAIT, 80, 9, 0);
	add(&t, TS_TIME_WAIT, 1, 1, 0);
	add(&t, TS_CLOSE_WAIT, 80, 4, 4242);
	add(&t, TS_CLOSE_WAIT, 80, 1, 4343); /* the first inode seen is the sample */

	assert_int_equal(tally_finish(&t, 3, o), 0);
	tally_done(&t);
	assert_int_equal(o->top[TS_TIME_WAIT].n, 3);
	assert_int_equal(o->top[TS_TIME_WAIT].ports[0].port, 80);
	assert_int_equal(o->top[TS_TIME_WAIT].ports[0].count, 9);
	assert_true(o->top[TS_TIME_WAIT].ports[0].server);
	assert_int_equal(o->top[TS_TIME_WAIT].ports[1].port, 40000);
	assert_int_equal(o->top[TS_TIME_WAIT].ports[2].port, 50000);
	assert_false(o->top[TS_TIME_WAIT].ports[2].server);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[0].count, 5);
	assert_int_equal(o->top[TS_CLOSE_WAIT].ports[0].inode, 4242);
	assert_int_equal(o->top[TS_LISTEN].n, 0);
	assert_int_equal(o->top[TS_ESTABLISHED].n, 0);
	assert_int_equal(o->n_listeners, 1);
	assert_int_equal(o->states[OBS_V4][TS_TIME_WAIT], 16);
	/* Port 80 has a listener: its 9 are the server side, the other 7 the client side. */
	assert_int_equal(o->client[TS_TIME_WAIT], 7);
	assert_int_equal(o->client[TS_CLOSE_WAIT], 0);
	observation_free(o);
}

static void test_merge(void **state)
{
	struct observation *o = observation_new();
	struct listener l = { .family = AF_INET6, .port = 443 };
	struct tally a, b;

	(void)state;
	tally_init(&a, false);
	tally_init(&b, false);
	add(&a, TS_ESTABLISHED, 443, 10, 0);
	add(&b, TS_ESTABLISHED, 443, 5, 0);
	add(&b, TS_SYN_RECV, 443, 2, 0);
	tally_socket(&b, OBS_V6, TS_LISTEN, 443, 0);
	tally_listener(&b, &l);
	tally_merge(&a, &b);
	assert_null(b.ports[TS_ESTABLISHED]);
	assert_int_equal(tally_finish(&a, 5, o), 0);
	tally_done(&a);
	assert_int_equal(o->top[TS_ESTABLISHED].ports[0].count, 15);
	assert_int_equal(o->top[TS_SYN_RECV].ports[0].count, 2);
	assert_true(o->top[TS_SYN_RECV].ports[0].server);
	assert_int_equal(o->states[OBS_V6][TS_LISTEN], 1);
	assert_int_equal(o->n_listeners, 1);
	observation_free(o);
}

/*
 * Every state through a merge and tally_finish(): counts per family, busiest
 * ports and client-side counts, from LISTEN's and CLOSE's (which have none)
 * to CLOSING, the last. The states are spelled out, not looped over with
 * FOREACH_TCP_STATE, which is what the code under test loops with.
 */
static void test_every_state(void **state)
{
	static const enum tcp_state all[] = {
		TS_ESTABLISHED, TS_SYN_SENT,  TS_SYN_RECV, TS_FIN_WAIT1,
		TS_FIN_WAIT2,	TS_TIME_WAIT, TS_CLOSE,	   TS_CLOSE_WAIT,
		TS_LAST_ACK,	TS_LISTEN,    TS_CLOSING,
	};
	struct observation *o = observation_new();
	struct tally a, b;

	(void)state;
	tally_init(&a, false);
	tally_init(&b, false);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		enum tcp_state s = all[i];

		for (unsigned k = 0; k < s; k++)
			tally_socket(&a, OBS_V4, s, (uint16_t)(1000 + s), 0);
		for (unsigned k = 0; k < 10u * s; k++)
			tally_socket(&b, OBS_V6, s, (uint16_t)(2000 + s), 0);
	}
	tally_merge(&a, &b);
	assert_int_equal(tally_finish(&a, 5, o), 0);
	tally_done(&a);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		enum tcp_state s = all[i];
		bool has_ports = s != TS_LISTEN && s != TS_CLOSE;

		if (o->states[OBS_V4][s] != s || o->states[OBS_V6][s] != 10u * s)
			fail_msg("%s: %llu and %llu", tcp_state_name(s),
				 (unsigned long long)o->states[OBS_V4][s],
				 (unsigned long long)o->states[OBS_V6][s]);
		/* No listener: every socket with a port is the client side. */
		assert_int_equal(o->client[s], has_ports ? 11u * s : 0);
		assert_int_equal(o->top[s].n, has_ports ? 2 : 0);
		if (!has_ports)
			continue;
		assert_int_equal(o->top[s].ports[0].port, 2000 + s);
		assert_int_equal(o->top[s].ports[0].count, 10u * s);
		assert_int_equal(o->top[s].ports[1].port, 1000 + s);
		assert_int_equal(o->top[s].ports[1].count, s);
	}
	observation_free(o);
}

/* Every port counted once, top capped: memory does not depend on the socket count. */
static void test_all_ports(void **state)
{
	struct observation *o = observation_new();
	struct tally t;

	(void)state;
	tally_init(&t, false);
	for (unsigned p = 0; p < TALLY_PORTS; p++)
		add(&t, TS_ESTABLISHED, (uint16_t)p, 1 + (p == 65535), 0);
	assert_int_equal(tally_finish(&t, 5000, o), 0);
	tally_done(&t);
	assert_int_equal(o->top[TS_ESTABLISHED].n, TALLY_TOP_MAX);
	assert_int_equal(o->top[TS_ESTABLISHED].ports[0].port, 65535);
	assert_int_equal(o->top[TS_ESTABLISHED].ports[1].port, 0);
	assert_int_equal(o->top[TS_ESTABLISHED].ports[TALLY_TOP_MAX - 1].port, TALLY_TOP_MAX - 2);
	observation_free(o);
}

static void peer(struct tally *t, uint32_t ip, uint16_t dport, uint16_t sport)
{
	uint8_t addr[16] = { 0 };

	memcpy(addr, &ip, 4);
	tally_socket(t, OBS_V4, TS_TIME_WAIT, sport, 0);
	tally_conn(t, &(struct conn){ .f = OBS_V4,
				      .s = TS_TIME_WAIT,
				      .sport = sport,
				      .dport = dport,
				      .daddr = addr,
				      .timer = TIMER_TIME_WAIT });
}

static void test_peers(void **state)
{
	struct observation *o = observation_new();
	struct tally a, b;

	(void)state;
	tally_init(&a, false);
	tally_init(&b, false);
	tally_set_ephemeral(&a, 40000, 40999);
	tally_set_ephemeral(&b, 40000, 40999);
	for (int i = 0; i < 700; i++)
		peer(i % 2 ? &a : &b, htonl(0x0a000005), 5432, (uint16_t)(40000 + i));
	for (int i = 0; i < 30; i++)
		peer(&a, htonl(0x0a000006), 5432, (uint16_t)(40000 + i));
	/* A server-side socket (local port 80) and one outside the range are no client's. */
	peer(&a, htonl(0x0a000007), 33333, 80);
	peer(&a, htonl(0x0a000007), 33333, 41000);
	tally_merge(&a, &b);
	assert_int_equal(tally_finish(&a, 5, o), 0);
	tally_done(&a);
	assert_int_equal(o->n_peers, 2);
	assert_int_equal(o->peers[0].count, 700);
	assert_int_equal(o->peers[0].port, 5432);
	assert_memory_equal(o->peers[0].addr, "\x0a\x00\x00\x05", 4);
	assert_int_equal(o->peers[1].count, 30);
	observation_free(o);
}

/* Thousands of destinations: probing stays bounded, the rest is untracked, never grown. */
static void test_peers_bounded(void **state)
{
	struct tally t;
	uint64_t tracked = 0;

	(void)state;
	tally_init(&t, false);
	tally_set_ephemeral(&t, 1024, 65535);
	for (uint32_t i = 0; i < 20000; i++)
		peer(&t, htonl(0x0b000000 + i), 443, 50000);
	for (size_t i = 0; i < TALLY_PEER_SLOTS; i++)
		tracked += t.peers.slots[i].count;
	assert_true(t.peers.n <= TALLY_PEER_SLOTS);
	assert_int_equal(tracked + t.peers.untracked, 20000);
	assert_true(t.peers.untracked >= 20000 - TALLY_PEER_SLOTS);
	tally_done(&t);
}

/* Held sockets: recorded per state with their cgroup, merged, capped, handed over. */
static void test_held(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	struct tally a, b;

	(void)state;
	tally_init(&a, false);
	tally_init(&b, false);
	tally_held(&a, TS_CLOSE_WAIT, 8080, 11, 500);
	tally_held(&a, TS_CLOSE_WAIT, 8080, 0, 500); /* an orphan: nobody holds it */
	tally_held(&b, TS_CLOSE_WAIT, 9090, 12, 600);
	tally_held(&b, TS_CLOSE_WAIT, 8080, 13, 500);
	tally_held(&b, TS_FIN_WAIT2, 1024, 14, 0);
	tally_merge(&a, &b);
	assert_int_equal(a.n_held[TS_CLOSE_WAIT], 3);
	assert_int_equal(a.n_held_cgroups, 2);
	assert_int_equal(a.held[TS_CLOSE_WAIT][1].inode, 12);
	assert_int_equal(a.held_cgroups[a.held[TS_CLOSE_WAIT][1].cgroup - 1], 600);
	assert_int_equal(a.held_cgroups[a.held[TS_CLOSE_WAIT][2].cgroup - 1], 500);
	assert_int_equal(a.held[TS_FIN_WAIT2][0].cgroup, 0);
	for (uint32_t i = 0; i < HELD_MAX; i++)
		tally_held(&a, TS_ESTABLISHED, 80, i + 1, 0);
	assert_false(a.held_full[TS_ESTABLISHED]);
	tally_held(&a, TS_ESTABLISHED, 80, 1u << 30, 0);
	assert_true(a.held_full[TS_ESTABLISHED]);
	assert_int_equal(a.n_held[TS_ESTABLISHED], HELD_MAX);
	assert_int_equal(tally_finish(&a, 5, o), 0);
	assert_int_equal(o->n_held[TS_CLOSE_WAIT], 3);
	assert_int_equal(o->held[TS_FIN_WAIT2][0].port, 1024);
	assert_true(o->held_full[TS_ESTABLISHED]);
	assert_int_equal(o->held_cgroups[1], 600);
	tally_done(&a);
	tally_done(&b);
}

/* A connection to 10.0.0.<host>:dport from local port sport. */
static void conn(struct tally *t, enum tcp_state s, uint8_t host, uint16_t dport, uint16_t sport,
		 uint32_t inode, enum tcp_timer timer, uint8_t retries, uint32_t wqueue)
{
	uint8_t addr[16] = { 10, 0, 0, host };

	tally_socket(t, OBS_V4, s, sport, inode);
	tally_conn(t, &(struct conn){ .f = OBS_V4,
				      .s = s,
				      .sport = sport,
				      .dport = dport,
				      .daddr = addr,
				      .inode = inode,
				      .wqueue = wqueue,
				      .timer = (uint8_t)timer,
				      .retries = retries });
}

/* Orphans are counted per state; TIME_WAIT and SYN_RECV are not orphans of the namespace. */
static void test_orphans(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	struct tally a, b;

	(void)state;
	tally_init(&a, false);
	tally_init(&b, false);
	for (uint16_t i = 0; i < 30; i++)
		conn(i % 2 ? &a : &b, TS_FIN_WAIT2, 1, 80, (uint16_t)(40000 + i), 0,
		     TIMER_TIME_WAIT, 0, 0);
	for (uint16_t i = 0; i < 20; i++)
		conn(&a, TS_FIN_WAIT2, 1, 80, (uint16_t)(41000 + i), 100u + i, TIMER_NONE, 0, 0);
	conn(&a, TS_FIN_WAIT1, 1, 80, 42000, 0, TIMER_RETRANS, 1, 10);
	conn(&a, TS_TIME_WAIT, 1, 80, 42001, 0, TIMER_TIME_WAIT, 0, 0);
	conn(&b, TS_SYN_RECV, 1, 80, 8080, 0, TIMER_RETRANS, 2, 0);
	tally_merge(&a, &b);
	assert_int_equal(tally_finish(&a, 5, o), 0);
	tally_done(&a);
	assert_int_equal(o->unheld[TS_FIN_WAIT2], 30);
	assert_int_equal(observation_state_total(o, TS_FIN_WAIT2), 50);
	assert_int_equal(o->unheld[TS_FIN_WAIT1], 1);
	assert_int_equal(o->unheld[TS_TIME_WAIT], 1);
	assert_int_equal(observation_orphans(o), 31);
}

/*
 * Stalled connections by endpoint: a client's by address and port, a server's
 * peers by host; the retransmission timer counts once it fired, zero-window
 * probes always; SYN_RECV's timer is the handshake's. The idle connections to
 * a stalled client-side endpoint are counted with it.
 */
static void test_stalled(void **state)
{
	_cleanup_observation_ struct observation *o = observation_new();
	struct tally a, b;
	char buf[64];

	(void)state;
	tally_init(&a, false);
	tally_init(&b, false);
	tally_set_ephemeral(&a, 40000, 49999);
	tally_set_ephemeral(&b, 40000, 49999);
	for (uint16_t i = 0; i < 12; i++)
		conn(i % 2 ? &a : &b, TS_ESTABLISHED, 2, 5432, (uint16_t)(40000 + i), 10u + i,
		     TIMER_RETRANS, (uint8_t)(1 + i), 100);
	for (uint16_t i = 0; i < 7; i++) /* idle to the same endpoint */
		conn(i % 2 ? &a : &b, TS_ESTABLISHED, 2, 5432, (uint16_t)(41000 + i), 50u + i,
		     i == 0 ? TIMER_KEEPALIVE : TIMER_NONE, 0, 0);
	conn(&a, TS_ESTABLISHED, 2, 5432, 41100, 60, TIMER_NONE, 0, 5);	     /* data in flight */
	conn(&a, TS_ESTABLISHED, 2, 5432, 41101, 61, TIMER_RETRANS, 0, 5);   /* a loss probe */
	conn(&a, TS_ESTABLISHED, 2, 5432, 41102, 62, TIMER_KEEPALIVE, 3, 0); /* unanswered */
	for (uint16_t i = 0; i < 5; i++) /* server side: clients on ports of their own */
		conn(&b, TS_LAST_ACK, 3, (uint16_t)(50000 + i), 80, 0, TIMER_RETRANS, 4, 1);
	conn(&b, TS_SYN_RECV, 4, 50000, 80, 0, TIMER_RETRANS, 5, 0);
	for (uint16_t i = 0; i < 3; i++)
		conn(&a, TS_FIN_WAIT1, 5, 8080, (uint16_t)(42000 + i), 0, TIMER_PROBE0, 0, 4096);
	conn(&a, TS_ESTABLISHED, 5, 8080, 42010, 70, TIMER_PROBE0, 2, 4096);
	tally_merge(&a, &b);
	assert_int_equal(tally_finish(&a, 5, o), 0);
	tally_done(&a);

	assert_int_equal(o->stalled[STALL_RETRANS].sockets, 18);
	assert_int_equal(o->stalled[STALL_RETRANS].orphaned, 5);
	assert_int_equal(o->stalled[STALL_RETRANS].n_peers, 2);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].count, 13);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].retries, 12);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].idle, 7);
	assert_int_equal(endpoint_format(AF_INET, o->stalled[STALL_RETRANS].peers[0].addr,
					 o->stalled[STALL_RETRANS].peers[0].port, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "10.0.0.2:5432");
	assert_int_equal(o->stalled[STALL_RETRANS].peers[1].count, 5);
	assert_int_equal(endpoint_format(AF_INET, o->stalled[STALL_RETRANS].peers[1].addr,
					 o->stalled[STALL_RETRANS].peers[1].port, buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "10.0.0.3");
	assert_int_equal(o->stalled[STALL_RETRANS].peers[1].idle, 0);

	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].sockets, 4);
	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].orphaned, 3);
	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].peers[0].count, 4);
	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].peers[0].orphaned, 3);
	/* The client-side table still names the busiest endpoint. */
	assert_int_equal(o->peers[0].count, 22);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_order_and_roles),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_every_state),
		cmocka_unit_test(test_all_ports),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_peers_bounded),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_orphans),
		cmocka_unit_test(test_stalled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
