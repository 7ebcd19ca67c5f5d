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

#include <json-c/json.h>

#include "dirlist.h"
#include "sysctl.h"
#include "jsonutil.h"
#include "util.h"

/*
 * The journal file, version 2. Every field is always written; a reader
 * refuses a file that lacks one, so a damaged journal is never half-trusted.
 * Unknown fields are ignored. Strings are written as the bytes they hold.
 *
 *   {
 *     "version": 2,
 *     "id": "20261121-063000-4f2a",
 *     "time": 1795156200,               seconds since the epoch
 *     "boot_id": "8d1c..." | null,
 *     "source": "profile high-conn",
 *     "status": "in-progress" | "committed" | "pending" | "rolling-back" |
 *               "rolled-back" | "restore-failed",
 *     "error": "..." | null,
 *     "deadline": 0,                    seconds since the epoch, 0: none
 *     "rollback_time": 0,               seconds since the epoch, 0: none
 *     "persist": {"path": "...", "existed": true, "backup": "..." | null} | null,
 *     "keys": [{"key": "net.ipv4.tcp_fin_timeout", "old": "60", "new": "30",
 *               "left_changed": false}]
 *   }
 *
 * Version 1 (tcptune 0.1) had no rollback_time and left_changed, and recorded
 * each rollback as a transaction of its own ("undoes": id, "undone_by": id):
 * it is still read, as history; such a record is never rolled back itself.
 *
 * Keys are numbered from 1 in error messages ("key 1: missing 'old'").
 */
#define JOURNAL_VERSION 2
/* A journal is a few keys and perhaps one sysctl.d file: anything bigger is not ours. */
#define JOURNAL_MAX_SIZE (4 * 1024 * 1024)
#define LOCK_POLL_MS 50
/* 9999-12-31T23:59:59Z: ids have a four-digit year; json-c clamps huge numbers to INT64_MAX. */
#define TIME_MAX INT64_C(253402300799)

/* Hands a file descriptor over, as TAKE_PTR() does a pointer. */
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

static const char *const status_names[] = {
	[TXN_IN_PROGRESS] = "in-progress",   [TXN_COMMITTED] = "committed",
	[TXN_ROLLED_BACK] = "rolled-back",   [TXN_PENDING] = "pending",
	[TXN_ROLLING_BACK] = "rolling-back", [TXN_RESTORE_FAILED] = "restore-failed",
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
	free(t);
	return NULL;
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
static bool txn_id_valid(const char *id)
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

/* --- serialising --- */

static int add_string(json_object *obj, const char *key, const char *s)
{
	if (!s)
		return json_object_object_add(obj, key, NULL) < 0 ? -ENOMEM : 0;
	return json_add(obj, key, json_object_new_string(s));
}

static json_object *persist_to_json(const struct txn *t)
{
	_cleanup_json_ json_object *p = json_object_new_object();

	if (!p || add_string(p, "path", t->persist_path) < 0 ||
	    json_add(p, "existed", json_object_new_boolean(t->persist_existed)) < 0 ||
	    add_string(p, "backup", t->persist_backup) < 0)
		return NULL;
	return TAKE_PTR(p);
}

static json_object *key_to_json(const struct txn_key *k)
{
	_cleanup_json_ json_object *o = json_object_new_object();

	if (!o || add_string(o, "key", k->key) < 0 || add_string(o, "old", k->old) < 0 ||
	    add_string(o, "new", k->new) < 0 ||
	    json_add(o, "left_changed", json_object_new_boolean(k->left_changed)) < 0)
		return NULL;
	return TAKE_PTR(o);
}

static json_object *keys_to_json(const struct txn *t)
{
	_cleanup_json_ json_object *arr = json_object_new_array();

	if (!arr)
		return NULL;
	for (size_t i = 0; i < t->n_keys; i++) {
		json_object *o = key_to_json(&t->keys[i]);

		if (!o)
			return NULL;
		if (json_object_array_add(arr, o) < 0) {
			json_object_put(o);
			return NULL;
		}
	}
	return TAKE_PTR(arr);
}

static bool key_valid(const struct txn_key *k)
{
	_cleanup_free_ char *dotted = NULL;

	return k->key && k->old && k->new &&sysctl_key_normalize(k->key, &dotted) == 0;
}

/* Only what txn_from_json() reads back is written. */
static bool txn_serialisable(const struct txn *t)
{
	if (!txn_id_valid(t->id) || !t->source || t->time < 0 || t->time > TIME_MAX ||
	    t->deadline < 0 || t->deadline > TIME_MAX || t->rollback_time < 0 ||
	    t->rollback_time > TIME_MAX || txn_status_from_name(txn_status_name(t->status)) == 0 ||
	    t->undoes || (!t->keys && t->n_keys > 0))
		return false;
	for (size_t i = 0; i < t->n_keys; i++)
		if (!key_valid(&t->keys[i]))
			return false;
	return true;
}

int txn_to_json(const struct txn *t, char **ret)
{
	_cleanup_json_ json_object *root = NULL;
	const char *text;
	char *out;

	if (!t || !ret || !txn_serialisable(t))
		return -EINVAL;
	root = json_object_new_object();
	if (!root)
		return -ENOMEM;
	/* The order of the documented shape: json-c keeps insertion order. */
	if (json_add(root, "version", json_object_new_int(JOURNAL_VERSION)) < 0 ||
	    add_string(root, "id", t->id) < 0 ||
	    json_add(root, "time", json_object_new_int64(t->time)) < 0 ||
	    add_string(root, "boot_id", t->boot_id) < 0 ||
	    add_string(root, "source", t->source) < 0 ||
	    add_string(root, "status", txn_status_name(t->status)) < 0 ||
	    add_string(root, "error", t->error) < 0 ||
	    json_add(root, "deadline", json_object_new_int64(t->deadline)) < 0 ||
	    json_add(root, "rollback_time", json_object_new_int64(t->rollback_time)) < 0 ||
	    (t->persist_path ? json_add(root, "persist", persist_to_json(t))
			     : add_string(root, "persist", NULL)) < 0 ||
	    json_add(root, "keys", keys_to_json(t)) < 0)
		return -ENOMEM;
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text || asprintf(&out, "%s\n", text) < 0)
		return -ENOMEM;
	*ret = out;
	return 0;
}

