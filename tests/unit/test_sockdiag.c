// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <limits.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>

#include "sockdiag.h"
#include "util.h"

/* The dumps were recorded from the mix described in test_procnet.c. */
static struct observation *replay(const char *const *files)
{
	struct observation *o = observation_new();
	struct tally t;

	tally_init(&t, false);
	for (; *files; files++) {
		_cleanup_free_ char *buf = NULL, *path = path_join(FIXTURES "/sockdiag", *files);
		size_t len;
		bool done;

		assert_int_equal(read_file_str(path, 1 << 20, &buf, &len), 0);
		assert_int_equal(sockdiag_parse(buf, len, &t, &done), 0);
		assert_true(done);
	}
	assert_int_equal(tally_finish(&t, 5, o), 0);
	tally_done(&t);
	return o;
}

static void check_mix(const struct observation *o)
{
	assert_int_equal(o->states[OBS_V4][TS_ESTABLISHED], 11);
	assert_int_equal(o->states[OBS_V4][TS_SYN_RECV], 1); /* a NEW_SYN_RECV request */
	assert_int_equal(o->states[OBS_V4][TS_TIME_WAIT], 2);
	assert_int_equal(o->states[OBS_V4][TS_CLOSE_WAIT], 1);
	assert_int_equal(o->states[OBS_V4][TS_FIN_WAIT2], 1);
	assert_int_equal(o->states[OBS_V4][TS_LISTEN], 2);
	assert_int_equal(o->states[OBS_V6][TS_ESTABLISHED], 2);
	assert_int_equal(o->states[OBS_V6][TS_LISTEN], 1);
	assert_int_equal(o->n_listeners, 3);
	for (size_t i = 0; i < o->n_listeners; i++) {
		const struct listener *l = &o->listeners[i];

		/* sock_diag tells the accept-queue limit: listen(fd, 16). */
		assert_int_equal(l->backlog, 16);
		assert_int_equal(l->queue, l->port == 8080 ? 2 : 0);
		assert_int_equal(l->family, l->port == 8443 ? AF_INET6 : AF_INET);
	}
	assert_int_equal(o->top[TS_ESTABLISHED].ports[0].port, 8080);
	assert_int_equal(o->top[TS_ESTABLISHED].ports[0].count, 5);
	assert_int_equal(o->top[TS_SYN_RECV].ports[0].port, 9090);
	assert_true(o->top[TS_SYN_RECV].ports[0].server);
}

static void test_replay_legacy(void **state)
{
	static const char *const files[] = { "legacy.bin", NULL };
	struct observation *o = replay(files);

	(void)state;
	check_mix(o);
	observation_free(o);
}

static void test_replay_per_family(void **state)
{
	static const char *const files[] = { "v4.bin", "v6.bin", NULL };
	struct observation *o = replay(files);

	(void)state;
	check_mix(o);
	observation_free(o);
}

/*
 * allstates-*.bin hold every state. Recorded in a private network namespace
 * (lo up) holding
 *   sockmix --listeners 1 --established 5 --syn-recv 3 --syn-sent 4 --fin-wait1 8
 *           --last-ack 6 --closing 2 --close-wait 3 --orphan-close-wait 1
 *           --time-wait 7 --bound 16 --v6-percent 30 --procs 1
 * with record-dump --bound-inactive legacy|v4|v6 allstates-<that>.bin; sockmix's
 * counts are in allstates-sockmix.json, what ss -tan saw in allstates-ss-tan.txt.
 * --bound-inactive asks for the sockets that are only bound as well, which the
 * kernel reports in state TCP_CLOSE: the only way a dump holds that state (the
 * 16 bound sockets, which sockmix and ss do not count). In IPv4 every state
 * has a count of its own, so that two states mixed up cannot pass.
 */
static const uint64_t all_states[OBS_NFAMILY][TS_MAX] = {
	[OBS_V4] = {
		[TS_ESTABLISHED] = 8, [TS_SYN_SENT] = 3, [TS_SYN_RECV] = 2, [TS_FIN_WAIT1] = 7,
		[TS_FIN_WAIT2] = 6, [TS_TIME_WAIT] = 5, [TS_CLOSE] = 11, [TS_CLOSE_WAIT] = 9,
		[TS_LAST_ACK] = 4, [TS_LISTEN] = 10, [TS_CLOSING] = 1,
	},
	[OBS_V6] = {
		[TS_ESTABLISHED] = 5, [TS_SYN_SENT] = 1, [TS_SYN_RECV] = 1, [TS_FIN_WAIT1] = 3,
		[TS_FIN_WAIT2] = 3, [TS_TIME_WAIT] = 2, [TS_CLOSE] = 5, [TS_CLOSE_WAIT] = 3,
		[TS_LAST_ACK] = 2, [TS_LISTEN] = 8, [TS_CLOSING] = 1,
	},
};

