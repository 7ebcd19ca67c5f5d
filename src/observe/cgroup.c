// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dirlist.h"
#include "util.h"

/* systemd nests slices a few levels deep, containers a few more: 32 is generous. */
#define CGROUP_MAX_DEPTH 32

/* mountinfo escapes blanks and backslashes in paths as \040, \011, \012, \134. */
static void unescape_octal(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

int cgroup_find_mount(const char *mountinfo, char **ret_path)
{
	_cleanup_free_ char *text = NULL;
	char *line, *next;
	int r;

	r = read_file_str(mountinfo, 4 << 20, &text, NULL);
	if (r < 0)
		return r;
	for (line = text; line && *line; line = next) {
		char *f[16], *sep;
		size_t n;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		/* "36 25 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw" */
		sep = strstr(line, " - ");
		if (!sep)
			continue;
		*sep = '\0';
		n = split_fields(sep + 3, f, 2);
		if (n < 1 || strcmp(f[0], "cgroup2") != 0)
			continue;
		if (split_fields(line, f, ARRAY_SIZE(f)) < 5)
			continue;
		unescape_octal(f[4]);
		*ret_path = strdup(f[4]);
		return *ret_path ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

struct id_slot {
	uint64_t id;
	size_t index; /* into the caller's ids and paths */
};

static int cmp_slot(const void *a, const void *b)
{
	const struct id_slot *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct walk {
	struct id_slot *slots;
	size_t n, left;
	char **paths;
	char path[PATH_MAX];
};

static void walk_dir(struct walk *w, int dfd, size_t len, unsigned depth)
{
	struct id_slot key, *hit;
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return;
	}
	key.id = (uint64_t)st.st_ino;
	hit = w->n ? bsearch(&key, w->slots, w->n, sizeof(*w->slots), cmp_slot) : NULL;
	/* Several ids may be asked for twice: every slot of the id gets the path. */
	while (hit && hit > w->slots && hit[-1].id == key.id)
		hit--;
	for (; hit && hit < w->slots + w->n && hit->id == key.id; hit++)
		if (!w->paths[hit->index]) {
			w->paths[hit->index] = strdup(len ? w->path : "/");
			w->left--;
		}
	d = depth < CGROUP_MAX_DEPTH ? fdopendir(dfd) : NULL;
	if (!d) {
		close(dfd);
		return;
	}
	while (w->left > 0 && (e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		int cfd;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || len + nl + 2 > sizeof(w->path))
			continue;
		cfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cfd < 0)
			continue;
		w->path[len] = '/';
		memcpy(w->path + len + 1, e->d_name, nl + 1);
		walk_dir(w, cfd, len + 1 + nl, depth + 1);
		w->path[len] = '\0';
	}
	closedir(d);
}

int cgroup_paths(const char *root, const uint64_t *ids, size_t n, char **paths)
{
	_cleanup_free_ struct walk *w = calloc(1, sizeof(*w));
	_cleanup_free_ struct id_slot *slots = NULL;
	int dfd;

	if (!w || !(slots = calloc(n ? n : 1, sizeof(*slots))))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		slots[i] = (struct id_slot){ .id = ids[i], .index = i };
		paths[i] = NULL;
	}
	qsort(slots, n, sizeof(*slots), cmp_slot);
	*w = (struct walk){ .slots = slots, .n = n, .left = n, .paths = paths };
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	walk_dir(w, dfd, 0, 0);
	return 0;
}

static bool is_unit(const char *name, size_t len)
{
	return (len > 8 && memcmp(name + len - 8, ".service", 8) == 0) ||
	       (len > 6 && memcmp(name + len - 6, ".scope", 6) == 0);
}

char *cgroup_service_name(const char *path)
{
	const char *best = NULL;
	size_t best_len = 0;

	if (!path || strcmp(path, "/") == 0 || !*path)
		return NULL;
	for (const char *p = path; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len && is_unit(p, len)) {
			best = p;
			best_len = len;
		}
		p += len;
	}
	return best ? strndup(best, best_len) : strdup(path);
}

/* Refuses a path that could leave the tree: a ".." component. */
static bool path_safe(const char *path)
{
	for (const char *p = path; *p;) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return false;
		p += len;
	}
	return true;
}

