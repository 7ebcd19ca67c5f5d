// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sockmix - put a known mix of TCP socket states on loopback, hold it, and
 * say exactly what it holds, so that tests and the benchmark can compare a
 * tool's counts with the truth.
 *
 * Run it inside a network namespace of its own with lo up: it expects to be
 * the only user of TCP there, and it checks the whole namespace's counts
 * against the mix (sock_diag) before it says "ready"; a difference after 15 s
 * is a warning on stderr.
 *
 * Protocol: when the mix is in place, stdout gets the line "ready" and one
 * line of JSON with the exact counts per state under tcptune's names, both
 * families summed, plus "v4" and "v6" objects and "valid_for_s", the seconds
 * the counts stay exact (TIME_WAIT expires; absent when nothing does). Then it
 * holds everything until SIGTERM, SIGINT or EOF on stdin, and exits 0 after
 * its workers. Usage errors exit 64, failures 1.
 *
 * Sockets are held by forked workers, each under the fd limit (RLIMIT_NOFILE
 * can be at most 20000 here); at most one per CPU sets up at a time, each of
 * these lanes with listeners of its own so that a worker accepts only its
 * own connections; they die with the parent (PR_SET_PDEATHSIG). The JSON's
 * "listen" counts these listeners too, not only --listeners.
 *
 * How each state is made (client = connecting side, server = accepted side):
 *   established     connect + accept, both kept: 2 ESTABLISHED.
 *   syn_recv        connect to a listener with TCP_DEFER_ACCEPT and send
 *                   nothing: the server drops the bare ACK and keeps the
 *                   request socket (SYN-RECV) for the whole deferral while
 *                   the client is ESTABLISHED.
 *   close_wait      client shutdown(SHUT_WR) and keeps its fd, server never
 *                   closes: CLOSE_WAIT + FIN_WAIT2, both held, no timers.
 *   orphan-close-wait  client closes with TCP_LINGER2 = 1 s: its orphaned
 *                   FIN_WAIT2 vanishes silently a second later and leaves a
 *                   CLOSE_WAIT without a peer (what a leaking server shows).
 *   syn_sent        connect to a listener that drops every segment it gets
 *                   (a socket filter returning 0: tcp_v4_rcv and tcp_v6_rcv
 *                   run it before a listener sees a SYN), nonblocking: the
 *                   SYN is never answered. TCP_SYNCNT 127 keeps retrying
 *                   for hours (the backoff stops at 120 s).
 *   fin_wait1       the client drops every segment, then shutdown(SHUT_WR):
 *                   the server gets the FIN (CLOSE_WAIT), its ACK is dropped,
 *                   so the client stays FIN_WAIT1 and retransmits its FIN.
 *   last_ack        as close_wait, then the client (FIN_WAIT2) drops every
 *                   segment and the server shutdown(SHUT_WR)s: its FIN is never
 *                   acknowledged, LAST_ACK + FIN_WAIT2.
 *   closing         the server drops every segment; the client shutdown(SHUT_WR)s
 *                   (FIN_WAIT1, its FIN is dropped), then the server does: its FIN
 *                   reaches the client in FIN_WAIT1, a simultaneous close, so the
 *                   client is CLOSING (the ACK of its FIN never comes) and the
 *                   server FIN_WAIT1.
 *                   These four retransmit; TCP_USER_TIMEOUT (HOLD_SECS) instead
 *                   of tcp_retries2 (about 15 min) decides when they give up,
 *                   and SO_LINGER 0 makes a worker's exit reset them instead of
 *                   leaving retransmitting orphans behind in the namespace.
 *   close           no socket: the kernel dumps a TCP_CLOSE socket only as a
 *                   "bound-inactive" one, and only when the request asks for
 *                   TCP_BOUND_INACTIVE (13), which neither tcptune nor ss does;
 *                   closed sockets are unhashed at once. --bound N holds N
 *                   sockets bound to an address and port but neither listening
 *                   nor connected, which nobody may count: "close" stays 0
 *                   (record-dump --bound-inactive records them, as state 7).
 *   time_wait       client closes first, server reads EOF then closes: the
 *                   client side is TIME_WAIT. The kernel ends TIME_WAIT after
 *                   60 s (TCP_TIMEWAIT_LEN, no sysctl), so these are made
 *                   last and the count is exact only for about a minute after
 *                   "ready"; a line "refresh" on stdin makes them again in
 *                   place (connect() from an explicitly bound port takes
 *                   over a TIME_WAIT with the same four-tuple; it needs
 *                   tcp_timestamps) and prints "ready" and the counts again.
 *
 * Every client binds an explicit source address and port so that every
 * four-tuple is unique by construction: the kernel's ephemeral port search
 * could otherwise reuse one of our own TIME_WAIT sockets (tcp_tw_reuse is on
 * for loopback by default) and silently lower the count. Clients use sources
 * 127.0.0.2-254 or ::1 and ports 1024-65535 except the listeners' (which start
 * at --base-port on 127.0.0.1 and ::1), so ip_local_port_range does not matter.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EX_USAGE 64

enum fam { FAM_V4, FAM_V6, FAM__N };

/*
 * Kinds of connection; the order is the order of setup in each worker.
 * TIME_WAIT stays last: its own workers make it after all the others.
 */
enum cat {
	CAT_SYN_RECV,
	CAT_SYN_SENT,
	CAT_ORPHAN_CW,
	CAT_CLOSE_WAIT,
	CAT_FIN_WAIT1,
	CAT_LAST_ACK,
	CAT_CLOSING,
	CAT_ESTABLISHED,
	CAT_TIME_WAIT,
	CAT__N
};

