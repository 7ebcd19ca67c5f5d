// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "journal.h"
#include "tmpdir.h"
#include "util.h"

#define ID1 "20261121-063000-4f2a"
#define ID2 "20261121-063512-0001"
#define ID3 "20261122-000000-ffff"

/* Out-parameters must be left alone on failure: a failing call must not touch this. */
static struct txn sentinel;

/* A transaction with every field set, and text that JSON must escape. */
static struct txn *full_txn(const char *id)
{
	struct txn *t = txn_new();

	assert_non_null(t);
	t->id = strdup(id);
	t->time = 1795156200;
	t->boot_id = strdup("8d1c3a7e-6a1b-4f5e-9b0d-2c6f1e0a9b33");
	t->source = strdup("profile \"high-conn\"");
	t->status = TXN_RESTORE_FAILED;
	t->rollback_time = 1795156400;
	t->error = strdup("net.ipv4.tcp_fin_timeout: read back 30, expected 31\n\tand / more");
	t->deadline = 1795156500;
	t->persist_path = strdup("/etc/sysctl.d/90-tcptune.conf");
	t->persist_backup = strdup("# old\nnet.core.somaxconn = 1024\n\x01 caf\xc3\xa9\n");
	t->persist_existed = true;
	t->netns.given = strdup("blue \"x\"");
	t->netns.path = strdup("/run/netns/blue \"x\"");
	t->netns.id = (struct netns_id){ .dev = 4, .ino = UINT64_C(4026532290), .cookie = 8193 };
	assert_int_equal(txn_add_key(t, "net.ipv4.tcp_fin_timeout", "60", "30"), 0);
	assert_int_equal(
		txn_add_key(t, "net.ipv4.tcp_rmem", "4096 131072 6291456", "4096 262144 16777216"),
		0);
	assert_int_equal(txn_add_key(t, "net.ipv4.ip_local_reserved_ports", "", "8080"), 0);
	t->keys[1].left_changed = true;
	return t;
}

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_txn_equal(const struct txn *a, const struct txn *b)
{
	assert_string_equal(a->id, b->id);
	assert_int_equal(a->time, b->time);
	assert_str_or_null(a->boot_id, b->boot_id);
	assert_str_or_null(a->source, b->source);
	assert_int_equal(a->status, b->status);
	assert_str_or_null(a->undoes, b->undoes);
	assert_str_or_null(a->error, b->error);
	assert_int_equal(a->deadline, b->deadline);
	assert_int_equal(a->rollback_time, b->rollback_time);
	assert_str_or_null(a->persist_path, b->persist_path);
	assert_str_or_null(a->persist_backup, b->persist_backup);
	assert_int_equal(a->persist_existed, b->persist_existed);
	assert_str_or_null(a->netns.given, b->netns.given);
	assert_str_or_null(a->netns.path, b->netns.path);
	assert_memory_equal(&a->netns.id, &b->netns.id, sizeof(a->netns.id));
	assert_int_equal(a->n_keys, b->n_keys);
	for (size_t i = 0; i < a->n_keys; i++) {
		assert_string_equal(a->keys[i].key, b->keys[i].key);
		assert_string_equal(a->keys[i].old, b->keys[i].old);
		assert_string_equal(a->keys[i].new, b->keys[i].new);
		assert_int_equal(a->keys[i].left_changed, b->keys[i].left_changed);
	}
}

