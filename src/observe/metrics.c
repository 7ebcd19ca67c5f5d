// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The metric registry: the table families[] names every metric, its type and
 * its resolver; resolvers come first, the matching of names after the table.
 */
#define _GNU_SOURCE
#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics-impl.h"
#include "observation.h"
#include "util.h"

/* What the placeholder of a family's name stands for. */
enum metric_arg_kind {
	ARG_NONE,	  /* a fixed name */
	ARG_STATE,	  /* a TCP state: "time_wait" */
	ARG_CONN_STATE,	  /* a state with a local port and a role: not listen or close */
	ARG_ORPHAN_STATE, /* a state an orphan can be in: tcp_state_orphan() */
	ARG_FIELD,	  /* a sockstat field: "tw", "v6.inuse" */
	ARG_COUNTER,	  /* Section.Name: "TcpExt.ListenOverflows" */
	ARG_KEY,	  /* a sysctl key: "net.ipv4.tcp_fin_timeout" */
	ARG_KEY_INDEX,	  /* a key and an index: "net.ipv4.ip_local_port_range[1]" */
};

static const char *const arg_shapes[] = {
	[ARG_NONE] = "",
	[ARG_STATE] = "<state>",
	[ARG_CONN_STATE] = "<state>",
	[ARG_ORPHAN_STATE] = "<state>",
	[ARG_FIELD] = "<field>",
	[ARG_COUNTER] = "<Section>.<Name>",
	[ARG_KEY] = "<key>",
	[ARG_KEY_INDEX] = "<key>[i]",
};

struct metric_family {
	const char *prefix;
	enum metric_arg_kind arg;
	const char *suffix;
	enum metric_type type;
	int (*resolve)(const struct observation *o, const struct metric_arg *a,
		       struct metric_value *v);
	const char *why; /* why it can be unavailable; NULL: "not in this snapshot" */
	bool rate;	 /* needs two samples (--interval) */
	int which;	 /* given to the resolver as metric_arg.which */
};

/* ---- resolvers: a value from the snapshot, or -ENODATA ---- */

static int state_all(const struct observation *o, const struct metric_arg *a,
		     struct metric_value *v)
{
	return number(v, (double)observation_state_total(o, a->state));
}

static int state_v4(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	return number(v, (double)o->states[OBS_V4][a->state]);
}

static int state_v6(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	return number(v, (double)o->states[OBS_V6][a->state]);
}

static int client(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	return number(v, (double)o->client[a->state]);
}

static int server(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	return number(v, (double)(observation_state_total(o, a->state) - o->client[a->state]));
}

static int sockstat(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	const struct counter *c = observation_sockstat(o, a->text);

	return c ? number(v, (double)c->value) : -ENODATA;
}

static int counter(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	const struct counter *c = observation_counter(o, a->text);

	return c ? number(v, (double)c->value) : -ENODATA;
}

static int rate(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	const struct counter *c = observation_counter(o, a->text);

	if (!c || o->interval <= 0 || isnan(c->rate))
		return -ENODATA;
	return number(v, c->rate);
}

static const struct sysctl_reading *sysctl_read(const struct observation *o, const char *key)
{
	const struct sysctl_reading *s = observation_sysctl(o, key);

	return s && s->value ? s : NULL;
}

static int sysctl_whole(const struct observation *o, const struct metric_arg *a,
			struct metric_value *v)
{
	const struct sysctl_reading *s = sysctl_read(o, a->text);

	if (!s)
		return -ENODATA;
	/* Text, or a vector shown whole: only an index makes a vector a number. */
	return s->n == 1 ? number(v, (double)s->num[0]) : text(v, s->value);
}

static int sysctl_element(const struct observation *o, const struct metric_arg *a,
			  struct metric_value *v)
{
	const struct sysctl_reading *s = sysctl_read(o, a->text);

	return !s || (size_t)a->index >= s->n ? -ENODATA : number(v, (double)s->num[a->index]);
}

/* The busiest local port of a state; NULL when no socket is in it. */
static const struct port_count *top(const struct observation *o, const struct metric_arg *a)
{
	return o->top[a->state].n ? &o->top[a->state].ports[0] : NULL;
}