/* Kernel state numbers (include/net/tcp_states.h). */
enum {
	ST_ESTABLISHED = 1,
	ST_SYN_SENT = 2,
	ST_SYN_RECV = 3,
	ST_FIN_WAIT1 = 4,
	ST_FIN_WAIT2 = 5,
	ST_TIME_WAIT = 6,
	ST_CLOSE_WAIT = 8,
	ST_LAST_ACK = 9,
	ST_LISTEN = 10,
	ST_CLOSING = 11,
	ST_NEW_SYN_RECV = 12,
	ST__N = 12, /* counted states are 1..11 */
};

/* tcptune's names, in its order. */
static const char *const state_names[ST__N] = {
	[1] = "established", [2] = "syn_sent",	[3] = "syn_recv", [4] = "fin_wait1",
	[5] = "fin_wait2",   [6] = "time_wait", [7] = "close",	  [8] = "close_wait",
	[9] = "last_ack",    [10] = "listen",	[11] = "closing",
};

#define MAX_LANES 8
#define MAX_COUNT 20000000L
#define V4_SOURCES 253 /* 127.0.0.2 .. 127.0.0.254; listeners use 127.0.0.1 */
#define FIRST_CLIENT_PORT 1024
/* Long enough to outlive any test or benchmark; the kernel caps the rounds. */
#define DEFER_ACCEPT_SECS 3600
/* How long the connections whose segments are dropped keep retransmitting. */
#define HOLD_SECS 3600
/* The most SYN retransmissions TCP_SYNCNT allows: about four hours. */
#define MAX_SYNCNT 127
#define SETTLE_TIMEOUT_MS 15000

struct plan {
	long n[CAT__N][FAM__N]; /* connections per kind and family */
	long extra[FAM__N];	/* idle listeners asked for */
	long bound[FAM__N];	/* sockets bound, neither listening nor connected */
	int base_port;
	int backlog; /* effective listen() backlog: somaxconn */
	int batch;   /* connections in flight before accepting */
	long syn_per_listener;
	long cap[FAM__N];	    /* client four-tuples per listening port */
	long client_ports;	    /* source ports usable by clients */
	int nports[CAT__N][FAM__N]; /* listening ports per lane */
	int lanes[CAT__N];	    /* sets of listeners, one per concurrent worker */
	int first[CAT__N][FAM__N];  /* index of lane 0's first listener */
	int extra_first[FAM__N];
	int bound_first[FAM__N];
	int nlisteners;
	int *lfd;	/* listening sockets, held by the parent */
	int workers;	/* processes holding sockets */
	int tw_workers; /* processes making TIME_WAIT, who then exit */
	bool verbose;
	bool verify;
	double syn_start; /* when the first request socket may have been made */
	double tw_start;  /* when the oldest TIME_WAIT socket may have been made */
};