static void test_status_names(void **state)
{
	static const struct {
		enum txn_status s;
		const char *name;
	} cases[] = {
		{ TXN_IN_PROGRESS, "in-progress" },   { TXN_COMMITTED, "committed" },
		{ TXN_ROLLED_BACK, "rolled-back" },   { TXN_PENDING, "pending" },
		{ TXN_ROLLING_BACK, "rolling-back" }, { TXN_RESTORE_FAILED, "restore-failed" },
		{ TXN_NETNS_GONE, "namespace-gone" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_string_equal(txn_status_name(cases[i].s), cases[i].name);
		assert_int_equal(txn_status_from_name(cases[i].name), cases[i].s);
	}
	assert_string_equal(txn_status_name(0), "unknown");
	assert_string_equal(txn_status_name(99), "unknown");
	assert_int_equal(txn_status_from_name("unknown"), 0);
	assert_int_equal(txn_status_from_name("Committed"), 0);
	assert_int_equal(txn_status_from_name(""), 0);
	assert_int_equal(txn_status_from_name(NULL), 0);
}

static void test_new_add_key(void **state)
{
	_cleanup_txn_ struct txn *t = txn_new();

	(void)state;
	assert_non_null(t);
	assert_int_equal(t->status, TXN_IN_PROGRESS);
	assert_int_equal(t->n_keys, 0);
	assert_int_equal(txn_add_key(t, "a.b", NULL, "1"), -EINVAL);
	assert_int_equal(t->n_keys, 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(txn_add_key(t, "net.core.somaxconn", "1", "2"), 0);
	assert_int_equal(t->n_keys, 100);
	assert_string_equal(t->keys[99].new, "2");
	assert_null(txn_free(NULL));
}

/* The id is the file name: exactly this shape. */
static bool id_shape_ok(const char *id, const char *stamp)
{
	if (strlen(id) != 20 || strncmp(id, stamp, 16) != 0)
		return false;
	for (size_t i = 16; i < 20; i++)
		if (!strchr("0123456789abcdef", id[i]))
			return false;
	return true;
}

static void test_make_id(void **state)
{
	static const struct {
		int64_t now;
		const char *stamp;
	} cases[] = {
		{ 0, "19700101-000000-" },
		{ 1700000000, "20231114-221320-" },
		{ 1795156200, "20261120-063000-" },
		{ 253402300799, "99991231-235959-" },
	};
	char *id = (char *)"untouched";
	char *ids[10];
	bool differ = false;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *got = NULL;

		assert_int_equal(txn_make_id(cases[i].now, 0, &got), 0);
		if (!id_shape_ok(got, cases[i].stamp))
			fail_msg("%" PRId64 ": '%s' is not %sxxxx", cases[i].now, got,
				 cases[i].stamp);
	}
	assert_int_equal(txn_make_id(-1, 0, &id), -EINVAL);
	assert_int_equal(txn_make_id(253402300800, 0, &id), -ERANGE); /* year 10000 */
	assert_int_equal(txn_make_id(1795156200, 1000000000L, &id), -EINVAL);
	assert_string_equal(id, "untouched");

	/* Within one second ids made one after the other sort in that order. */
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		assert_int_equal(txn_make_id((int64_t)ts.tv_sec, ts.tv_nsec, &ids[i]), 0);
		if (i > 0 && strncmp(ids[i], ids[i - 1], 15) == 0) {
			assert_true(strcmp(ids[i], ids[i - 1]) > 0);
			differ = true;
		}
		usleep(100); /* more than the 15 us resolution */
	}
	assert_true(differ || ARRAY_SIZE(ids) < 2);
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		free(ids[i]);

	/* Across seconds they sort by time, whatever the fraction. */
	for (int64_t now = 1795156190; now < 1795156210; now++) {
		_cleanup_free_ char *a = NULL, *b = NULL;

		assert_int_equal(txn_make_id(now, 999999999, &a), 0);
		assert_int_equal(txn_make_id(now + 1, 0, &b), 0);
		assert_true(strcmp(a, b) < 0);
	}
}

static void test_json_round_trip(void **state)
{
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	_cleanup_txn_ struct txn *back = NULL;
	_cleanup_free_ char *text = NULL, *again = NULL, *msg = NULL;

	(void)state;
	assert_int_equal(txn_to_json(t, &text), 0);
	assert_int_equal(txn_from_json(text, "t.json", &back, &msg), 0);
	assert_null(msg);
	assert_txn_equal(t, back);
	/* Stable: the same transaction is the same text. */
	assert_int_equal(txn_to_json(back, &again), 0);
	assert_string_equal(text, again);
}

