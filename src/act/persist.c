// SPDX-License-Identifier: GPL-2.0-or-later
/* --persist: the sysctl.d file a transaction writes, and puts back on rollback. */
#define _GNU_SOURCE
#include "persist.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

bool txn_persist_path_valid(const char *path)
{
	const char *base, *dir;
	size_t len;

	if (!path || path[0] != '/' || strstr(path, "//") || strstr(path, "/./") ||
	    strstr(path, "/../") || strchr(path, '\n'))
		return false;
	base = strrchr(path, '/') + 1;
	len = strlen(base);
	if (len <= 5 || strcmp(base + len - 5, ".conf") != 0)
		return false;
	/* The directory that holds it is a sysctl.d, under whatever root. */
	for (dir = base - 1; dir > path && dir[-1] != '/'; dir--)
		;
	return dir > path && base - 1 - dir == 8 && strncmp(dir, "sysctl.d", 8) == 0;
}

/* The settings lines of the persisted file: "key = value\n" for every item. */
static char *persist_settings(const struct plan *p)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		fprintf(f, "%s = %s\n", p->items[i].key,
			p->items[i].value ? p->items[i].value : p->items[i].want);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

static char *persist_content(const struct txn *t, const struct plan *p, const char *profile)
{
	_cleanup_free_ char *settings = persist_settings(p);
	char *out;

	if (!settings ||
	    asprintf(&out,
		     "# Written by tcptune%s%s, transaction %s.\n"
		     "# 'tcptune rollback %s' restores what was here before; edits here are lost "
		     "then.\n%s",
		     profile ? " from profile " : "", profile ? profile : "", t->id, t->id,
		     settings) < 0)
		return NULL;
	return out;
}

bool txn_persist_matches(const struct txn_persist *ps, const struct plan *p)
{
	_cleanup_free_ char *settings = persist_settings(p), *file = NULL;
	char *body;

	if (!settings || read_file_str(ps->path, 1 << 20, &file, NULL) < 0)
		return false;
	/* Our header is two comment lines; the rest must be the settings, exactly. */
	body = file;
	for (int i = 0; i < 2 && body[0] == '#'; i++)
		body = strchrnul(body, '\n') + (strchr(body, '\n') ? 1 : 0);
	return strcmp(body, settings) == 0;
}

/* The persisted file's first line names the transaction that wrote it. */
static bool persist_is_ours(const char *content, const struct txn *t)
{
	_cleanup_free_ char *mark = NULL;
	const char *eol = content ? strchrnul(content, '\n') : NULL;

	if (!eol || strncmp(content, "# Written by tcptune", 20) != 0 ||
	    asprintf(&mark, "transaction %s.", t->id) < 0)
		return false;
	return memmem(content, (size_t)(eol - content), mark, strlen(mark)) != NULL;
}

/* The directory of path, opened, and the file's name in it. */
static int open_parent(const char *path, int *ret_fd, const char **ret_name)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	int fd;

	if (!slash)
		return -ENOMEM;
	*(slash == dir ? slash + 1 : slash) = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*ret_fd = fd;
	*ret_name = strrchr(path, '/') + 1;
	return 0;
}

static int write_persisted(const char *path, const char *content)
{
	_cleanup_close_ int dfd = -1;
	const char *name;
	int r = open_parent(path, &dfd, &name);

	return r < 0 ? r : file_write_atomic(dfd, name, content, 0644);
}

int persist_write(int dirfd, struct txn *t, const struct plan *p, const struct txn_persist *ps,
		  char **why)
{
	_cleanup_free_ char *content = NULL, *old = NULL;
	int r;

	if (!txn_persist_path_valid(ps->path))
		return err_set(why, -EINVAL, "%s: not a *.conf file in a sysctl.d directory",
			       ps->path);
	r = read_file_str(ps->path, 1 << 20, &old, NULL);
	if (r < 0 && r != -ENOENT)
		return err_set(why, r, "%s: %s", ps->path, strerror(-r));
	t->persist_path = strdup(ps->path);
	t->persist_existed = r == 0;
	t->persist_backup = TAKE_PTR(old);
	if (!t->persist_path)
		return -ENOMEM;
	r = journal_save(dirfd, t, why);
	if (r < 0)
		return r;
	content = persist_content(t, p, ps->profile);
	if (!content)
		return -ENOMEM;
	r = write_persisted(ps->path, content);
	if (r < 0)
		return err_set(why, r, "writing %s: %s", ps->path, strerror(-r));
	return 0;
}

int persist_drift(const struct txn *t, bool *ret_done)
{
	_cleanup_free_ char *now = NULL;
	int r;

	*ret_done = false;
	if (!t->persist_path)
		return *ret_done = true, 0;
	r = read_file_str(t->persist_path, 1 << 20, &now, NULL);
	if (r == -ENOENT && !t->persist_existed)
		return *ret_done = true, 0;
	if (r == 0 && t->persist_existed && t->persist_backup &&
	    strcmp(now, t->persist_backup) == 0)
		return *ret_done = true, 0;
	if (r == 0 && persist_is_ours(now, t))
		return 0;
	return r < 0 && r != -ENOENT ? r : 1;
}

int persist_undo(const struct txn *t, char **why)
{
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *tmp = NULL;
	const char *name;
	bool done;
	int r;

	r = persist_drift(t, &done);
	if (r < 0)
		return err_set(why, r, "%s: %s", t->persist_path, strerror(-r));
	if (r > 0) {
		str_appendf(why, "%s was changed by someone else since: left as it is",
			    t->persist_path);
		return 0;
	}
	if (done)
		return 0;
	r = open_parent(t->persist_path, &dfd, &name);
	if (r == 0 && asprintf(&tmp, "%s.tmp", name) < 0)
		r = -ENOMEM;
	if (r == 0) {
		/* What a writer killed before its rename left. */
		unlinkat(dfd, tmp, 0);
		if (t->persist_existed)
			r = file_write_atomic(dfd, name, t->persist_backup ? t->persist_backup : "",
					      0644);
		else if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			r = -errno;
		else if (fsync(dfd) < 0)
			r = -errno;
	}
	if (r < 0) {
		str_appendf(why, "restoring %s failed: %s", t->persist_path, strerror(-r));
		return r;
	}
	return 0;
}
