// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rawdump - the least work that counts TCP sockets per state through
 * sock_diag: one netlink socket, one dump request, a loop over the replies
 * that reads idiag_state and nothing else. It is the floor the benchmark
 * compares tcptune (and ss, netstat) against.
 *
 *   rawdump --v2      SOCK_DIAG_BY_FAMILY, one request per family (AF_INET,
 *                     then AF_INET6), as ss does: the kernel walks its socket
 *                     tables once per family.
 *   rawdump --legacy  TCPDIAG_GETSOCK (inet_diag_req): the kernel answers for
 *                     both families in a single walk.
 *
 * The output is one line per state with sockets: "<state> <total> <v4> <v6>",
 * then "total <n> <v4> <v6>".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Kernel states 1..12 (include/net/tcp_states.h); 13, BOUND_INACTIVE, is not a connection. */
#define REAL_STATES 0x1ffeu
#define NEW_SYN_RECV 12
#define SYN_RECV 3
#define NSTATES 12

/* The kernel sizes each dump message to the reader's buffer, up to 32 KiB. */
#define RECV_BUF 65536

static const char *const names[NSTATES] = {
	[1] = "established", [2] = "syn_sent",	[3] = "syn_recv", [4] = "fin_wait1",
	[5] = "fin_wait2",   [6] = "time_wait", [7] = "close",	  [8] = "close_wait",
	[9] = "last_ack",    [10] = "listen",	[11] = "closing",
};

struct counts {
	unsigned long v4[NSTATES], v6[NSTATES];
};

static int send_v2(int fd, uint8_t family)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg),
			 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = family,
			 .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = REAL_STATES },
	};

	return send(fd, &msg, sizeof(msg), 0) == (ssize_t)sizeof(msg) ? 0 : -errno;
}

static int send_legacy(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg),
			 .nlmsg_type = TCPDIAG_GETSOCK,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		/* The family is ignored: the legacy dump always covers both. */
		.req = { .idiag_family = AF_INET, .idiag_states = REAL_STATES },
	};

	return send(fd, &msg, sizeof(msg), 0) == (ssize_t)sizeof(msg) ? 0 : -errno;
}

/* Reads one dump to its NLMSG_DONE. */
static int recv_dump(int fd, struct counts *c)
{
	static char buf[RECV_BUF] __attribute__((aligned(NLMSG_ALIGNTO)));

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EIO;
			}
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			unsigned st = m->idiag_state == NEW_SYN_RECV ? SYN_RECV : m->idiag_state;

			if (st >= NSTATES)
				continue;
			if (m->idiag_family == AF_INET6)
				c->v6[st]++;
			else
				c->v4[st]++;
		}
	}
}

static void print_counts(const struct counts *c)
{
	unsigned long t4 = 0, t6 = 0;

	for (int s = 1; s < NSTATES; s++) {
		if (c->v4[s] + c->v6[s])
			printf("%s %lu %lu %lu\n", names[s], c->v4[s] + c->v6[s], c->v4[s],
			       c->v6[s]);
		t4 += c->v4[s];
		t6 += c->v6[s];
	}
	printf("total %lu %lu %lu\n", t4 + t6, t4, t6);
}

int main(int argc, char **argv)
{
	static struct counts c;
	int legacy, fd, r;

	if (argc != 2 || (strcmp(argv[1], "--v2") != 0 && strcmp(argv[1], "--legacy") != 0)) {
		fputs("usage: rawdump --v2 | --legacy\n", stderr);
		return 64;
	}
	legacy = strcmp(argv[1], "--legacy") == 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0) {
		perror("rawdump: socket(NETLINK_SOCK_DIAG)");
		return 1;
	}
	if (legacy) {
		r = send_legacy(fd);
		if (r == 0)
			r = recv_dump(fd, &c);
	} else {
		r = send_v2(fd, AF_INET);
		if (r == 0)
			r = recv_dump(fd, &c);
		if (r == 0)
			r = send_v2(fd, AF_INET6);
		if (r == 0)
			r = recv_dump(fd, &c);
	}
	close(fd);
	if (r < 0) {
		fprintf(stderr, "rawdump: sock_diag dump: %s\n", strerror(-r));
		return 1;
	}
	print_counts(&c);
	return 0;
}