/* The documented shape, to the byte: other tools read these files. */
static void test_json_shape(void **state)
{
	static const char want[] = "{\n"
				   "  \"version\": 3,\n"
				   "  \"id\": \"" ID2 "\",\n"
				   "  \"time\": 1795156512,\n"
				   "  \"boot_id\": null,\n"
				   "  \"source\": \"set\",\n"
				   "  \"status\": \"committed\",\n"
				   "  \"error\": null,\n"
				   "  \"deadline\": 0,\n"
				   "  \"rollback_time\": 0,\n"
				   "  \"persist\": null,\n"
				   "  \"netns\": {\n"
				   "    \"given\": \"pid 1234\",\n"
				   "    \"path\": \"/proc/1234/ns/net\",\n"
				   "    \"dev\": 4,\n"
				   "    \"inode\": 4026532290,\n"
				   "    \"cookie\": 18446744073709551615\n"
				   "  },\n"
				   "  \"keys\": [\n"
				   "    {\n"
				   "      \"key\": \"net.core.somaxconn\",\n"
				   "      \"old\": \"4096\",\n"
				   "      \"new\": \"8192\",\n"
				   "      \"left_changed\": false\n"
				   "    }\n"
				   "  ]\n"
				   "}\n";
	_cleanup_txn_ struct txn *t = txn_new();
	_cleanup_txn_ struct txn *back = NULL;
	_cleanup_free_ char *text = NULL;

	(void)state;
	t->id = strdup(ID2);
	t->time = 1795156512;
	t->source = strdup("set");
	t->status = TXN_COMMITTED;
	t->netns.given = strdup("pid 1234");
	t->netns.path = strdup("/proc/1234/ns/net");
	t->netns.id =
		(struct netns_id){ .dev = 4, .ino = UINT64_C(4026532290), .cookie = UINT64_MAX };
	assert_int_equal(txn_add_key(t, "net.core.somaxconn", "4096", "8192"), 0);
	assert_int_equal(txn_to_json(t, &text), 0);
	assert_string_equal(text, want);
	assert_int_equal(txn_from_json(want, "t.json", &back, NULL), 0);
	assert_txn_equal(t, back);
}

/* What cannot be read back is not written. */
static void test_json_refuses(void **state)
{
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	char *text = (char *)"untouched";

	(void)state;
	free(t->id);
	t->id = strdup("../../etc/x");
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	free(t->id);
	t->id = strdup(ID1);
	t->status = 0;
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	t->status = TXN_COMMITTED;
	t->time = 253402300800; /* year 10000 */
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	t->time = 1;
	free(t->keys[1].key);
	t->keys[1].key = strdup("net/../../etc/passwd");
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	free(t->keys[1].key);
	t->keys[1].key = strdup("net.ipv4.tcp_rmem");
	/* Version 1's rollback records are read, never written. */
	t->undoes = strdup(ID2);
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	free(t->undoes);
	t->undoes = NULL;
	t->rollback_time = -1;
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	t->rollback_time = 0;
	free(t->source);
	t->source = NULL;
	assert_int_equal(txn_to_json(t, &text), -EINVAL);
	assert_string_equal(text, "untouched");
}

static size_t index_of(const char *s)
{
	uint64_t i;

	assert_int_equal(parse_u64(s, 100, &i), 0);
	return (size_t)i;
}

/* Follows "keys.2.old" into obj; the last component is returned in last. */
static json_object *walk(json_object *obj, const char *path, char *last, size_t size)
{
	char buf[64];
	char *part = buf, *dot;

	snprintf(buf, sizeof(buf), "%s", path);
	while ((dot = strchr(part, '.'))) {
		*dot = '\0';
		if (json_object_is_type(obj, json_type_array))
			obj = json_object_array_get_idx(obj, index_of(part));
		else
			assert_true(json_object_object_get_ex(obj, part, &obj));
		part = dot + 1;
	}
	snprintf(last, size, "%s", part);
	return obj;
}

