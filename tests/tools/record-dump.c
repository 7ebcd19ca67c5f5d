// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records what the kernel sends for a sock_diag dump, so that unit tests can
 * replay it without root: record-dump legacy|v4|v6 FILE
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

	if (argc != 3) {
		fprintf(stderr, "usage: record-dump legacy|v4|v6 FILE\n");
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
	sockdiag_set_record(fd);
	tally_init(&t, false);
	r = sockdiag_dump(&req, 1, &t, &errmsg);
	tally_done(&t);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "record-dump: %s\n", errmsg);
		return 1;
	}
	return 0;
}
