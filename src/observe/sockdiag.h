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

/* One dump request: which interface, family and states the kernel walks. */
struct sockdiag_req {
	bool legacy;	 /* TCPDIAG_GETSOCK: one walk of the table for both families */
	int family;	 /* AF_INET or AF_INET6 for SOCK_DIAG_BY_FAMILY */
	uint32_t states; /* bit mask of kernel state numbers */
};

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

/*
 * Collects all TCP sockets, splitting the work between two threads (each its
 * own netlink socket and tally) so that both cores fill messages in the kernel
 * at once; falls back to per-family requests on kernels without the legacy
 * interface.
 */
int sockdiag_collect(struct tally *t, char **errmsg);

/* With a record file, every received buffer is also appended to it (fixtures). */
void sockdiag_set_record(int fd);

#endif