static const char usage_text[] =
	"usage: sockmix [--listeners N] [--established N] [--time-wait N] [--close-wait N]\n"
	"               [--orphan-close-wait N] [--syn-recv N] [--syn-sent N] [--fin-wait1 N]\n"
	"               [--last-ack N] [--closing N] [--bound N] [--v6-percent P] [--procs K]\n"
	"               [--base-port PORT] [--no-verify] [--verbose]\n";

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("sockmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fputs(usage_text, stderr);
	exit(EX_USAGE);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* For workers too: _exit() so that a child never runs the parent's atexit or stdio flush. */
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("sockmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

static long parse_count(const char *opt, const char *s, long min, long max)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE || v < min || v > max)
		die_usage("--%s: '%s' is not a number between %ld and %ld", opt, s, min, max);
	return (long)v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void note(const struct plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void note(const struct plan *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->verbose)
		return;
	fputs("sockmix: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Reads the first integer of a /proc/sys file, or returns fallback. */
static long read_sysctl(const char *path, long fallback)
{
	FILE *f = fopen(path, "re");
	long v;

	if (!f)
		return fallback;
	if (fscanf(f, "%ld", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}

static long div_up(long a, long b)
{
	return (a + b - 1) / b;
}

/* Slice [lo, hi) of n items for worker w of k: contiguous, sizes differ by at most one. */
static void slice(long n, int w, int k, long *lo, long *hi)
{
	*lo = n * w / k;
	*hi = n * (w + 1) / k;
}

static int client_port(const struct plan *p, long i)
{
	long port = FIRST_CLIENT_PORT + i;

	/* Skip the listening ports: v6 clients share ::1 with the listeners. */
	if (port >= p->base_port)
		port += p->nlisteners;
	return (int)port;
}

static socklen_t make_addr(struct sockaddr_storage *ss, enum fam f, int host, int port)
{
	memset(ss, 0, sizeof(*ss));
	if (f == FAM_V4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		sin->sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)host);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((uint16_t)port);
	sin6->sin6_addr = in6addr_loopback;
	return sizeof(*sin6);
}

static int listener_index(const struct plan *p, enum cat c, enum fam f, int lane, long k)
{
	long per = c == CAT_SYN_RECV ? p->syn_per_listener : p->cap[f];

	return p->first[c][f] + lane * p->nports[c][f] + (int)(k / per);
}

static int listen_port(const struct plan *p, int idx)
{
	return p->base_port + idx;
}

/* Connection k of kind c: its client four-tuple is unique for (c, f, k). */
static int connect_one(const struct plan *p, enum cat c, enum fam f, int lane, long k)
{
	struct sockaddr_storage src, dst;
	socklen_t len;
	long r = k % p->cap[f];
	int host = f == FAM_V4 ? 2 + (int)(r / p->client_ports) : 1;
	int one = 1;
	int fd;

	fd = socket(f == FAM_V4 ? AF_INET : AF_INET6,
		    SOCK_STREAM | SOCK_CLOEXEC | (c == CAT_SYN_SENT ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		die("socket: %m (raise RLIMIT_NOFILE or use more --procs)");
	/* Lets one source port serve several listeners and lets "refresh" reuse a TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR: %m");
	len = make_addr(&src, f, host, client_port(p, r % p->client_ports));
	if (bind(fd, (struct sockaddr *)&src, len) < 0)
		die("bind client %s %ld: %m", c == CAT_TIME_WAIT ? "time_wait" : "socket", k);
	if (c == CAT_SYN_SENT) {
		int syncnt = MAX_SYNCNT;

		if (setsockopt(fd, IPPROTO_TCP, TCP_SYNCNT, &syncnt, sizeof(syncnt)) < 0)
			die("TCP_SYNCNT: %m");
	}
	len = make_addr(&dst, f, 1, listen_port(p, listener_index(p, c, f, lane, k)));
	if (connect(fd, (struct sockaddr *)&dst, len) < 0 &&
	    !(c == CAT_SYN_SENT && errno == EINPROGRESS))
		die("connect to port %d: %m", listen_port(p, listener_index(p, c, f, lane, k)));
	return fd;
}

/* A socket filter that accepts nothing: TCP drops every segment for this socket. */
static void drop_all_input(int fd)
{
	static struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	static const struct sock_fprog prog = { .len = 1, .filter = drop };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		die("SO_ATTACH_FILTER: %m");
}

/*
 * For a connection whose segments are dropped: retransmit for HOLD_SECS, not
 * for tcp_retries2, and leave nothing behind when the worker exits (a close
 * with SO_LINGER 0 aborts the connection instead of orphaning it).
 */
static void hold_and_abort_at_exit(int fd)
{
	unsigned timeout_ms = HOLD_SECS * 1000u;
	struct linger abort_at_close = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &timeout_ms, sizeof(timeout_ms)) < 0)
		die("TCP_USER_TIMEOUT: %m");
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_at_close, sizeof(abort_at_close)) < 0)
		die("SO_LINGER: %m");
}

/* Blocks until the peer's FIN has arrived, so the next close() cannot race with it. */
static void wait_eof(int fd)
{
	char buf[16];
	ssize_t r;

	do
		r = read(fd, buf, sizeof(buf));
	while (r < 0 && errno == EINTR);
	if (r != 0)
		die("expected EOF from the peer, got %zd: %m", r);
}

/* A segment is on its way through loopback; wait for the state it brings, briefly. */
static void wait_state(int fd, unsigned state, const char *after)
{
	for (int tries = 0;; tries++) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
			die("TCP_INFO: %m");
		if (ti.tcpi_state == state)
			return;
		if (tries == 100000)
			die("socket stuck in state %u after %s, expected %u", ti.tcpi_state, after,
			    state);
		usleep(tries < 100 ? 0 : 100);
	}
}

/* The ACK of our FIN is on its way through loopback; wait for it, briefly. */
static void wait_fin_wait2(int fd)
{
	wait_state(fd, ST_FIN_WAIT2, "shutdown");
}

static void shut_wr(int fd)
{
	if (shutdown(fd, SHUT_WR) < 0)
		die("shutdown: %m");
}

static void do_batch(const struct plan *p, enum cat c, enum fam f, int lane, long lo, long hi,
		     int *cfd, int *sfd)
{
	int lfd = p->lfd[listener_index(p, c, f, lane, lo)];
	int n = (int)(hi - lo);
	int one = 1;

	for (int i = 0; i < n; i++) {
		cfd[i] = connect_one(p, c, f, lane, lo + i);
		if (c == CAT_SYN_SENT) {
			hold_and_abort_at_exit(cfd[i]);
			wait_state(cfd[i], ST_SYN_SENT, "connect");
		}
	}
	if (c == CAT_SYN_RECV || c == CAT_SYN_SENT)
		return; /* nobody accepts: the request sockets (or the SYNs) stay */
	for (int i = 0; i < n; i++) {
		sfd[i] = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (sfd[i] < 0)
			die("accept: %m");
	}
	if (c == CAT_FIN_WAIT1 || c == CAT_LAST_ACK || c == CAT_CLOSING)
		for (int i = 0; i < n; i++) {
			hold_and_abort_at_exit(cfd[i]);
			hold_and_abort_at_exit(sfd[i]);
		}
	switch (c) {
	case CAT_FIN_WAIT1:
		/* The server's ACK of the FIN never arrives. */
		for (int i = 0; i < n; i++) {
			drop_all_input(cfd[i]);
			shut_wr(cfd[i]);
		}
		for (int i = 0; i < n; i++) {
			wait_eof(sfd[i]);
			wait_state(cfd[i], ST_FIN_WAIT1, "shutdown");
		}
		break;
	case CAT_LAST_ACK:
		for (int i = 0; i < n; i++)
			shut_wr(cfd[i]);
		for (int i = 0; i < n; i++) {
			wait_eof(sfd[i]);
			wait_fin_wait2(cfd[i]);
			/* The server's FIN never arrives, so it is never acknowledged. */
			drop_all_input(cfd[i]);
			shut_wr(sfd[i]);
			wait_state(sfd[i], ST_LAST_ACK, "shutdown");
		}
		break;
	case CAT_CLOSING:
		for (int i = 0; i < n; i++) {
			/* The client's FIN, and later its ACK of the server's FIN, never arrive. */
			drop_all_input(sfd[i]);
			shut_wr(cfd[i]);
			/* The client is in FIN_WAIT1 when this arrives: a simultaneous close. */
			shut_wr(sfd[i]);
		}
		for (int i = 0; i < n; i++) {
			wait_state(cfd[i], ST_CLOSING, "a simultaneous close");
			wait_state(sfd[i], ST_FIN_WAIT1, "shutdown");
		}
		break;
	case CAT_CLOSE_WAIT:
		for (int i = 0; i < n; i++)
			if (shutdown(cfd[i], SHUT_WR) < 0)
				die("shutdown: %m");
		for (int i = 0; i < n; i++)
			wait_eof(sfd[i]);
		break;
	case CAT_ORPHAN_CW:
		for (int i = 0; i < n; i++)
			if (shutdown(cfd[i], SHUT_WR) < 0)
				die("shutdown: %m");
		for (int i = 0; i < n; i++)
			wait_eof(sfd[i]);
		for (int i = 0; i < n; i++) {
			/*
			 * Closed in FIN_WAIT2 with linger2 = 1 s, the client becomes a timewait
			 * socket that expires without a word. Closed any earlier, it may keep
			 * a full socket whose timer ends it with a RST, which would take the
			 * server's CLOSE_WAIT with it.
			 */
			wait_fin_wait2(cfd[i]);
			if (setsockopt(cfd[i], IPPROTO_TCP, TCP_LINGER2, &one, sizeof(one)) < 0)
				die("TCP_LINGER2: %m");
			close(cfd[i]);
		}
		break;
	case CAT_TIME_WAIT:
		for (int i = 0; i < n; i++)
			close(cfd[i]);
		/* The server closes only after the client's FIN: no simultaneous close. */
		for (int i = 0; i < n; i++) {
			wait_eof(sfd[i]);
			close(sfd[i]);
		}
		break;
	default:
		break;
	}
}

/* Makes connections [lo, hi) of kind c, in batches the accept queue can hold. */
static void make_range(const struct plan *p, enum cat c, enum fam f, int lane, long lo, long hi)
{
	long per = c == CAT_SYN_RECV ? p->syn_per_listener : p->cap[f];
	int *cfd = calloc((size_t)p->batch, sizeof(int));
	int *sfd = calloc((size_t)p->batch, sizeof(int));

	if (!cfd || !sfd)
		die("out of memory");
	while (lo < hi) {
		/* A batch never spans two listeners, so it is accepted from one. */
		long end = lo + p->batch;

		if (end > hi)
			end = hi;
		if (end > (lo / per + 1) * per)
			end = (lo / per + 1) * per;
		do_batch(p, c, f, lane, lo, end, cfd, sfd);
		lo = end;
	}
	free(cfd);
	free(sfd);
}

/* What a socket on a listening port does. */
enum lmode {
	L_PLAIN,
	L_DEFER, /* TCP_DEFER_ACCEPT: keeps request sockets (syn_recv) */
	L_DROP,	 /* drops every SYN: its clients stay in SYN_SENT */
	L_BOUND, /* bound only, never listens: the kernel does not dump it */
};

static int open_listener(const struct plan *p, enum fam f, int port, enum lmode mode)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, f, 1, port);
	int secs = DEFER_ACCEPT_SECS;
	int one = 1;
	int fd;

	fd = socket(f == FAM_V4 ? AF_INET : AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %m");
	if (f == FAM_V6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
		die("IPV6_V6ONLY: %m");
	/* A previous run's server sockets may linger in TIME_WAIT on these ports. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("SO_REUSEADDR: %m");
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		die("bind listener %s port %d: %m%s", f == FAM_V4 ? "127.0.0.1" : "[::1]", port,
		    errno == EADDRNOTAVAIL ? " (is lo up?)" : " (try another --base-port)");
	if (mode == L_BOUND)
		return fd;
	if (mode == L_DEFER &&
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof(secs)) < 0)
		die("TCP_DEFER_ACCEPT: %m");
	if (mode == L_DROP)
		drop_all_input(fd);
	if (listen(fd, p->backlog) < 0)
		die("listen: %m");
	return fd;
}

static void open_listeners(struct plan *p)
{
	int idx = 0;

	p->lfd = calloc((size_t)p->nlisteners, sizeof(int));
	if (!p->lfd)
		die("out of memory");
	for (int c = 0; c < CAT__N; c++) {
		enum lmode mode = L_PLAIN;

		if (c == CAT_SYN_RECV)
			mode = L_DEFER;
		else if (c == CAT_SYN_SENT)
			mode = L_DROP;

		for (int f = 0; f < FAM__N; f++)
			for (int i = 0; i < p->lanes[c] * p->nports[c][f]; i++, idx++)
				p->lfd[idx] = open_listener(p, f, listen_port(p, idx), mode);
	}
	for (int f = 0; f < FAM__N; f++)
		for (long i = 0; i < p->extra[f]; i++, idx++)
			p->lfd[idx] = open_listener(p, f, listen_port(p, idx), L_PLAIN);
	for (int f = 0; f < FAM__N; f++)
		for (long i = 0; i < p->bound[f]; i++, idx++)
			p->lfd[idx] = open_listener(p, f, listen_port(p, idx), L_BOUND);
}

/* --- the namespace's own counts, from sock_diag, to know when the mix has settled --- */

static int diag_dump(int fd, int family, long counts[FAM__N][ST__N])
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg = {
		.nlh = { .nlmsg_len = sizeof(msg),
			 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.req = { .sdiag_family = (uint8_t)family,
			 .sdiag_protocol = IPPROTO_TCP,
			 .idiag_states = 0x1ffe },
	};
	static char buf[65536] __attribute__((aligned(NLMSG_ALIGNTO)));
	enum fam f = family == AF_INET ? FAM_V4 : FAM_V6;

	if (send(fd, &msg, sizeof(msg), 0) < 0)
		return -errno;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			const struct inet_diag_msg *m = NLMSG_DATA(h);
			unsigned st =
				m->idiag_state == ST_NEW_SYN_RECV ? ST_SYN_RECV : m->idiag_state;

			if (st < ST__N)
				counts[f][st]++;
		}
	}
}

static int diag_count(long counts[FAM__N][ST__N])
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	int r;

	if (fd < 0)
		return -errno;
	memset(counts, 0, sizeof(long) * FAM__N * ST__N);
	r = diag_dump(fd, AF_INET, counts);
	if (r == 0)
		r = diag_dump(fd, AF_INET6, counts);
	close(fd);
	return r;
}