static void check_all_states(const struct observation *o)
{
	for (int f = 0; f < OBS_NFAMILY; f++)
		FOREACH_TCP_STATE(s)
			if (o->states[f][s] != all_states[f][s])
				fail_msg("%s %s: %llu, expected %llu", f == OBS_V4 ? "v4" : "v6",
					 tcp_state_name(s), (unsigned long long)o->states[f][s],
					 (unsigned long long)all_states[f][s]);
	assert_int_equal(o->n_listeners, 18);
	/* Ports are counted for every state but LISTEN and CLOSE. */
	FOREACH_TCP_STATE(s) {
		uint64_t in_top = 0;

		for (size_t i = 0; i < o->top[s].n; i++)
			in_top += o->top[s].ports[i].count;
		if (s == TS_LISTEN || s == TS_CLOSE)
			assert_int_equal(o->top[s].n, 0);
		else if (in_top == 0)
			fail_msg("%s: no busiest port", tcp_state_name(s));
	}
	/* Every CLOSING socket is the client side of its connection. */
	assert_int_equal(o->client[TS_CLOSING], 2);
}

static void test_replay_all_states_legacy(void **state)
{
	static const char *const files[] = { "allstates-legacy.bin", NULL };
	struct observation *o = replay(files);

	(void)state;
	check_all_states(o);
	observation_free(o);
}

static void test_replay_all_states_per_family(void **state)
{
	static const char *const files[] = { "allstates-v4.bin", "allstates-v6.bin", NULL };
	struct observation *o = replay(files);

	(void)state;
	check_all_states(o);
	observation_free(o);
}

/* One message of each kernel state number: what is counted, and as what. */
static void test_every_kernel_state(void **state)
{
	static const unsigned kernel[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255 };
	struct msg {
		struct nlmsghdr h;
		struct inet_diag_msg m;
	};
	const size_t n = sizeof(kernel) / sizeof(kernel[0]);
	struct msg *buf = calloc(3 * n + 1, sizeof(*buf));
	struct tally t;
	size_t k = 0;
	bool done;

	(void)state;
	assert_non_null(buf);
	/* Each state once in IPv4, twice in IPv6, from distinct ports. */
	for (size_t i = 0; i < n; i++)
		for (int copy = 0; copy < 3; copy++, k++)
			buf[k] = (struct msg){
				.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)),
				       .nlmsg_type = SOCK_DIAG_BY_FAMILY },
				.m = { .idiag_family = copy == 0 ? AF_INET : AF_INET6,
				       .idiag_state = (uint8_t)kernel[i],
				       .id = { .idiag_sport = htons((uint16_t)(2000 + k)) } },
			};
	buf[k].h = (struct nlmsghdr){ .nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_DONE };
	tally_init(&t, false);
	assert_int_equal(sockdiag_parse(buf, (k + 1) * sizeof(*buf), &t, &done), 0);
	assert_true(done);
	FOREACH_TCP_STATE(s) {
		/* Kernel states 1..11 are ours; 12, a request socket, is one more SYN_RECV. */
		uint64_t want = s == TS_SYN_RECV ? 2 : 1;

		if (t.states[OBS_V4][s] != want || t.states[OBS_V6][s] != 2 * want)
			fail_msg("%s: %llu and %llu, expected %llu and %llu", tcp_state_name(s),
				 (unsigned long long)t.states[OBS_V4][s],
				 (unsigned long long)t.states[OBS_V6][s], (unsigned long long)want,
				 (unsigned long long)(2 * want));
	}
	tally_done(&t);
	free(buf);
}

static void test_truncated(void **state)
{
	_cleanup_free_ char *buf = NULL;
	struct tally t;
	size_t len;
	bool done;

	(void)state;
	assert_int_equal(read_file_str(FIXTURES "/sockdiag/legacy.bin", 1 << 20, &buf, &len), 0);
	tally_init(&t, false);
	/* Cut inside the first message: neither a count nor a crash. */
	assert_int_equal(sockdiag_parse(buf, 40, &t, &done), -EBADMSG);
	assert_false(done);
	/* A header that claims more than it holds. */
	((struct nlmsghdr *)buf)->nlmsg_len = 20;
	assert_int_equal(sockdiag_parse(buf, len, &t, &done), -EBADMSG);
	tally_done(&t);
}