/* The same when its owner is known. */
static const struct port_count *top_owned(const struct observation *o, const struct metric_arg *a)
{
	const struct port_count *p = top(o, a);

	return p && o->processes && p->pid > 0 ? p : NULL;
}

static int top_port(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	const struct port_count *p = top(o, a);

	return p ? number(v, p->port) : -ENODATA;
}

static int top_count(const struct observation *o, const struct metric_arg *a,
		     struct metric_value *v)
{
	const struct port_count *p = top(o, a);

	return p ? number(v, p->count) : -ENODATA;
}

static int top_server(const struct observation *o, const struct metric_arg *a,
		      struct metric_value *v)
{
	const struct port_count *p = top(o, a);

	return p ? number(v, p->server) : -ENODATA;
}

static int top_pid(const struct observation *o, const struct metric_arg *a, struct metric_value *v)
{
	const struct port_count *p = top_owned(o, a);

	return p ? number(v, p->pid) : -ENODATA;
}

static int top_process(const struct observation *o, const struct metric_arg *a,
		       struct metric_value *v)
{
	const struct port_count *p = top_owned(o, a);

	return p ? text(v, p->comm ? p->comm : "?") : -ENODATA;
}

static int top_service(const struct observation *o, const struct metric_arg *a,
		       struct metric_value *v)
{
	const struct port_count *p = top(o, a);

	return p && p->owners.service ? text(v, p->owners.service) : -ENODATA;
}

static int kernel_version(const struct observation *o, _unused_ const struct metric_arg *a,
			  struct metric_value *v)
{
	return o->kernel_release ? text(v, o->kernel_release) : -ENODATA;
}

static int kernel_version_code(const struct observation *o, _unused_ const struct metric_arg *a,
			       struct metric_value *v)
{
	unsigned code;

	return parse_kernel_release(o->kernel_release, &code) < 0 ? -ENODATA
								  : number(v, (double)code);
}

/*
 * THE METRIC REGISTRY: every metric a rule, a template or a report can name,
 * one row per family: the name's shape (prefix, placeholder, suffix), its
 * type, the function that reads it from a snapshot (struct observation) and
 * why it can be unavailable. Rules are validated and evaluated through it; a
 * new metric is a row here and a line in tcptune(8). The first row whose
 * shape fits the whole name wins.
 */
#define WHY_KERNEL "this kernel does not report it"
#define WHY_SYSCTL "the key is absent on this kernel or in this network namespace"
#define WHY_TOP "no socket is in that state"
#define WHY_OWNER "owners were not looked up or are not known (--processes, root)"
#define WHY_SERVICE "no cgroup v2, or the holders are in the root cgroup (--processes)"
#define WHY_PEER "no client-side connection"
#define WHY_LISTEN "the /proc source does not report accept-queue limits"
#define WHY_STALL "no connection is stalled that way"

/* The rows of one kind of stalled connection (observation.stalled[which]). */
#define STALL_ROWS(prefix, kind)                                                                 \
	{ prefix "count", ARG_NONE, "", METRIC_NUMBER, res_stalled_count, NULL, .which = kind }, \
		{ prefix "orphaned",	ARG_NONE, "",		METRIC_NUMBER,                   \
		  res_stalled_orphaned, NULL,	  .which = kind },                               \
		{ prefix "peer.address",    ARG_NONE,  "",	     METRIC_TEXT,                \
		  res_stalled_peer_address, WHY_STALL, .which = kind },                          \
		{ prefix "peer.count",	  ARG_NONE, "",		  METRIC_NUMBER,                 \
		  res_stalled_peer_count, NULL,	    .which = kind },                             \
		{ prefix "peer.retries",    ARG_NONE, "",	    METRIC_NUMBER,               \
		  res_stalled_peer_retries, NULL,     .which = kind },                           \
	{                                                                                        \
		prefix "peer.idle", ARG_NONE, "", METRIC_NUMBER, res_stalled_peer_idle, NULL,    \
			.which = kind                                                            \
	}