static void expected_counts(const struct plan *p, long st[FAM__N][ST__N])
{
	memset(st, 0, sizeof(long) * FAM__N * ST__N);
	for (int f = 0; f < FAM__N; f++) {
		st[f][ST_ESTABLISHED] = 2 * p->n[CAT_ESTABLISHED][f] + p->n[CAT_SYN_RECV][f];
		st[f][ST_SYN_SENT] = p->n[CAT_SYN_SENT][f];
		st[f][ST_SYN_RECV] = p->n[CAT_SYN_RECV][f];
		st[f][ST_FIN_WAIT1] = p->n[CAT_FIN_WAIT1][f] + p->n[CAT_CLOSING][f];
		st[f][ST_CLOSE_WAIT] =
			p->n[CAT_CLOSE_WAIT][f] + p->n[CAT_ORPHAN_CW][f] + p->n[CAT_FIN_WAIT1][f];
		st[f][ST_FIN_WAIT2] = p->n[CAT_CLOSE_WAIT][f] + p->n[CAT_LAST_ACK][f];
		st[f][ST_TIME_WAIT] = p->n[CAT_TIME_WAIT][f];
		st[f][ST_LAST_ACK] = p->n[CAT_LAST_ACK][f];
		st[f][ST_CLOSING] = p->n[CAT_CLOSING][f];
		/* st[f][ST_CLOSE] stays 0: bound sockets are not dumped (see the top). */
	}
	for (int c = 0; c < CAT__N; c++)
		for (int f = 0; f < FAM__N; f++)
			st[f][ST_LISTEN] += p->lanes[c] * p->nports[c][f];
	for (int f = 0; f < FAM__N; f++)
		st[f][ST_LISTEN] += p->extra[f];
}

