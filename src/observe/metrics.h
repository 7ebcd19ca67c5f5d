/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_METRICS_H
#define TCPTUNE_METRICS_H

#include <stdbool.h>

struct observation;

/*
 * Metrics by name, the interface of rules and reports: "state.time_wait",
 * "counter.TcpExt.ListenOverflows", "sysctl.net.ipv4.ip_local_port_range[1]",
 * "top.close_wait.process", "peer.address", "kernel.version". Every family of
 * names is one row of the registry table in metrics.c, which gives its shape,
 * its type and where its value comes from; tcptune(8), METRICS, lists them
 * for users.
 */

enum metric_type {
	METRIC_NUMBER,
	METRIC_TEXT,
	/* sysctl.<key>: a number when the key holds one integer, else its text */
	METRIC_NUMBER_OR_TEXT,
};

/* Room for text a metric formats itself: "[ffff:...:ffff]:65535". */
#define METRIC_TEXT_MAX 64

/* A resolved value. text points into the snapshot or into buf: do not copy the struct. */
struct metric_value {
	enum metric_type type; /* METRIC_NUMBER or METRIC_TEXT */
	double num;
	const char *text;
	char buf[METRIC_TEXT_MAX];
};

/*
 * Load time, without a snapshot: 0 and the name's type, or -EINVAL when the
 * name can never be a metric, with *reason (when reason is not NULL) saying
 * why, e.g. "'timewait' is not a TCP state"; -ENOMEM.
 */
int metric_validate(const char *name, enum metric_type *ret_type, char **reason);
/* A valid name whose value is always text, never a number. */
bool metric_is_text(const char *name);

/*
 * The value in a snapshot: 0, -EINVAL for an invalid name, or -ENODATA when
 * this snapshot cannot tell it (absent key, no rates without an interval, no
 * such port).
 */
int metric_resolve(const struct observation *o, const char *name, struct metric_value *ret);

/*
 * The registry's front, as rules and reports have always called it:
 * metric_check() is metric_validate() without the type: 0, or -EINVAL.
 * observation_metric() gives numbers; text metrics (top.*.process,
 * peer.address, kernel.version, a vector sysctl without an index) give
 * -EMEDIUMTYPE. observation_metric_text() formats any metric for display.
 */
int metric_check(const char *name);
int observation_metric(const struct observation *o, const char *name, double *ret);
int observation_metric_text(const struct observation *o, const char *name, char **ret);
/* Why a metric this snapshot lacks is missing, for a person: "rates need --interval". */
const char *observation_metric_why(const struct observation *o, const char *name);

#endif