/* The full transaction's text with one field replaced by some JSON, or removed (NULL). */
static char *edited(const char *path, const char *json)
{
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	_cleanup_free_ char *text = NULL;
	json_object *root, *parent;
	char last[64];
	char *out;

	assert_int_equal(txn_to_json(t, &text), 0);
	root = json_tokener_parse(text);
	assert_non_null(root);
	parent = walk(root, path, last, sizeof(last));
	if (json_object_is_type(parent, json_type_array)) {
		size_t i = index_of(last);

		assert_non_null(json);
		assert_int_equal(json_object_array_put_idx(parent, i, json_tokener_parse(json)), 0);
	} else if (json) {
		json_object_object_add(parent, last, json_tokener_parse(json));
	} else {
		json_object_object_del(parent, last);
	}
	out = strdup(json_object_to_json_string(root));
	json_object_put(root);
	assert_non_null(out);
	return out;
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *path; /* the field to change */
		const char *json; /* its new value; NULL: removed */
		const char *msg;
	} cases[] = {
		{ "version", NULL, "missing 'version'" },
		{ "version", "\"1\"", "'version' is not an integer" },
		{ "version", "4", "unsupported version 4 (this tcptune reads 1 to 3)" },
		{ "version", "0", "unsupported version 0 (this tcptune reads 1 to 3)" },
		{ "id", NULL, "missing 'id'" },
		{ "id", "null", "'id' is not a string" },
		{ "id", "\"../../etc/passwd\"",
		  "'id' is not a transaction id: '../../etc/passwd'" },
		{ "id", "\"20261121-063000-4F2A\"",
		  "'id' is not a transaction id: '20261121-063000-4F2A'" },
		{ "time", "1.5", "'time' is not an integer" },
		{ "time", "\"1795156200\"", "'time' is not an integer" },
		{ "time", "-1", "'time' is out of range: -1" },
		/* Year 10000, or a number json-c clamped to INT64_MAX. */
		{ "time", "253402300800", "'time' is out of range: 253402300800" },
		{ "time", "99999999999999999999", "'time' is out of range: 9223372036854775807" },
		{ "boot_id", NULL, "missing 'boot_id'" },
		{ "boot_id", "42", "'boot_id' is not a string or null" },
		{ "source", "null", "'source' is not a string" },
		{ "source", "\"a\\u0000b\"", "'source' holds a NUL character" },
		{ "status", "\"done\"", "unknown status 'done'" },
		{ "status", "\"unknown\"", "unknown status 'unknown'" },
		{ "status", "1", "'status' is not a string" },
		{ "rollback_time", NULL, "missing 'rollback_time'" },
		{ "rollback_time", "-1", "'rollback_time' is out of range: -1" },
		{ "error", "false", "'error' is not a string or null" },
		{ "deadline", NULL, "missing 'deadline'" },
		{ "deadline", "null", "'deadline' is not an integer" },
		{ "deadline", "-5", "'deadline' is out of range: -5" },
		{ "persist", NULL, "missing 'persist'" },
		{ "persist", "\"/etc/sysctl.d/x.conf\"", "'persist' is not an object or null" },
		{ "persist.path", NULL, "persist: missing 'path'" },
		{ "persist.path", "null", "persist: 'path' is not a string" },
		{ "persist.existed", "\"yes\"", "persist: 'existed' is not a boolean" },
		{ "persist.backup", NULL, "persist: missing 'backup'" },
		{ "persist.backup", "{}", "persist: 'backup' is not a string or null" },
		{ "netns", NULL, "missing 'netns'" },
		{ "netns", "\"blue\"", "'netns' is not an object or null" },
		{ "netns.given", NULL, "netns: missing 'given'" },
		{ "netns.given", "7", "netns: 'given' is not a string or null" },
		{ "netns.path", "\"run/netns/blue\"",
		  "netns: 'path' is not an absolute path with a known inode" },
		{ "netns.inode", "0", "netns: 'path' is not an absolute path with a known inode" },
		{ "netns.inode", "-1", "netns: 'inode' is not a non-negative integer" },
		{ "netns.inode", "\"4026532290\"", "netns: 'inode' is not a non-negative integer" },
		{ "netns.dev", NULL, "netns: missing 'dev'" },
		{ "netns.cookie", NULL, "netns: missing 'cookie'" },
		{ "netns.cookie", "1e3", "netns: 'cookie' is not a non-negative integer" },
		{ "keys", NULL, "missing 'keys'" },
		{ "keys", "{}", "'keys' is not an array" },
		{ "keys.0", "\"net.core.somaxconn\"", "key 1 is not an object" },
		{ "keys.0.key", NULL, "key 1: missing 'key'" },
		{ "keys.0.key", "\"../../etc/shadow\"",
		  "key 1: invalid sysctl key '../../etc/shadow'" },
		{ "keys.1.new", "4096", "key 2: 'new' is not a string" },
		{ "keys.2.old", "5", "key 3: 'old' is not a string" },
		{ "keys.2.old", NULL, "key 3: missing 'old'" },
		{ "keys.0.left_changed", NULL, "key 1: missing 'left_changed'" },
		{ "keys.0.left_changed", "1", "key 1: 'left_changed' is not a boolean" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *text = edited(cases[i].path, cases[i].json);
		_cleanup_free_ char *msg = NULL, *want = NULL;
		struct txn *t = &sentinel;
		int r = txn_from_json(text, "t.json", &t, &msg);

		assert_true(asprintf(&want, "t.json: %s", cases[i].msg) > 0);
		if (r != -EBADMSG || !msg || strcmp(msg, want) != 0)
			fail_msg("case %zu (%s): r=%d msg '%s', want '%s'", i, cases[i].path, r,
				 msg ? msg : "(null)", want);
		assert_ptr_equal(t, &sentinel);
	}
}

