// SPDX-License-Identifier: GPL-2.0-or-later
#include "report.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "format.h"
#include "util.h"

/* The schema is documented in report.h. */
#define REPORT_JSON_VERSION 1

static int add_null(json_object *obj, const char *key)
{
	return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
}

/* Strings from the system (process names, paths) are bytes; JSON wants UTF-8. */
static json_object *new_string(const char *s)
{
	_cleanup_free_ char *clean = report_utf8_sanitize(s);

	return clean ? json_object_new_string(clean) : NULL;
}

/* A double that prints as its shortest exact text; NaN and infinities become null. */
static int add_double(json_object *obj, const char *key, double d)
{
	char buf[REPORT_DOUBLE_MAX];

	if (!isfinite(d) || report_format_double(d, buf, sizeof(buf)) < 0)
		return add_null(obj, key);
	return json_add(obj, key, json_object_new_double_s(d, buf));
}

static int add_states(json_object *root, const char *key, const struct observation *o, int family)
{
	json_object *states = json_object_new_object();
	int r;

	r = json_add(root, key, states);
	if (r < 0)
		return r;
	FOREACH_TCP_STATE(s) {
		uint64_t n = family < 0 ? observation_state_total(o, s) : o->states[family][s];

		r = json_add(states, tcp_state_name(s), json_object_new_int64((int64_t)n));
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * The holders found: "pid" and "process" (the first), "pids" (up to
 * OWNERS_SHOWN), "more_pids", "owners_complete" (false: the lookup stopped
 * before reading every process, others may hold some too), "service", "cgroup".
 */
static int add_owner(json_object *obj, int pid, const char *comm, const struct owner_set *s)
{
	json_object *pids;
	int r = 0;

	if (pid > 0)
		r = json_add(obj, "pid", json_object_new_int(pid));
	if (r >= 0 && comm)
		r = json_add(obj, "process", new_string(comm));
	if (r < 0 || !s->looked)
		return r;
	r = json_add(obj, "pids", pids = json_object_new_array());
	for (size_t i = 0; r >= 0 && i < s->n_pids; i++)
		r = json_append(pids, json_object_new_int(s->pids[i]));
	if (r >= 0)
		r = json_add(obj, "more_pids", json_object_new_int64((int64_t)s->n_more));
	if (r >= 0)
		r = json_add(obj, "owners_complete", json_object_new_boolean(s->complete));
	if (r >= 0)
		r = report_json_add_str(obj, "service", s->service);
	if (r >= 0)
		r = report_json_add_str(obj, "cgroup", s->cgroup);
	return r;
}

static json_object *port_json(const struct port_count *p)
{
	_cleanup_json_ json_object *j = json_object_new_object();

	if (!j || json_add(j, "port", json_object_new_int(p->port)) < 0 ||
	    json_add(j, "count", json_object_new_int64(p->count)) < 0 ||
	    json_add(j, "role", json_object_new_string(report_role_name(p->server))) < 0 ||
	    add_owner(j, p->pid, p->comm, &p->owners) < 0)
		return NULL;
	return TAKE_PTR(j);
}

static int add_top_ports(json_object *root, const struct observation *o)
{
	json_object *top = json_object_new_object();
	int r;

	r = json_add(root, "top_ports", top);
	if (r < 0)
		return r;
	FOREACH_TCP_STATE(s) {
		json_object *list;

		if (o->top[s].n == 0)
			continue;
		list = json_object_new_array();
		r = json_add(top, tcp_state_name(s), list);
		if (r < 0)
			return r;
		for (size_t i = 0; i < o->top[s].n; i++) {
			r = json_append(list, port_json(&o->top[s].ports[i]));
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static json_object *listener_json(const struct listener *l)
{
	_cleanup_json_ json_object *j = json_object_new_object();
	char addr[REPORT_ADDR_MAX];
	const char *family = report_family_name(l->family);
	double fill;
	int r;

	if (!j)
		return NULL;
	if (report_format_addr(l->family, l->addr, addr, sizeof(addr)) < 0)
		addr[0] = '\0';
	r = report_json_add_str(j, "family", family);
	if (r >= 0)
		r = report_json_add_str(j, "address", addr[0] ? addr : NULL);
	if (r >= 0)
		r = json_add(j, "port", json_object_new_int(l->port));
	if (r >= 0)
		r = json_add(j, "queue", json_object_new_int64(l->queue));
	if (r >= 0)
		r = l->backlog < 0 ? add_null(j, "backlog")
				   : json_add(j, "backlog", json_object_new_int64(l->backlog));
	if (r >= 0)
		r = listener_fill(l, &fill) ? add_double(j, "fill", fill) : add_null(j, "fill");
	if (r >= 0)
		r = add_owner(j, l->pid, l->comm, &l->owners);
	return r < 0 ? NULL : TAKE_PTR(j);
}

static int add_listeners(json_object *root, const struct observation *o)
{
	json_object *list = json_object_new_array();
	int r;

	r = json_add(root, "listeners", list);
	for (size_t i = 0; r >= 0 && i < o->n_listeners; i++)
		r = json_append(list, listener_json(&o->listeners[i]));
	return r;
}

/*
 * An endpoint appended to list as {address, port, count}, and with stalled
 * also {orphaned, retries, idle}; port null for a server's peer (0: any port
 * of the host).
 */
static int add_endpoint(json_object *list, const struct peer_count *p, bool stalled)
{
	json_object *pj = json_object_new_object();
	char addr[REPORT_ADDR_MAX];
	int r = json_append(list, pj);

	if (r >= 0)
		r = report_format_addr(p->family, p->addr, addr, sizeof(addr));
	if (r >= 0)
		r = json_add(pj, "address", json_object_new_string(addr));
	if (r >= 0)
		r = p->port ? json_add(pj, "port", json_object_new_int(p->port))
			    : add_null(pj, "port");
	if (r >= 0)
		r = json_add(pj, "count", json_object_new_int64(p->count));
	if (r >= 0 && stalled)
		r = json_add(pj, "orphaned", json_object_new_int64(p->orphaned));
	if (r >= 0 && stalled)
		r = json_add(pj, "retries", json_object_new_int64(p->retries));
	if (r >= 0 && stalled)
		r = json_add(pj, "idle", json_object_new_int64(p->idle));
	return r;
}

static int add_peers(json_object *root, const struct observation *o)
{
	json_object *list = json_object_new_array();
	int r = json_add(root, "peers", list);

	for (size_t i = 0; r >= 0 && i < o->n_peers; i++)
		r = add_endpoint(list, &o->peers[i], false);
	return r;
}

static int add_orphaned(json_object *root, const struct observation *o)
{
	json_object *obj = json_object_new_object();
	int r = json_add(root, "orphaned", obj);

	FOREACH_TCP_STATE(s) {
		if (r < 0)
			break;
		if (!tcp_state_orphan(s))
			continue;
		r = json_add(obj, tcp_state_name(s), json_object_new_int64((int64_t)o->unheld[s]));
	}
	if (r >= 0)
		r = json_add(root, "orphans",
			     json_object_new_int64((int64_t)observation_orphans(o)));
	return r;
}

static int add_stalled(json_object *root, const struct observation *o)
{
	json_object *obj = json_object_new_object();
	int r = json_add(root, "stalled", obj);

	for (size_t k = 0; r >= 0 && k < STALL_N; k++) {
		const struct stalled *st = &o->stalled[k];
		json_object *kj = json_object_new_object(), *list = json_object_new_array();

		r = json_add(obj, report_stall_name(k), kj);
		if (r >= 0)
			r = json_add(kj, "sockets", json_object_new_int64((int64_t)st->sockets));
		if (r >= 0)
			r = json_add(kj, "orphaned", json_object_new_int64((int64_t)st->orphaned));
		if (r >= 0)
			r = json_add(kj, "peers", list);
		else
			json_object_put(list);
		for (size_t i = 0; r >= 0 && i < st->n_peers; i++)
			r = add_endpoint(list, &st->peers[i], true);
	}
	return r;
}

static int add_sockstat(json_object *root, const struct observation *o)
{
	json_object *obj = json_object_new_object();
	int r;

	r = json_add(root, "sockstat", obj);
	for (size_t i = 0; r >= 0 && i < o->n_sockstat; i++)
		r = json_add(obj, o->sockstat[i].name, json_object_new_int64(o->sockstat[i].value));
	return r;
}

/* The object of a counter's section, created on first use. */
static int section_of(json_object *parent, const char *name, json_object **ret,
		      const char **ret_field)
{
	size_t len = report_counter_split(name, ret_field);
	_cleanup_free_ char *section = strndup(name, len);
	json_object *obj;
	int r;

	if (!section)
		return -ENOMEM;
	if (json_object_object_get_ex(parent, section, &obj)) {
		*ret = obj;
		return 0;
	}
	obj = json_object_new_object();
	r = json_add(parent, section, obj);
	if (r < 0)
		return r;
	*ret = obj;
	return 0;
}

static int add_counters(json_object *root, const char *key, const struct observation *o, bool rates)
{
	json_object *obj = json_object_new_object();
	int r;

	r = json_add(root, key, obj);
	for (size_t i = 0; r >= 0 && i < o->n_counters; i++) {
		const struct counter *c = &o->counters[i];
		json_object *section;
		const char *field;

		r = section_of(obj, c->name, &section, &field);
		if (r < 0)
			break;
		if (rates)
			r = add_double(section, field, c->rate);
		else
			r = json_add(section, field, json_object_new_int64(c->value));
	}
	return r;
}

static json_object *sysctl_json(const struct sysctl_reading *s)
{
	_cleanup_json_ json_object *arr = NULL;

	if (s->n == 1)
		return json_object_new_int64(s->num[0]);
	if (s->n == 0)
		return new_string(s->value);
	arr = json_object_new_array();
	if (!arr)
		return NULL;
	for (size_t i = 0; i < s->n && i < SYSCTL_MAX_VEC; i++)
		if (json_append(arr, json_object_new_int64(s->num[i])) < 0)
			return NULL;
	return TAKE_PTR(arr);
}

static int add_sysctls(json_object *root, const struct observation *o)
{
	json_object *obj = json_object_new_object();
	int r;

	r = json_add(root, "sysctl", obj);
	for (size_t i = 0; r >= 0 && i < o->n_sysctls; i++) {
		const struct sysctl_reading *s = &o->sysctls[i];

		r = s->value ? json_add(obj, s->key, sysctl_json(s)) : add_null(obj, s->key);
	}
	return r;
}

static int add_notes(json_object *root, const struct observation *o)
{
	json_object *list = json_object_new_array();
	int r;

	r = json_add(root, "notes", list);
	for (size_t i = 0; r >= 0 && i < o->n_notes; i++)
		r = json_append(list, new_string(o->notes[i]));
	return r;
}

static int fill_root(json_object *root, const struct observation *o)
{
	int r;

	if ((r = json_add(root, "version", json_object_new_int(REPORT_JSON_VERSION))) < 0 ||
	    (r = add_double(root, "timestamp", o->timestamp)) < 0 ||
	    (r = report_json_add_str(root, "source", o->source)) < 0 ||
	    (r = report_json_add_str(root, "netns", o->netns)) < 0 ||
	    (r = report_json_add_str(root, "cgroup", o->cgroup)) < 0 ||
	    (r = report_json_add_str(root, "kernel", o->kernel_release)) < 0 ||
	    (r = add_states(root, "states", o, -1)) < 0 ||
	    (r = add_states(root, "states_v4", o, OBS_V4)) < 0 ||
	    (r = add_states(root, "states_v6", o, OBS_V6)) < 0 ||
	    (r = json_add(root, "total",
			  json_object_new_int64((int64_t)report_states_total(o, -1)))) < 0 ||
	    (r = add_top_ports(root, o)) < 0 || (r = add_listeners(root, o)) < 0 ||
	    (r = add_peers(root, o)) < 0 || (r = add_orphaned(root, o)) < 0 ||
	    (r = add_stalled(root, o)) < 0 || (r = add_sockstat(root, o)) < 0 ||
	    (r = add_counters(root, "counters", o, false)) < 0)
		return r;
	if (o->interval > 0) {
		if ((r = add_double(root, "interval", o->interval)) < 0 ||
		    (r = add_counters(root, "rates", o, true)) < 0)
			return r;
	}
	if ((r = add_sysctls(root, o)) < 0 || (r = add_notes(root, o)) < 0)
		return r;
	return 0;
}

json_object *report_observation_json(const struct observation *o)
{
	_cleanup_json_ json_object *root = json_object_new_object();

	if (!root || fill_root(root, o) < 0)
		return NULL;
	return TAKE_PTR(root);
}

int report_stats_json(FILE *f, const struct observation *o)
{
	_cleanup_json_ json_object *root = report_observation_json(o);

	if (!root)
		return -ENOMEM;
	return report_json_print(f, root);
}

/* ---- diagnose ---- */

/* The busiest ports the finding names, with their holders. */
static int add_finding_owners(json_object *obj, const struct observation *o,
			      const struct finding *f)
{
	json_object *list = NULL;
	int r = 0;

	FOREACH_TCP_STATE(s) {
		const struct port_count *p = o->top[s].n ? &o->top[s].ports[0] : NULL;
		json_object *pj;

		if (!(f->owner_states & (1u << s)) || !p || !p->owners.looked)
			continue;
		if (!list && (r = json_add(obj, "owners", list = json_object_new_array())) < 0)
			return r;
		pj = port_json(p);
		if ((r = json_append(list, pj)) < 0 ||
		    (r = json_add(pj, "state", json_object_new_string(tcp_state_name(s)))) < 0)
			return r;
	}
	/* The listeners of a full accept queue, as in "listeners", with "state": "listen". */
	for (size_t i = 0; f->owner_states & (1u << TS_LISTEN) && i < o->n_listeners; i++) {
		json_object *lj;

		if (!o->listeners[i].owners.looked)
			continue;
		if (!list && (r = json_add(obj, "owners", list = json_object_new_array())) < 0)
			return r;
		lj = listener_json(&o->listeners[i]);
		if ((r = json_append(list, lj)) < 0 ||
		    (r = json_add(lj, "state", json_object_new_string("listen"))) < 0)
			return r;
	}
	return r;
}

static json_object *finding_json(const struct observation *o, const struct finding *f)
{
	static const char *const kinds[] = {
		[REC_SET] = "set", [REC_MIN] = "min", [REC_MAX] = "max", [REC_WIDEN] = "widen"
	};
	_cleanup_json_ json_object *obj = json_object_new_object();
	json_object *evidence, *recommend, *changes, *see;
	const struct rule *r = f->rule;
	int e;

	if (!obj)
		return NULL;
	if (json_add(obj, "id", new_string(r->id)) < 0 ||
	    json_add(obj, "severity", json_object_new_string(severity_name(r->severity))) < 0 ||
	    json_add(obj, "summary", new_string(f->summary)) < 0 ||
	    report_json_add_str(obj, "explain", f->explain) < 0 ||
	    report_json_add_str(obj, "action", f->action) < 0 ||
	    json_add(obj, "evidence", evidence = json_object_new_object()) < 0 ||
	    json_add(obj, "recommend", recommend = json_object_new_object()) < 0 ||
	    json_add(obj, "changes", changes = json_object_new_array()) < 0 ||
	    json_add(obj, "see", see = json_object_new_array()) < 0 ||
	    report_json_add_str(obj, "origin", r->origin) < 0 || add_finding_owners(obj, o, f) < 0)
		return NULL;
	for (size_t i = 0; i < f->n_evidence; i++)
		if (report_json_add_str(evidence, f->evidence[i].metric, f->evidence[i].value) < 0)
			return NULL;
	for (size_t i = 0; i < f->n_changes; i++) {
		const struct change *c = &f->changes[i];
		json_object *cj = json_object_new_object();

		if (json_append(changes, cj) < 0)
			return NULL;
		e = json_add(cj, "key", new_string(c->key));
		if (e == 0)
			e = report_json_add_str(cj, "current", c->current);
		if (e == 0)
			e = json_add(cj, "recommended", new_string(c->value));
		if (e == 0)
			e = json_add(cj, "kind", json_object_new_string(kinds[c->kind]));
		if (e == 0)
			e = json_add(cj, "needed", json_object_new_boolean(c->needed));
		if (e == 0 && c->needed)
			e = json_add(recommend, c->key, new_string(c->value));
		if (e < 0)
			return NULL;
	}
	for (size_t i = 0; i < r->n_see; i++)
		if (json_append(see, new_string(r->see[i])) < 0)
			return NULL;
	return TAKE_PTR(obj);
}

static int fill_judgement(json_object *root, const struct observation *o, const struct judgement *j)
{
	json_object *findings, *skipped;

	if (json_add(root, "status",
		     json_object_new_string(j->worst ? severity_name(j->worst) : "ok")) < 0 ||
	    json_add(root, "rules_evaluated", json_object_new_int64((int64_t)j->n_evaluated)) < 0 ||
	    json_add(root, "findings", findings = json_object_new_array()) < 0 ||
	    json_add(root, "not_evaluated", skipped = json_object_new_array()) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < j->n_findings; i++)
		if (json_append(findings, finding_json(o, &j->findings[i])) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < j->n_skipped; i++) {
		json_object *s = json_object_new_object();

		if (json_append(skipped, s) < 0 ||
		    json_add(s, "id", new_string(j->skipped[i].rule->id)) < 0 ||
		    json_add(s, "reason", new_string(j->skipped[i].reason)) < 0)
			return -ENOMEM;
	}
	return 0;
}

int report_diagnose_json(FILE *f, const struct observation *o, const struct judgement *j)
{
	_cleanup_json_ json_object *root = report_observation_json(o);

	if (!root || fill_judgement(root, o, j) < 0)
		return -ENOMEM;
	return report_json_print(f, root);
}