static void test_error_and_done(void **state)
{
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} err = {
		.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)),
		       .nlmsg_type = NLMSG_ERROR },
		.e = { .error = -EINVAL },
	};
	struct {
		struct nlmsghdr h;
		struct inet_diag_msg m;
	} msg = {
		.h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)),
		       .nlmsg_type = SOCK_DIAG_BY_FAMILY },
		.m = { .idiag_family = AF_INET, .idiag_state = 13 /* BOUND_INACTIVE */ },
	};
	struct nlmsghdr done_msg = { .nlmsg_len = NLMSG_LENGTH(4), .nlmsg_type = NLMSG_DONE };
	unsigned char buf[256];
	struct tally t;
	bool done;

	(void)state;
	tally_init(&t, false);
	assert_int_equal(sockdiag_parse(&err, sizeof(err), &t, &done), -EINVAL);
	/* A corrupt error code is no errno for the caller to strerror(-r). */
	err.e.error = INT_MIN;
	assert_int_equal(sockdiag_parse(&err, sizeof(err), &t, &done), -EBADMSG);
	/* A state that is no connection is skipped, a strange family refused. */
	memcpy(buf, &msg, sizeof(msg));
	memcpy(buf + sizeof(msg), &done_msg, sizeof(done_msg));
	assert_int_equal(
		sockdiag_parse(buf, sizeof(msg) + NLMSG_ALIGN(done_msg.nlmsg_len), &t, &done), 0);
	assert_true(done);
	FOREACH_TCP_STATE(s)
		assert_int_equal(t.states[OBS_V4][s], 0);
	msg.m.idiag_state = 1;
	msg.m.idiag_family = AF_UNIX;
	assert_int_equal(sockdiag_parse(&msg, sizeof(msg), &t, &done), -EBADMSG);
	tally_done(&t);
}

/* The kernel's audit (inet_diag_bc_audit, port comparisons only), as a model. */
static bool on_yes_chain(const unsigned char *bc, int len, int cc)
{
	while (len >= 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;

		if (cc > len)
			return false;
		if (cc == len)
			return true;
		if (op->yes < 4 || op->yes & 3)
			return false;
		len -= op->yes;
		bc += op->yes;
	}
	return false;
}

static bool audit(const unsigned char *bc, int len)
{
	const unsigned char *start = bc;
	int total = len;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int min_len = op->code == INET_DIAG_BC_JMP	     ? 4
			      : op->code == INET_DIAG_BC_CGROUP_COND ? 12
								     : 8;

		if (op->no < min_len || op->no > len + 4 || op->no & 3)
			return false;
		if (op->no < len && !on_yes_chain(start, total, len - op->no))
			return false;
		if (op->yes < min_len || op->yes > len + 4 || op->yes & 3)
			return false;
		bc += op->yes;
		len -= op->yes;
	}
	return len == 0;
}

/* The kernel's interpreter (inet_diag_bc_run) for the ops tcptune uses. */
static bool run_cg(const unsigned char *bc, int len, uint16_t sport, uint16_t dport,
		   uint64_t cgroup)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		bool yes = true;

		switch (op->code) {
		case INET_DIAG_BC_JMP:
			yes = false;
			break;
		case INET_DIAG_BC_S_GE:
			yes = sport >= op[1].no;
			break;
		case INET_DIAG_BC_D_GE:
			yes = dport >= op[1].no;
			break;
		case INET_DIAG_BC_D_LE:
			yes = dport <= op[1].no;
			break;
		case INET_DIAG_BC_S_LE:
			yes = sport <= op[1].no;
			break;
		case INET_DIAG_BC_CGROUP_COND: {
			uint64_t id;

			memcpy(&id, op + 1, sizeof(id));
			yes = id == cgroup;
			break;
		}
		default:
			fail_msg("unexpected op %u", op->code);
		}
		len -= yes ? op->yes : op->no;
		bc += yes ? op->yes : op->no;
	}
	return len == 0;
}

static bool run(const unsigned char *bc, int len, uint16_t sport, uint16_t dport)
{
	return run_cg(bc, len, sport, dport, 0);
}