static const struct metric_family families[] = {
	/* prefix		placeholder	suffix	type	resolver	unavailable */
	{ "state.", ARG_STATE, "", METRIC_NUMBER, state_all, NULL },
	{ "state.v4.", ARG_STATE, "", METRIC_NUMBER, state_v4, NULL },
	{ "state.v6.", ARG_STATE, "", METRIC_NUMBER, state_v6, NULL },
	{ "client.", ARG_CONN_STATE, "", METRIC_NUMBER, client, NULL },
	{ "server.", ARG_CONN_STATE, "", METRIC_NUMBER, server, NULL },
	{ "sockstat.", ARG_FIELD, "", METRIC_NUMBER, sockstat, WHY_KERNEL },
	{ "counter.", ARG_COUNTER, "", METRIC_NUMBER, counter, WHY_KERNEL },
	{ "rate.", ARG_COUNTER, "", METRIC_NUMBER, rate, "this kernel does not report that counter",
	  .rate = true },
	{ "sysctl.", ARG_KEY, "", METRIC_NUMBER_OR_TEXT, sysctl_whole, WHY_SYSCTL },
	{ "sysctl.", ARG_KEY_INDEX, "", METRIC_NUMBER, sysctl_element, WHY_SYSCTL },
	{ "top.", ARG_CONN_STATE, ".port", METRIC_NUMBER, top_port, WHY_TOP },
	{ "top.", ARG_CONN_STATE, ".count", METRIC_NUMBER, top_count, WHY_TOP },
	{ "top.", ARG_CONN_STATE, ".pid", METRIC_NUMBER, top_pid, WHY_OWNER },
	{ "top.", ARG_CONN_STATE, ".process", METRIC_TEXT, top_process, WHY_OWNER },
	{ "top.", ARG_CONN_STATE, ".service", METRIC_TEXT, top_service, WHY_SERVICE },
	{ "top.", ARG_CONN_STATE, ".server", METRIC_NUMBER, top_server, WHY_TOP },
	{ "peer.count", ARG_NONE, "", METRIC_NUMBER, res_peer_count, WHY_PEER },
	{ "peer.port", ARG_NONE, "", METRIC_NUMBER, res_peer_port, WHY_PEER },
	{ "peer.address", ARG_NONE, "", METRIC_TEXT, res_peer_address, WHY_PEER },
	{ "listen.count", ARG_NONE, "", METRIC_NUMBER, res_listen_count, WHY_LISTEN },
	{ "listen.max_queue", ARG_NONE, "", METRIC_NUMBER, res_listen_max_queue, WHY_LISTEN },
	{ "listen.max_queue_ratio", ARG_NONE, "", METRIC_NUMBER, res_listen_max_queue_ratio,
	  WHY_LISTEN },
	{ "listen.full", ARG_NONE, "", METRIC_NUMBER, res_listen_full, WHY_LISTEN },
	{ "listen.capped", ARG_NONE, "", METRIC_NUMBER, res_listen_capped, WHY_LISTEN },
	{ "listen.fullest", ARG_NONE, "", METRIC_TEXT, res_listen_fullest,
	  "no connection waits in an accept queue" },
	{ "orphans.count", ARG_NONE, "", METRIC_NUMBER, res_orphans_count, NULL },
	{ "orphaned.", ARG_ORPHAN_STATE, "", METRIC_NUMBER, res_orphaned, NULL },
	{ "held.", ARG_CONN_STATE, "", METRIC_NUMBER, res_held, NULL },
	STALL_ROWS("retrans.", STALL_RETRANS),
	STALL_ROWS("zero_window.", STALL_ZERO_WINDOW),
	{ "kernel.version", ARG_NONE, "", METRIC_TEXT, kernel_version, NULL },
	{ "kernel.version_code", ARG_NONE, "", METRIC_NUMBER, kernel_version_code, NULL },
};

/* ---- matching a name to its row ---- */

static bool is_ident(const char *s, const char *extra)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && !strchr(extra, *s))
			return false;
	return true;
}

static bool is_sysctl_key(const char *key)
{
	return is_ident(key, ".-") && key[0] != '.' && !strstr(key, "..");
}

