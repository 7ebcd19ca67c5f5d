/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_OBSERVATION_H
#define TCPTUNE_OBSERVATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpstate.h"

/*
 * One immutable snapshot of the machine's TCP state: the "observe" stage.
 * Everything downstream (rules, reports) reads this and never /proc or netlink.
 */

enum obs_family { OBS_V4, OBS_V6, OBS_NFAMILY };

enum obs_source {
	OBS_SOURCE_AUTO,
	OBS_SOURCE_NETLINK,
	OBS_SOURCE_PROC,
};

/* A local port and how many sockets of one state it holds. */
struct port_count {
	uint16_t port;
	uint32_t count;
	bool server;	/* a listener holds this port: the local side is the server */
	uint32_t inode; /* a sample socket on the port, with --processes; 0: none (TIME_WAIT) */
	int pid;	/* owner of that socket; 0 when unknown or none */
	char *comm;	/* its command name, NULL when unknown */
};

struct top_ports {
	size_t n;
	struct port_count *ports; /* by count, largest first; ties by port */
};

/* A remote endpoint and how many client-side sockets lead to it. */
struct peer_count {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	uint32_t count;
};

struct listener {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	uint32_t queue;	 /* connections waiting in the accept queue */
	int64_t backlog; /* accept-queue limit; -1 when the source does not say (/proc) */
	uint32_t inode;
	int pid; /* owner, with --processes; 0 when unknown */
	char *comm;
};

/* A named kernel number: a counter ("TcpExt.ListenOverflows") or a sockstat field ("tw"). */
struct counter {
	char *name;
	int64_t value;
	double rate; /* per second; meaningful only when observation.interval > 0 */
};

#define SYSCTL_MAX_VEC 8

struct sysctl_reading {
	char *key;   /* dotted form: "net.ipv4.ip_local_port_range" */
	char *value; /* whitespace-normalised text; NULL when the key does not exist */
	size_t n;    /* how many integers value holds (0 for a string) */
	int64_t num[SYSCTL_MAX_VEC];
};

struct observation {
	double timestamp;   /* seconds since the epoch */
	const char *source; /* "netlink" or "proc" (static string) */
	char *netns;	    /* the namespace entered, NULL for our own */
	uint64_t netns_inode;
	char *kernel_release;

	uint64_t states[OBS_NFAMILY][TS_MAX];
	uint64_t client[TS_MAX];      /* sockets whose local port has no listener (both families) */
	struct top_ports top[TS_MAX]; /* empty for TS_LISTEN and TS_CLOSE */

	struct listener *listeners;
	size_t n_listeners;

	/*
	 * The busiest remote endpoints of client-side sockets (local port in the
	 * ephemeral range): each connection to one endpoint needs its own local
	 * port, so this is what exhausts the range.
	 */
	struct peer_count *peers;
	size_t n_peers;

	struct counter *sockstat; /* "inuse" "orphan" "tw" "alloc" "mem" "v6.inuse" ... */
	size_t n_sockstat;
	struct counter *counters; /* "Tcp.ActiveOpens", "TcpExt.ListenOverflows", ... */
	size_t n_counters;
	double interval; /* seconds between the samples behind counter rates; 0: no rates */

	struct sysctl_reading *sysctls;
	size_t n_sysctls;

	bool processes; /* owners were looked up */
	char **notes;	/* what a reader should know: fallbacks, degraded lookups */
	size_t n_notes;
};

struct observation *observation_new(void);
struct observation *observation_free(struct observation *o);
static inline void observation_freep(struct observation **o)
{
	observation_free(*o);
}
#define _cleanup_observation_ __attribute__((cleanup(observation_freep)))

int observation_add_note(struct observation *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

uint64_t observation_state_total(const struct observation *o, enum tcp_state s);
/*
 * How full a listener's accept queue is: queue / limit (the queue itself when
 * the limit is 0). false when the source does not tell the limit (/proc).
 */
bool listener_fill(const struct listener *l, double *ret);
const struct counter *observation_counter(const struct observation *o, const char *name);
const struct counter *observation_sockstat(const struct observation *o, const char *name);
const struct sysctl_reading *observation_sysctl(const struct observation *o, const char *key);

/* Sets every counter's rate from an earlier snapshot taken `seconds` before. */
void observation_derive_rates(struct observation *cur, const struct observation *prev,
			      double seconds);

/*
 * Metrics by name, the interface of rules and reports:
 *   state.<state>  state.v4.<state>  state.v6.<state>     socket counts
 *   client.<state>  server.<state>     by role: local port without / with a listener
 *   sockstat.<field>  sockstat.v6.<field>                 /proc/net/sockstat{,6} (TCP lines)
 *   counter.<Section>.<Name>  rate.<Section>.<Name>       /proc/net/{snmp,netstat}
 *   sysctl.<key>  sysctl.<key>[i]                         current values
 *   top.<state>.port|count|pid|process|server             the busiest local port of a state
 *   peer.count  peer.port  peer.address (text)        the busiest remote endpoint of client sockets
 *   listen.count  listen.max_queue_ratio  listen.max_queue  listen.full  listen.capped
 *   kernel.version (a string, "6.1.0-18-amd64")  kernel.version_code (a<<16 | b<<8 | c)
 *
 * metric_check() validates a name's shape without a snapshot (rule load time):
 * 0, or -EINVAL for a name that can never be a metric.
 * observation_metric() returns 0 and the value, -EINVAL for an invalid name,
 * or -ENODATA when the metric is not available in this snapshot (absent key,
 * no rates without an interval, no such port). String metrics (top.*.process,
 * kernel.version, a vector sysctl without an index) are not numbers: -EMEDIUMTYPE.
 * observation_metric_text() formats any metric for display.
 */
int metric_check(const char *name);
/* Why a metric this snapshot lacks is missing, for a person: "rates need --interval". */
const char *observation_metric_why(const struct observation *o, const char *name);
int observation_metric(const struct observation *o, const char *name, double *ret);
int observation_metric_text(const struct observation *o, const char *name, char **ret);

#endif
