// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records what the kernel sends for a sock_diag dump, so that unit tests can
 * replay it without root: record-dump [--bound-inactive] legacy|v4|v6 FILE
 *
 * With --bound-inactive the request also asks for TCP_BOUND_INACTIVE (13),
 * as tcptune never does: the kernel then adds the sockets that are bound but
 * neither listening nor connected, reported in state TCP_CLOSE (7), the only
 * way a dump holds that state. A fixture recorded so has every state.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockdiag.h"

int main(int argc, char **argv)
{
	struct sockdiag_req req = { .states = SOCKDIAG_ALL_STATES };
	char *errmsg = NULL;
	struct tally t;
	int fd, r;

	if (argc == 4 && strcmp(argv[1], "--bound-inactive") == 0) {
		req.states |= 1u << 13; /* TCP_BOUND_INACTIVE */
		argc--;
		argv++;
	}
	if (argc != 3 ||
	    (strcmp(argv[1], "legacy") && strcmp(argv[1], "v4") && strcmp(argv[1], "v6"))) {
		fprintf(stderr, "usage: record-dump [--bound-inactive] legacy|v4|v6 FILE\n");
		return 64;
	}
	if (strcmp(argv[1], "legacy") == 0)
		req.legacy = true;
	else
		req.family = strcmp(argv[1], "v6") == 0 ? AF_INET6 : AF_INET;
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[2]);
		return 73;
	}
	tally_init(&t, false);
	r = sockdiag_dump_recorded(&req, 1, &t, fd, &errmsg);
	tally_done(&t);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "record-dump: %s\n", errmsg);
		return 1;
	}
	return 0;
}
