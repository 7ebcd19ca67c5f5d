// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "ownscan.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Positions of each process's order tried in the first round; four times more each round. */
#define ROUND0 64
/* The groups of processes scanned in turn (order_procs()). */
#define GROUPS 4
/* Processes with at most this many descriptors open have them listed, not tried by number. */
#define LIST_MAX 1024

struct ownscan_proc {
	int pid;
	bool started, done;
	uint32_t size;	/* descriptor numbers below this (FDSize), or names listed */
	unsigned bits;	/* log2 of the order's length / 2 */
	uint64_t pos;	/* next position in the order */
	uint8_t *tried; /* bitmap of descriptor numbers (or name indexes) read */
	char **names;	/* without FDSize (a fake /proc): the fd directory's entries */
	uint32_t *keys; /* keys this process is already counted a holder of */
	size_t n_keys;
};

int ownscan_init(struct ownscan *sc, const char *proc_root, uint64_t netns_inode, size_t budget)
{
	*sc = (struct ownscan){ .proc_root = proc_root,
				.netns_inode = netns_inode,
				.budget = budget };
	struct stat st;

	sc->proc_dfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sc->proc_dfd < 0)
		return -errno;
	/* Our own fd directory is never empty: a size says the kernel counts them (6.2). */
	sc->fd_counts = fstatat(sc->proc_dfd, "self/fd", &st, 0) == 0 && st.st_size > 0;
	return 0;
}

void ownscan_done(struct ownscan *sc)
{
	if (sc->proc_dfd >= 0)
		close(sc->proc_dfd);
	free(sc->keys);
	free(sc->wants);
	free(sc->first);
	*sc = (struct ownscan){ .proc_dfd = -1 };
}

int ownscan_want(struct ownscan *sc, uint32_t inode, size_t key)
{
	if (sc->n_wants == sc->cap_wants) {
		size_t cap = sc->cap_wants ? 2 * sc->cap_wants : 256;
		struct ownscan_want *w = realloc(sc->wants, cap * sizeof(*w));

		if (!w)
			return -ENOMEM;
		sc->wants = w;
		sc->cap_wants = cap;
	}
	sc->wants[sc->n_wants++] = (struct ownscan_want){ .inode = inode, .key = (uint32_t)key };
	sc->keys[key].n_wanted++;
	return 0;
}

void ownscan_key_cgroup(struct ownscan_key *k, uint64_t cgroup_id)
{
	if (!cgroup_id)
		return;
	for (size_t i = 0; i < k->n_cgroups; i++)
		if (k->cgroup[i].id == cgroup_id) {
			k->cgroup[i].n++;
			return;
		}
	if (k->n_cgroups < OWNSCAN_CGROUPS)
		k->cgroup[k->n_cgroups++] = (struct ownscan_cg){ cgroup_id, 1 };
}

uint64_t ownscan_key_main_cgroup(const struct ownscan_key *k)
{
	const struct ownscan_cg *best = NULL;

	for (size_t i = 0; i < k->n_cgroups; i++)
		if (!best || k->cgroup[i].n > best->n)
			best = &k->cgroup[i];
	return best ? best->id : 0;
}

int ownscan_first(struct ownscan *sc, const int *pids, size_t n)
{
	int *v = realloc(sc->first, (sc->n_first + n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	sc->first = v;
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < sc->n_first && !dup; j++)
			dup = sc->first[j] == pids[i];
		if (!dup)
			sc->first[sc->n_first++] = pids[i];
	}
	return 0;
}

