// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "fuzz.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: fuzz contract broken: %s\n", file, line, what);
	abort();
}

static void *must(void *p)
{
	if (!p)
		fuzz_fail(__FILE__, __LINE__, "out of memory in the harness");
	return p;
}

char *fuzz_strdup(const uint8_t *data, size_t size)
{
	return must(strndup((const char *)data, size));
}

static char *tmpdir;

static void tmpdir_remove(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
}

const char *fuzz_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir)
		return tmpdir;
	tmpdir = must(path_join(base && *base ? base : "/tmp", "tcptune-fuzz.XXXXXX"));
	if (!mkdtemp(tmpdir))
		fuzz_fail(__FILE__, __LINE__, "mkdtemp() of the private directory");
	atexit(tmpdir_remove);
	return tmpdir;
}

char *fuzz_write_file(const char *name, const uint8_t *data, size_t size)
{
	char *path = must(path_join(fuzz_tmpdir(), name));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0)
		fuzz_fail(__FILE__, __LINE__, "creating the input file");
	/* The loaders refuse files that group or others may write: the umask must not decide. */
	if (fchmod(fd, 0600) < 0)
		fuzz_fail(__FILE__, __LINE__, "chmod of the input file");
	while (size > 0) {
		ssize_t n = write(fd, data, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			fuzz_fail(__FILE__, __LINE__, "writing the input file");
		data += n;
		size -= (size_t)n;
	}
	close(fd);
	return path;
}

static void add_sysctl(struct observation *o, const char *key, const char *value, size_t n,
		       const int64_t *num)
{
	struct sysctl_reading *s = &o->sysctls[o->n_sysctls++];

	s->key = must(strdup(key));
	s->value = value ? must(strdup(value)) : NULL;
	s->n = n;
	for (size_t i = 0; i < n; i++)
		s->num[i] = num[i];
}

static void add_counter(struct counter *arr, size_t *n, const char *name, int64_t value,
			double rate)
{
	arr[(*n)++] = (struct counter){ must(strdup(name)), value, rate };
}

static void add_top(struct observation *o, enum tcp_state s, uint16_t port, uint32_t count,
		    bool server, int pid, const char *comm)
{
	o->top[s].ports = must(calloc(1, sizeof(*o->top[s].ports)));
	o->top[s].ports[0] = (struct port_count){
		.port = port,
		.count = count,
		.server = server,
		.inode = pid ? 4242 : 0,
		.pid = pid,
		.comm = comm ? must(strdup(comm)) : NULL,
	};
	o->top[s].n = 1;
}

static struct observation *build_snapshot(void)
{
	struct observation *o = must(observation_new());

	o->source = "netlink";
	o->kernel_release = must(strdup("6.1.0-18-amd64"));
	o->processes = true;
	o->interval = 2;
	FOREACH_TCP_STATE(s) {
		o->states[OBS_V4][s] = 10u * s;
		o->states[OBS_V6][s] = s;
		o->client[s] = s;
	}
	add_top(o, TS_ESTABLISHED, 8080, 5, true, 42, "nginx");
	add_top(o, TS_TIME_WAIT, 443, 100, true, 0, NULL);
	add_top(o, TS_CLOSE_WAIT, 51000, 7, false, 77, NULL);

	o->listeners = must(calloc(3, sizeof(*o->listeners)));
	o->listeners[o->n_listeners++] = (struct listener){
		.family = AF_INET, .port = 8080, .queue = 3, .backlog = 4096, .pid = 42
	};
	o->listeners[o->n_listeners++] =
		(struct listener){ .family = AF_INET6, .port = 8443, .queue = 129, .backlog = 128 };
	o->listeners[o->n_listeners++] =
		(struct listener){ .family = AF_INET, .port = 9090, .queue = 0, .backlog = 0 };

	o->peers = must(calloc(2, sizeof(*o->peers)));
	o->peers[o->n_peers++] = (struct peer_count){ .family = AF_INET6,
						      .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
						      .port = 5432,
						      .count = 900 };
	o->peers[o->n_peers++] = (struct peer_count){
		.family = AF_INET, .addr = { 10, 0, 0, 1 }, .port = 6379, .count = 12
	};

	o->sockstat = must(calloc(4, sizeof(*o->sockstat)));
	add_counter(o->sockstat, &o->n_sockstat, "inuse", 120, 0);
	add_counter(o->sockstat, &o->n_sockstat, "tw", 700, 0);
	add_counter(o->sockstat, &o->n_sockstat, "sockets_used", 300, 0);
	add_counter(o->sockstat, &o->n_sockstat, "v6.inuse", 4, 0);

	o->counters = must(calloc(4, sizeof(*o->counters)));
	add_counter(o->counters, &o->n_counters, "TcpExt.ListenOverflows", 5, 0.5);
	add_counter(o->counters, &o->n_counters, "TcpExt.ListenDrops", 9, NAN);
	add_counter(o->counters, &o->n_counters, "Tcp.ActiveOpens", INT64_MAX, 1e300);
	add_counter(o->counters, &o->n_counters, "Tcp.CurrEstab", -1, -0.25);

	o->sysctls = must(calloc(8, sizeof(*o->sysctls)));
	add_sysctl(o, "net.ipv4.tcp_max_tw_buckets", "262144", 1, (int64_t[]){ 262144 });
	add_sysctl(o, "net.ipv4.ip_local_port_range", "32768 60999", 2,
		   (int64_t[]){ 32768, 60999 });
	add_sysctl(o, "net.ipv4.tcp_rmem", "4096 131072 6291456", 3,
		   (int64_t[]){ 4096, 131072, 6291456 });
	add_sysctl(o, "net.core.somaxconn", "128", 1, (int64_t[]){ 128 });
	add_sysctl(o, "net.ipv4.tcp_congestion_control", "cubic", 0, NULL);
	add_sysctl(o, "net.ipv4.tcp_fin_timeout", NULL, 0, NULL);
	add_sysctl(o, "net.ipv4.tcp_tw_reuse", "2", 1, (int64_t[]){ 2 });
	add_sysctl(o, "net.ipv4.tcp_mem", "-1 0 9223372036854775807", 3,
		   (int64_t[]){ -1, 0, INT64_MAX });
	return o;
}

const struct observation *fuzz_snapshot(void)
{
	static struct observation *o;

	if (!o)
		o = build_snapshot();
	return o;
}

const struct observation *fuzz_empty_snapshot(void)
{
	static struct observation *o;

	if (!o)
		o = must(observation_new());
	return o;
}