/* What tcptune 0.1 wrote, with a status of its choosing. */
#define V1_JOURNAL(status)                                                                        \
	"{\"version\": 1, \"id\": \"" ID2 "\", \"time\": 1795156512, \"boot_id\": null,"          \
	" \"source\": \"rollback " ID1 "\", \"status\": \"" status "\", \"undoes\": \"" ID1 "\"," \
	" \"undone_by\": null, \"error\": null, \"deadline\": 0, \"persist\": null,"              \
	" \"keys\": [{\"key\": \"net.core.somaxconn\", \"old\": \"8192\", \"new\": \"4096\"}]}"

static void assert_parse_fails(const char *text, const char *want);

/* Version 1 is still read: history, with its rollbacks as records of their own. */
static void test_parse_version1(void **state)
{
	_cleanup_txn_ struct txn *t = NULL;
	_cleanup_free_ char *msg = NULL;

	(void)state;
	assert_int_equal(txn_from_json(V1_JOURNAL("committed"), "t.json", &t, &msg), 0);
	assert_null(msg);
	assert_string_equal(t->undoes, ID1);
	assert_int_equal(t->status, TXN_COMMITTED);
	assert_int_equal(t->rollback_time, 0);
	assert_false(t->keys[0].left_changed);
	/* It knew four statuses only. */
	assert_parse_fails(V1_JOURNAL("rolling-back"), "t.json: unknown status 'rolling-back'");
	assert_parse_fails(V1_JOURNAL("restore-failed"), "t.json: unknown status 'restore-failed'");
}