/* Waits until the namespace shows exactly the mix: transient states have passed. */
static void settle(const struct plan *p)
{
	long want[FAM__N][ST__N], got[FAM__N][ST__N];
	double deadline = now_s() + SETTLE_TIMEOUT_MS / 1000.0;
	int r;

	expected_counts(p, want);
	for (;;) {
		r = diag_count(got);
		if (r < 0) {
			fprintf(stderr, "sockmix: warning: cannot check the counts: %s\n",
				strerror(-r));
			return;
		}
		if (memcmp(want, got, sizeof(want)) == 0)
			return;
		if (now_s() > deadline)
			break;
		usleep(20000);
	}
	for (int f = 0; f < FAM__N; f++)
		for (int s = 1; s < ST__N; s++)
			if (want[f][s] != got[f][s])
				fprintf(stderr,
					"sockmix: warning: %s %s: the mix has %ld, "
					"the namespace %ld\n",
					f == FAM_V4 ? "v4" : "v6", state_names[s], want[f][s],
					got[f][s]);
}

static void print_states(const long st[ST__N])
{
	for (int s = 1; s < ST__N; s++)
		printf("%s\"%s\":%ld", s == 1 ? "" : ",", state_names[s], st[s]);
}

#define NEVER_EXPIRES 1e300

static double sooner(double a, double b)
{
	return a < b ? a : b;
}

static bool has(const struct plan *p, enum cat c)
{
	return p->n[c][FAM_V4] + p->n[c][FAM_V6] > 0;
}

/*
 * Seconds for which the counts stay exact: TIME_WAIT ends 60 s after it began
 * (TCP_TIMEWAIT_LEN), a deferred request socket after the deferral, a
 * connection whose segments are dropped after HOLD_SECS (SYN_SENT lasts
 * longer still). Negative when nothing in the mix expires; 0 once something
 * has.
 */
static long valid_for(const struct plan *p)
{
	double now = now_s(), left = NEVER_EXPIRES;

	if (has(p, CAT_SYN_RECV))
		left = sooner(left, DEFER_ACCEPT_SECS - (now - p->syn_start));
	if (has(p, CAT_SYN_SENT) || has(p, CAT_FIN_WAIT1) || has(p, CAT_LAST_ACK) ||
	    has(p, CAT_CLOSING))
		left = sooner(left, HOLD_SECS - (now - p->syn_start));
	if (has(p, CAT_TIME_WAIT))
		left = sooner(left, 60 - (now - p->tw_start));
	if (left == NEVER_EXPIRES)
		return -1;
	/* A second less: the caller's clock starts after it has read this line. */
	return left < 1 ? 0 : (long)left - 1;
}

static void print_ready(const struct plan *p)
{
	long st[FAM__N][ST__N], sum[ST__N], left = valid_for(p);

	expected_counts(p, st);
	for (int s = 0; s < ST__N; s++)
		sum[s] = st[FAM_V4][s] + st[FAM_V6][s];
	printf("ready\n{");
	print_states(sum);
	printf(",\"v4\":{");
	print_states(st[FAM_V4]);
	printf("},\"v6\":{");
	print_states(st[FAM_V6]);
	printf("}");
	if (left >= 0)
		printf(",\"valid_for_s\":%ld", left);
	printf("}\n");
	fflush(stdout);
}

/* --- processes --- */

struct proc {
	pid_t pid;
	int id;
	int lane;
	bool exits; /* a TIME_WAIT worker: exits when done */
	bool done;
};

struct procs {
	struct proc *v;
	int n;
	int status_rd, status_wr;
	int sigfd;
};

static void child_setup(const struct procs *ps, pid_t parent)
{
	sigset_t none;
	int null;

	/* Never outlive the parent: the sockets must go when it goes. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Ctrl-C reaches the whole process group; the parent alone decides the teardown. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	close(ps->sigfd);
	close(ps->status_rd);
	/* The caller watches our stdin and stdout: workers must not keep them open. */
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		close(null);
	}
}

/*
 * Keeps a worker, and so both ends of each of its connections, on one CPU.
 * Loopback queues a packet on the sending CPU: a delayed ACK sent from one CPU
 * can then arrive after the FIN sent from another. That stale ACK makes the
 * new TIME_WAIT answer, the closed server's listener answer that with a RST,
 * and the RST ends the TIME_WAIT: a few dozen of 300k went missing that way.
 */