static int parse_state(const char *s, bool conn, struct metric_arg *a, char **why)
{
	a->state = tcp_state_from_name(s);
	if (!a->state)
		return err_set(why, -EINVAL, "'%s' is not a TCP state", s);
	/* Listeners and closed sockets have no role and no busiest port. */
	if (conn && (a->state == TS_LISTEN || a->state == TS_CLOSE))
		return err_set(why, -EINVAL, "'%s' is not a state of a connection", s);
	return 0;
}

/* "net.ipv4.ip_local_port_range[1]": the key and the index. */
static int parse_key_index(char *s, struct metric_arg *a, char **why)
{
	char *br = strchr(s, '[');
	size_t len = br ? strlen(br) : 0;
	int64_t idx;

	if (!br)
		return 1;
	if (len < 3 || br[len - 1] != ']')
		return err_set(why, -EINVAL, "'%s': expected an index [0] to [%d]", s,
			       SYSCTL_MAX_VEC - 1);
	br[len - 1] = '\0';
	if (parse_i64(br + 1, 0, SYSCTL_MAX_VEC - 1, &idx) < 0)
		return err_set(why, -EINVAL, "'%s': an index is 0 to %d", br + 1,
			       SYSCTL_MAX_VEC - 1);
	*br = '\0';
	if (!is_sysctl_key(s))
		return err_set(why, -EINVAL, "'%s' is not a sysctl key", s);
	a->index = (int)idx;
	return 0;
}

/*
 * Whether the placeholder's text s fits the kind: 0 (a->text takes s over),
 * 1 when the name has another family's shape, -EINVAL with *why.
 */
static int parse_arg(const struct metric_family *f, char **s, struct metric_arg *a, char **why)
{
	int r = 0;

	if (!**s && f->arg != ARG_NONE)
		return err_set(why, -EINVAL, "expected %s%s%s", f->prefix, arg_shapes[f->arg],
			       f->suffix);
	switch (f->arg) {
	case ARG_NONE:
		return 0;
	case ARG_STATE:
	case ARG_CONN_STATE:
		return parse_state(*s, f->arg == ARG_CONN_STATE, a, why);
	case ARG_ORPHAN_STATE:
		r = parse_state(*s, true, a, why);
		if (r == 0 && !tcp_state_orphan(a->state))
			r = err_set(why, -EINVAL,
				    "'%s' is no state of an orphan: fin_wait1, fin_wait2, closing, "
				    "last_ack",
				    *s);
		return r;
	case ARG_FIELD:
		if (!is_ident(*s, ".") || (*s)[0] == '.')
			return err_set(why, -EINVAL, "'%s' is not a sockstat field", *s);
		break;
	case ARG_COUNTER:
		if (!is_ident(*s, ".") || (*s)[0] == '.' || !strchr(*s, '.'))
			return err_set(why, -EINVAL, "'%s' is not Section.Name", *s);
		break;
	case ARG_KEY:
		if (strchr(*s, '['))
			return 1;
		if (!is_sysctl_key(*s))
			return err_set(why, -EINVAL, "'%s' is not a sysctl key", *s);
		break;
	case ARG_KEY_INDEX:
		r = parse_key_index(*s, a, why);
		break;
	}
	if (r == 0)
		a->text = TAKE_PTR(*s);
	return r;
}

/* The placeholder's text when name has the family's shape (heap); NULL and 1 when not. */
static int split_name(const struct metric_family *f, const char *name, char **ret)
{
	size_t np = strlen(f->prefix), ns = strlen(f->suffix), n = strlen(name);

	if (n < np + ns || strncmp(name, f->prefix, np) != 0 || strcmp(name + n - ns, f->suffix))
		return 1;
	if (f->arg == ARG_NONE && n != np + ns)
		return 1;
	*ret = strndup(name + np, n - np - ns);
	return *ret ? 0 : -ENOMEM;
}

static int append(char **list, const char *sep, const char *a, const char *b, const char *c)
{
	char *s;

	if (asprintf(&s, "%s%s%s%s%s", *list ? *list : "", *list ? sep : "", a, b, c) < 0)
		return -ENOMEM;
	free(*list);
	*list = s;
	return 0;
}