static int cmp_want(const void *a, const void *b)
{
	const struct ownscan_want *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* Counts the process as a holder of the key, once. */
static int credit(struct ownscan *sc, struct ownscan_proc *p, uint32_t key)
{
	struct owner_set *out = sc->keys[key].out;
	uint32_t *v;

	for (size_t i = 0; i < p->n_keys; i++)
		if (p->keys[i] == key)
			return 0;
	v = realloc(p->keys, (p->n_keys + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	p->keys = v;
	p->keys[p->n_keys++] = key;
	if (out->n_pids < OWNERS_SHOWN)
		out->pids[out->n_pids++] = p->pid;
	else
		out->n_more++;
	return 0;
}

/* A descriptor's socket inode against the wanted ones; several keys may want one inode. */
static int match(struct ownscan *sc, struct ownscan_proc *p, uint32_t inode)
{
	struct ownscan_want key = { .inode = inode }, *w;
	size_t lo = 0, hi = sc->n_wants;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (sc->wants[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (w = sc->wants + lo; w < sc->wants + sc->n_wants && w->inode == key.inode; w++) {
		if (!w->found) {
			w->found = true;
			sc->n_found++;
			sc->keys[w->key].n_found++;
		}
		if (credit(sc, p, w->key) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* FDSize from /proc/PID/status: every descriptor number is below it. 0 when unknown. */
static uint32_t fd_table_size(struct ownscan *sc, int pid)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *text = NULL;
	char rel[32];
	const char *s;
	int64_t v;

	snprintf(rel, sizeof(rel), "%d/status", pid);
	fd = openat(sc->proc_dfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_fd_str(fd, 1 << 16, &text, NULL) < 0)
		return 0;
	s = strstr(text, "\nFDSize:");
	if (!s)
		return 0;
	s += 8;
	s += strspn(s, " \t");
	{
		_cleanup_free_ char *num = strndup(s, strcspn(s, "\n"));

		if (!num || parse_i64(num, 1, INT32_MAX, &v) < 0)
			return 0;
	}
	return (uint32_t)v;
}

static int cmp_fdname(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t lx = strlen(x), ly = strlen(y);

	return lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
}

/* Without FDSize: the fd directory's names, in numeric order. */
static int list_fds(int dfd, struct ownscan_proc *p)
{
	DIR *d = fdopendir(dup(dfd));
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char **v;

		if (e->d_name[0] == '.')
			continue;
		v = realloc(p->names, (n + 1) * sizeof(*v));
		if (!v || !(v[n] = strdup(e->d_name))) {
			p->names = v ? v : p->names;
			closedir(d);
			return -ENOMEM;
		}
		p->names = v;
		n++;
	}
	closedir(d);
	if (n)
		qsort(p->names, n, sizeof(*p->names), cmp_fdname);
	p->size = (uint32_t)n;
	return 0;
}

static int start_proc(struct ownscan *sc, struct ownscan_proc *p, int dfd)
{
	struct stat st;

	p->started = true;
	sc->stats.processes++;
	/*
	 * Since Linux 6.2 the fd directory's size is the number of descriptors
	 * open: a few are listed (cheap), many are tried by number below
	 * FDSize, never listed (listing makes the kernel build every entry).
	 */
	if (fstat(dfd, &st) < 0)
		st.st_size = 0;
	if (st.st_size == 0 && sc->fd_counts) {
		p->done = true; /* no descriptor open: a kernel thread, or a process exiting */
		return 0;
	}
	if (st.st_size <= 0 || st.st_size > LIST_MAX)
		p->size = fd_table_size(sc, p->pid);
	if (!p->size && list_fds(dfd, p) < 0)
		return -ENOMEM;
	while (p->bits < 31 && (1u << p->bits) < p->size)
		p->bits++;
	p->tried = calloc((p->size + 7) / 8 + 1, 1);
	return p->tried ? 0 : -ENOMEM;
}

void ownscan_set_deadline(struct ownscan *sc, double seconds)
{
	clock_gettime(CLOCK_MONOTONIC, &sc->deadline);
	sc->deadline.tv_sec += (time_t)seconds;
	sc->deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (sc->deadline.tv_nsec >= 1000000000L) {
		sc->deadline.tv_sec++;
		sc->deadline.tv_nsec -= 1000000000L;
	}
}

/* The budget: descriptors read, and the time (checked every 16 reads: a clock read is cheap). */
static bool over_budget(struct ownscan *sc)
{
	struct timespec now;

	if (sc->stats.links >= sc->budget)
		return true;
	if (!sc->deadline.tv_sec || sc->stats.links % 16)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > sc->deadline.tv_sec ||
	    (now.tv_sec == sc->deadline.tv_sec && now.tv_nsec >= sc->deadline.tv_nsec))
		sc->budget = sc->stats.links; /* sticks: every later check says so */
	return sc->stats.links >= sc->budget;
}

static uint32_t bit_reverse(uint32_t v, unsigned bits)
{
	uint32_t r = 0;

	for (unsigned i = 0; i < bits; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

/*
 * Reads the process's descriptors up to position limit of its order: lowest
 * first interleaved with a bit-reversed spread, so that a server's listeners
 * (opened first) and a port holding many sockets are both met early.
 */
static int scan_proc(struct ownscan *sc, struct ownscan_proc *p, uint64_t limit)
{
	_cleanup_close_ int dfd = -1;
	uint64_t end;
	char rel[32];
	int r;

	snprintf(rel, sizeof(rel), "%d/fd", p->pid);
	dfd = openat(sc->proc_dfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno == EACCES || errno == EPERM)
			sc->stats.denied++;
		p->done = true; /* gone (ENOENT), or not ours to read */
		return 0;
	}
	if (!p->started && (r = start_proc(sc, p, dfd)) < 0)
		return r;
	if (p->done)
		return 0;
	end = 2ull << p->bits;
	for (; p->pos < limit && p->pos < end && !over_budget(sc); p->pos++) {
		uint32_t i = (uint32_t)(p->pos / 2), fd, inode;
		char name[16], target[32];
		ssize_t len;

		fd = p->pos % 2 ? bit_reverse(i, p->bits) : i;
		if (fd >= p->size || p->tried[fd / 8] & (1u << (fd % 8)))
			continue;
		p->tried[fd / 8] |= (uint8_t)(1u << (fd % 8));
		if (!p->names)
			snprintf(name, sizeof(name), "%u", fd);
		sc->stats.links++;
		/* "socket:[4294967295]" fits; anything longer is no socket. */
		len = readlinkat(dfd, p->names ? p->names[fd] : name, target, sizeof(target) - 1);
		if (len <= 0 || (size_t)len >= sizeof(target) - 1)
			continue;
		target[len] = '\0';
		if (owners_parse_link(target, &inode) < 0)
			continue;
		if (match(sc, p, inode) < 0)
			return -ENOMEM;
		if (sc->n_found == sc->n_wants)
			break;
	}
	if (p->pos >= end)
		p->done = true;
	return 0;
}

static bool every_key_held(const struct ownscan *sc)
{
	for (size_t i = 0; i < sc->n_keys; i++)
		if (sc->keys[i].n_wanted && sc->keys[i].out->n_pids == 0)
			return false;
	return true;
}

enum phase_end { PHASE_EXHAUSTED, PHASE_STOP };

/* Rounds over a group of processes, each a little deeper than the last. */
static int run_group(struct ownscan *sc, struct ownscan_proc *procs, size_t n, enum phase_end *ret)
{
	for (uint64_t limit = ROUND0;; limit *= 4) {
		bool active = false;

		for (size_t i = 0; i < n; i++) {
			int r;

			if (procs[i].done)
				continue;
			r = scan_proc(sc, &procs[i], limit);
			if (r < 0)
				return r;
			if (sc->n_found == sc->n_wants) {
				*ret = PHASE_STOP;
				return 0;
			}
			if (over_budget(sc)) {
				sc->stats.cut_short = !every_key_held(sc);
				*ret = PHASE_STOP;
				return 0;
			}
			active |= !procs[i].done;
		}
		if (every_key_held(sc)) {
			*ret = PHASE_STOP;
			return 0;
		}
		if (!active) {
			*ret = PHASE_EXHAUSTED;
			return 0;
		}
	}
}

static void procs_free(struct ownscan_proc *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].tried);
		free(v[i].keys);
		for (size_t k = 0; v[i].names && k < v[i].size; k++)
			free(v[i].names[k]);
		free(v[i].names);
	}
	free(v);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

/* Every process of proc_root, in pid order. */
static int list_pids(struct ownscan *sc, int **ret, size_t *ret_n)
{
	DIR *d = fdopendir(dup(sc->proc_dfd));
	struct dirent *e;
	int *v = NULL;
	size_t n = 0, cap = 0;

	if (!d)
		return -errno;
	rewinddir(d);
	while ((e = readdir(d))) {
		int64_t pid;

		if (parse_i64(e->d_name, 1, INT32_MAX, &pid) < 0)
			continue;
		if (n == cap) {
			int *nv = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof(*nv));

			if (!nv) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = nv;
		}
		v[n++] = (int)pid;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_int);
	*ret = v;
	*ret_n = n;
	return 0;
}

/* Whether the process lives in the network namespace observed. */
static bool in_netns(const struct ownscan *sc, int pid)
{
	char rel[32], target[64];
	ssize_t len;
	uint64_t ino;

	snprintf(rel, sizeof(rel), "%d/ns/net", pid);
	len = readlinkat(sc->proc_dfd, rel, target, sizeof(target) - 1);
	if (len <= 6 || target[len - 1] != ']')
		return false;
	target[len - 1] = '\0';
	return strncmp(target, "net:[", 5) == 0 && parse_u64(target + 5, UINT64_MAX, &ino) == 0 &&
	       ino == sc->netns_inode;
}

/*
 * The processes in groups, most likely holders first: those of the network
 * namespace and of the keys' cgroups, then the namespace's, then the
 * cgroups', then the rest.
 */
static int order_procs(struct ownscan *sc, const int *pids, size_t n, struct ownscan_proc *v,
		       size_t counts[GROUPS])
{
	_cleanup_free_ uint8_t *group = malloc(n + 1);
	size_t k = 0;

	if (!group)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		bool cg = sc->n_first &&
			  bsearch(&pids[i], sc->first, sc->n_first, sizeof(int), cmp_int);
		bool ns = !sc->netns_inode || in_netns(sc, pids[i]);

		group[i] = ns ? (cg ? 0 : 1) : (cg ? 2 : 3);
	}
	for (uint8_t g = 0; g < GROUPS; g++) {
		counts[g] = 0;
		for (size_t i = 0; i < n; i++)
			if (group[i] == g) {
				v[k++] = (struct ownscan_proc){ .pid = pids[i] };
				counts[g]++;
			}
	}
	return 0;
}

int ownscan_run(struct ownscan *sc)
{
	_cleanup_free_ int *pids = NULL;
	struct ownscan_proc *procs;
	size_t n = 0, counts[GROUPS], off = 0;
	enum phase_end end = PHASE_EXHAUSTED;
	int r;

	if (sc->n_wants == 0)
		return 0;
	qsort(sc->wants, sc->n_wants, sizeof(*sc->wants), cmp_want);
	if (sc->n_first) /* qsort() and bsearch() want an array, even of nothing */
		qsort(sc->first, sc->n_first, sizeof(int), cmp_int);
	r = list_pids(sc, &pids, &n);
	if (r < 0)
		return r;
	procs = calloc(n + 1, sizeof(*procs));
	if (!procs)
		return -ENOMEM;
	r = order_procs(sc, pids, n, procs, counts);
	for (int g = 0; r == 0 && g < GROUPS && end == PHASE_EXHAUSTED; g++) {
		r = run_group(sc, procs + off, counts[g], &end);
		if (r < 0)
			break;
		off += counts[g];
	}
	sc->all_scanned = r == 0 && end == PHASE_EXHAUSTED;
	procs_free(procs, n);
	return r;
}

static char *read_comm(const struct ownscan *sc, int pid)
{
	_cleanup_close_ int fd = -1;
	char rel[32], *comm = NULL;

	snprintf(rel, sizeof(rel), "%d/comm", pid);
	fd = openat(sc->proc_dfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read_fd_str(fd, 4096, &comm, NULL) < 0)
		return NULL;
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

void ownscan_fill(struct ownscan *sc)
{
	for (size_t i = 0; i < sc->n_keys; i++) {
		struct ownscan_key *k = &sc->keys[i];
		struct owner_set *out = k->out;

		out->looked = true;
		out->sockets = k->n_wanted;
		/*
		 * Complete only when every process was read: a socket found in one
		 * process may be shared with others (forked workers share listeners).
		 */
		out->complete = sc->all_scanned && sc->stats.denied == 0;
		for (size_t w = 0; k->inode && !*k->inode && w < sc->n_wants; w++)
			if (sc->wants[w].key == i && sc->wants[w].found)
				*k->inode = sc->wants[w].inode;
		if (out->n_pids == 0)
			continue;
		*k->pid = out->pids[0];
		*k->comm = read_comm(sc, out->pids[0]);
	}
}