static void pin_to_cpu(int lane)
{
	cpu_set_t allowed, one;
	int seen = 0;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return;
	lane %= CPU_COUNT(&allowed);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &allowed) || seen++ != lane)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		sched_setaffinity(0, sizeof(one), &one);
		return;
	}
}

static void report_done(const struct procs *ps, int id)
{
	if (write(ps->status_wr, &id, sizeof(id)) != sizeof(id))
		_exit(1);
}

static void fd_worker(const struct plan *p, int w, int lane)
{
	for (int c = 0; c < CAT__N; c++) {
		if (c == CAT_TIME_WAIT)
			continue;
		for (int f = 0; f < FAM__N; f++) {
			long lo, hi;

			slice(p->n[c][f], w, p->workers, &lo, &hi);
			make_range(p, c, f, p->lanes[c] == 1 ? 0 : lane, lo, hi);
		}
	}
}

static void tw_worker(const struct plan *p, int t)
{
	for (int f = 0; f < FAM__N; f++) {
		long lo, hi;

		slice(p->n[CAT_TIME_WAIT][f], t, p->tw_workers, &lo, &hi);
		make_range(p, CAT_TIME_WAIT, f, t, lo, hi);
	}
}

static void start(const struct plan *p, struct procs *ps, int id, int lane, bool exits)
{
	pid_t parent = getpid();
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		child_setup(ps, parent);
		pin_to_cpu(exits ? id : lane);
		if (exits) {
			tw_worker(p, id);
			_exit(0);
		}
		fd_worker(p, id, lane);
		report_done(ps, id);
		/* Hold the sockets until the parent says otherwise. */
		for (;;)
			pause();
	}
	ps->v[ps->n++] = (struct proc){ .pid = pid, .id = id, .lane = lane, .exits = exits };
}

static void stop_all(struct procs *ps)
{
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i].pid > 0)
			kill(ps->v[i].pid, SIGTERM);
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i].pid > 0) {
			while (waitpid(ps->v[i].pid, NULL, 0) < 0 && errno == EINTR)
				;
			ps->v[i].pid = 0;
		}
}

static struct proc *find_pid(struct procs *ps, pid_t pid)
{
	for (int i = 0; i < ps->n; i++)
		if (ps->v[i].pid == pid)
			return &ps->v[i];
	return NULL;
}

/*
 * Reaps exited children. A TIME_WAIT worker that exits 0 is done; any other
 * exit means the mix is broken. Returns false then.
 */
static bool reap(struct procs *ps)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct proc *pr = find_pid(ps, pid);

		if (!pr)
			continue;
		pr->pid = 0;
		if (pr->exits && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			pr->done = true;
			continue;
		}
		fprintf(stderr, "sockmix: worker %d %s %d\n", pr->id,
			WIFSIGNALED(status) ? "killed by signal" : "exited with",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return false;
	}
	return true;
}

enum event { EV_NONE, EV_STOP, EV_CHILD, EV_STATUS, EV_INPUT, EV_EOF };

/* Waits for the next thing that matters to the parent. */
static enum event wait_event(struct procs *ps, bool watch_stdin, int *id)
{
	struct pollfd pfd[3] = {
		{ .fd = ps->sigfd, .events = POLLIN },
		{ .fd = ps->status_rd, .events = POLLIN },
		{ .fd = watch_stdin ? STDIN_FILENO : -1, .events = POLLIN },
	};

	if (poll(pfd, 3, -1) < 0)
		return errno == EINTR ? EV_NONE : EV_STOP;
	if (pfd[0].revents) {
		struct signalfd_siginfo si;

		if (read(ps->sigfd, &si, sizeof(si)) != sizeof(si))
			return EV_NONE;
		return si.ssi_signo == SIGCHLD ? EV_CHILD : EV_STOP;
	}
	if (pfd[1].revents) {
		if (read(ps->status_rd, id, sizeof(*id)) != sizeof(*id))
			return EV_NONE;
		return EV_STATUS;
	}
	if (pfd[2].revents)
		return EV_INPUT;
	return EV_NONE;
}

static void abort_setup(struct procs *ps, const char *why) __attribute__((noreturn));

static void abort_setup(struct procs *ps, const char *why)
{
	fprintf(stderr, "sockmix: %s\n", why);
	stop_all(ps);
	exit(1);
}

/* Phase 1: fd-holding workers, at most one per lane at a time. */
static void run_fd_workers(const struct plan *p, struct procs *ps)
{
	int next = 0, done = 0, id;
	int lanes = p->lanes[CAT_ESTABLISHED] > 0 ? p->lanes[CAT_ESTABLISHED] : 1;

	for (int l = 0; l < lanes && next < p->workers; l++)
		start(p, ps, next++, l, false);
	while (done < p->workers) {
		switch (wait_event(ps, false, &id)) {
		case EV_STOP:
			abort_setup(ps, "interrupted before ready");
		case EV_CHILD:
			if (!reap(ps))
				abort_setup(ps, "setup failed");
			break;
		case EV_STATUS:
			done++;
			for (int i = 0; i < ps->n; i++)
				if (ps->v[i].id == id && !ps->v[i].exits && next < p->workers) {
					start(p, ps, next++, ps->v[i].lane, false);
					break;
				}
			break;
		default:
			break;
		}
	}
}

/* Phase 2: TIME_WAIT last, all lanes at once, because its clock starts now. */
static void run_tw_workers(const struct plan *p, struct procs *ps)
{
	int first = ps->n, id;
	bool all;

	for (int t = 0; t < p->tw_workers; t++)
		start(p, ps, t, t, true);
	for (;;) {
		all = true;
		for (int i = first; i < ps->n; i++)
			all = all && ps->v[i].done;
		if (all)
			break;
		switch (wait_event(ps, false, &id)) {
		case EV_STOP:
			abort_setup(ps, "interrupted before ready");
		case EV_CHILD:
			if (!reap(ps))
				abort_setup(ps, "setup failed");
			break;
		default:
			break;
		}
	}
	/* Forget the exited TIME_WAIT workers so that a refresh can start them again. */
	ps->n = first;
}