/* A name no row fits: the names its first part begins. */
static int no_family(const char *name, char **why)
{
	size_t first = strcspn(name, ".") + 1;
	_cleanup_free_ char *list = NULL;
	int r = 0;

	if (!why)
		return -EINVAL;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(families); i++) {
		const struct metric_family *f = &families[i];

		if (strncmp(f->prefix, name, first) == 0)
			r = append(&list, ", ", f->prefix, arg_shapes[f->arg], f->suffix);
	}
	if (r < 0)
		return r;
	if (list)
		return err_set(why, -EINVAL, "expected %s", list);
	return err_set(why, -EINVAL, "no metric begins with '%.*s'", (int)first - 1, name);
}

static void metric_arg_done(struct metric_arg *a)
{
	free(a->text);
}

/*
 * The row a name belongs to and its argument: 0, -EINVAL with *why (when why
 * is not NULL), -ENOMEM. Of several rows that fit the shape but refuse the
 * argument, the one with the longest fixed part says why.
 */
static int match(const char *name, const struct metric_family **ret, struct metric_arg *a,
		 char **why)
{
	_cleanup_free_ char *best = NULL;
	size_t best_fixed = 0;
	bool refused = false;

	for (size_t i = 0; i < ARRAY_SIZE(families); i++) {
		const struct metric_family *f = &families[i];
		size_t fixed = strlen(f->prefix) + strlen(f->suffix);
		_cleanup_free_ char *s = NULL, *w = NULL;
		int r;

		r = split_name(f, name, &s);
		if (r == 0)
			r = parse_arg(f, &s, a, why ? &w : NULL);
		if (r == 0) {
			a->which = f->which;
			*ret = f;
			return 0;
		}
		if (r == -ENOMEM)
			return r;
		if (r < 0 && (!refused || fixed > best_fixed)) {
			refused = true;
			best_fixed = fixed;
			free(best);
			best = w ? TAKE_PTR(w) : NULL;
		}
	}
	if (refused)
		return why ? err_set(why, -EINVAL, "%s", best ? best : "no such metric") : -EINVAL;
	return no_family(name, why);
}

/* ---- the registry's interface ---- */

int metric_validate(const char *name, enum metric_type *ret_type, char **reason)
{
	_cleanup_(metric_arg_done) struct metric_arg a = { .index = -1 };
	const struct metric_family *f;
	int r;

	r = match(name, &f, &a, reason);
	if (r < 0)
		return r;
	if (ret_type)
		*ret_type = f->type;
	return 0;
}

bool metric_is_text(const char *name)
{
	enum metric_type t;

	return metric_validate(name, &t, NULL) == 0 && t == METRIC_TEXT;
}

int metric_resolve(const struct observation *o, const char *name, struct metric_value *ret)
{
	_cleanup_(metric_arg_done) struct metric_arg a = { .index = -1 };
	const struct metric_family *f;
	int r;

	r = match(name, &f, &a, NULL);
	if (r < 0)
		return r;
	return f->resolve(o, &a, ret);
}

int metric_check(const char *name)
{
	return metric_validate(name, NULL, NULL);
}

int observation_metric(const struct observation *o, const char *name, double *ret)
{
	struct metric_value v;
	int r = metric_resolve(o, name, &v);

	if (r < 0)
		return r;
	if (v.type != METRIC_NUMBER)
		return -EMEDIUMTYPE;
	*ret = v.num;
	return 0;
}

int observation_metric_text(const struct observation *o, const char *name, char **ret)
{
	struct metric_value v;
	int r = metric_resolve(o, name, &v);
	char *s;

	if (r < 0)
		return r;
	if (v.type == METRIC_TEXT)
		s = strdup(v.text);
	else if (v.num == floor(v.num) && fabs(v.num) < 1e15)
		r = asprintf(&s, "%.0f", v.num);
	else
		r = asprintf(&s, "%.2f", v.num);
	if (r < 0 || !s)
		return -ENOMEM;
	*ret = s;
	return 0;
}

const char *observation_metric_why(const struct observation *o, const char *name)
{
	_cleanup_(metric_arg_done) struct metric_arg a = { .index = -1 };
	const struct metric_family *f;

	if (match(name, &f, &a, NULL) < 0 || !f->why)
		return "not in this snapshot";
	if (f->rate && o->interval <= 0)
		return "rates need two samples: run with --interval SEC";
	return f->why;
}
