// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Drives sysctl_write() against the running kernel for the integration tests:
 * sysctl-write [--root DIR] KEY VALUE
 *
 * Exit 0 when written; 1 with "sysctl-write: KEY: <error> (<-errno>)" when
 * refused. Against /proc/sys (the default root) it writes only per-namespace
 * net.* keys and only from a private network namespace (see in_private_netns):
 * a test must never change the host.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysctl.h"
#include "util.h"

/*
 * The host's namespace comes from SYSCTL_WRITE_HOST_NETNS (what the script
 * read before unshare: /proc/1/ns/net is not always readable, even by root)
 * or else from /proc/1. Without either, nothing is written.
 */
static bool in_private_netns(void)
{
	char self[PATH_MAX], init[PATH_MAX];
	const char *host = getenv("SYSCTL_WRITE_HOST_NETNS");
	ssize_t n = readlink("/proc/self/ns/net", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	if (!host || !*host) {
		n = readlink("/proc/1/ns/net", init, sizeof(init) - 1);
		if (n <= 0)
			return false;
		init[n] = '\0';
		host = init;
	}
	return strcmp(self, host) != 0;
}

/* net.core.* is global but for somaxconn; net.ipv4/ipv6/unix are per namespace. */
static bool per_netns_key(const char *dotted)
{
	static const char *const prefixes[] = { "net.ipv4.", "net.ipv6.", "net.unix." };

	if (strcmp(dotted, "net.core.somaxconn") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (strncmp(dotted, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	const char *root = "/proc/sys";
	_cleanup_free_ char *dotted = NULL;
	int r;

	if (argc == 5 && strcmp(argv[1], "--root") == 0) {
		root = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: sysctl-write [--root DIR] KEY VALUE\n");
		return 64;
	}
	if (strcmp(root, "/proc/sys") == 0) {
		if (sysctl_key_normalize(argv[1], &dotted) < 0 || !per_netns_key(dotted)) {
			fprintf(stderr, "sysctl-write: %s: not a per-namespace key, refused\n",
				argv[1]);
			return 64;
		}
		if (!in_private_netns()) {
			fprintf(stderr,
				"sysctl-write: not in a private network namespace, refused\n");
			return 64;
		}
	}
	r = sysctl_write(root, argv[1], argv[2]);
	if (r < 0) {
		fprintf(stderr, "sysctl-write: %s: %s (%d)\n", argv[1], strerror(-r), r);
		return 1;
	}
	return 0;
}