/* A version 2 journal: no "netns", which means the namespace tcptune runs in. */
static void test_parse_version2(void **state)
{
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	_cleanup_txn_ struct txn *back = NULL;
	_cleanup_free_ char *text = NULL, *msg = NULL;
	json_object *root;

	(void)state;
	assert_int_equal(txn_to_json(t, &text), 0);
	root = json_tokener_parse(text);
	json_object_object_add(root, "version", json_object_new_int(2));
	json_object_object_del(root, "netns");
	assert_int_equal(txn_from_json(json_object_to_json_string(root), "t.json", &back, &msg), 0);
	assert_null(msg);
	assert_null(back->netns.given);
	assert_null(back->netns.path);
	assert_false(netns_id_known(&back->netns.id));
	assert_int_equal(back->status, TXN_RESTORE_FAILED);
	assert_true(txn_in_netns(back, NULL));
	/* It knew six statuses. */
	json_object_object_add(root, "status", json_object_new_string("namespace-gone"));
	assert_parse_fails(json_object_to_json_string(root),
			   "t.json: unknown status 'namespace-gone'");
	json_object_put(root);
}

/* Which transactions a --netns means: by identity, by path once the namespace is gone. */
static void test_in_netns(void **state)
{
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	struct netns_ref same = { .id = t->netns.id };
	struct netns_ref other = { .id = { .dev = 4, .ino = 4026532291 } };
	/* The same inode number, taken by a namespace made after the first was deleted. */
	struct netns_ref reused = { .id = { .dev = 4, .ino = 4026532290, .cookie = 9000 } };
	struct netns_ref no_cookie = { .id = { .dev = 4, .ino = 4026532290 } };
	struct netns_ref gone = { .path = (char *)"/run/netns/blue \"x\"" };
	struct netns_ref gone_other = { .path = (char *)"/run/netns/red" };

	(void)state;
	assert_true(txn_in_netns(t, NULL));
	assert_true(txn_in_netns(t, &same));
	assert_false(txn_in_netns(t, &other));
	assert_false(txn_in_netns(t, &reused));
	assert_true(txn_in_netns(t, &no_cookie));
	assert_true(txn_in_netns(t, &gone));
	assert_false(txn_in_netns(t, &gone_other));
	/* The namespace tcptune ran in has no path: a gone name never matches it. */
	free(t->netns.path);
	t->netns.path = NULL;
	assert_false(txn_in_netns(t, &gone));
}

static void assert_parse_fails(const char *text, const char *want)
{
	_cleanup_free_ char *msg = NULL;
	struct txn *t = &sentinel;
	int r = txn_from_json(text, "t.json", &t, &msg);

	if (r != -EBADMSG || !msg || strcmp(msg, want) != 0)
		fail_msg("'%.40s': r=%d msg '%s', want '%s'", text, r, msg ? msg : "(null)", want);
	assert_ptr_equal(t, &sentinel);
}

/* Whatever a crash or a full disk could leave: every cut of a journal is refused. */
static void test_parse_truncated(void **state)
{
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	_cleanup_free_ char *text = NULL;
	size_t len;

	(void)state;
	assert_int_equal(txn_to_json(t, &text), 0);
	len = strlen(text);
	assert_parse_fails("", "t.json: truncated or not JSON (empty)");
	assert_parse_fails(" \n", "t.json: truncated or not JSON (empty)");
	/* Only the final newline may go: every shorter prefix is an unfinished object. */
	for (size_t cut = 1; cut + 1 < len; cut++) {
		_cleanup_free_ char *part = strndup(text, cut);

		assert_non_null(part);
		assert_parse_fails(part, "t.json: truncated or not JSON (unexpected end of input)");
	}
}