/* --- planning --- */

static void plan_listeners(struct plan *p)
{
	int idx = 0;

	for (int c = 0; c < CAT__N; c++)
		for (int f = 0; f < FAM__N; f++) {
			long per = c == CAT_SYN_RECV ? p->syn_per_listener : p->cap[f];

			p->nports[c][f] = p->n[c][f] ? (int)div_up(p->n[c][f], per) : 0;
			p->first[c][f] = idx;
			idx += p->lanes[c] * p->nports[c][f];
		}
	for (int f = 0; f < FAM__N; f++) {
		p->extra_first[f] = idx;
		idx += (int)p->extra[f];
	}
	/* Bound sockets take ports of their own too, where no client binds. */
	for (int f = 0; f < FAM__N; f++) {
		p->bound_first[f] = idx;
		idx += (int)p->bound[f];
	}
	p->nlisteners = idx;
}

static void plan_make(struct plan *p, long procs, int v6_percent)
{
	struct rlimit rl;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	long fds = 0, budget;
	int lanes;

	for (int c = 0; c < CAT__N; c++) {
		long total = p->n[c][FAM_V4];

		/* Each kind is split exactly, so the expected per-family counts are integers. */
		p->n[c][FAM_V6] = (total * v6_percent + 50) / 100;
		p->n[c][FAM_V4] = total - p->n[c][FAM_V6];
	}
	{
		long total = p->extra[FAM_V4];

		p->extra[FAM_V6] = (total * v6_percent + 50) / 100;
		p->extra[FAM_V4] = total - p->extra[FAM_V6];
		total = p->bound[FAM_V4];
		p->bound[FAM_V6] = (total * v6_percent + 50) / 100;
		p->bound[FAM_V4] = total - p->bound[FAM_V6];
	}

	p->backlog = (int)read_sysctl("/proc/sys/net/core/somaxconn", 4096);
	if (p->backlog < 16)
		p->backlog = 16;
	if (p->backlog > 65535)
		p->backlog = 65535;
	/* Half the backlog: a fuller SYN queue makes the kernel prune and use syncookies. */
	p->syn_per_listener = p->backlog / 2;
	p->batch = p->backlog / 2 < 512 ? p->backlog / 2 : 512;

	/* Each worker may hold as many fds as the hard limit allows. */
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);

	for (int f = 0; f < FAM__N; f++) {
		fds += 2 * p->n[CAT_ESTABLISHED][f] + 2 * p->n[CAT_CLOSE_WAIT][f] +
		       p->n[CAT_ORPHAN_CW][f] + p->n[CAT_SYN_RECV][f] + p->n[CAT_SYN_SENT][f] +
		       2 * p->n[CAT_FIN_WAIT1][f] + 2 * p->n[CAT_LAST_ACK][f] +
		       2 * p->n[CAT_CLOSING][f];
	}
	if (ncpu < 1)
		ncpu = 1;
	if (ncpu > MAX_LANES)
		ncpu = MAX_LANES;
	lanes = (int)ncpu;

	/*
	 * The listener count depends on the lanes and the port room, the port room on the
	 * listener count, the lanes on the worker count and that on the fd budget left by the
	 * listeners: iterate until nothing moves (two or three rounds).
	 */
	p->client_ports = 65536 - FIRST_CLIENT_PORT;
	for (int round = 0;; round++) {
		int before = p->nlisteners;
		long tw = p->n[CAT_TIME_WAIT][FAM_V4] + p->n[CAT_TIME_WAIT][FAM_V6];

		if (round == 8)
			die_usage("cannot lay out %d listening ports from --base-port %d",
				  p->nlisteners, p->base_port);
		p->cap[FAM_V4] = p->client_ports * V4_SOURCES;
		p->cap[FAM_V6] = p->client_ports;
		p->tw_workers = tw == 0 ? 0 : tw < 2000 ? 1 : (int)ncpu;
		for (int c = 0; c < CAT__N; c++)
			p->lanes[c] = lanes;
		/* Nobody accepts from these: every worker uses lane 0's listeners. */
		p->lanes[CAT_SYN_RECV] = 1;
		p->lanes[CAT_SYN_SENT] = 1;
		p->lanes[CAT_TIME_WAIT] = p->tw_workers;
		plan_listeners(p);
		budget = (long)rl.rlim_cur - p->nlisteners - 32 - 2L * p->batch;
		if (budget < 64)
			die_usage("RLIMIT_NOFILE %ld is too small", (long)rl.rlim_cur);
		p->workers = fds ? (int)div_up(fds, budget) : 0;
		if (procs > 0) {
			if (p->workers > procs)
				die_usage("--procs %ld is too few: %ld held sockets need "
					  "%d processes with RLIMIT_NOFILE %ld",
					  procs, fds, p->workers, (long)rl.rlim_cur);
			p->workers = (int)procs;
		}
		if (p->workers && p->workers < lanes)
			lanes = p->workers;
		if (p->base_port + p->nlisteners > 65536)
			die_usage("--base-port %d: %d listening ports must fit below 65536",
				  p->base_port, p->nlisteners);
		if (round > 0 && before == p->nlisteners &&
		    p->client_ports == 65536 - FIRST_CLIENT_PORT - p->nlisteners &&
		    p->lanes[CAT_ESTABLISHED] == lanes)
			break;
		p->client_ports = 65536 - FIRST_CLIENT_PORT - p->nlisteners;
	}
	if (!p->workers)
		p->lanes[CAT_ESTABLISHED] = 0;
}

