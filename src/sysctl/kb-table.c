// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The knowledge base's data table: every sysctl tcptune knows, with its type,
 * range, default, namespace scope, history and documentation; kb_lookup()
 * finds an entry. What a value of an entry means is kb.c's business.
 */
#define _GNU_SOURCE
#include "kb.h"

#include <stdlib.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

/*
 * Ranges come from Documentation/networking/ip-sysctl.rst where it gives one,
 * else from the handler's limits in net/ipv4/sysctl_net_ipv4.c (u8 knobs stop
 * at 255; *_jiffies knobs refuse more than INT_MAX / HZ, 2147483 at HZ=1000).
 */
#define INT_MAX_ 2147483647LL
#define UINT_MAX_ 4294967295LL
#define JIFFIES_MAX 2147483LL /* seconds proc_dointvec_jiffies takes at any HZ */

#define INT_RANGE(lo, hi) .type = KB_INT, .n = 1, .range = { { (lo), (hi) } }
#define BOOLEAN INT_RANGE(0, 1)
#define VEC3(lo, hi) \
	.type = KB_VEC, .n = 3, .range = { { (lo), (hi) }, { (lo), (hi) }, { (lo), (hi) } }
#define NAME .type = KB_STRING /* a name: [a-z0-9_], at most 15 characters */