static void test_parse_not_json(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "hello", "t.json: truncated or not JSON (unexpected character at byte 0)" },
		{ "tru", "t.json: truncated or not JSON (unexpected end of input)" },
		{ "{\"version\": 1,}",
		  "t.json: truncated or not JSON (unexpected character at byte 14)" },
		{ "{\"version\": /* c */ 1}",
		  "t.json: truncated or not JSON (unexpected character at byte 12)" },
		{ "\xef\xbb\xbf{}",
		  "t.json: truncated or not JSON (unexpected character at byte 0)" },
		{ "{} {}", "t.json: truncated or not JSON (unexpected character at byte 3)" },
		{ "{}x", "t.json: truncated or not JSON (unexpected character at byte 2)" },
		{ "null", "t.json: not a JSON object" },
		{ "[1, 2]", "t.json: not a JSON object" },
		{ "42", "t.json: not a JSON object" },
		{ "\"text\"", "t.json: not a JSON object" },
		{ "{}", "t.json: missing 'version'" },
		{ "{\"version\": 1e400}", "t.json: 'version' is not an integer" },
		{ "{\"version\": NaN}", "t.json: 'version' is not an integer" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_parse_fails(cases[i].text, cases[i].msg);
}

static void test_save_load(void **state)
{
	struct tmpdir d;
	_cleanup_close_ int dirfd = -1;
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	_cleanup_txn_ struct txn *back = NULL, *back2 = NULL;
	_cleanup_free_ char *msg = NULL, *file = NULL, *tmp = NULL, *names = NULL;
	_cleanup_free_ char *want = NULL;
	struct txn *none = &sentinel;

	(void)state;
	tmpdir_make(&d);
	assert_int_equal(state_dir_open(d.path, false, &dirfd, NULL), 0);
	file = join(d.path, ID1 ".json");
	tmp = join(d.path, ID1 ".json.tmp");
	/* A leftover temporary file of another mode must not lend it to the journal. */
	write_text(tmp, "garbage", 0644);

	assert_int_equal(journal_save(dirfd, t, &msg), 0);
	assert_null(msg);
	assert_int_equal(mode_of(file), 0600);
	names = dir_names(d.path);
	assert_string_equal(names, ID1 ".json");
	assert_int_equal(journal_load(dirfd, ID1, &back, &msg), 0);
	assert_txn_equal(t, back);

	/* Rewritten at a change of status. */
	t->status = TXN_ROLLED_BACK;
	assert_int_equal(journal_save(dirfd, t, &msg), 0);
	assert_int_equal(journal_load(dirfd, ID1, &back2, &msg), 0);
	assert_int_equal(back2->status, TXN_ROLLED_BACK);
	free(names);
	names = dir_names(d.path);
	assert_string_equal(names, ID1 ".json");

	assert_true(asprintf(&want, "%s/%s.json: no such transaction", d.real, ID2) > 0);
	assert_int_equal(journal_load(dirfd, ID2, &none, &msg), -ENOENT);
	assert_string_equal(msg, want);
	assert_int_equal(journal_load(dirfd, "../" ID1, &none, &msg), -EINVAL);
	assert_string_equal(msg, "'../" ID1 "' is not a transaction id");
	assert_ptr_equal(none, &sentinel);

	free(t->id);
	t->id = strdup("../escape");
	assert_int_equal(journal_save(dirfd, t, &msg), -EINVAL);
	assert_string_equal(msg, "cannot save a transaction without a valid id");
	tmpdir_remove(&d);
}

/* A journal whose content names another transaction is not that transaction. */
static void test_load_mismatch(void **state)
{
	struct tmpdir d;
	_cleanup_close_ int dirfd = -1;
	_cleanup_txn_ struct txn *t = full_txn(ID1);
	_cleanup_free_ char *text = NULL, *path = NULL, *msg = NULL, *want = NULL;
	struct txn *none = &sentinel;

	(void)state;
	tmpdir_make(&d);
	assert_int_equal(state_dir_open(d.path, false, &dirfd, NULL), 0);
	assert_int_equal(txn_to_json(t, &text), 0);
	path = join(d.path, ID2 ".json");
	write_text(path, text, 0600);
	assert_true(asprintf(&want, "%s/%s.json: holds transaction %s", d.real, ID2, ID1) > 0);
	assert_int_equal(journal_load(dirfd, ID2, &none, &msg), -EBADMSG);
	assert_string_equal(msg, want);
	assert_ptr_equal(none, &sentinel);
	tmpdir_remove(&d);
}

