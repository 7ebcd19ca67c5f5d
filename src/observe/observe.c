// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "observe.h"

#include <string.h>
#include <time.h>

#include "counters.h"
#include "netns.h"
#include "procnet.h"
#include "sockdiag.h"
#include "sysctl.h"
#include "tally.h"
#include "util.h"

const char *const observe_default_sysctls[] = {
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_tw_reuse",
	"net.ipv4.tcp_tw_recycle",
	"net.ipv4.tcp_timestamps",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.tcp_max_syn_backlog",
	"net.ipv4.tcp_synack_retries",
	"net.ipv4.tcp_syn_retries",
	"net.ipv4.tcp_abort_on_overflow",
	"net.core.somaxconn",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
	"net.ipv4.tcp_max_tw_buckets",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.tcp_orphan_retries",
	"net.ipv4.tcp_max_orphans",
	"net.ipv4.tcp_mem",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	NULL,
};

/* The ephemeral port range: client sockets live there, and sock_diag splits the work in its middle.
 */
static void ephemeral_range(const char *sysctl_root, uint16_t *ret_lo, uint16_t *ret_hi)
{
	_cleanup_free_ char *v = NULL;
	int64_t lo, hi;
	char *f[3];

	if (sysctl_read(sysctl_root, "net.ipv4.ip_local_port_range", &v) < 0 ||
	    split_fields(v, f, ARRAY_SIZE(f)) != 2 || parse_i64(f[0], 1, 65535, &lo) < 0 ||
	    parse_i64(f[1], 1, 65535, &hi) < 0 || lo >= hi) {
		lo = 32768; /* the kernel's default range */
		hi = 60999;
	}
	*ret_lo = (uint16_t)lo;
	*ret_hi = (uint16_t)hi;
}

static int collect_sockets(const struct observe_opts *opts, const char *sysctl_root,
			   struct observation *o, char **errmsg)
{
	uint16_t lo, hi;
	struct tally t;
	int r = -EPROTONOSUPPORT;

	ephemeral_range(sysctl_root, &lo, &hi);
	/* Owners are looked for among the held sockets recorded: no samples. */
	tally_init(&t, false);
	tally_set_ephemeral(&t, lo, hi);
	t.only_cgroup = opts->cgroup_id;
	/* Owners to look up: the held sockets of the states asked for, or of all. */
	t.held_states = !opts->processes ? 0 : opts->held_states ? opts->held_states : ~0u;
	if (opts->cgroup_id && opts->source == OBS_SOURCE_PROC)
		return err_set(errmsg, -EOPNOTSUPP,
			       "sockets of one cgroup: /proc/net/tcp does not tell cgroups");
	if (opts->source != OBS_SOURCE_PROC) {
		_cleanup_free_ char *why = NULL;

		r = sockdiag_collect(&t, (uint16_t)((lo + hi + 1) / 2), &why);
		if (r == 0) {
			o->source = "netlink";
			if (t.filter_user)
				observation_add_note(o,
						     "this kernel cannot filter sockets by cgroup "
						     "(Linux 5.10): filtered by tcptune");
		} else if (opts->source == OBS_SOURCE_NETLINK || r == -ENOMEM || opts->cgroup_id) {
			tally_done(&t);
			return err_set(errmsg, r, "%s", why ? why : "netlink sock_diag failed");
		} else {
			tally_done(&t);
			observation_add_note(o, "netlink unavailable (%s): read /proc/net/tcp",
					     why ? why : strerror(-r));
		}
	}
	if (r < 0) {
		t.want_inodes = opts->processes; /* /proc/net/tcp: one sample socket per port */
		r = procnet_collect(opts->proc_root, &t, errmsg);
		if (r < 0) {
			tally_done(&t);
			return r;
		}
		o->source = "proc";
		if (t.n_listeners > 0)
			observation_add_note(o, "/proc/net/tcp does not report accept-queue "
						"limits: listener fill unknown");
	}
	r = tally_finish(&t, opts->top, o);
	tally_done(&t);
	return r;
}

/* "4096 131072 6291456" -> three integers; any non-integer makes it text. */
static void parse_sysctl_numbers(struct sysctl_reading *s)
{
	_cleanup_free_ char *copy = strdup(s->value);
	char *f[SYSCTL_MAX_VEC + 1];
	size_t n;

	s->n = 0;
	if (!copy)
		return;
	n = split_fields(copy, f, ARRAY_SIZE(f));
	if (n == 0 || n > SYSCTL_MAX_VEC)
		return;
	for (size_t i = 0; i < n; i++)
		if (parse_i64(f[i], INT64_MIN, INT64_MAX, &s->num[i]) < 0)
			return;
	s->n = n;
}

static int read_sysctl(const char *root, const char *key, struct observation *o, char **errmsg)
{
	struct sysctl_reading *s, *arr;
	char *value = NULL;
	int r;

	if (observation_sysctl(o, key))
		return 0;
	r = sysctl_read(root, key, &value);
	if (r < 0 && r != -ENOENT)
		return err_set(errmsg, r, "sysctl %s: %s", key, strerror(-r));
	arr = realloc(o->sysctls, (o->n_sysctls + 1) * sizeof(*arr));
	if (!arr) {
		free(value);
		return -ENOMEM;
	}
	o->sysctls = arr;
	s = &arr[o->n_sysctls];
	*s = (struct sysctl_reading){ .key = strdup(key), .value = value };
	if (!s->key) {
		free(value);
		return -ENOMEM;
	}
	o->n_sysctls++;
	if (value)
		parse_sysctl_numbers(s);
	return 0;
}

static int collect_sysctls(const char *root, const char *const *extra, struct observation *o,
			   char **errmsg)
{
	int r;

	for (const char *const *k = observe_default_sysctls; *k; k++)
		if ((r = read_sysctl(root, *k, o, errmsg)) < 0)
			return r;
	for (const char *const *k = extra; k && *k; k++)
		if ((r = read_sysctl(root, *k, o, errmsg)) < 0)
			return r;
	if (sysctl_read(root, "kernel.osrelease", &o->kernel_release) < 0)
		o->kernel_release = NULL;
	return 0;
}

int observe(const struct observe_opts *opts, struct observation **ret, char **errmsg)
{
	_cleanup_observation_ struct observation *o = NULL;
	_cleanup_free_ char *sysctl_root = NULL;
	struct timespec ts;
	int r;

	if (!opts->sysctl_root) {
		sysctl_root = path_join(opts->proc_root, "sys");
		if (!sysctl_root)
			return -ENOMEM;
	}
	o = observation_new();
	if (!o)
		return -ENOMEM;
	clock_gettime(CLOCK_REALTIME, &ts);
	o->timestamp = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	(void)netns_current_inode(opts->proc_root, &o->netns_inode);

	r = collect_sockets(opts, sysctl_root ? sysctl_root : opts->sysctl_root, o, errmsg);
	if (r < 0)
		return r;
	r = counters_read(opts->proc_root, o, errmsg);
	if (r < 0)
		return r;
	r = collect_sysctls(sysctl_root ? sysctl_root : opts->sysctl_root, opts->extra_sysctls, o,
			    errmsg);
	if (r < 0)
		return r;
	o->cgroup_id = opts->cgroup_id;
	*ret = TAKE_PTR(o);
	return 0;
}