static void test_split_bytecode(void **state)
{
	static const uint16_t pivots[] = { 46884, 1, 65535, 1024 };
	struct inet_diag_bc_op same[SOCKDIAG_SPLIT_OPS], cross[SOCKDIAG_SPLIT_OPS];

	(void)state;
	for (size_t k = 0; k < sizeof(pivots) / sizeof(pivots[0]); k++) {
		uint16_t pivot = pivots[k];
		int ls = (int)sockdiag_split_bytecode(SOCKDIAG_SAME_SIDE, pivot, same);
		int lc = (int)sockdiag_split_bytecode(SOCKDIAG_CROSS_SIDE, pivot, cross);
		unsigned in_same = 0;

		assert_true(audit((const unsigned char *)same, ls));
		assert_true(audit((const unsigned char *)cross, lc));
		/* Every socket lands in exactly one half. */
		for (uint32_t sp = 0; sp < 65536; sp += 97)
			for (uint32_t dp = 0; dp < 65536; dp += 89) {
				bool a = run((const void *)same, ls, (uint16_t)sp, (uint16_t)dp);
				bool b = run((const void *)cross, lc, (uint16_t)sp, (uint16_t)dp);

				if (a == b)
					fail_msg("pivot %u: %u -> %u in %s", pivot, sp, dp,
						 a ? "both halves" : "neither half");
				if (a != ((sp >= pivot) == (dp >= pivot)))
					fail_msg("pivot %u: %u -> %u in the wrong half", pivot, sp,
						 dp);
				in_same += a;
			}
		assert_true(in_same > 0 || pivot == 1 || pivot == 65535);
	}
	/* A server port with clients spread over the ephemeral range: an even split. */
	unsigned n = 0;
	sockdiag_split_bytecode(SOCKDIAG_SAME_SIDE, 46884, same);
	for (uint32_t dp = 32768; dp <= 60999; dp++)
		n += run((const void *)same, SOCKDIAG_SPLIT_OPS * 4, 443, (uint16_t)dp);
	assert_int_equal(n, 46884 - 32768);
}

/* --cgroup's filter: the cgroup alone, or before the split; checked like the split. */
static void test_filter_bytecode(void **state)
{
	_Alignas(8) unsigned char bc[SOCKDIAG_BC_MAX];
	struct sockdiag_req req = { .cgroup_id = 0x100000001ull };
	int len;

	(void)state;
	len = (int)sockdiag_bytecode(&req, bc);
	assert_int_equal(len, 12);
	assert_true(audit(bc, len));
	assert_true(run_cg(bc, len, 80, 50000, 0x100000001ull));
	assert_false(run_cg(bc, len, 80, 50000, 1));
	assert_false(run_cg(bc, len, 80, 50000, 0)); /* TIME_WAIT, requests: no cgroup */
	/* The cgroup before the split: each half, of that cgroup only. */
	req = (struct sockdiag_req){ .half = SOCKDIAG_SAME_SIDE, .pivot = 40000, .cgroup_id = 7 };
	len = (int)sockdiag_bytecode(&req, bc);
	assert_true(len <= SOCKDIAG_BC_MAX);
	assert_true(audit(bc, len));
	for (uint32_t sp = 0; sp < 65536; sp += 61)
		for (uint32_t dp = 0; dp < 65536; dp += 67) {
			bool same = (sp >= 40000) == (dp >= 40000);

			if (run_cg(bc, len, (uint16_t)sp, (uint16_t)dp, 7) != same ||
			    run_cg(bc, len, (uint16_t)sp, (uint16_t)dp, 8))
				fail_msg("%u -> %u: wrong", sp, dp);
		}
	/* Nothing to filter: no program. */
	req = (struct sockdiag_req){ 0 };
	assert_int_equal(sockdiag_bytecode(&req, bc), 0);
}

struct diag_msg_cg {
	struct nlmsghdr h;
	struct inet_diag_msg m;
	struct nlattr a;
	uint32_t id[2]; /* a u64 the kernel aligns to 4 only */
};

static void cg_msg(struct diag_msg_cg *d, uint8_t state, uint16_t port, uint32_t inode, uint64_t id)
{
	*d = (struct diag_msg_cg){
		.h = { .nlmsg_len = sizeof(*d), .nlmsg_type = SOCK_DIAG_BY_FAMILY },
		.m = { .idiag_family = AF_INET,
		       .idiag_state = state,
		       .id = { .idiag_sport = htons(port) },
		       .idiag_inode = inode },
		.a = { .nla_len = NLA_HDRLEN + sizeof(uint64_t), .nla_type = INET_DIAG_CGROUP_ID },
	};
	memcpy(d->id, &id, sizeof(id));
	if (!id) /* a TIME_WAIT or request socket: no attribute */
		d->h.nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg));
}