int cgroup_id_of(const char *root, const char *path, uint64_t *ret_id)
{
	_cleanup_free_ char *full = NULL;
	size_t rl = strlen(root);
	struct stat st;

	if (!path_safe(path))
		return -EINVAL;
	/* An absolute path under the mount point is taken as given. */
	if (strncmp(path, root, rl) == 0 && (path[rl] == '/' || !path[rl]) && rl > 1)
		path += rl;
	while (*path == '/')
		path++;
	full = *path ? path_join(root, path) : strdup(root);
	if (!full)
		return -ENOMEM;
	if (stat(full, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret_id = (uint64_t)st.st_ino;
	return 0;
}

struct unit_search {
	const char *name;
	char path[PATH_MAX];
	char *found[2];
	size_t n_found;
};

static void find_dir(struct unit_search *s, int dfd, size_t len, unsigned depth)
{
	struct dirent *e;
	DIR *d = depth < CGROUP_MAX_DEPTH ? fdopendir(dfd) : NULL;

	if (!d) {
		close(dfd);
		return;
	}
	while (s->n_found < 2 && (e = readdir(d))) {
		size_t nl = strlen(e->d_name);
		int cfd;

		if (e->d_type != DT_DIR || e->d_name[0] == '.' || len + nl + 2 > sizeof(s->path))
			continue;
		s->path[len] = '/';
		memcpy(s->path + len + 1, e->d_name, nl + 1);
		if (strcmp(e->d_name, s->name) == 0) {
			s->found[s->n_found++] = strdup(s->path);
			continue; /* a unit holds no unit of the same name */
		}
		cfd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (cfd >= 0)
			find_dir(s, cfd, len + 1 + nl, depth + 1);
		s->path[len] = '\0';
	}
	closedir(d);
}

int cgroup_find_unit(const char *root, const char *unit, char **ret_path, char **errmsg)
{
	_cleanup_free_ struct unit_search *s = calloc(1, sizeof(*s));
	int dfd, r = 0;

	if (!s)
		return -ENOMEM;
	if (!*unit || strchr(unit, '/') || strcmp(unit, ".") == 0 || strcmp(unit, "..") == 0)
		return err_set(errmsg, -EINVAL, "'%s' is not a unit name", unit);
	s->name = unit;
	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_set(errmsg, -errno, "%s: %s", root, strerror(errno));
	find_dir(s, dfd, 0, 0);
	if (s->n_found == 0)
		r = err_set(errmsg, -ENOENT, "no cgroup named %s under %s", unit, root);
	else if (s->n_found > 1)
		r = err_set(errmsg, -EEXIST,
			    "several cgroups are named %s: %s and %s; use --cgroup", unit,
			    s->found[0] ? s->found[0] : "?", s->found[1] ? s->found[1] : "?");
	else if (!s->found[0])
		r = -ENOMEM;
	else
		*ret_path = TAKE_PTR(s->found[0]);
	free(s->found[0]);
	free(s->found[1]);
	return r;
}

int cgroup_procs(const char *root, const char *path, int **ret_pids, size_t *ret_n)
{
	_cleanup_free_ char *rel = NULL, *full = NULL, *text = NULL;
	_cleanup_free_ int *pids = NULL;
	size_t n = 0, cap = 0;
	char *p, *next;
	int r;

	while (*path == '/')
		path++;
	if (!path_safe(path))
		return -EINVAL;
	if (asprintf(&rel, "%s%scgroup.procs", path, *path ? "/" : "") < 0)
		return -ENOMEM;
	full = path_join(root, rel);
	if (!full)
		return -ENOMEM;
	r = read_file_str(full, 64 << 20, &text, NULL);
	if (r < 0)
		return r;
	for (p = text; *p; p = next) {
		int64_t pid;

		next = p + strcspn(p, "\n");
		if (*next)
			*next++ = '\0';
		if (parse_i64(p, 1, INT32_MAX, &pid) < 0)
			continue;
		if (n == cap) {
			int *np = realloc(pids, (cap = cap ? 2 * cap : 64) * sizeof(*np));

			if (!np)
				return -ENOMEM;
			pids = np;
		}
		pids[n++] = (int)pid;
	}
	*ret_pids = TAKE_PTR(pids);
	*ret_n = n;
	return 0;
}
