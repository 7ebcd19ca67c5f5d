// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "owners.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>

#include "cgroup.h"
#include "ownscan.h"
#include "util.h"

/* Sockets of one port looked for: enough to meet a busy port's holders after a few reads. */
#define SAMPLE_MAX 4096
/*
 * Descriptors read at most: a few milliseconds on any host, and about a tenth
 * of what counting the sockets costs at 100k and more (a read of
 * /proc/PID/fd/N costs about 3 us, a socket counted about 0.7 us).
 */
#define OWNERS_BUDGET(sockets) (16384 + (sockets) / 32)

int owners_parse_link(const char *target, uint32_t *ret_inode)
{
	_cleanup_free_ char *num = NULL;
	size_t len = strlen(target);
	uint64_t v;

	if (strncmp(target, "socket:[", 8) != 0 || len < 10 || target[len - 1] != ']')
		return -EINVAL;
	num = strndup(target + 8, len - 9);
	if (!num)
		return -ENOMEM;
	if (parse_u64(num, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*ret_inode = (uint32_t)v;
	return 0;
}

/* The ports and listeners wanted, each a key of the scan. */
static int add_key(struct ownscan *sc, enum tcp_state s, uint16_t port, struct owner_set *out,
		   int *pid, char **comm, uint32_t *inode)
{
	struct ownscan_key *k;

	if (sc->n_keys % 64 == 0) {
		struct ownscan_key *nk = realloc(sc->keys, (sc->n_keys + 64) * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		sc->keys = nk;
	}
	k = &sc->keys[sc->n_keys++];
	*k = (struct ownscan_key){
		.state = s, .port = port, .out = out, .pid = pid, .comm = comm, .inode = inode
	};
	return 0;
}

static int collect_keys(const struct owner_wants *w, struct observation *o, struct ownscan *sc)
{
	int r;

	FOREACH_TCP_STATE(s) {
		size_t n = o->top[s].n;

		if (!(w->states & (1u << s)))
			continue;
		if (w->ports && n > w->ports)
			n = w->ports;
		for (size_t i = 0; i < n; i++) {
			struct port_count *p = &o->top[s].ports[i];

			r = add_key(sc, s, p->port, &p->owners, &p->pid, &p->comm, &p->inode);
			if (r < 0)
				return r;
		}
	}
	sc->n_port_keys = sc->n_keys;
	for (size_t i = 0; w->listeners && i < o->n_listeners; i++) {
		struct listener *l = &o->listeners[i];
		double fill;

		if (w->listeners == OWNERS_FULL_LISTENERS &&
		    !((int64_t)l->queue > l->backlog || (listener_fill(l, &fill) && fill >= 0.5)))
			continue;
		r = add_key(sc, TS_LISTEN, l->port, &l->owners, &l->pid, &l->comm, NULL);
		if (r < 0)
			return r;
		sc->keys[sc->n_keys - 1].cgroup[0] = (struct ownscan_cg){ l->cgroup_id, 1 };
		sc->keys[sc->n_keys - 1].n_cgroups = l->cgroup_id ? 1 : 0;
		if (l->inode && ownscan_want(sc, l->inode, sc->n_keys - 1) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int cmp_key_port(const void *a, const void *b)
{
	const struct ownscan_key *x = a, *y = b;

	if (x->state != y->state)
		return x->state < y->state ? -1 : 1;
	return x->port < y->port ? -1 : x->port > y->port;
}

/* One held socket: wanted when its port and state are a key's. */
static void want_held(struct ownscan *sc, enum tcp_state s, uint16_t sport, uint32_t inode,
		      uint64_t cgroup_id)
{
	struct ownscan_key key = { .state = s, .port = sport }, *k;

	k = sc->n_port_keys ? bsearch(&key, sc->keys, sc->n_port_keys, sizeof(key), cmp_key_port)
			    : NULL;
	if (!k || !inode)
		return;
	k->sockets++;
	ownscan_key_cgroup(k, cgroup_id);
	if (k->n_wanted < SAMPLE_MAX && ownscan_want(sc, inode, (size_t)(k - sc->keys)) < 0)
		sc->error = -ENOMEM;
}

/* The held sockets of the wanted ports, recorded while counting (observe.c). */
static void held_ports(struct ownscan *sc, const struct observation *o)
{
	if (sc->n_port_keys)
		qsort(sc->keys, sc->n_port_keys, sizeof(*sc->keys), cmp_key_port);
	FOREACH_TCP_STATE(s) {
		for (size_t i = 0; i < o->n_held[s]; i++) {
			const struct held_socket *h = &o->held[s][i];

			want_held(sc, s, h->port, h->inode,
				  h->cgroup ? o->held_cgroups[h->cgroup - 1] : 0);
		}
	}
	/* A port of a state with more held sockets than recorded may have none recorded. */
	for (size_t i = 0; i < sc->n_port_keys; i++)
		if (o->held_full[sc->keys[i].state] && !sc->keys[i].n_wanted)
			sc->unsampled++;
}

/* Without netlink (the /proc source): the sample socket of each port. */
static int sample_ports(struct ownscan *sc)
{
	for (size_t i = 0; i < sc->n_port_keys; i++) {
		struct ownscan_key *k = &sc->keys[i];

		if (k->inode && *k->inode && ownscan_want(sc, *k->inode, i) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void set_cgroup(struct owner_set *out, uint64_t id, const char *path)
{
	out->cgroup_id = id;
	if (!path)
		return;
	out->cgroup = strdup(path);
	out->service = cgroup_service_name(path);
}

/*
 * The keys' cgroups: their paths and services from one walk of the cgroup2
 * tree, and their processes, the first to scan. Nothing when there is no
 * cgroup2 or the kernel tags no socket.
 */
static int resolve_cgroups(struct ownscan *sc, const char *proc_root, const char *root_opt)
{
	_cleanup_free_ char *mountinfo = NULL, *root = NULL;
	_cleanup_free_ uint64_t *ids = calloc(sc->n_keys + 1, sizeof(*ids));
	_cleanup_free_ char **paths = calloc(sc->n_keys + 1, sizeof(*paths));
	size_t n = 0;
	int r;

	if (!ids || !paths)
		return -ENOMEM;
	for (size_t i = 0; i < sc->n_keys; i++) {
		sc->keys[i].out->cgroup_id = ownscan_key_main_cgroup(&sc->keys[i]);
		if (sc->keys[i].out->cgroup_id)
			ids[n++] = sc->keys[i].out->cgroup_id;
	}
	if (n == 0 || (root_opt && !*root_opt))
		return 0;
	if (root_opt) {
		root = strdup(root_opt);
	} else {
		mountinfo = path_join(proc_root, "self/mountinfo");
		if (!mountinfo)
			return -ENOMEM;
		if (cgroup_find_mount(mountinfo, &root) < 0)
			return 0; /* no cgroup2: pids only */
	}
	if (!root || cgroup_paths(root, ids, n, paths) < 0)
		return root ? 0 : -ENOMEM;
	for (size_t i = 0, j = 0; i < sc->n_keys; i++) {
		struct owner_set *out = sc->keys[i].out;

		if (!out->cgroup_id)
			continue;
		set_cgroup(out, out->cgroup_id, paths[j]);
		/* The root cgroup holds every process of a host without systemd: no help. */
		if (paths[j] && strcmp(paths[j], "/") != 0) {
			_cleanup_free_ int *pids = NULL;
			size_t np = 0;

			if (cgroup_procs(root, paths[j], &pids, &np) == 0 &&
			    (r = ownscan_first(sc, pids, np)) < 0)
				return r;
		}
		free(paths[j++]);
	}
	return 0;
}

static void add_notes(struct observation *o, const struct ownscan *sc)
{
	size_t unowned = 0, partial = 0;

	for (size_t i = 0; i < sc->n_keys; i++) {
		const struct owner_set *out = sc->keys[i].out;

		if (sc->keys[i].n_wanted && out->n_pids == 0)
			unowned++;
		else if (sc->keys[i].n_wanted && !out->complete)
			partial++;
	}
	if (sc->stats.denied > 0)
		observation_add_note(o,
				     "owners: %zu processes could not be inspected (not "
				     "permitted); run as root to see every owner",
				     sc->stats.denied);
	if (sc->stats.cut_short)
		observation_add_note(
			o,
			"owners: the lookup was cut short after %zu descriptors of %zu "
			"processes; %zu of the ports named have no holder found",
			sc->stats.links, sc->stats.processes, unowned);
	if (sc->unsampled > 0)
		observation_add_note(o,
				     "owners: %zu of the ports named had none of their sockets "
				     "recorded (%d per state at most): their holders were not "
				     "looked for",
				     sc->unsampled, HELD_MAX);
	/* Cut short, the note above says so: it did not stop because every port had holders. */
	if (partial > 0 && !sc->stats.cut_short)
		observation_add_note(o,
				     "owners: the lookup stopped once the ports named had holders "
				     "(%zu descriptors read in %zu process%s); other processes may "
				     "hold or share some of their sockets too",
				     sc->stats.links, sc->stats.processes,
				     sc->stats.processes == 1 ? "" : "es");
}

int owners_lookup(const char *proc_root, const struct owner_wants *w, struct observation *o,
		  struct owner_stats *ret_stats)
{
	_cleanup_(ownscan_done) struct ownscan sc = { 0 };
	uint64_t sockets = 0;
	int r;

	o->processes = true;
	FOREACH_TCP_STATE(s)
		sockets += observation_state_total(o, s);
	r = ownscan_init(&sc, proc_root, o->netns_inode, OWNERS_BUDGET(sockets));
	if (r < 0)
		return r;
	if (w->seconds > 0)
		ownscan_set_deadline(&sc, w->seconds);
	r = collect_keys(w, o, &sc);
	if (r == 0 && sc.n_port_keys > 0) {
		if (o->source && strcmp(o->source, "netlink") == 0)
			held_ports(&sc, o);
		else
			r = sample_ports(&sc);
	}
	if (r == 0 && sc.error)
		r = sc.error;
	if (r < 0)
		return r;
	r = resolve_cgroups(&sc, proc_root, w->cgroup_root);
	if (r == 0)
		r = ownscan_run(&sc);
	if (r < 0)
		return r;
	ownscan_fill(&sc);
	add_notes(o, &sc);
	if (ret_stats)
		*ret_stats = sc.stats;
	return 0;
}
