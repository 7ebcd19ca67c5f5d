// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "sockdiag.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* recv() hands out at most ~32 KiB of a dump per call; leave room. */
#define RECV_BUF_SIZE (64 * 1024)
/* The kernel's MAX_ERRNO: the largest error number an NLMSG_ERROR can carry. */
#define SOCKDIAG_MAX_ERRNO 4095

static void parse_listener(const struct inet_diag_msg *m, struct tally *t)
{
	struct listener l = {
		.family = m->idiag_family,
		.port = ntohs(m->id.idiag_sport),
		.queue = m->idiag_rqueue,
		/* For a listener the kernel reports the accept-queue limit here. */
		.backlog = m->idiag_wqueue,
		.inode = m->idiag_inode,
	};

	memcpy(l.addr, m->id.idiag_src, m->idiag_family == AF_INET ? 4 : 16);
	tally_listener(t, &l);
}

int sockdiag_parse(const void *buf, size_t len, struct tally *t, bool *ret_done)
{
	const struct nlmsghdr *h = buf;
	int left = (int)len;

	*ret_done = false;
	for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
		const struct inet_diag_msg *m;
		enum obs_family f;
		enum tcp_state s;

		if (h->nlmsg_type == NLMSG_DONE) {
			*ret_done = true;
			return 0;
		}
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			/* The kernel sends an errno: anything lower is a corrupt buffer. */
			if (e->error < -SOCKDIAG_MAX_ERRNO)
				return -EBADMSG;
			return e->error < 0 ? e->error : -EPROTO;
		}
		if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY && h->nlmsg_type != TCPDIAG_GETSOCK)
			continue;
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			return -EBADMSG;
		m = NLMSG_DATA(h);
		s = tcp_state_from_kernel(m->idiag_state);
		if (!s)
			continue;
		if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
			return -EBADMSG;
		f = m->idiag_family == AF_INET ? OBS_V4 : OBS_V6;
		tally_socket(t, f, s, ntohs(m->id.idiag_sport), m->idiag_inode);
		if (s == TS_LISTEN)
			parse_listener(m, t);
		else
			tally_peer(t, f, ntohs(m->id.idiag_sport), (const uint8_t *)m->id.idiag_dst,
				   ntohs(m->id.idiag_dport));
	}
	/* A dump never splits a message across reads: leftovers mean corruption. */
	return left == 0 ? 0 : -EBADMSG;
}

size_t sockdiag_split_bytecode(enum sockdiag_half half, uint16_t pivot, void *buf)
{
	/*
	 * The kernel runs the program per socket: a true comparison falls
	 * through to the next op ("yes" is the op's size), a false one jumps
	 * "no" bytes ahead. Ending exactly at the end accepts the socket,
	 * jumping 4 bytes past it rejects. Its audit requires every "no"
	 * target to lie on the chain of "yes" steps, which this layout keeps.
	 *
	 *  0: sport >= pivot ? next : goto 20
	 *  8:   dport >= pivot (same side) or < pivot (cross) ? next : reject
	 * 16:   goto accept
	 * 20: dport < pivot (same side) or >= pivot (cross) ? accept : reject
	 */
	const uint8_t ge = INET_DIAG_BC_D_GE, le = INET_DIAG_BC_D_LE;
	const bool same = half == SOCKDIAG_SAME_SIDE;
	const struct inet_diag_bc_op ops[SOCKDIAG_SPLIT_OPS] = {
		{ INET_DIAG_BC_S_GE, 8, 20 },
		{ 0, 0, pivot },
		{ same ? ge : le, 8, 24 },
		{ 0, 0, same ? pivot : (uint16_t)(pivot - 1) },
		{ INET_DIAG_BC_JMP, 4, 12 },
		{ same ? le : ge, 8, 12 },
		{ 0, 0, same ? (uint16_t)(pivot - 1) : pivot },
	};

	memcpy(buf, ops, sizeof(ops));
	return sizeof(ops);
}

static int send_request(struct nl_sock *sk, const struct sockdiag_req *req)
{
	struct inet_diag_req legacy = {
		.idiag_family = AF_UNSPEC,
		.idiag_states = req->states,
	};
	struct inet_diag_req_v2 v2 = {
		.sdiag_family = (uint8_t)req->family,
		.sdiag_protocol = IPPROTO_TCP,
		.idiag_states = req->states,
	};
	struct inet_diag_bc_op bc[SOCKDIAG_SPLIT_OPS];
	struct nl_msg *msg;
	int r;

	msg = nlmsg_alloc_simple(req->legacy ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY,
				 NLM_F_REQUEST | NLM_F_DUMP);
	if (!msg)
		return -NLE_NOMEM;
	r = req->legacy ? nlmsg_append(msg, &legacy, sizeof(legacy), NLMSG_ALIGNTO)
			: nlmsg_append(msg, &v2, sizeof(v2), NLMSG_ALIGNTO);
	if (r == 0 && req->half != SOCKDIAG_ALL)
		r = nla_put(msg, INET_DIAG_REQ_BYTECODE,
			    (int)sockdiag_split_bytecode(req->half, req->pivot, bc), bc);
	if (r == 0)
		r = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	return r < 0 ? r : 0;
}