/* Sorted by key (strcmp), so that kb_lookup() can search it in halves. */
static const struct kb_entry table[] = {
	{
		.key = "net.core.default_qdisc",
		NAME,
		.def_note = "pfifo_fast, unless the kernel was built with another "
			    "CONFIG_DEFAULT_NET_SCH (fq_codel on many distributions)",
		.since = KB_VERSION(3, 12, 0),
		.summary = "Queueing discipline given to network devices when they are created.",
		.doc = "Applies to devices created (or qdiscs replaced) after the change: existing "
		       "devices keep their qdisc until it is replaced with tc. Multiqueue devices "
		       "keep mq as root and use this for its leaves; virtual devices such as lo "
		       "and veth use noqueue. Pick a qdisc that needs no parameters (fq, "
		       "fq_codel); fq gives TCP pacing for BBR. Global: the initial network "
		       "namespace only.",
		.ref = "admin-guide/sysctl/net.rst: default_qdisc",
	},
	{
		.key = "net.core.netdev_max_backlog",
		INT_RANGE(1, INT_MAX_),
		.def = "1000",
		.unit = "packets",
		.summary = "Per-CPU queue of received packets waiting for the network stack.",
		.doc = "A per-CPU input queue limit (drops show in /proc/net/softnet_stat, second "
		       "column), not a TCP connection limit: it does nothing for listen queues "
		       "or SYN floods. Global: exists only in the initial network namespace.",
		.ref = "admin-guide/sysctl/net.rst: netdev_max_backlog",
	},
	{
		.key = "net.core.rmem_max",
		/* SOCK_MIN_RCVBUF on x86_64; the kernel refuses less with EINVAL. */
		INT_RANGE(2304, INT_MAX_),
		.def_note = "212992 on most 64-bit builds (derived from the size of a socket "
			    "buffer); some distributions raise it",
		.unit = "bytes",
		.summary = "Largest receive buffer an application may ask for with SO_RCVBUF.",
		.doc = "Caps setsockopt(SO_RCVBUF) only. TCP's automatic receive buffer tuning "
		       "is bounded by net.ipv4.tcp_rmem[2], not by this; raising rmem_max alone "
		       "changes nothing for applications that do not set SO_RCVBUF (and setting "
		       "SO_RCVBUF turns autotuning off for that socket). Global: exists only in "
		       "the initial network namespace.",
		.ref = "admin-guide/sysctl/net.rst: rmem_max",
	},
	{
		.key = "net.core.somaxconn",
		INT_RANGE(0, INT_MAX_),
		.def = "4096",
		.per_netns = true,
		.summary = "Upper limit of the backlog an application passes to listen().",
		.doc = "A listener's accept queue (and its SYN queue) is limited by min(backlog "
		       "passed to listen(), somaxconn). The value is read when the application "
		       "calls listen(): a running service keeps its old limit until it listens "
		       "again (usually a restart). Raising it helps only if the application asks "
		       "for a larger backlog too. Defaults to 4096 since Linux 5.4 (128 before).",
		.ref = "ip-sysctl.rst: somaxconn",
	},
	{
		.key = "net.core.wmem_max",
		/* SOCK_MIN_SNDBUF on x86_64; the kernel refuses less with EINVAL. */
		INT_RANGE(4608, INT_MAX_),
		.def_note = "212992 on most 64-bit builds (derived from the size of a socket "
			    "buffer); some distributions raise it",
		.unit = "bytes",
		.summary = "Largest send buffer an application may ask for with SO_SNDBUF.",
		.doc = "Caps setsockopt(SO_SNDBUF) only. TCP's automatic send buffer tuning is "
		       "bounded by net.ipv4.tcp_wmem[2], not by this. Global: exists only in the "
		       "initial network namespace.",
		.ref = "admin-guide/sysctl/net.rst: wmem_max",
	},
	{
		.key = "net.ipv4.ip_local_port_range",
		.type = KB_VEC,
		.n = 2,
		.range = { { 1, 65535 }, { 1, 65535 } },
		.def = "32768 60999",
		.per_netns = true,
		.summary = "First and last local port used for outgoing connections (ephemeral "
			   "ports).",
		.doc = "Bounds the ports connect() and bind(port 0) pick; each (local address, "
		       "remote address, remote port) can use each port once, TIME_WAIT "
		       "included, so clients making many short connections to one server "
		       "exhaust it. The low end must not reach below "
		       "net.ipv4.ip_unprivileged_port_start (1024) and must be below the high end. "
		       "The kernel documentation advises ends of different parity (one even, one "
		       "odd): connect() and bind() search the range by parity. Ports listed in "
		       "ip_local_reserved_ports are skipped.",
		.ref = "ip-sysctl.rst: ip_local_port_range",
	},
	{
		.key = "net.ipv4.tcp_abort_on_overflow",
		BOOLEAN,
		.def = "0",
		.per_netns = true,
		.summary = "Reset new connections when a listener's accept queue is full, instead "
			   "of dropping the final ACK.",
		.doc = "With 0 the kernel ignores the client's ACK while the accept queue is full "
		       "and the handshake completes later, so a burst recovers. With 1 clients "
		       "get a reset. The kernel documentation: enable it only if you are sure the "
		       "daemon cannot be made to accept faster; it can harm clients. A full accept "
		       "queue (ListenOverflows) is fixed in the application or with a larger "
		       "backlog and somaxconn.",
		.ref = "ip-sysctl.rst: tcp_abort_on_overflow",
	},
	{
		.key = "net.ipv4.tcp_congestion_control",
		NAME,
		.def_note = "chosen when the kernel is built (CONFIG_DEFAULT_TCP_CONG), usually "
			    "cubic",
		.per_netns = true,
		.summary = "Congestion control algorithm for new connections.",
		.doc = "Must be one of net.ipv4.tcp_available_congestion_control, or a module that "
		       "the kernel can load (tcp_<name>). Applies to connections created "
		       "afterwards; accepted connections inherit the listener's algorithm. reno "
		       "is always available. bbr works best with the fq qdisc "
		       "(net.core.default_qdisc) on older kernels.",
		.ref = "ip-sysctl.rst: tcp_congestion_control",
	},
	{
		.key = "net.ipv4.tcp_fastopen",
		/* The documented flags: 0x1 0x2 0x4 0x200 0x400. */
		INT_RANGE(0, 0x607),
		.def = "1",
		.per_netns = true,
		.since = KB_VERSION(3, 6, 0),
		.summary = "TCP Fast Open (RFC 7413) flags: data in the SYN.",
		.doc = "A bitmap: 0x1 client (on by default; the client must use sendmsg() with "
		       "MSG_FASTOPEN), 0x2 server, 0x4 client without cookie, 0x200 server "
		       "without cookie, 0x400 all listeners without the TCP_FASTOPEN socket "
		       "option. Server support also needs the application to set TCP_FASTOPEN "
		       "unless 0x400 is set. Middleboxes that drop SYNs with data make the "
		       "kernel disable it for a while.",
		.ref = "ip-sysctl.rst: tcp_fastopen",
	},
	{
		.key = "net.ipv4.tcp_fin_timeout",
		INT_RANGE(1, JIFFIES_MAX),
		.def = "60",
		.per_netns = true,
		.unit = "seconds",
		.summary = "How long an orphaned connection may stay in FIN_WAIT2.",
		.doc = "Applies only to orphaned sockets (closed by the application) waiting in "
		       "FIN_WAIT2 for the peer's FIN. It does not shorten TIME_WAIT, which lasts a "
		       "fixed 60 s (TCP_TIMEWAIT_LEN in the kernel source), despite much advice to "
		       "the contrary. A socket the application still holds stays in FIN_WAIT2 as "
		       "long as the peer keeps it open.",
		.ref = "ip-sysctl.rst: tcp_fin_timeout",
	},
	{
		.key = "net.ipv4.tcp_keepalive_intvl",
		INT_RANGE(1, JIFFIES_MAX),
		.def = "75",
		.per_netns = true,
		.unit = "seconds",
		.summary = "Seconds between keepalive probes once probing started.",
		.doc = "Only sockets whose application enabled SO_KEEPALIVE send keepalives; "
		       "applications may override it per socket (TCP_KEEPINTVL, at most 32767). "
		       "A dead peer is detected after tcp_keepalive_time + tcp_keepalive_probes "
		       "x tcp_keepalive_intvl (7200 + 9 x 75 s, about 2 h 11 min, by default). "
		       "Takes effect for the next keepalive timer of each socket.",
		.ref = "ip-sysctl.rst: tcp_keepalive_intvl",
	},
	{
		.key = "net.ipv4.tcp_keepalive_probes",
		INT_RANGE(1, 255),
		.def = "9",
		.per_netns = true,
		.summary = "Unanswered keepalive probes before the connection is dropped.",
		.doc = "Only sockets whose application enabled SO_KEEPALIVE send keepalives; "
		       "applications may override it per socket (TCP_KEEPCNT, at most 127). "
		       "Keepalive is what clears ESTABLISHED connections whose peer vanished.",
		.ref = "ip-sysctl.rst: tcp_keepalive_probes",
	},
	{
		.key = "net.ipv4.tcp_keepalive_time",
		INT_RANGE(1, JIFFIES_MAX),
		.def = "7200",
		.per_netns = true,
		.unit = "seconds",
		.summary = "Idle time before the first keepalive probe.",
		.doc = "Only sockets whose application enabled SO_KEEPALIVE send keepalives; "
		       "lowering it does nothing for the others (most servers must enable it, or "
		       "use application-level timeouts). Applications may override it per socket "
		       "(TCP_KEEPIDLE, at most 32767). Existing sockets pick the new value up "
		       "when their keepalive timer is next armed.",
		.ref = "ip-sysctl.rst: tcp_keepalive_time",
	},
	{
		.key = "net.ipv4.tcp_max_orphans",
		INT_RANGE(0, INT_MAX_),
		.def_note = "computed at boot: half the size of the TCP established-connection "
			    "hash table, which scales with memory",
		.never_lower = true,
		.summary = "Most TCP sockets not attached to any file descriptor (orphans).",
		.doc = "Beyond the limit orphaned connections (FIN_WAIT1, FIN_WAIT2, CLOSING, "
		       "LAST_ACK after close()) are reset at once and the kernel logs \"too many "
		       "orphaned sockets\". The kernel documentation: the limit exists only to "
		       "prevent simple DoS attacks; you must not lower it artificially, rather "
		       "raise it (each orphan can hold up to ~64 KiB of unswappable memory). "
		       "Global: exists only in the initial network namespace.",
		.ref = "ip-sysctl.rst: tcp_max_orphans",
	},
	{
		.key = "net.ipv4.tcp_max_syn_backlog",
		INT_RANGE(1, INT_MAX_),
		.def_note = "computed at boot: the TCP established-hash size / 128, at least 128",
		.per_netns = true,
		.summary = "Per-listener limit of half-open connections (SYN_RECV) while "
			   "syncookies are off.",
		.doc = "Raising it alone does little: a listener's SYN queue and accept queue are "
		       "both bounded by min(listen() backlog, net.core.somaxconn). It matters only "
		       "while syncookies are not in use: then the kernel drops unproven peers "
		       "once less than a quarter of it remains. A request socket costs about 304 "
		       "bytes.",
		.ref = "ip-sysctl.rst: tcp_max_syn_backlog",
	},
	{
		.key = "net.ipv4.tcp_max_tw_buckets",
		INT_RANGE(0, INT_MAX_),
		.def_note = "computed at boot: half the size of the TCP established-connection "
			    "hash table, which scales with memory",
		.per_netns = true,
		.never_lower = true,
		.summary = "Most sockets in TIME_WAIT the system holds at once.",
		.doc = "Beyond the limit, closing connections skip TIME_WAIT (TCPTimeWaitOverflow "
		       "counts them, and the kernel logs \"TCP: time wait bucket table "
		       "overflow\"), losing its protection against old duplicate segments. The "
		       "kernel documentation: the limit exists only to prevent simple DoS "
		       "attacks; you must not lower it artificially, rather raise it. Lowering it "
		       "to \"get rid of TIME_WAIT\" is wrong advice.",
		.ref = "ip-sysctl.rst: tcp_max_tw_buckets",
	},
	{
		.key = "net.ipv4.tcp_mem",
		VEC3(0, INT64_MAX),
		.def_note = "computed at boot from free memory: about 4.7%, 6.25% and 9.4% of it "
			    "(min = 3/4 of pressure, max = 2 x min)",
		.unit = "pages",
		.summary = "TCP memory thresholds for all sockets: min, pressure, max (in pages).",
		.doc = "Counted in pages (usually 4 KiB), not bytes. Above pressure TCP shrinks "
		       "buffers until usage falls under min; at max new allocations fail and "
		       "connections may be aborted (TCPAbortOnMemory, \"out of memory -- consider "
		       "tuning tcp_mem\"). Compare with the mem field of /proc/net/sockstat. "
		       "Global: exists only in the initial network namespace.",
		.ref = "ip-sysctl.rst: tcp_mem",
	},
	{
		.key = "net.ipv4.tcp_moderate_rcvbuf",
		BOOLEAN,
		.def = "1",
		.per_netns = true,
		.summary = "Receive buffer autotuning.",
		.doc = "When set TCP grows each socket's receive buffer (up to tcp_rmem[2]) to "
		       "what the path needs for full throughput. Leave it on; sockets that set "
		       "SO_RCVBUF opt out on their own.",
		.ref = "ip-sysctl.rst: tcp_moderate_rcvbuf",
	},
	{
		.key = "net.ipv4.tcp_mtu_probing",
		INT_RANGE(0, 2),
		.def = "0",
		.per_netns = true,
		.summary = "Packetization-layer path MTU discovery (RFC 4821).",
		.doc = "0 off, 1 on after an ICMP black hole is detected, 2 always (starting from "
		       "tcp_base_mss). 1 is a sensible fix for paths that drop ICMP "
		       "fragmentation-needed messages (connections that hang on large "
		       "transfers).",
		.ref = "ip-sysctl.rst: tcp_mtu_probing",
	},
	{
		.key = "net.ipv4.tcp_no_metrics_save",
		BOOLEAN,
		.def = "0",
		.per_netns = true,
		.summary = "Do not cache connection metrics (RTT, ssthresh) per destination when a "
			   "connection closes.",
		.doc = "By default metrics of closed connections seed the next connection to the "
		       "same host. Setting it helps when cached values mislead new connections "
		       "(for example in benchmarks); it rarely matters in production.",
		.ref = "ip-sysctl.rst: tcp_no_metrics_save",
	},
	{
		.key = "net.ipv4.tcp_notsent_lowat",
		INT_RANGE(0, UINT_MAX_),
		.def = "4294967295",
		.per_netns = true,
		.since = KB_VERSION(3, 12, 0),
		.unit = "bytes",
		.summary = "Unsent bytes in a socket's write queue above which it is not writable.",
		.doc = "Applies to sockets that do not set TCP_NOTSENT_LOWAT, at once. A small "
		       "value (e.g. 16384 or 131072) keeps data in the application instead of the "
		       "kernel, which lowers latency and memory for HTTP/2 and similar; the "
		       "default (UINT_MAX) means no limit.",
		.ref = "ip-sysctl.rst: tcp_notsent_lowat",
	},
	{
		.key = "net.ipv4.tcp_orphan_retries",
		INT_RANGE(0, 255),
		.def = "0",
		.zero_means = 8,
		.per_netns = true,
		.summary = "Retransmissions before an orphaned connection (closed by the "
			   "application) is killed.",
		.doc = "Governs sockets stuck in FIN_WAIT1 or LAST_ACK after close() while the "
		       "peer does not acknowledge. 0, the default, means 8 while the peer "
		       "still answers (the documentation's \"default 8\"). A loaded web server may "
		       "lower it; see tcp_retries2 for how retries map to time.",
		.ref = "ip-sysctl.rst: tcp_orphan_retries",
	},
	{
		.key = "net.ipv4.tcp_retries2",
		INT_RANGE(0, 255),
		.def = "15",
		.per_netns = true,
		.summary = "Retransmissions of unacknowledged data before an established "
			   "connection is killed.",
		.doc = "With exponential backoff the default of 15 gives a timeout of about 924.6 "
		       "s, a lower bound. RFC 1122 recommends at least 100 s, a value of at least "
		       "8. Lowering it detects dead peers with data in flight sooner; idle dead "
		       "peers need keepalive.",
		.ref = "ip-sysctl.rst: tcp_retries2",
	},
	{
		.key = "net.ipv4.tcp_rmem",
		VEC3(1, INT_MAX_),
		.def_note = "4096 131072 and a maximum computed at boot from memory: up to 6 MiB "
			    "(up to 32 MiB since Linux 6.16)",
		.per_netns = true,
		.unit = "bytes",
		.summary = "TCP receive buffer per socket: min, default, max for autotuning.",
		.doc = "min is guaranteed under memory pressure; default is the initial buffer "
		       "(it overrides net.core.rmem_default for TCP); max bounds autotuning and is "
		       "not limited by net.core.rmem_max. A socket that sets SO_RCVBUF is capped "
		       "by rmem_max instead and loses autotuning. Raise max for high "
		       "bandwidth-delay paths.",
		.ref = "ip-sysctl.rst: tcp_rmem",
	},
	{
		.key = "net.ipv4.tcp_sack",
		BOOLEAN,
		.def = "1",
		.per_netns = true,
		.summary = "Selective acknowledgements (RFC 2018).",
		.doc = "Leave it on: recovery from multiple losses per window depends on it. "
		       "Turning it off was a workaround for the 2019 SACK Panic bugs, long fixed.",
		.ref = "ip-sysctl.rst: tcp_sack",
	},
	{
		.key = "net.ipv4.tcp_slow_start_after_idle",
		BOOLEAN,
		.def = "1",
		.per_netns = true,
		.summary = "Reset the congestion window after an idle period (RFC 2861).",
		.doc = "With 1 a connection idle for one RTO restarts from a small window. "
		       "Long-lived connections with bursty traffic (HTTP/2, RPC, TLS keep-alive) "
		       "often do better with 0.",
		.ref = "ip-sysctl.rst: tcp_slow_start_after_idle",
	},
	{
		.key = "net.ipv4.tcp_syn_retries",
		INT_RANGE(1, 127),
		.def = "6",
		.per_netns = true,
		.summary = "SYN retransmissions of an outgoing connect() before it fails.",
		.doc = "The default of 6 gives up after about 127 s (with a 1 s initial RTO). "
		       "Lowering it makes connections to unreachable peers (many SYN_SENT) fail "
		       "sooner; applications can use a connect timeout instead. At most 127.",
		.ref = "ip-sysctl.rst: tcp_syn_retries",
	},
	{
		.key = "net.ipv4.tcp_synack_retries",
		INT_RANGE(0, 255),
		.def = "5",
		.per_netns = true,
		.summary = "SYN-ACK retransmissions for a half-open incoming connection.",
		.doc = "The default of 5 keeps a SYN_RECV request about 63 s. Lowering it (2 or 3) "
		       "frees the SYN queue sooner under a flood of handshakes that never "
		       "complete, at the cost of clients on lossy paths.",
		.ref = "ip-sysctl.rst: tcp_synack_retries",
	},
	{
		.key = "net.ipv4.tcp_syncookies",
		INT_RANGE(0, 2),
		.def = "1",
		.per_netns = true,
		.summary = "Answer with SYN cookies when a listener's SYN queue overflows.",
		.doc = "0 off, 1 when the SYN queue overflows, 2 always (for testing). A defence "
		       "against SYN floods, not a capacity feature: the kernel documentation says "
		       "it must not be used to help highly loaded servers stand up to a legitimate "
		       "connection rate; cookies lose TCP options. If SyncookiesSent grows without "
		       "a flood, raise the listen backlog and somaxconn. Exists only with "
		       "CONFIG_SYN_COOKIES.",
		.ref = "ip-sysctl.rst: tcp_syncookies",
	},
	{
		.key = "net.ipv4.tcp_timestamps",
		INT_RANGE(0, 2),
		.def = "1",
		.per_netns = true,
		.summary = "TCP timestamps (RFC 1323/7323).",
		.doc = "0 off, 1 on with a random offset per connection, 2 on without random "
		       "offsets. Needed for PAWS and RTT measurement, and by tcp_tw_reuse: "
		       "turning timestamps off also disables TIME_WAIT reuse.",
		.ref = "ip-sysctl.rst: tcp_timestamps",
	},
	{
		.key = "net.ipv4.tcp_tw_recycle",
		BOOLEAN,
		.def = "0",
		.per_netns = true,
		.removed = KB_VERSION(4, 12, 0),
		.summary = "Fast recycling of TIME_WAIT sockets (removed).",
		.doc = "Dropped connections from clients behind NAT (it rejected SYNs whose "
		       "timestamps went backwards per host) and was removed in Linux 4.12. On "
		       "current kernels the key does not exist, so a sysctl.conf that sets it "
		       "makes `sysctl -p` fail. Never set it; for port exhaustion on clients use "
		       "tcp_tw_reuse and a wider ip_local_port_range.",
		.ref = "Linux commit 4396e46187ca (\"tcp: remove tcp_tw_recycle\"), 4.12",
	},
	{
		.key = "net.ipv4.tcp_tw_reuse",
		INT_RANGE(0, 2),
		.def = "2",
		.per_netns = true,
		.summary = "Let new outgoing connections reuse ports held by TIME_WAIT sockets.",
		.doc = "0 off, 1 on, 2 loopback traffic only (the value and the default since "
		       "Linux 4.18; before, the default was 0). It only helps the side that opens "
		       "connections (connect()), never a server accepting them, and it needs TCP "
		       "timestamps (tcp_timestamps) on both ends. The kernel documentation: do not "
		       "change it without advice of technical experts.",
		.ref = "ip-sysctl.rst: tcp_tw_reuse",
	},
	{
		.key = "net.ipv4.tcp_tw_reuse_delay",
		INT_RANGE(1, 60000),
		.def = "1000",
		.per_netns = true,
		.since = KB_VERSION(6, 14, 0),
		.unit = "milliseconds",
		.summary = "Delay before a TIME_WAIT socket may be reused by tcp_tw_reuse.",
		.doc = "Reuse happens after N to N+1 ms. The value assumes the peer's timestamp "
		       "clock ticks at least that often; below the peer's tick PAWS cannot reject "
		       "old duplicates on the reused connection. Has no effect while tcp_tw_reuse "
		       "is 0. At most 60000 (TCP_PAWS_MSL).",
		.ref = "ip-sysctl.rst: tcp_tw_reuse_delay",
	},
	{
		.key = "net.ipv4.tcp_window_scaling",
		BOOLEAN,
		.def = "1",
		.per_netns = true,
		.summary = "Window scaling (RFC 1323/7323): windows above 64 KiB.",
		.doc = "Leave it on: without it no connection can have more than 64 KiB in "
		       "flight, which caps throughput on any long path. It is negotiated in the "
		       "handshake, so a change affects new connections only.",
		.ref = "ip-sysctl.rst: tcp_window_scaling",
	},
	{
		.key = "net.ipv4.tcp_wmem",
		VEC3(1, INT_MAX_),
		.def_note = "4096 16384 and a maximum computed at boot from memory: between 64 KiB "
			    "and 4 MiB",
		.per_netns = true,
		.unit = "bytes",
		.summary = "TCP send buffer per socket: min, default, max for autotuning.",
		.doc = "min is guaranteed to every socket; default is the initial buffer (it "
		       "overrides net.core.wmem_default for TCP); max bounds autotuning and is not "
		       "limited by net.core.wmem_max. A socket that sets SO_SNDBUF is capped by "
		       "wmem_max instead and loses autotuning.",
		.ref = "ip-sysctl.rst: tcp_wmem",
	},
};

const struct kb_entry *kb_entries(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(table);
	return table;
}

static int entry_cmp(const void *key, const void *entry)
{
	return strcmp(key, ((const struct kb_entry *)entry)->key);
}

const struct kb_entry *kb_lookup(const char *key)
{
	_cleanup_free_ char *dotted = NULL;

	if (sysctl_key_normalize(key, &dotted) < 0)
		return NULL;
	return bsearch(dotted, table, ARRAY_SIZE(table), sizeof(table[0]), entry_cmp);
}