/* --- parsing --- */

struct parser {
	const char *name; /* the file, for messages */
	char **errmsg;
};

/* "<name>: <ctx><what>", -EBADMSG. */
_printf_(3, 4) static int bad(const struct parser *p, const char *ctx, const char *fmt, ...)
{
	_cleanup_free_ char *what = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&what, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	return err_set(p->errmsg, -EBADMSG, "%s: %s%s", p->name, ctx, what);
}

static int get_field(const struct parser *p, json_object *obj, const char *ctx, const char *field,
		     json_object **ret)
{
	if (!json_object_object_get_ex(obj, field, ret))
		return bad(p, ctx, "missing '%s'", field);
	return 0;
}

/* A string field, or NULL for a JSON null when nullable. */
static int get_string(const struct parser *p, json_object *obj, const char *ctx, const char *field,
		      bool nullable, char **ret)
{
	json_object *v;
	const char *s;
	char *copy = NULL;
	int r;

	r = get_field(p, obj, ctx, field, &v);
	if (r < 0)
		return r;
	if (!v && nullable) {
		*ret = NULL;
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return bad(p, ctx, "'%s' is not a string%s", field, nullable ? " or null" : "");
	s = json_object_get_string(v);
	/* "\u0000" would silently cut the value short. */
	if (strlen(s) != (size_t)json_object_get_string_len(v))
		return bad(p, ctx, "'%s' holds a NUL character", field);
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	*ret = copy;
	return 0;
}

static int get_id(const struct parser *p, json_object *obj, const char *field, bool nullable,
		  char **ret)
{
	_cleanup_free_ char *id = NULL;
	int r;

	r = get_string(p, obj, "", field, nullable, &id);
	if (r < 0)
		return r;
	if (id && !txn_id_valid(id))
		return bad(p, "", "'%s' is not a transaction id: '%s'", field, id);
	*ret = TAKE_PTR(id);
	return 0;
}

static int get_int64(const struct parser *p, json_object *obj, const char *field, int64_t min,
		     int64_t max, int64_t *ret)
{
	json_object *v;
	int64_t n;
	int r;

	r = get_field(p, obj, "", field, &v);
	if (r < 0)
		return r;
	if (!json_object_is_type(v, json_type_int))
		return bad(p, "", "'%s' is not an integer", field);
	n = json_object_get_int64(v);
	if (n < min || n > max)
		return bad(p, "", "'%s' is out of range: %" PRId64, field, n);
	*ret = n;
	return 0;
}

static int parse_persist(const struct parser *p, json_object *root, struct txn *t)
{
	json_object *v, *existed;
	int r;

	r = get_field(p, root, "", "persist", &v);
	if (r < 0)
		return r;
	if (!v)
		return 0;
	if (!json_object_is_type(v, json_type_object))
		return bad(p, "", "'persist' is not an object or null");
	r = get_string(p, v, "persist: ", "path", false, &t->persist_path);
	if (r < 0)
		return r;
	r = get_field(p, v, "persist: ", "existed", &existed);
	if (r < 0)
		return r;
	if (!json_object_is_type(existed, json_type_boolean))
		return bad(p, "persist: ", "'existed' is not a boolean");
	t->persist_existed = json_object_get_boolean(existed);
	return get_string(p, v, "persist: ", "backup", true, &t->persist_backup);
}

static int parse_key(const struct parser *p, json_object *o, size_t i, int version,
		     struct txn_key *k)
{
	json_object *left;
	char ctx[32];
	char *dotted;
	int r;

	snprintf(ctx, sizeof(ctx), "key %zu: ", i + 1);
	if (!json_object_is_type(o, json_type_object))
		return bad(p, "", "key %zu is not an object", i + 1);
	r = get_string(p, o, ctx, "key", false, &k->key);
	if (r < 0)
		return r;
	/* Rollback writes these keys back: never trust one that is not a key. */
	r = sysctl_key_normalize(k->key, &dotted);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return bad(p, ctx, "invalid sysctl key '%s'", k->key);
	free(k->key);
	k->key = dotted;
	r = get_string(p, o, ctx, "old", false, &k->old);
	if (r < 0)
		return r;
	r = get_string(p, o, ctx, "new", false, &k->new);
	if (r < 0 || version < 2)
		return r;
	r = get_field(p, o, ctx, "left_changed", &left);
	if (r < 0)
		return r;
	if (!json_object_is_type(left, json_type_boolean))
		return bad(p, ctx, "'left_changed' is not a boolean");
	k->left_changed = json_object_get_boolean(left);
	return 0;
}

static int parse_keys(const struct parser *p, json_object *root, int version, struct txn *t)
{
	json_object *arr;
	size_t n;
	int r;

	r = get_field(p, root, "", "keys", &arr);
	if (r < 0)
		return r;
	if (!json_object_is_type(arr, json_type_array))
		return bad(p, "", "'keys' is not an array");
	n = json_object_array_length(arr);
	if (n == 0)
		return 0;
	t->keys = calloc(n, sizeof(*t->keys));
	if (!t->keys)
		return -ENOMEM;
	/* Counted as they fill, so that txn_free() frees exactly what was parsed. */
	for (size_t i = 0; i < n; i++) {
		t->n_keys++;
		r = parse_key(p, json_object_array_get_idx(arr, i), i, version, &t->keys[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_status(const struct parser *p, json_object *root, int version, struct txn *t)
{
	_cleanup_free_ char *name = NULL;
	int r;

	r = get_string(p, root, "", "status", false, &name);
	if (r < 0)
		return r;
	t->status = txn_status_from_name(name);
	/* Version 1 knew the first four. */
	if (t->status == 0 || (version < 2 && t->status > TXN_PENDING))
		return bad(p, "", "unknown status '%s'", name);
	return 0;
}

static int parse_txn(const struct parser *p, json_object *root, struct txn *t)
{
	int64_t version;
	int r;

	if (!json_object_is_type(root, json_type_object))
		return bad(p, "", "not a JSON object");
	r = get_int64(p, root, "version", INT64_MIN, INT64_MAX, &version);
	if (r < 0)
		return r;
	if (version != 1 && version != JOURNAL_VERSION)
		return bad(p, "", "unsupported version %" PRId64 " (this tcptune reads 1 and %d)",
			   version, JOURNAL_VERSION);
	if ((r = get_id(p, root, "id", false, &t->id)) < 0 ||
	    (r = get_int64(p, root, "time", 0, TIME_MAX, &t->time)) < 0 ||
	    (r = get_string(p, root, "", "boot_id", true, &t->boot_id)) < 0 ||
	    (r = get_string(p, root, "", "source", false, &t->source)) < 0 ||
	    (r = parse_status(p, root, (int)version, t)) < 0 ||
	    (r = get_string(p, root, "", "error", true, &t->error)) < 0 ||
	    (r = get_int64(p, root, "deadline", 0, TIME_MAX, &t->deadline)) < 0 ||
	    (r = parse_persist(p, root, t)) < 0)
		return r;
	if (version == 1)
		r = get_id(p, root, "undoes", true, &t->undoes);
	else
		r = get_int64(p, root, "rollback_time", 0, TIME_MAX, &t->rollback_time);
	if (r < 0)
		return r;
	return parse_keys(p, root, (int)version, t);
}

static void tokener_freep(json_tokener **tok)
{
	if (*tok)
		json_tokener_free(*tok);
}

/* The whole text must be one JSON value: a cut-off file must not parse. */
static int parse_text(const struct parser *p, const char *text, json_object **ret)
{
	_cleanup_(tokener_freep) json_tokener *tok = json_tokener_new();
	size_t len = strlen(text), end;
	enum json_tokener_error e;
	json_object *root;

	if (!tok)
		return -ENOMEM;
	/* No comments, single quotes or other leniencies: only what we write. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	if (text[strspn(text, " \t\r\n")] == '\0')
		return bad(p, "", "truncated or not JSON (empty)");
	/* With its NUL, so that a lone top-level number or literal is complete. */
	root = json_tokener_parse_ex(tok, text, (int)len + 1);
	e = json_tokener_get_error(tok);
	/* The NUL is the only one: meeting it mid-value means the text stops early. */
	if (!root && (e == json_tokener_continue || e == json_tokener_error_parse_eof))
		return bad(p, "", "truncated or not JSON (unexpected end of input)");
	if (!root && e != json_tokener_success)
		return bad(p, "", "truncated or not JSON (%s at byte %zu)",
			   json_tokener_error_desc(e), json_tokener_get_parse_end(tok));
	end = json_tokener_get_parse_end(tok);
	if (end < len && text[end + strspn(text + end, " \t\r\n")] != '\0') {
		json_object_put(root);
		return bad(p, "", "truncated or not JSON (unexpected data at byte %zu)", end);
	}
	if (!root)
		return bad(p, "", "not a JSON object");
	*ret = root;
	return 0;
}

int txn_from_json(const char *text, const char *name, struct txn **ret, char **errmsg)
{
	const struct parser p = { .name = name ? name : "journal", .errmsg = errmsg };
	_cleanup_json_ json_object *root = NULL;
	_cleanup_txn_ struct txn *t = NULL;
	int r;

	if (!text || !ret)
		return -EINVAL;
	if (strnlen(text, JOURNAL_MAX_SIZE + 1) > JOURNAL_MAX_SIZE)
		return bad(&p, "", "larger than %d bytes", JOURNAL_MAX_SIZE);
	r = parse_text(&p, text, &root);
	if (r < 0)
		return r;
	t = txn_new();
	if (!t)
		return -ENOMEM;
	r = parse_txn(&p, root, t);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(t);
	return 0;
}

/* --- the state directory --- */

/* Where an fd points, for messages: the kernel's name for it, or NULL. */
static char *fd_path(int fd)
{
	char link[64];
	_cleanup_free_ char *buf = malloc(PATH_MAX);
	ssize_t n;

	if (!buf)
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, PATH_MAX - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return TAKE_PTR(buf);
}

/* "<dir>/<name>" for messages, or the bare name when the directory has no name. */
static char *path_in_dir(int dirfd, const char *name)
{
	_cleanup_free_ char *dir = fd_path(dirfd);

	return dir ? path_join(dir, name) : strdup(name);
}

/* The checks run on the opened directory itself, so that a rename in between changes nothing. */
static int check_dir(int fd, const char *path, char **errmsg)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return err_set(errmsg, -errno, "cannot stat state directory %s: %s", path,
			       strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return err_set(errmsg, -EPERM, "state directory %s is not a directory", path);
	if (st.st_uid != geteuid())
		return err_set(errmsg, -EPERM,
			       "state directory %s is owned by uid %u, not by uid %u", path,
			       (unsigned)st.st_uid, (unsigned)geteuid());
	/* Whoever can write there can forge the history that rollback trusts. */
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return err_set(errmsg, -EPERM,
			       "state directory %s is writable by group or others (mode %04o)",
			       path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int state_dir_open(const char *shown, bool create, int *ret_fd, char **errmsg)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *path = NULL;
	bool created = false;
	size_t len;
	int r;

	if (!shown || !*shown || !ret_fd)
		return -EINVAL;
	/* "LINK/" resolves LINK whatever O_NOFOLLOW says: open the name without the slashes. */
	len = strlen(shown);
	while (len > 1 && shown[len - 1] == '/')
		len--;
	path = strndup(shown, len);
	if (!path)
		return -ENOMEM;
	if (create) {
		if (mkdir(path, 0700) == 0)
			created = true;
		else if (errno != EEXIST)
			return err_set(errmsg, -errno, "cannot create state directory %s: %s",
				       shown, strerror(errno));
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct stat st;

		r = -errno;
		/* O_NOFOLLOW|O_DIRECTORY says ENOTDIR or ELOOP for a symlink: say which it is. */
		if ((r == -ELOOP || r == -ENOTDIR) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return err_set(errmsg, -EPERM, "state directory %s is a symlink", shown);
		if (r == -ENOTDIR || r == -ELOOP)
			return err_set(errmsg, -EPERM, "state directory %s is not a directory",
				       shown);
		if (r == -ENOENT)
			return err_set(errmsg, r, "state directory %s does not exist", shown);
		return err_set(errmsg, r, "cannot open state directory %s: %s", shown,
			       strerror(-r));
	}
	/* mkdir() honours the umask: make sure of 0700 (0000 would lock us out). */
	if (created && fchmod(fd, 0700) < 0)
		return err_set(errmsg, -errno, "cannot chmod state directory %s: %s", shown,
			       strerror(errno));
	r = check_dir(fd, shown, errmsg);
	if (r < 0)
		return r;
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Polls rather than blocks for a bounded wait: flock() has no timeout, and
 * an alarm signal would reach the whole process.
 */
static int lock_wait(int fd, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		if (flock(fd, LOCK_EX | (timeout_ms < 0 ? 0 : LOCK_NB)) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -errno;
		if (now_ms() >= deadline)
			return timeout_ms == 0 ? -EWOULDBLOCK : -ETIMEDOUT;
		nanosleep(&(struct timespec){ .tv_nsec = LOCK_POLL_MS * 1000000L }, NULL);
	}
}

int state_lock(int dirfd, int timeout_ms, int *ret_lockfd, char **errmsg)
{
	_cleanup_free_ char *path = path_in_dir(dirfd, "lock");
	_cleanup_close_ int fd = -1;
	int r;

	if (!ret_lockfd)
		return -EINVAL;
	fd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(errmsg, -errno, "cannot open lock %s: %s", path ? path : "lock",
			       strerror(errno));
	r = lock_wait(fd, timeout_ms);
	if (r == -EWOULDBLOCK || r == -ETIMEDOUT)
		return err_set(errmsg, r, "another tcptune transaction is running (lock %s)",
			       path ? path : "lock");
	if (r < 0)
		return err_set(errmsg, r, "cannot lock %s: %s", path ? path : "lock", strerror(-r));
	*ret_lockfd = TAKE_FD(fd);
	return 0;
}

/* --- journal files --- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes, flushes and closes the temporary file; the caller renames it. */
static int write_tmp(int dirfd, const char *tmp, const char *text, mode_t mode)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	/* O_TRUNC keeps a leftover file's mode, and the umask may have narrowed ours. */
	if (fchmod(fd, mode) < 0)
		return -errno;
	r = write_all(fd, text, strlen(text));
	if (r < 0)
		return r;
	if (fsync(fd) < 0)
		return -errno;
	if (close(TAKE_FD(fd)) < 0)
		return -errno;
	return 0;
}

int file_write_atomic(int dirfd, const char *name, const char *text, mode_t mode)
{
	_cleanup_free_ char *tmp = NULL;
	int r;

	if (asprintf(&tmp, "%s.tmp", name) < 0)
		return -ENOMEM;
	r = write_tmp(dirfd, tmp, text, mode);
	if (r == 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return r;
	}
	/* The rename is durable only once the directory is. */
	return fsync(dirfd) < 0 ? -errno : 0;
}

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
		path = path_in_dir(dirfd, name);
		return err_set(errmsg, r, "cannot write %s: %s", path ? path : name, strerror(-r));
	}
	return 0;
}

/* Loads the journal file NAME; its id must match the name. */
static int load_file(int dirfd, const char *name, struct txn **ret, char **errmsg)
{
	_cleanup_free_ char *path = path_in_dir(dirfd, name);
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

void journal_clean_tmp(int dirfd)
{
	char **names = NULL;
	size_t n = 0;

	if (dir_list(dirfd, ".", ".json.tmp", &names, &n) < 0)
		return;
	/* Only under the lock, so no writer is between its write and its rename. */
	for (size_t i = 0; i < n; i++)
		unlinkat(dirfd, names[i], 0);
	strv_free(names);
}

int boot_id_read(const char *sysctl_root, char **ret)
{
	return sysctl_read(sysctl_root, "kernel.random.boot_id", ret);
}