static int receive_dump(struct nl_sock *sk, struct tally *t, int record_fd, char **errmsg)
{
	for (;;) {
		_cleanup_free_ unsigned char *buf = NULL;
		struct sockaddr_nl peer;
		bool done;
		int n, r;

		n = nl_recv(sk, &peer, &buf, NULL);
		if (n <= 0)
			return err_set(errmsg, -EIO, "netlink sock_diag: receiving: %s",
				       n == 0 ? "connection closed" : nl_geterror(n));
		if (record_fd >= 0 && write(record_fd, buf, (size_t)n) != n)
			return err_set(errmsg, -EIO, "recording the dump: a short write");
		r = sockdiag_parse(buf, (size_t)n, t, &done);
		if (r == 0 && t->error)
			r = t->error;
		if (r < 0)
			return err_set(errmsg, r, "netlink sock_diag dump: %s", strerror(-r));
		if (done)
			return 0;
	}
}

static void nl_socket_freep(struct nl_sock **sk)
{
	if (*sk)
		nl_socket_free(*sk);
}

int sockdiag_dump(const struct sockdiag_req *reqs, size_t n, struct tally *t, char **errmsg)
{
	return sockdiag_dump_recorded(reqs, n, t, -1, errmsg);
}

int sockdiag_dump_recorded(const struct sockdiag_req *reqs, size_t n, struct tally *t,
			   int record_fd, char **errmsg)
{
	_cleanup_(nl_socket_freep) struct nl_sock *sk = NULL;
	int r;

	sk = nl_socket_alloc();
	if (!sk)
		return err_set(errmsg, -ENOMEM, "netlink: out of memory");
	r = nl_connect(sk, NETLINK_SOCK_DIAG);
	if (r < 0)
		return err_set(errmsg, -EPROTONOSUPPORT, "netlink sock_diag: %s", nl_geterror(r));
	/* One recv() per buffer, no MSG_PEEK round trip. */
	nl_socket_set_msg_buf_size(sk, RECV_BUF_SIZE);
	nl_socket_disable_msg_peek(sk);

	for (size_t i = 0; i < n; i++) {
		r = send_request(sk, &reqs[i]);
		if (r < 0)
			return err_set(errmsg, -EIO, "netlink sock_diag: sending request: %s",
				       nl_geterror(r));
		r = receive_dump(sk, t, record_fd, errmsg);
		if (r < 0)
			return r;
	}
	return 0;
}

struct worker {
	pthread_t thread;
	const struct sockdiag_req *reqs;
	size_t n;
	struct tally tally;
	char *errmsg;
	int r;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	w->r = sockdiag_dump(w->reqs, w->n, &w->tally, &w->errmsg);
	return NULL;
}

/*
 * Runs two groups of requests at once. Each group walks the socket table
 * filtered by its own state mask, so the kernel's per-socket work (the bulk
 * of the cost) is shared between the cores.
 */
static int collect_split(const struct sockdiag_req *a, size_t na, const struct sockdiag_req *b,
			 size_t nb, struct tally *t, char **errmsg)
{
	struct worker w = { .reqs = b, .n = nb };
	bool threaded;
	int r;

	tally_init(&w.tally, t->want_inodes);
	tally_set_ephemeral(&w.tally, t->eph_lo, t->eph_hi);
	threaded = pthread_create(&w.thread, NULL, worker_run, &w) == 0;
	if (!threaded)
		worker_run(&w); /* no second thread: the same work, in turn */
	r = sockdiag_dump(a, na, t, errmsg);
	if (threaded)
		pthread_join(w.thread, NULL);
	tally_merge(t, &w.tally);
	if (r == 0 && w.r < 0) {
		r = w.r;
		if (errmsg) {
			free(*errmsg);
			*errmsg = TAKE_PTR(w.errmsg);
		}
	}
	free(w.errmsg);
	return r;
}

int sockdiag_collect_with(struct tally *t, uint16_t pivot, enum sockdiag_api api, char **errmsg)
{
	const uint32_t all = SOCKDIAG_ALL_STATES;
	const struct sockdiag_req legacy_a[] = {
		{ true, AF_UNSPEC, all, SOCKDIAG_SAME_SIDE, pivot },
	};
	const struct sockdiag_req legacy_b[] = {
		{ true, AF_UNSPEC, all, SOCKDIAG_CROSS_SIDE, pivot },
	};
	const struct sockdiag_req v2_a[] = {
		{ false, AF_INET, all, SOCKDIAG_SAME_SIDE, pivot },
		{ false, AF_INET6, all, SOCKDIAG_SAME_SIDE, pivot },
	};
	const struct sockdiag_req v2_b[] = {
		{ false, AF_INET, all, SOCKDIAG_CROSS_SIDE, pivot },
		{ false, AF_INET6, all, SOCKDIAG_CROSS_SIDE, pivot },
	};

	if (api == SOCKDIAG_LEGACY)
		return collect_split(legacy_a, 1, legacy_b, 1, t, errmsg);
	return collect_split(v2_a, 2, v2_b, 2, t, errmsg);
}

int sockdiag_collect(struct tally *t, uint16_t pivot, char **errmsg)
{
	int r = sockdiag_collect_with(t, pivot, SOCKDIAG_LEGACY, errmsg);

	if (r != -EINVAL && r != -EOPNOTSUPP && r != -ENOENT)
		return r;
	/* Kernels that dropped the legacy interface: one walk per family. */
	tally_done(t);
	return sockdiag_collect_with(t, pivot, SOCKDIAG_PER_FAMILY, errmsg);
}