static void test_list(void **state)
{
	static const char *const ids[] = { ID3, ID1, ID2 }; /* saved out of order */
	struct tmpdir d;
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *msg = NULL, *want = NULL, *bad = NULL, *path = NULL;
	struct txn **list = NULL;
	_cleanup_close_ int lockfd = -1;
	size_t n = 7;

	(void)state;
	tmpdir_make(&d);
	assert_int_equal(state_dir_open(d.path, false, &dirfd, NULL), 0);
	assert_int_equal(journal_list(dirfd, &list, &n, &msg), 0);
	assert_int_equal(n, 0);
	journal_list_free(list, n);

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		_cleanup_txn_ struct txn *t = full_txn(ids[i]);

		assert_int_equal(journal_save(dirfd, t, &msg), 0);
	}
	/* Neither the lock nor a leftover temporary file is a transaction. */
	assert_int_equal(state_lock(dirfd, 0, &lockfd, NULL), 0);
	path = join(d.path, "20261123-000000-0000.json.tmp");
	write_text(path, "{", 0600);

	assert_int_equal(journal_list(dirfd, &list, &n, &msg), 0);
	assert_null(msg);
	assert_int_equal(n, 3);
	assert_string_equal(list[0]->id, ID1);
	assert_string_equal(list[1]->id, ID2);
	assert_string_equal(list[2]->id, ID3);
	assert_int_equal(list[2]->n_keys, 3);
	journal_list_free(list, n);

	/* History must not lie: one bad file fails the listing, naming it. */
	bad = join(d.path, "20261121-070000-0000.json");
	write_text(bad, "{\"version\": 1, \"id\": \"2026", 0600);
	assert_true(asprintf(&want, "%s: truncated or not JSON (unexpected end of input)", bad) >
		    0);
	list = (struct txn **)&sentinel;
	n = 7;
	assert_int_equal(journal_list(dirfd, &list, &n, &msg), -EBADMSG);
	assert_string_equal(msg, want);
	assert_ptr_equal(list, &sentinel);
	assert_int_equal(n, 7);
	tmpdir_remove(&d);
}

static void test_boot_id(void **state)
{
	struct tmpdir d;
	_cleanup_free_ char *dir = NULL, *file = NULL, *id = NULL, *real = NULL;
	char *none = (char *)"untouched";

	(void)state;
	tmpdir_make(&d);
	dir = join(d.path, "kernel");
	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	dir = join(d.path, "kernel/random");
	assert_int_equal(mkdir(dir, 0755), 0);
	file = join(dir, "boot_id");
	assert_int_equal(boot_id_read(d.path, &none), -ENOENT);
	assert_string_equal(none, "untouched");
	write_text(file, "8d1c3a7e-6a1b-4f5e-9b0d-2c6f1e0a9b33\n", 0444);
	assert_int_equal(boot_id_read(d.path, &id), 0);
	assert_string_equal(id, "8d1c3a7e-6a1b-4f5e-9b0d-2c6f1e0a9b33");
	/* The running kernel's, when there is a /proc. */
	if (access("/proc/sys/kernel/random/boot_id", R_OK) == 0) {
		assert_int_equal(boot_id_read("/proc/sys", &real), 0);
		assert_int_equal(strlen(real), 36);
	}
	tmpdir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_new_add_key),
		cmocka_unit_test(test_make_id),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_json_refuses),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_version1),
		cmocka_unit_test(test_parse_version2),
		cmocka_unit_test(test_in_netns),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_not_json),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_load_mismatch),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_boot_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
