/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_REPORT_H
#define TCPTUNE_REPORT_H

/*
 * Renderers of a snapshot: text for people, JSON for machines, the Prometheus
 * text format for monitoring. They format what the observation holds and
 * compute nothing of their own. Each returns 0, or a negative errno (-ENOMEM,
 * -EIO when writing to f failed); none prints anywhere but f. The results of
 * apply, verify, history, explain, lint and profiles: results.h.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "observation.h"

/*
 * JSON, version 1 (a stable interface: add keys, never change or remove one
 * without bumping "version"):
 *
 * {
 *   "version": 1,
 *   "timestamp": 1714557600.25,          seconds since the epoch (float)
 *   "source": "netlink" | "proc",
 *   "netns": null | "/run/netns/web",    null: our own namespace
 *   "kernel": "6.1.0-18-amd64",          null when unknown
 *   "states":    { "established": 120, "syn_sent": 0, "syn_recv": 0, "fin_wait1": 0,
 *                  "fin_wait2": 0, "time_wait": 0, "close": 0, "close_wait": 0,
 *                  "last_ack": 0, "listen": 12, "closing": 0 },   IPv4 + IPv6
 *   "states_v4": { the same 11 keys },
 *   "states_v6": { the same 11 keys },    all 11 keys always, 0 included
 *   "total": 132,                         sockets in all states, both families
 *   "top_ports": {                        only states that have a top list
 *     "time_wait": [ { "port": 8080, "count": 1200, "role": "server" | "client",
 *                      "pid": 1234, "process": "nginx" } ]   pid, process: when known
 *   },
 *   "listeners": [ { "family": "ipv4" | "ipv6", "address": "127.0.0.1", "port": 80,
 *                    "queue": 0, "backlog": 128 | null, "fill": 0.0 | null,
 *                    "pid": 1234, "process": "nginx" } ],
 *       backlog null when the source does not tell it (/proc); fill = queue / backlog
 *       (queue when backlog is 0), null with backlog; pid, process: when known
 *   "peers": [ { "address": "10.0.0.5", "port": 5432, "count": 950 } ],
 *       the busiest remote endpoints of client-side sockets (local port in the ephemeral
 *       range): each connection to one endpoint needs its own local port
 *   "orphaned": { "fin_wait1": 150, "fin_wait2": 5, "closing": 0, "last_ack": 0 },
 *       orphans by state: closed by their application, held by no process
 *   "orphans": 155,                       their sum, this namespace's orphans
 *       (sockstat's "orphan" is the whole machine's)
 *   "stalled": { "retransmitting": { "sockets": 120, "orphaned": 3, "peers": [
 *                    { "address": "10.0.0.5", "port": 5432 | null, "count": 100,
 *                      "orphaned": 0, "retries": 6, "idle": 200 } ] },
 *                "zero_window": { the same } },
 *       connections stalled on their peer: retransmitting (the retransmission timer
 *       fired, or keepalive probes went unanswered) or probing a zero window; their
 *       busiest remote endpoints, port null for a server's peers (any port of the
 *       host); retries: the most of one socket; idle: idle connections to the same
 *       endpoint (client side only)
 *   "sockstat": { "inuse": 12, "orphan": 0, "tw": 3, "alloc": 15, "mem": 2, "v6.inuse": 4 },
 *       field names as observed; "mem" counts pages
 *   "counters": { "Tcp": { "ActiveOpens": 10, ... }, "TcpExt": { ... } },
 *       "Section.Name" split at the first dot; a name without a dot goes in section ""
 *   "interval": 5.0,                      only when rates were derived (interval > 0)
 *   "rates": { "Tcp": { "ActiveOpens": 0.4, ... }, ... },
 *       per second, only with "interval"; null for a counter with no honest rate
 *       (it appeared or went backwards between the samples)
 *   "sysctl": { "net.ipv4.tcp_fin_timeout": 60,                  a single integer
 *               "net.ipv4.ip_local_port_range": [32768, 60999],  a vector of integers
 *               "net.ipv4.tcp_congestion_control": "cubic",      text
 *               "net.ipv4.tcp_tw_recycle": null },               absent on this kernel
 *   "notes": [ "..." ]
 * }
 */
json_object *report_observation_json(const struct observation *o);
/* The above, pretty-printed, with a trailing newline. */
int report_stats_json(FILE *f, const struct observation *o);

