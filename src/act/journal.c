// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "dirlist.h"
#include "sysctl.h"
#include "util.h"

static const char *const status_names[] = {
	[TXN_IN_PROGRESS] = "in-progress",   [TXN_COMMITTED] = "committed",
	[TXN_ROLLED_BACK] = "rolled-back",   [TXN_PENDING] = "pending",
	[TXN_ROLLING_BACK] = "rolling-back", [TXN_RESTORE_FAILED] = "restore-failed",
	[TXN_NETNS_GONE] = "namespace-gone",
};

const char *txn_status_name(enum txn_status s)
{
	if ((size_t)s >= ARRAY_SIZE(status_names) || !status_names[s])
		return "unknown";
	return status_names[s];
}

enum txn_status txn_status_from_name(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(status_names); i++)
		if (status_names[i] && strcmp(status_names[i], name) == 0)
			return (enum txn_status)i;
	return 0;
}

struct txn *txn_new(void)
{
	struct txn *t = calloc(1, sizeof(*t));

	if (t)
		t->status = TXN_IN_PROGRESS;
	return t;
}

struct txn *txn_free(struct txn *t)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n_keys; i++) {
		free(t->keys[i].key);
		free(t->keys[i].old);
		free(t->keys[i].new);
	}
	free(t->keys);
	free(t->id);
	free(t->boot_id);
	free(t->source);
	free(t->undoes);
	free(t->error);
	free(t->persist_path);
	free(t->persist_backup);
	netns_ref_clear(&t->netns);
	free(t);
	return NULL;
}

bool txn_in_netns(const struct txn *t, const struct netns_ref *want)
{
	if (!want)
		return true;
	if (netns_id_known(&want->id))
		return netns_id_equal(&t->netns.id, &want->id);
	return want->path && t->netns.path && strcmp(want->path, t->netns.path) == 0;
}

int txn_add_key(struct txn *t, const char *key, const char *old, const char *new)
{
	struct txn_key k = { 0 };
	struct txn_key *keys;

	if (!t || !key || !old || !new)
		return -EINVAL;
	k.key = strdup(key);
	k.old = strdup(old);
	k.new = strdup(new);
	keys = k.key && k.old && k.new ? reallocarray(t->keys, t->n_keys + 1, sizeof(*keys)) : NULL;
	if (!keys) {
		free(k.key);
		free(k.old);
		free(k.new);
		return -ENOMEM;
	}
	keys[t->n_keys++] = k;
	t->keys = keys;
	return 0;
}

