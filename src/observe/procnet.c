// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "procnet.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>

#include "util.h"

#define READ_BUF_SIZE (128 * 1024)

static int parse_hex(const char *s, size_t len, uint32_t *ret)
{
	uint32_t v = 0;

	if (len == 0 || len > 8)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else
			return -EBADMSG;
		v = v << 4 | d;
	}
	*ret = v;
	return 0;
}

/*
 * "0100007F:0050": the kernel prints each 32-bit word of the address as the
 * host-order value of its network-order bytes, so storing the words back in
 * host order restores the bytes.
 */
static int parse_endpoint(const char *s, enum obs_family family, uint8_t *addr, uint16_t *port)
{
	size_t words = family == OBS_V4 ? 1 : 4;
	uint32_t v;

	if (strlen(s) != words * 8 + 5 || s[words * 8] != ':')
		return -EBADMSG;
	for (size_t i = 0; i < words; i++) {
		if (parse_hex(s + i * 8, 8, &v) < 0)
			return -EBADMSG;
		memcpy(addr + i * 4, &v, 4);
	}
	if (parse_hex(s + words * 8 + 1, 4, &v) < 0)
		return -EBADMSG;
	*port = (uint16_t)v;
	return 0;
}

/*
 * "tr:when retrnsmt uid timeout": the timer, and the retransmissions (hex)
 * or, for keepalive, the probes unanswered (the decimal "timeout" column).
 */
static int parse_timer(char *const *f, struct conn *c)
{
	uint32_t timer, retries;
	uint64_t probes;

	if (strlen(f[5]) < 3 || f[5][2] != ':' || parse_hex(f[5], 2, &timer) < 0 ||
	    parse_hex(f[6], strlen(f[6]), &retries) < 0 || parse_u64(f[8], INT32_MAX, &probes) < 0)
		return -EBADMSG;
	if (timer == TIMER_KEEPALIVE)
		retries = (uint32_t)probes;
	c->timer = (uint8_t)timer;
	c->retries = (uint8_t)(retries > UINT8_MAX ? UINT8_MAX : retries);
	return 0;
}

int procnet_parse_line(char *line, enum obs_family family, struct tally *t)
{
	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode ... */
	char *f[10];
	uint8_t addr[16] = { 0 }, raddr[16] = { 0 };
	uint16_t port, rport;
	uint32_t st, inode, rxq;
	uint64_t ino;
	enum tcp_state s;
	char *colon;

	if (split_fields(line, f, ARRAY_SIZE(f)) < ARRAY_SIZE(f))
		return -EBADMSG;
	if (parse_endpoint(f[1], family, addr, &port) < 0 ||
	    parse_endpoint(f[2], family, raddr, &rport) < 0 ||
	    parse_hex(f[3], strlen(f[3]), &st) < 0)
		return -EBADMSG;
	colon = strchr(f[4], ':');
	if (!colon || parse_hex(colon + 1, strlen(colon + 1), &rxq) < 0)
		return -EBADMSG;
	if (parse_u64(f[9], UINT32_MAX, &ino) < 0)
		return -EBADMSG;
	inode = (uint32_t)ino;
	s = tcp_state_from_kernel(st);
	if (!s)
		return -EBADMSG;
	tally_socket(t, family, s, port, inode);
	if (s != TS_LISTEN) {
		struct conn c = { .f = family,
				  .s = s,
				  .sport = port,
				  .dport = rport,
				  .daddr = raddr,
				  .inode = inode };
		if (parse_timer(f, &c) < 0 ||
		    parse_hex(f[4], (size_t)(colon - f[4]), &c.wqueue) < 0)
			return -EBADMSG;
		tally_conn(t, &c);
	} else {
		struct listener l = {
			.family = family == OBS_V4 ? AF_INET : AF_INET6,
			.port = port,
			.queue = rxq, /* for a listener: the accept-queue length */
			.backlog = -1,
			.inode = inode,
		};

		memcpy(l.addr, addr, sizeof(addr));
		tally_listener(t, &l);
	}
	return 0;
}

int procnet_read(const char *path, enum obs_family family, struct tally *t, char **errmsg)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t have = 0, lineno = 0;
	bool eof = false;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errmsg, -errno, "%s: %m", path);
	buf = malloc(READ_BUF_SIZE + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		char *line = buf, *nl;

		if (!eof) {
			ssize_t n = read(fd, buf + have, READ_BUF_SIZE - have);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return err_set(errmsg, -errno, "%s: %m", path);
			eof = n == 0;
			have += (size_t)n;
		}
		buf[have] = '\0';
		while ((nl = memchr(line, '\n', have - (size_t)(line - buf))) || (eof && *line)) {
			if (nl)
				*nl = '\0';
			/* The first line is the column header. */
			if (++lineno > 1 && procnet_parse_line(line, family, t) < 0)
				return err_set(errmsg, -EBADMSG, "%s:%zu: malformed socket line",
					       path, lineno);
			if (t->error)
				return t->error;
			line = nl ? nl + 1 : buf + have;
		}
		if (!eof && line == buf && have == READ_BUF_SIZE)
			return err_set(errmsg, -EBADMSG, "%s:%zu: line too long", path, lineno + 1);
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
		if (eof && have > 0)
			return err_set(errmsg, -EBADMSG, "%s:%zu: NUL byte in text", path,
				       lineno + 1);
		if (eof)
			break;
	}
	if (lineno == 0)
		return err_set(errmsg, -EBADMSG, "%s: empty file, expected a header line", path);
	return 0;
}

int procnet_collect(const char *proc_root, struct tally *t, char **errmsg)
{
	_cleanup_free_ char *p4 = path_join(proc_root, "net/tcp");
	_cleanup_free_ char *p6 = path_join(proc_root, "net/tcp6");
	int r;

	if (!p4 || !p6)
		return -ENOMEM;
	r = procnet_read(p4, OBS_V4, t, errmsg);
	if (r < 0)
		return r;
	r = procnet_read(p6, OBS_V6, t, errmsg);
	if (r == -ENOENT)
		return 0; /* IPv6 disabled */
	return r;
}
