// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "yamltree.h"

#define RULES FIXTURES "/yaml/rules.yaml"

static struct ynode *load(const char *text)
{
	struct ynode *n = NULL;
	char *msg = NULL;
	int r;

	r = ytree_load_string(text, strlen(text), "t.yaml", &n, &msg);
	if (r < 0)
		fail_msg("'%s': %d %s", text, r, msg ? msg : "");
	free(msg);
	return n;
}

static const struct ynode *item(const struct ynode *seq, size_t i)
{
	assert_non_null(seq);
	assert_int_equal(seq->kind, YNODE_SEQ);
	assert_true(i < seq->n);
	return seq->items[i];
}

static void test_positions(void **state)
{
	_cleanup_ynode_ struct ynode *root = NULL;
	_cleanup_free_ char *msg = NULL;
	const struct ynode *rules, *r0, *r1, *see, *rec;

	(void)state;
	assert_int_equal(ytree_load_file(RULES, &root, &msg), 0);
	assert_null(msg);
	rules = ynode_get(root, "rules");
	r0 = item(rules, 0);
	r1 = item(rules, 1);
	see = ynode_get(r0, "see");
	rec = ynode_get(r1, "recommend");

	const struct {
		const struct ynode *node;
		enum ynode_kind kind;
		unsigned line, column;
		const char *value;
		size_t n;
	} cases[] = {
		{ root, YNODE_MAP, 2, 1, NULL, 1 },
		{ root->entries[0].key, YNODE_SCALAR, 2, 1, "rules", 0 },
		{ rules, YNODE_SEQ, 3, 3, NULL, 2 },
		{ r0, YNODE_MAP, 3, 5, NULL, 5 },
		{ r0->entries[0].key, YNODE_SCALAR, 3, 5, "id", 0 },
		{ ynode_get(r0, "id"), YNODE_SCALAR, 3, 9, "close-wait-leak", 0 },
		{ ynode_get(r0, "severity"), YNODE_SCALAR, 4, 15, "warning", 0 },
		{ ynode_get(r0, "when"), YNODE_SCALAR, 5, 11, "state.close_wait > 100", 0 },
		{ ynode_get(r0, "recommend"), YNODE_MAP, 6, 16, NULL, 0 },
		{ see, YNODE_SEQ, 7, 10, NULL, 2 },
		{ item(see, 0), YNODE_SCALAR, 7, 11, "https://docs.kernel.org/", 0 },
		{ item(see, 1), YNODE_SCALAR, 7, 37, "quoted", 0 },
		{ r1, YNODE_MAP, 8, 5, NULL, 2 },
		{ ynode_get(r1, "id"), YNODE_SCALAR, 8, 9, "tw", 0 },
		{ rec, YNODE_MAP, 10, 7, NULL, 1 },
		{ rec->entries[0].key, YNODE_SCALAR, 10, 7, "net.ipv4.tcp_tw_reuse", 0 },
		{ rec->entries[0].value, YNODE_SCALAR, 10, 30, "1", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct ynode *n = cases[i].node;

		assert_non_null(n);
		if (n->kind != cases[i].kind || n->line != cases[i].line ||
		    n->column != cases[i].column || n->n != cases[i].n)
			fail_msg("case %zu: %s at %u:%u with %zu, expected %s at %u:%u with %zu", i,
				 ynode_kind_name(n->kind), n->line, n->column, n->n,
				 ynode_kind_name(cases[i].kind), cases[i].line, cases[i].column,
				 cases[i].n);
		if (cases[i].value)
			assert_string_equal(n->value, cases[i].value);
		else
			assert_null(n->value);
	}
	/* Map entries stay in file order. */
	assert_string_equal(r0->entries[4].key->value, "see");
}

static void test_quoted(void **state)
{
	static const struct {
		const char *text;
		const char *value;
		bool quoted;
	} cases[] = {
		{ "a: 1", "1", false },	      { "a: '1'", "1", true },
		{ "a: \"1\"", "1", true },    { "a: !!str 1", "1", true },
		{ "a: !!int 1", "1", false }, { "a: |\n  x\n", "x\n", true },
		{ "a: ''", "", true },	      { "a:", "", false },
		{ "a: yes", "yes", false },   { "a: \"x\\ty\"", "x\ty", true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_ynode_ struct ynode *root = load(cases[i].text);
		const struct ynode *v = ynode_get(root, "a");

		assert_non_null(v);
		assert_int_equal(v->kind, YNODE_SCALAR);
		assert_string_equal(v->value, cases[i].value);
		if (v->quoted != cases[i].quoted)
			fail_msg("'%s': quoted is %d", cases[i].text, v->quoted);
	}
}

static void test_empty(void **state)
{
	static const char *const cases[] = { "", "\n\n", "# only a comment\n", "---\n",
					     "--- \n...\n" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ynode *root = (struct ynode *)&root;

		assert_int_equal(ytree_load_string(cases[i], strlen(cases[i]), "t", &root, NULL),
				 0);
		assert_null(root);
	}
	/* An explicitly empty string is a value, not an empty document. */
	_cleanup_ynode_ struct ynode *root = load("''");
	assert_non_null(root);
	assert_true(root->quoted);
	ynode_free(NULL);
}

static char *nested(unsigned depth)
{
	char *s = malloc(2 * depth + 1);

	assert_non_null(s);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	s[2 * depth] = '\0';
	return s;
}

static void test_errors(void **state)
{
	_cleanup_free_ char *deep = nested(65), *ok = nested(64);
	const struct {
		const char *text;
		size_t len; /* 0: strlen */
		int r;
		const char *msg;
	} cases[] = {
		{ "a: [1, 2\nb: 3\n", 0, -EBADMSG,
		  "t.yaml:2:2: did not find expected ',' or ']' (while parsing a flow sequence at "
		  "1:4)" },
		{ "a: b: c\n", 0, -EBADMSG,
		  "t.yaml:1:5: mapping values are not allowed in this context" },
		{ "a: 1\nb: 2\na: 3\n", 0, -EBADMSG, "t.yaml:3:1: duplicate key 'a'" },
		{ "x:\n  - {id: 1, k: 2, id: 3}\n", 0, -EBADMSG,
		  "t.yaml:2:19: duplicate key 'id'" },
		{ "a: 1\nb: *x\n", 0, -EBADMSG,
		  "t.yaml:2:4: anchors and aliases are not supported" },
		{ "a: &x 1\n", 0, -EBADMSG, "t.yaml:1:4: anchors and aliases are not supported" },
		{ "- &list [1]\n", 0, -EBADMSG,
		  "t.yaml:1:3: anchors and aliases are not supported" },
		{ "? [1]\n: 2\n", 0, -EBADMSG, "t.yaml:1:3: a sequence cannot be a mapping key" },
		{ "{a: 1}: 2\n", 0, -EBADMSG, "t.yaml:1:1: a mapping cannot be a mapping key" },
		{ "a: 1\n---\nb: 2\n", 0, -EBADMSG,
		  "t.yaml:2:1: only one YAML document is allowed" },
		{ deep, 0, -EBADMSG, "t.yaml:1:65: nested deeper than 64 levels" },
		{ "a: !foo 1\n", 0, -EBADMSG, "t.yaml:1:4: tag '!foo' is not supported" },
		{ "a: !!int [1]\n", 0, -EBADMSG,
		  "t.yaml:1:4: tag 'tag:yaml.org,2002:int' is not supported" },
		{ "a: \"x\\0y\"\n", 0, -EBADMSG, "t.yaml:1:4: NUL character in a scalar" },
		{ "a: 1\nb: \xff\n", 0, -EBADMSG, "t.yaml:2:4: invalid leading UTF-8 octet" },
		{ "a", (4u << 20) + 1, -EFBIG, "t.yaml: larger than 4 MiB" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ynode *root = (struct ynode *)&root;
		char *msg = NULL;
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
		int r;

		r = ytree_load_string(cases[i].text, len, "t.yaml", &root, &msg);
		if (r != cases[i].r || !msg || strcmp(msg, cases[i].msg) != 0)
			fail_msg("case %zu: %d '%s', expected %d '%s'", i, r, msg ? msg : "(null)",
				 cases[i].r, cases[i].msg);
		/* Out-parameters are left alone on failure. */
		assert_ptr_equal(root, &root);
		free(msg);
	}
	/* One level less than the cap is fine. */
	_cleanup_ynode_ struct ynode *root = load(ok);
	assert_int_equal(root->kind, YNODE_SEQ);
}

static void test_file_errors(void **state)
{
	struct ynode *root = NULL;
	char *msg = NULL;
	char path[] = "/tmp/test_yamltree.XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(ytree_load_file(FIXTURES "/yaml/duplicate.yaml", &root, &msg), -EBADMSG);
	assert_string_equal(msg, FIXTURES "/yaml/duplicate.yaml:4:5: duplicate key 'id'");
	assert_null(root);

	assert_int_equal(ytree_load_file(FIXTURES "/yaml/missing.yaml", &root, &msg), -ENOENT);
	assert_string_equal(msg, FIXTURES "/yaml/missing.yaml: No such file or directory");

	/* Exactly 4 MiB is allowed; a byte more is refused before parsing. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (4 << 20) + 1), 0);
	assert_int_equal(ytree_load_file(path, &root, &msg), -EFBIG);
	assert_string_equal(msg + strlen(path), ": larger than 4 MiB");
	assert_int_equal(ftruncate(fd, 0), 0);
	for (size_t i = 0; i < (4u << 20) / 8; i++)
		assert_int_equal(write(fd, "#......\n", 8), 8);
	assert_int_equal(ytree_load_file(path, &root, &msg), 0);
	assert_null(root);
	close(fd);
	unlink(path);
	free(msg);
}

static void test_get(void **state)
{
	_cleanup_ynode_ struct ynode *root = load("a: 1\nb: [x]\n\"c d\": {e: f}\n");
	const struct ynode *b = ynode_get(root, "b");

	(void)state;
	assert_string_equal(ynode_get(root, "a")->value, "1");
	assert_int_equal(b->kind, YNODE_SEQ);
	assert_string_equal(ynode_get(ynode_get(root, "c d"), "e")->value, "f");
	assert_null(ynode_get(root, "z"));
	assert_null(ynode_get(root, "A"));
	assert_null(ynode_get(b, "x"));
	assert_null(ynode_get(NULL, "a"));
	assert_string_equal(ynode_kind_name(YNODE_SCALAR), "scalar");
	assert_string_equal(ynode_kind_name(YNODE_SEQ), "sequence");
	assert_string_equal(ynode_kind_name(YNODE_MAP), "mapping");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_positions),   cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_empty),	    cmocka_unit_test(test_errors),
		cmocka_unit_test(test_file_errors), cmocka_unit_test(test_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