static void check_limits(const struct plan *p)
{
	long tw = 0, max_tw = read_sysctl("/proc/sys/net/ipv4/tcp_max_tw_buckets", LONG_MAX);

	/* Orphaned FIN_WAIT2 sockets are timewait sockets too while they last. */
	for (int f = 0; f < FAM__N; f++)
		tw += p->n[CAT_TIME_WAIT][f] + p->n[CAT_ORPHAN_CW][f];
	if (tw > max_tw)
		die_usage("%ld TIME_WAIT sockets exceed net.ipv4.tcp_max_tw_buckets = %ld: "
			  "raise it in this namespace",
			  tw, max_tw);
}

/* --- main --- */

static void setup_signals(struct procs *ps)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die("sigprocmask: %m");
	ps->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (ps->sigfd < 0)
		die("signalfd: %m");
	/* The caller may go away while we write; that must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
}

static void build(struct plan *p, struct procs *ps)
{
	double t0 = now_s(), t1, t2;

	p->syn_start = t0;
	if (p->workers)
		run_fd_workers(p, ps);
	t1 = now_s();
	p->tw_start = t1;
	note(p, "held sockets: %d workers, %.2f s", p->workers, t1 - t0);
	if (p->tw_workers)
		run_tw_workers(p, ps);
	t2 = now_s();
	note(p, "time_wait: %d workers, %.2f s", p->tw_workers, t2 - t1);
	if (p->verify)
		settle(p);
	note(p, "settled in %.2f s; setup took %.2f s", now_s() - t2, now_s() - t0);
}

/* Reads commands from stdin; returns false at EOF. */
static bool handle_input(struct plan *p, struct procs *ps)
{
	static char line[256];
	static size_t len;
	ssize_t n = read(STDIN_FILENO, line + len, sizeof(line) - 1 - len);

	if (n <= 0)
		return n < 0 && errno == EINTR;
	len += (size_t)n;
	for (char *nl; (nl = memchr(line, '\n', len));) {
		*nl = '\0';
		if (strcmp(line, "refresh") == 0 && p->tw_workers) {
			double t0 = now_s();

			p->tw_start = t0;
			run_tw_workers(p, ps);
			if (p->verify)
				settle(p);
			note(p, "refresh took %.2f s", now_s() - t0);
			print_ready(p);
		} else if (strcmp(line, "refresh") == 0) {
			print_ready(p);
		} else if (line[0]) {
			fprintf(stderr, "sockmix: unknown command '%s' (known: refresh)\n", line);
		}
		len -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, len);
	}
	if (len == sizeof(line) - 1)
		len = 0; /* a line too long to be a command */
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listeners", required_argument, NULL, 'l' },
		{ "established", required_argument, NULL, 'e' },
		{ "time-wait", required_argument, NULL, 't' },
		{ "close-wait", required_argument, NULL, 'c' },
		{ "orphan-close-wait", required_argument, NULL, 'o' },
		{ "syn-recv", required_argument, NULL, 's' },
		{ "syn-sent", required_argument, NULL, 'S' },
		{ "fin-wait1", required_argument, NULL, 'F' },
		{ "last-ack", required_argument, NULL, 'A' },
		{ "closing", required_argument, NULL, 'C' },
		{ "bound", required_argument, NULL, 'B' },
		{ "v6-percent", required_argument, NULL, '6' },
		{ "procs", required_argument, NULL, 'p' },
		{ "base-port", required_argument, NULL, 'b' },
		{ "no-verify", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct plan p = { .base_port = 10000, .verify = true };
	struct procs ps = { 0 };
	long procs = 0;
	int v6_percent = 0, opt, fds[2], id, longindex = 0;
	bool running = true;

	while ((opt = getopt_long(argc, argv, "h", opts, &longindex)) != -1) {
		const char *name = opts[longindex].name;

		switch (opt) {
		case 'l':
			p.extra[FAM_V4] = parse_count(name, optarg, 0, 10000);
			break;
		case 'e':
			p.n[CAT_ESTABLISHED][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 't':
			p.n[CAT_TIME_WAIT][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'c':
			p.n[CAT_CLOSE_WAIT][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'o':
			p.n[CAT_ORPHAN_CW][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 's':
			p.n[CAT_SYN_RECV][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'S':
			p.n[CAT_SYN_SENT][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'F':
			p.n[CAT_FIN_WAIT1][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'A':
			p.n[CAT_LAST_ACK][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'C':
			p.n[CAT_CLOSING][FAM_V4] = parse_count(name, optarg, 0, MAX_COUNT);
			break;
		case 'B':
			p.bound[FAM_V4] = parse_count(name, optarg, 0, 10000);
			break;
		case '6':
			v6_percent = (int)parse_count(name, optarg, 0, 100);
			break;
		case 'p':
			procs = parse_count(name, optarg, 1, 1000);
			break;
		case 'b':
			p.base_port = (int)parse_count(name, optarg, FIRST_CLIENT_PORT, 65535);
			break;
		case 'N':
			p.verify = false;
			break;
		case 'v':
			p.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);

	plan_make(&p, procs, v6_percent);
	check_limits(&p);
	note(&p, "%d listeners from port %d, %d fd workers, %d time_wait workers, backlog %d",
	     p.nlisteners, p.base_port, p.workers, p.tw_workers, p.backlog);

	setup_signals(&ps);
	if (pipe2(fds, O_CLOEXEC) < 0)
		die("pipe: %m");
	ps.status_rd = fds[0];
	ps.status_wr = fds[1];
	ps.v = calloc((size_t)p.workers + (size_t)p.tw_workers + 1, sizeof(*ps.v));
	if (!ps.v)
		die("out of memory");

	open_listeners(&p);
	build(&p, &ps);
	print_ready(&p);

	while (running) {
		switch (wait_event(&ps, true, &id)) {
		case EV_STOP:
			running = false;
			break;
		case EV_CHILD:
			if (!reap(&ps))
				abort_setup(&ps, "a worker died; the mix is broken");
			break;
		case EV_INPUT:
			running = handle_input(&p, &ps);
			break;
		default:
			break;
		}
	}
	stop_all(&ps);
	free(ps.v);
	free(p.lfd);
	return 0;
}
