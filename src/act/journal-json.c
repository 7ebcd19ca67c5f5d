// SPDX-License-Identifier: GPL-2.0-or-later
/* The journal's file format: a transaction to JSON and back, strictly checked. */
#define _GNU_SOURCE
#include "journal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonutil.h"
#include "sysctl.h"
#include "util.h"

/*
 * The journal file, version 3. Every field is always written; a reader
 * refuses a file that lacks one, so a damaged journal is never half-trusted.
 * Unknown fields are ignored. Strings are written as the bytes they hold.
 *
 *   {
 *     "version": 3,
 *     "id": "20261121-063000-4f2a",
 *     "time": 1795156200,               seconds since the epoch
 *     "boot_id": "8d1c..." | null,
 *     "source": "profile high-conn",
 *     "status": "in-progress" | "committed" | "pending" | "rolling-back" |
 *               "rolled-back" | "restore-failed" | "namespace-gone",
 *     "error": "..." | null,
 *     "deadline": 0,                    seconds since the epoch, 0: none
 *     "rollback_time": 0,               seconds since the epoch, 0: none
 *     "persist": {"path": "...", "existed": true, "backup": "..." | null} | null,
 *     "netns": {"given": "blue" | "pid 1234" | null, "path": "/run/netns/blue" | null,
 *               "dev": 4, "inode": 4026532290, "cookie": 8193} | null,
 *                                     cookie 0: the kernel could not tell
 *     "keys": [{"key": "net.ipv4.tcp_fin_timeout", "old": "60", "new": "30",
 *               "left_changed": false}]
 *   }
 *
 * Version 1 (tcptune 0.1) had no rollback_time and left_changed, and recorded
 * each rollback as a transaction of its own ("undoes": id, "undone_by": id):
 * it is still read, as history; such a record is never rolled back itself.
 *
 * Version 2 had no "netns" (nor the namespace-gone status): its transactions
 * changed the namespace tcptune ran in, which rollback then uses as before.
 * "netns" is null where no namespace was known (a fake sysctl tree).
 *
 * Keys are numbered from 1 in error messages ("key 1: missing 'old'").
 */
#define JOURNAL_VERSION 3
/* 9999-12-31T23:59:59Z: ids have a four-digit year; json-c clamps huge numbers to INT64_MAX. */
#define TIME_MAX INT64_C(253402300799)

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

static json_object *netns_to_json(const struct netns_ref *ns)
{
	_cleanup_json_ json_object *o = json_object_new_object();

	if (!o || add_string(o, "given", ns->given) < 0 || add_string(o, "path", ns->path) < 0 ||
	    json_add(o, "dev", json_object_new_uint64(ns->id.dev)) < 0 ||
	    json_add(o, "inode", json_object_new_uint64(ns->id.ino)) < 0 ||
	    json_add(o, "cookie", json_object_new_uint64(ns->id.cookie)) < 0)
		return NULL;
	return TAKE_PTR(o);
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

		if (json_append(arr, o) < 0)
			return NULL;
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
	    (netns_id_known(&t->netns.id) ? json_add(root, "netns", netns_to_json(&t->netns))
					  : add_string(root, "netns", NULL)) < 0 ||
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

static int get_uint64(const struct parser *p, json_object *obj, const char *ctx, const char *field,
		      uint64_t *ret)
{
	json_object *v;
	int r;

	r = get_field(p, obj, ctx, field, &v);
	if (r < 0)
		return r;
	/* json-c keeps numbers above INT64_MAX as unsigned; a negative one is refused. */
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0)
		return bad(p, ctx, "'%s' is not a non-negative integer", field);
	*ret = json_object_get_uint64(v);
	return 0;
}

static int parse_netns(const struct parser *p, json_object *root, struct txn *t)
{
	struct netns_ref *ns = &t->netns;
	json_object *v;
	int r;

	r = get_field(p, root, "", "netns", &v);
	if (r < 0 || !v)
		return r;
	if (!json_object_is_type(v, json_type_object))
		return bad(p, "", "'netns' is not an object or null");
	if ((r = get_string(p, v, "netns: ", "given", true, &ns->given)) < 0 ||
	    (r = get_string(p, v, "netns: ", "path", true, &ns->path)) < 0 ||
	    (r = get_uint64(p, v, "netns: ", "dev", &ns->id.dev)) < 0 ||
	    (r = get_uint64(p, v, "netns: ", "inode", &ns->id.ino)) < 0 ||
	    (r = get_uint64(p, v, "netns: ", "cookie", &ns->id.cookie)) < 0)
		return r;
	/* Rollback enters what path names: only an absolute path, and only with an identity. */
	if (ns->path && (ns->path[0] != '/' || !netns_id_known(&ns->id)))
		return bad(p, "netns: ", "'path' is not an absolute path with a known inode");
	return 0;
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
	/* Version 1 knew the first four, version 2 the first six. */
	if (t->status == 0 || (version < 2 && t->status > TXN_PENDING) ||
	    (version < 3 && t->status > TXN_RESTORE_FAILED))
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
	if (version < 1 || version > JOURNAL_VERSION)
		return bad(p, "", "unsupported version %" PRId64 " (this tcptune reads 1 to %d)",
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
	if (r == 0 && version >= 3)
		r = parse_netns(p, root, t);
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
