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

/* The INET_DIAG_CGROUP_ID the kernel adds for full sockets (Linux 5.9); 0 without one. */
static uint64_t msg_cgroup_id(const struct nlmsghdr *h)
{
	const size_t off = NLMSG_ALIGN(sizeof(struct inet_diag_msg));
	const struct nlattr *a = (const struct nlattr *)((const char *)NLMSG_DATA(h) + off);
	int left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(off);
	uint64_t id;

	for (; nla_ok(a, left); a = nla_next(a, &left))
		if (nla_type(a) == INET_DIAG_CGROUP_ID && nla_len(a) >= (int)sizeof(id)) {
			memcpy(&id, nla_data(a), sizeof(id));
			return id;
		}
	return 0;
}

static void parse_listener(const struct inet_diag_msg *m, uint64_t cgroup_id, struct tally *t)
{
	struct listener l = {
		.family = m->idiag_family,
		.port = ntohs(m->id.idiag_sport),
		.queue = m->idiag_rqueue,
		/* For a listener the kernel reports the accept-queue limit here. */
		.backlog = m->idiag_wqueue,
		.inode = m->idiag_inode,
		.cgroup_id = cgroup_id,
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
		uint64_t cgroup_id = 0;
		enum obs_family f;
		bool held;
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
		held = (t->held_states >> s) & 1 && m->idiag_inode;
		if (held && t->n_held[s] == HELD_MAX) {
			t->held_full[s] = true; /* no more room: not worth its attributes */
			held = false;
		}
		if (__builtin_expect(t->filter_user || s == TS_LISTEN || held, 0)) {
			cgroup_id = msg_cgroup_id(h);
			if (t->filter_user && cgroup_id != t->only_cgroup)
				continue;
		}
		tally_socket(t, f, s, ntohs(m->id.idiag_sport), m->idiag_inode);
		if (held)
			tally_held(t, s, ntohs(m->id.idiag_sport), m->idiag_inode, cgroup_id);
		if (s == TS_LISTEN)
			parse_listener(m, cgroup_id, t);
		else
			tally_conn(t, &(struct conn){
					      .f = f,
					      .s = s,
					      .sport = ntohs(m->id.idiag_sport),
					      .dport = ntohs(m->id.idiag_dport),
					      .daddr = (const uint8_t *)m->id.idiag_dst,
					      .inode = m->idiag_inode,
					      .wqueue = m->idiag_wqueue,
					      .timer = m->idiag_timer,
					      .retries = m->idiag_retrans,
				      });
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

size_t sockdiag_bytecode(const struct sockdiag_req *req, void *out)
{
	uint8_t *buf = out;
	size_t len = 0;

	if (req->cgroup_id)
		len = 12; /* the condition goes first, once the length is known */
	if (req->half != SOCKDIAG_ALL)
		len += sockdiag_split_bytecode(req->half, req->pivot, buf + len);
	if (req->cgroup_id) {
		/* Another cgroup: jump past the end, which rejects. */
		const struct inet_diag_bc_op op = { INET_DIAG_BC_CGROUP_COND, 12,
						    (uint16_t)(len + 4) };

		memcpy(buf, &op, sizeof(op));
		memcpy(buf + sizeof(op), &req->cgroup_id, sizeof(req->cgroup_id));
	}
	return len;
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
	_Alignas(8) uint8_t bc[SOCKDIAG_BC_MAX];
	struct nl_msg *msg;
	size_t bc_len;
	int r;

	msg = nlmsg_alloc_simple(req->legacy ? TCPDIAG_GETSOCK : SOCK_DIAG_BY_FAMILY,
				 NLM_F_REQUEST | NLM_F_DUMP);
	if (!msg)
		return -NLE_NOMEM;
	r = req->legacy ? nlmsg_append(msg, &legacy, sizeof(legacy), NLMSG_ALIGNTO)
			: nlmsg_append(msg, &v2, sizeof(v2), NLMSG_ALIGNTO);
	bc_len = sockdiag_bytecode(req, bc);
	if (r == 0 && bc_len > 0)
		r = nla_put(msg, INET_DIAG_REQ_BYTECODE, (int)bc_len, bc);
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
	w.tally.only_cgroup = t->only_cgroup;
	w.tally.filter_user = t->filter_user;
	w.tally.held_states = t->held_states;
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
	const uint64_t cg = t->filter_user ? 0 : t->only_cgroup;
	const struct sockdiag_req legacy_a[] = {
		{ true, AF_UNSPEC, all, SOCKDIAG_SAME_SIDE, pivot, cg },
	};
	const struct sockdiag_req legacy_b[] = {
		{ true, AF_UNSPEC, all, SOCKDIAG_CROSS_SIDE, pivot, cg },
	};
	const struct sockdiag_req v2_a[] = {
		{ false, AF_INET, all, SOCKDIAG_SAME_SIDE, pivot, cg },
		{ false, AF_INET6, all, SOCKDIAG_SAME_SIDE, pivot, cg },
	};
	const struct sockdiag_req v2_b[] = {
		{ false, AF_INET, all, SOCKDIAG_CROSS_SIDE, pivot, cg },
		{ false, AF_INET6, all, SOCKDIAG_CROSS_SIDE, pivot, cg },
	};

	if (api == SOCKDIAG_LEGACY)
		return collect_split(legacy_a, 1, legacy_b, 1, t, errmsg);
	return collect_split(v2_a, 2, v2_b, 2, t, errmsg);
}

static bool interface_missing(int r)
{
	return r == -EINVAL || r == -EOPNOTSUPP || r == -ENOENT;
}

int sockdiag_collect(struct tally *t, uint16_t pivot, char **errmsg)
{
	int r = sockdiag_collect_with(t, pivot, SOCKDIAG_LEGACY, errmsg);

	if (!interface_missing(r))
		return r;
	/* Kernels that dropped the legacy interface: one walk per family. */
	tally_done(t);
	r = sockdiag_collect_with(t, pivot, SOCKDIAG_PER_FAMILY, errmsg);
	if (r == -EINVAL && t->only_cgroup && !t->filter_user) {
		/* Before Linux 5.10 the kernel cannot filter by cgroup: filter here. */
		tally_done(t);
		t->filter_user = true;
		return sockdiag_collect(t, pivot, errmsg);
	}
	return r;
}
