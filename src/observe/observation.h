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

/* Processes listed by name; more are counted in n_more. */
#define OWNERS_SHOWN 4

/*
 * Who holds the sockets of a port (or a listener), as far as the lookup went:
 * the processes found holding at least one of them, and the cgroup most of
 * them belong to. complete: every socket was found in the processes listed
 * (and n_more); otherwise others may hold some too, because the lookup
 * stopped once each port had a holder, or could not inspect every process.
 */
struct owner_set {
	bool looked;   /* the lookup was asked for this port */
	bool complete; /* every socket's holder is counted */
	int pids[OWNERS_SHOWN];
	size_t n_pids;	    /* how many of pids[] are set */
	size_t n_more;	    /* holders found beyond pids[] */
	size_t sockets;	    /* sockets looked for: held ones (not TIME_WAIT, not orphans) */
	uint64_t cgroup_id; /* 0: unknown (no cgroup2, an old kernel, no full socket) */
	char *cgroup;	    /* its path under the cgroup2 mount, "/system.slice/x.service" */
	char *service;	    /* the unit or scope: "nginx.service"; NULL: none known */
};

/*
 * A socket a process holds (it has an inode), of a state whose holders may be
 * asked for: what the owner lookup looks for, without a second dump.
 */
struct held_socket {
	uint32_t inode;
	uint16_t port;
	uint16_t cgroup; /* 1 + index into observation.held_cgroups; 0: none known */
};
/* Held sockets recorded per state at most: 512 KiB. */
#define HELD_MAX 65536
/* Distinct cgroups recorded for them. */
#define HELD_CGROUPS 256

/* A local port and how many sockets of one state it holds. */
struct port_count {
	uint16_t port;
	uint32_t count;
	bool server;	/* a listener holds this port: the local side is the server */
	uint32_t inode; /* a sample socket on the port, once owners were looked up; 0: none */
	int pid;	/* the first holder found; 0 when unknown or none */
	char *comm;	/* its command name, NULL when unknown */
	struct owner_set owners;
};

struct top_ports {
	size_t n;
	struct port_count *ports; /* by count, largest first; ties by port */
};

/*
 * A remote endpoint and how many sockets lead to it: client-side ones in
 * observation.peers, stalled ones in observation.stalled[].
 */
struct peer_count {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port; /* 0: any port of the host (the local side is the server) */
	uint32_t count;
	uint32_t idle;	   /* ESTABLISHED with nothing in flight and no stall */
	uint32_t orphaned; /* orphans (tcp_state_orphan() and no process holds them) */
	uint32_t retries;  /* the most retransmissions or unanswered probes of one socket */
};

/*
 * Connections stalled on their peer. RETRANS: a segment went unacknowledged
 * for a whole retransmission timeout at least once (or keepalive probes went
 * unanswered): the peer is unreachable, overloaded or gone. ZERO_WINDOW: the
 * peer advertises a zero receive window and the kernel only probes it: the
 * peer's application does not read.
 */
enum stall { STALL_RETRANS, STALL_ZERO_WINDOW, STALL_N };

struct stalled {
	uint64_t sockets;
	uint64_t orphaned;	  /* of them, closed by their application */
	struct peer_count *peers; /* busiest first, with the idle connections to each */
	size_t n_peers;
};

struct listener {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	uint32_t queue;	 /* connections waiting in the accept queue */
	int64_t backlog; /* accept-queue limit; -1 when the source does not say (/proc) */
	uint32_t inode;
	uint64_t cgroup_id; /* of the socket; 0 when the kernel does not say */
	int pid;	    /* first holder, with --processes; 0 when unknown */
	char *comm;
	struct owner_set owners;
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

	/*
	 * Sockets no process holds (no inode), per state: orphans in the states of
	 * tcp_state_orphan(), all of TIME_WAIT and SYN_RECV, and connections not
	 * accepted yet in ESTABLISHED and CLOSE_WAIT.
	 */
	uint64_t unheld[TS_MAX];
	struct stalled stalled[STALL_N];

	struct counter *sockstat; /* "inuse" "orphan" "tw" "alloc" "mem" "v6.inuse" ... */
	size_t n_sockstat;
	struct counter *counters; /* "Tcp.ActiveOpens", "TcpExt.ListenOverflows", ... */
	size_t n_counters;
	double interval; /* seconds between the samples behind counter rates; 0: no rates */

	struct sysctl_reading *sysctls;
	size_t n_sysctls;

	/* With owners to look up: the held sockets of some states, at most HELD_MAX each. */
	struct held_socket *held[TS_MAX];
	size_t n_held[TS_MAX];
	bool held_full[TS_MAX]; /* more were held than recorded */
	uint64_t held_cgroups[HELD_CGROUPS];
	size_t n_held_cgroups;

	bool processes;	    /* owners were looked up */
	uint64_t cgroup_id; /* sockets of this cgroup only (--cgroup, --unit); 0: all */
	char *cgroup;	    /* its path, for the report */
	char **notes;	    /* what a reader should know: fallbacks, degraded lookups */
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

void owner_set_clear(struct owner_set *s);

uint64_t observation_state_total(const struct observation *o, enum tcp_state s);
/*
 * How full a listener's accept queue is: queue / limit (the queue itself when
 * the limit is 0). false when the source does not tell the limit (/proc).
 */
bool listener_fill(const struct listener *l, double *ret);
/* What the listeners' accept queues tell (the listen.* metrics). */
struct listen_summary {
	double max_queue; /* the longest accept queue */
	double max_ratio; /* the highest queue / limit; -1 when no limit is known */
	double full;	  /* listeners whose queue is over their limit */
	const struct listener
		*fullest; /* highest ratio (longest queue without limits); NULL: none */
};
struct listen_summary observation_listen_summary(const struct observation *o);
/*
 * Listeners that somaxconn holds back: their limit is somaxconn and they are
 * half full. -ENODATA when somaxconn or a limit is unknown (/proc).
 */
int observation_listen_capped(const struct observation *o, double *ret);
/* The busiest peer as "192.0.2.1:80" or "[2001:db8::1]:80"; -ENODATA without one. */
int observation_peer_address(const struct observation *o, char *buf, size_t size);
/*
 * An endpoint as "192.0.2.1:80" or "[2001:db8::1]:80", the host alone
 * ("192.0.2.1") when port is 0: 0, -EAFNOSUPPORT, or -ENOSPC when buf is too
 * small. Every report and metric writes endpoints this way.
 */
#define ENDPOINT_MAX 56
int endpoint_format(int family, const uint8_t addr[16], uint16_t port, char *buf, size_t size);
/*
 * Orphans of this namespace: sockets closed by their application that the
 * kernel still holds, in FIN_WAIT1, FIN_WAIT2, CLOSING and LAST_ACK
 * (sockstat's "orphan" is the whole machine's, and leaves out the FIN_WAIT2
 * orphans the kernel keeps as TIME_WAIT-like sockets).
 */
uint64_t observation_orphans(const struct observation *o);

const struct counter *observation_counter(const struct observation *o, const char *name);
const struct counter *observation_sockstat(const struct observation *o, const char *name);
const struct sysctl_reading *observation_sysctl(const struct observation *o, const char *key);

/* Sets every counter's rate from an earlier snapshot taken `seconds` before. */
void observation_derive_rates(struct observation *cur, const struct observation *prev,
			      double seconds);

/* Metrics by name, the interface of rules and reports: the registry. */
#include "metrics.h"

#endif