/* INET_DIAG_CGROUP_ID: the listener's cgroup, the user-space filter, the held sockets. */
static void test_cgroup_attribute(void **state)
{
	struct diag_msg_cg buf[5];
	struct tally t;
	bool done;

	(void)state;
	assert_int_equal(sizeof(buf[0]) % 4, 0);
	cg_msg(&buf[0], 10 /* LISTEN */, 8080, 11, 500);
	cg_msg(&buf[1], 8 /* CLOSE_WAIT */, 8080, 12, 500);
	cg_msg(&buf[2], 8, 8080, 13, 600);
	cg_msg(&buf[3], 1 /* ESTABLISHED */, 9090, 14, 600);
	cg_msg(&buf[4], 6 /* TIME_WAIT */, 8080, 0, 0);
	tally_init(&t, false);
	assert_int_equal(sockdiag_parse(buf, sizeof(buf) - 12, &t, &done), 0);
	assert_int_equal(t.n_listeners, 1);
	assert_int_equal(t.listeners[0].cgroup_id, 500);
	assert_int_equal(t.states[OBS_V4][TS_CLOSE_WAIT], 2);
	assert_int_equal(t.states[OBS_V4][TS_TIME_WAIT], 1);
	tally_done(&t);

	/* The kernel could not filter: the parser keeps cgroup 600's sockets only. */
	tally_init(&t, false);
	t.only_cgroup = 600;
	t.filter_user = true;
	assert_int_equal(sockdiag_parse(buf, sizeof(buf) - 12, &t, &done), 0);
	assert_int_equal(t.n_listeners, 0);
	assert_int_equal(t.states[OBS_V4][TS_CLOSE_WAIT], 1);
	assert_int_equal(t.states[OBS_V4][TS_ESTABLISHED], 1);
	assert_int_equal(t.states[OBS_V4][TS_TIME_WAIT], 0); /* in no cgroup */
	tally_done(&t);

	/* Held sockets of the states asked for, with their cgroup; not the orphan. */
	tally_init(&t, false);
	t.held_states = 1u << TS_CLOSE_WAIT | 1u << TS_TIME_WAIT;
	assert_int_equal(sockdiag_parse(buf, sizeof(buf) - 12, &t, &done), 0);
	assert_int_equal(t.n_held[TS_CLOSE_WAIT], 2);
	assert_int_equal(t.held[TS_CLOSE_WAIT][1].inode, 13);
	assert_int_equal(t.held_cgroups[t.held[TS_CLOSE_WAIT][1].cgroup - 1], 600);
	assert_int_equal(t.n_held[TS_TIME_WAIT], 0);
	assert_int_equal(t.n_held[TS_ESTABLISHED], 0);
	assert_int_equal(t.states[OBS_V4][TS_CLOSE_WAIT], 2);
	tally_done(&t);
}

/* The timer fields: retransmitting, zero-window probing, an orphan, a loss probe. */
static void test_timers(void **state)
{
	struct diag_msg_cg buf[4];
	_cleanup_observation_ struct observation *o = observation_new();
	struct tally t;
	bool done;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(buf); i++) {
		cg_msg(&buf[i], 1 /* ESTABLISHED */, (uint16_t)(41000 + i), 20u + (uint32_t)i, 7);
		buf[i].m.id.idiag_dport = htons(5432);
		buf[i].m.id.idiag_dst[0] = htonl(0x0a000002);
	}
	buf[0].m.idiag_timer = 1;
	buf[0].m.idiag_retrans = 6;
	buf[1].m.idiag_timer = 1; /* a tail-loss probe: nothing has timed out */
	buf[2].m.idiag_timer = 4;
	buf[2].m.idiag_state = 4; /* FIN_WAIT1 */
	buf[2].m.idiag_inode = 0;
	buf[3].m.idiag_wqueue = 0; /* idle */
	tally_init(&t, false);
	tally_set_ephemeral(&t, 40000, 49999);
	assert_int_equal(sockdiag_parse(buf, sizeof(buf), &t, &done), 0);
	assert_int_equal(tally_finish(&t, 5, o), 0);
	tally_done(&t);
	assert_int_equal(o->stalled[STALL_RETRANS].sockets, 1);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].retries, 6);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].port, 5432);
	assert_int_equal(o->stalled[STALL_RETRANS].peers[0].idle, 1); /* not the probing one */
	assert_int_equal(o->stalled[STALL_ZERO_WINDOW].orphaned, 1);
	assert_int_equal(o->unheld[TS_FIN_WAIT1], 1);
	assert_int_equal(o->unheld[TS_ESTABLISHED], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_legacy),
		cmocka_unit_test(test_replay_per_family),
		cmocka_unit_test(test_replay_all_states_legacy),
		cmocka_unit_test(test_replay_all_states_per_family),
		cmocka_unit_test(test_every_kernel_state),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_error_and_done),
		cmocka_unit_test(test_split_bytecode),
		cmocka_unit_test(test_filter_bytecode),
		cmocka_unit_test(test_cgroup_attribute),
		cmocka_unit_test(test_timers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