/*
 * Prometheus text exposition format 0.0.4 (node_exporter textfile collector,
 * or any HTTP endpoint). Names in snake_case, values in base units (bytes,
 * seconds), counters ending in _total; every family with HELP and TYPE.
 * stats owns every tcptune_* family but tcptune_diagnose_*, which diagnose
 * owns (report_diagnose_prom()): the two outputs share a textfile directory
 * without a series in common. stats' families:
 *
 *   tcptune_sockets{state,family}                  gauge, all 11 states x ipv4/ipv6
 *   tcptune_port_sockets{state,port,role[,process]}  gauge, the top local ports
 *   tcptune_listener_queue_length{address,port[,process][,socket]}  gauge
 *   tcptune_listener_backlog{address,port[,process][,socket]}  gauge, when known
 *       socket: an ordinal, only when several listeners share address and port
 *       (SO_REUSEPORT), so that every series stays unique
 *   tcptune_peer_sockets{address,port}           gauge, the busiest client-side endpoints
 *   tcptune_orphaned_sockets{state}                gauge, fin_wait1 fin_wait2 closing last_ack
 *   tcptune_stalled_sockets{kind}                  gauge, "retransmitting" | "zero_window"
 *   tcptune_stalled_peer_sockets{kind,address[,port]}  gauge, their busiest endpoints;
 *       no port for a server's peers (any port of the host)
 *   tcptune_sockstat_<field>                       gauge ("v6.inuse" -> v6_inuse)
 *   tcptune_sockstat_mem_bytes                     gauge, "mem" (pages) times page_size;
 *                                                  left out when page_size <= 0
 *   tcptune_netstat_<section>_<name>_total         counter (/proc/net/snmp, netstat):
 *       the section in lower case, the name in snake_case
 *       ("TcpExt.ListenOverflows" -> tcptune_netstat_tcpext_listen_overflows_total)
 *   tcptune_netstat_tcp_{curr_estab,max_conn,rto_algorithm}  gauge
 *   tcptune_netstat_tcp_{rto_min,rto_max}_seconds  gauge (the kernel counts ms)
 *   tcptune_sysctl{key}                            gauge, a single integer
 *   tcptune_sysctl{key,index}                      gauge, one per element of a vector
 *   tcptune_sysctl_info{key,value} 1               gauge, text values
 *   tcptune_observation_timestamp_seconds          gauge
 *   tcptune_info{source,kernel,netns} 1            gauge (netns "" for our own)
 *
 * Rates are not exported: Prometheus derives them (rate()). page_size: bytes
 * per page (sysconf(_SC_PAGESIZE)), which sockstat's memory counts.
 */
int report_stats_prom(FILE *f, const struct observation *o, long page_size);

struct report_text_opts {
	bool color;   /* ANSI colours: bold headings, dim empty rows */
	bool unicode; /* block characters for bars, '#' otherwise (see report_env_unicode()) */
	int width;    /* terminal columns; <= 0: 80 */
};

/* For people: a state table with bars, ports, listeners, kernel counters, sysctls. */
int report_stats_text(FILE *f, const struct observation *o, const struct report_text_opts *opts);

/*
 * diagnose: the snapshot, then the findings. JSON: the stats object above
 * plus "status" ("ok" | "info" | "warning" | "critical"), "rules_evaluated",
 * "findings": [{"id", "severity", "summary", "explain", "action",
 * "evidence": {metric: value text | null}, "recommend": {key: value} (only
 * changes still needed; {} when no sysctl helps), "changes": [{"key",
 * "current" (null: absent), "recommended", "kind": "set" | "min" | "max" | "widen",
 * "needed"}], "see": [...], "origin": "file:line"}], and "not_evaluated":
 * [{"id", "reason"}]. Prometheus: only diagnose's own families, none of
 * stats': tcptune_diagnose_timestamp_seconds, tcptune_diagnose_status (0 ok,
 * 1 warning, 2 critical), tcptune_diagnose_finding{id,severity} 1 per finding
 * and tcptune_diagnose_rules{outcome="fired"|"evaluated"|"not_evaluated"}.
 */
struct report_diagnose_opts {
	struct report_text_opts text;
	bool verbose;			    /* text: list the rules not evaluated and why */
	const struct report_status *status; /* text: the first line (below); NULL: none */
};

/*
 * diagnose's first line, the status line of a monitoring plugin (Nagios,
 * Icinga), every part of it decided by diagnose (report/status.c):
 *   TCPTUNE WARNING - ID: SUMMARY (+N more) | 'label'=value;;;0 ...
 *   TCPTUNE OK - N rules, no findings | 'label'=value;;;0 ...
 *   TCPTUNE UNKNOWN - REASON
 * The summary and the reason stay on one line, without '|'.
 */
enum report_plugin_state {
	REPORT_PLUGIN_OK, /* 0 to 3: diagnose's exit codes */
	REPORT_PLUGIN_WARNING,
	REPORT_PLUGIN_CRITICAL,
	REPORT_PLUGIN_UNKNOWN,
};

struct report_perf {
	const char *label; /* a plain name: not quoted or escaped */
	uint64_t value;
};

struct report_status {
	enum report_plugin_state state;
	const struct finding *top;	/* the finding the status names; NULL: none */
	size_t n_more;			/* the other findings reported */
	size_t n_rules;			/* rules evaluated, said when no finding is named */
	const char *reason;		/* UNKNOWN: why, the only thing said */
	const struct report_perf *perf; /* performance data after a '|' */
	size_t n_perf;
};

int report_status_text(FILE *f, const struct report_status *s);

int report_diagnose_text(FILE *f, const struct observation *o, const struct judgement *j,
			 const struct report_diagnose_opts *opts);
int report_diagnose_json(FILE *f, const struct observation *o, const struct judgement *j);
int report_diagnose_prom(FILE *f, const struct observation *o, const struct judgement *j);

#endif