/* "YYYYMMDD-HHMMSS-xxxx": the id is also a file name, so nothing else passes. */
bool txn_id_valid(const char *id)
{
	static const char shape[] = "dddddddd-dddddd-xxxx";

	if (!id || strlen(id) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		char c = id[i];

		if (shape[i] == '-' && c != '-')
			return false;
		if (shape[i] == 'd' && (c < '0' || c > '9'))
			return false;
		if (shape[i] == 'x' && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

int txn_make_id(int64_t sec, long nsec, char **ret)
{
	time_t tt = (time_t)sec;
	struct tm tm;
	char stamp[32];
	unsigned frac;
	char *id;

	if (sec < 0 || (int64_t)tt != sec || nsec < 0 || nsec >= 1000000000L || !gmtime_r(&tt, &tm))
		return -EINVAL;
	/* Ids sort by time only while the year has four digits. */
	if (tm.tm_year + 1900 > 9999)
		return -ERANGE;
	if (strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm) == 0)
		return -ERANGE;
	/*
	 * The fraction of the second in 1/65536 (about 15 us), from the same
	 * clock reading as the seconds: ids made one after the other sort in that
	 * order. The lock serialises transactions and each fsyncs its journal
	 * before the next can begin, so two never share one.
	 */
	frac = (unsigned)(((uint64_t)nsec << 16) / 1000000000u);
	if (asprintf(&id, "%s-%04x", stamp, frac & 0xffff) < 0)
		return -ENOMEM;
	*ret = id;
	return 0;
}

/* --- journal files --- */

int journal_save(int dirfd, const struct txn *t, char **errmsg)
{
	_cleanup_free_ char *text = NULL, *name = NULL, *path = NULL;
	int r;

	if (!t || !txn_id_valid(t->id))
		return err_set(errmsg, -EINVAL, "cannot save a transaction without a valid id");
	r = txn_to_json(t, &text);
	if (r < 0)
		return err_set(errmsg, r, "cannot serialise transaction %s: %s", t->id,
			       strerror(-r));
	if (asprintf(&name, "%s.json", t->id) < 0)
		return -ENOMEM;
	r = file_write_atomic(dirfd, name, text, 0600);
	if (r < 0) {
		path = state_path(dirfd, name);
		return err_set(errmsg, r, "cannot write %s: %s", path ? path : name, strerror(-r));
	}
	return 0;
}

/* Loads the journal file NAME; its id must match the name. */
static int load_file(int dirfd, const char *name, struct txn **ret, char **errmsg)
{
	_cleanup_free_ char *path = state_path(dirfd, name);
	_cleanup_free_ char *text = NULL, *want = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_txn_ struct txn *t = NULL;
	const char *shown = path ? path : name;
	struct stat st;
	size_t len = 0;
	int r;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			return err_set(errmsg, r, "%s: no such transaction", shown);
		return err_set(errmsg, r, "%s: %s", shown, strerror(-r));
	}
	if (fstat(fd, &st) < 0)
		return err_set(errmsg, -errno, "%s: %s", shown, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(errmsg, -EBADMSG, "%s: not a regular file", shown);
	r = read_fd_str(fd, JOURNAL_MAX_SIZE, &text, &len);
	if (r == -EFBIG)
		return err_set(errmsg, -EBADMSG, "%s: larger than %d bytes", shown,
			       JOURNAL_MAX_SIZE);
	if (r < 0)
		return err_set(errmsg, r, "%s: %s", shown, strerror(-r));
	if (strlen(text) != len)
		return err_set(errmsg, -EBADMSG, "%s: truncated or not JSON (holds a NUL byte)",
			       shown);
	r = txn_from_json(text, shown, &t, errmsg);
	if (r < 0)
		return r;
	if (asprintf(&want, "%s.json", t->id) < 0)
		return -ENOMEM;
	if (strcmp(want, name) != 0)
		return err_set(errmsg, -EBADMSG, "%s: holds transaction %s", shown, t->id);
	*ret = TAKE_PTR(t);
	return 0;
}

int journal_load(int dirfd, const char *id, struct txn **ret, char **errmsg)
{
	_cleanup_free_ char *name = NULL;

	if (!ret)
		return -EINVAL;
	/* The id becomes a file name: "../x" must not reach the file system. */
	if (!txn_id_valid(id))
		return err_set(errmsg, -EINVAL, "'%s' is not a transaction id", id ? id : "");
	if (asprintf(&name, "%s.json", id) < 0)
		return -ENOMEM;
	return load_file(dirfd, name, ret, errmsg);
}

void journal_list_free(struct txn **list, size_t n)
{
	for (size_t i = 0; list && i < n; i++)
		txn_free(list[i]);
	free(list);
}

int journal_list(int dirfd, struct txn ***ret, size_t *ret_n, char **errmsg)
{
	char **names = NULL;
	struct txn **list = NULL;
	size_t n = 0;
	int r;

	if (!ret || !ret_n)
		return -EINVAL;
	r = dir_list(dirfd, ".", ".json", &names, &n);
	if (r < 0)
		return err_set(errmsg, r, "cannot list the state directory: %s", strerror(-r));
	if (n > 0) {
		list = calloc(n, sizeof(*list));
		if (!list) {
			strv_free(names);
			return -ENOMEM;
		}
	}
	/* "<id>.json" sort as their ids do. */
	for (size_t i = 0; i < n; i++) {
		r = load_file(dirfd, names[i], &list[i], errmsg);
		if (r < 0) {
			journal_list_free(list, n);
			strv_free(names);
			return r;
		}
	}
	strv_free(names);
	*ret = list;
	*ret_n = n;
	return 0;
}

int boot_id_read(const char *sysctl_root, char **ret)
{
	return sysctl_read(sysctl_root, "kernel.random.boot_id", ret);
}
