/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_SOCKDIAG_H
#define TCPTUNE_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tally.h"

/* Every real TCP state, and request sockets; not TCP_BOUND_INACTIVE (13), which
 * makes the kernel walk the bind hash too and is not a connection. */
#define SOCKDIAG_ALL_STATES 0x1ffeu

/*
 * Which half of the sockets a request asks for (see sockdiag_split_bytecode()).
 */
enum sockdiag_half {
	SOCKDIAG_ALL,
	SOCKDIAG_SAME_SIDE,  /* both ports below the pivot, or both at or above it */
	SOCKDIAG_CROSS_SIDE, /* one port below the pivot, the other at or above it */
};

/* One dump request: which interface, family and states the kernel walks. */
struct sockdiag_req {
	bool legacy;	 /* TCPDIAG_GETSOCK: one walk of the table for both families */
	int family;	 /* AF_INET or AF_INET6 for SOCK_DIAG_BY_FAMILY */
	uint32_t states; /* bit mask of kernel state numbers */
	enum sockdiag_half half;
	uint16_t pivot;	    /* with a half: the port that divides */
	uint64_t cgroup_id; /* only this cgroup's sockets (INET_DIAG_BC_CGROUP_COND); 0: all */
};

/* Room for the longest filter program sockdiag_bytecode() writes. */
#define SOCKDIAG_BC_MAX (12 + 4 * SOCKDIAG_SPLIT_OPS)

/*
 * The filter program of a request, its cgroup condition first, then its half,
 * into buf (SOCKDIAG_BC_MAX bytes). Returns its length, 0 when the request
 * filters nothing.
 */
size_t sockdiag_bytecode(const struct sockdiag_req *req, void *buf);

#define SOCKDIAG_SPLIT_OPS 7

/*
 * The kernel's filter bytecode (struct inet_diag_bc_op) selecting one half of
 * the sockets by comparing both ports with a pivot. Almost every connection
 * has one end on an ephemeral port, spread evenly over the ephemeral range;
 * with the pivot in its middle each half gets about half of every kind of
 * connection (server side, client side, loopback pairs), so two threads dump
 * the table at once with even work. Returns the program's length in bytes.
 */
size_t sockdiag_split_bytecode(enum sockdiag_half half, uint16_t pivot, void *ops);

/*
 * Parses a buffer of netlink messages as received from a sock_diag dump and
 * tallies every socket. Sets *ret_done at NLMSG_DONE. Returns 0, the kernel's
 * error (negative errno) from an NLMSG_ERROR, or -EBADMSG for a malformed
 * buffer. Pure: the unit tests feed it recorded dumps.
 */
int sockdiag_parse(const void *buf, size_t len, struct tally *t, bool *ret_done);

/*
 * Dumps the current network namespace's TCP sockets through libnl-3 into t,
 * running the requests in order on one netlink socket. On failure returns a
 * negative errno and a message in *errmsg.
 */
int sockdiag_dump(const struct sockdiag_req *reqs, size_t n, struct tally *t, char **errmsg);
/* The same, appending every received buffer to record_fd too (fixtures; -1: none). */
int sockdiag_dump_recorded(const struct sockdiag_req *reqs, size_t n, struct tally *t,
			   int record_fd, char **errmsg);

/*
 * Collects all TCP sockets, splitting the work between two threads (each its
 * own netlink socket and tally, each one half of the sockets by the pivot
 * port) so that both cores fill messages in the kernel at once; falls back to
 * per-family requests on kernels without the legacy interface.
 */
int sockdiag_collect(struct tally *t, uint16_t pivot, char **errmsg);

enum sockdiag_api {
	SOCKDIAG_LEGACY,     /* TCPDIAG_GETSOCK: one walk for both families */
	SOCKDIAG_PER_FAMILY, /* SOCK_DIAG_BY_FAMILY, once per family: the fallback */
};

/* The same with one interface only (sockdiag_collect tries them in turn); tests compare them. */
int sockdiag_collect_with(struct tally *t, uint16_t pivot, enum sockdiag_api api, char **errmsg);

#endif
