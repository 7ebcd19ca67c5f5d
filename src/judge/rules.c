// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "rules.h"

#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dirlist.h"
#include "kb.h"
#include "sysctl.h"
#include "util.h"
#include "yamltree.h"

static const char *const severity_names[] = {
	[SEV_INFO] = "info",
	[SEV_WARNING] = "warning",
	[SEV_CRITICAL] = "critical",
};

const char *severity_name(enum severity s)
{
	return s >= SEV_INFO && s <= SEV_CRITICAL ? severity_names[s] : "ok";
}

enum severity severity_from_name(const char *name)
{
	for (enum severity s = SEV_INFO; s <= SEV_CRITICAL; s++)
		if (strcmp(severity_names[s], name) == 0)
			return s;
	return 0;
}

static void rule_clear(struct rule *r)
{
	free(r->id);
	free(r->when_text);
	expr_free(r->when);
	free(r->summary);
	free(r->explain);
	free(r->action);
	for (size_t i = 0; i < r->n_recommend; i++) {
		free(r->recommend[i].key);
		free(r->recommend[i].value);
		expr_free(r->recommend[i].bound);
	}
	free(r->recommend);
	for (size_t i = 0; i < r->n_see; i++)
		free(r->see[i]);
	free(r->see);
	for (size_t i = 0; i < r->n_evidence; i++)
		free(r->evidence[i]);
	free(r->evidence);
	for (size_t i = 0; i < r->n_supersedes; i++)
		free(r->supersedes[i]);
	free(r->supersedes);
	free(r->origin);
	memset(r, 0, sizeof(*r));
}

void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_clear(&rs->rules[i]);
	free(rs->rules);
	rs->rules = NULL;
	rs->n = 0;
}

const struct rule *ruleset_find(const struct ruleset *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->rules[i].id, id) == 0)
			return &rs->rules[i];
	return NULL;
}

/* ---- parsing one rule ---- */

static char *dup_scalar(const struct load_ctx *c, const struct ynode *n, const char *field)
{
	const char *s = load_scalar(c, n, field);

	return s ? strdup(s) : NULL;
}

/* Every "{metric}" of a template must name a metric. */
static void check_template(const struct load_ctx *c, const struct ynode *n, const char *field)
{
	for (const char *p = n->value; (p = strchr(p, '{'));) {
		_cleanup_free_ char *name = NULL;
		const char *end;

		if (p[1] == '{') {
			p += 2;
			continue;
		}
		end = strchr(p, '}');
		if (!end) {
			load_bad(c, n, "%s: '{' without a closing '}'", field);
			return;
		}
		name = strndup(p + 1, strcspn(p + 1, "|}"));
		if (name && metric_check(name) < 0)
			load_bad(c, n, "%s: unknown metric '{%s}'", field, name);
		p = end + 1;
	}
}

static int add_string(char ***arr, size_t *n, const char *s)
{
	char **a;

	for (size_t i = 0; i < *n; i++)
		if (strcmp((*arr)[i], s) == 0)
			return 0;
	a = realloc(*arr, (*n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	*arr = a;
	a[*n] = strdup(s);
	if (!a[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static void add_evidence(const char *name, void *data)
{
	struct rule *r = data;

	add_string(&r->evidence, &r->n_evidence, name);
}

static void parse_when(const struct load_ctx *c, const struct ynode *n, struct rule *r)
{
	_cleanup_free_ char *msg = NULL;
	unsigned col = 0;
	const char *s = load_scalar(c, n, "when");

	if (!s)
		return;
	if (expr_parse(s, &r->when, &col, &msg) < 0) {
		/* Point at the character: the value starts at the node's column. */
		struct ynode at = *n;

		if (!n->quoted && n->line > 0)
			at.column = n->column + (col ? col - 1 : 0);
		load_bad(c, &at, "when: %s", msg ? msg : "invalid expression");
		return;
	}
	r->when_text = strdup(s);
	expr_foreach_metric(r->when, add_evidence, r);
}

static bool is_integer(const char *s)
{
	int64_t v;

	return parse_i64(s, INT64_MIN, INT64_MAX, &v) == 0;
}

/* A recommended value: "1", "1024 65535", {min: N} / {max: N} (N may be an expression), {widen: LO
 * HI}. */
static const struct want_syntax recommend_syntax = {
	.kinds = WANT_KIND(REC_MIN) | WANT_KIND(REC_MAX) | WANT_KIND(REC_WIDEN),
	.bound_expr = true,
	.what = "recommend: ",
};

static void parse_recommendation(const struct load_ctx *c, const struct ymap_entry *e,
				 struct recommendation *rec)
{
	_cleanup_free_ char *reason = NULL, *key = NULL;
	const struct ynode *v = e->value;
	const struct kb_entry *kb;

	if (sysctl_key_normalize(e->key->value, &key) < 0) {
		load_bad(c, e->key, "recommend: '%s' is not a sysctl key", e->key->value);
		return;
	}
	kb = kb_lookup(key);
	if (!kb) {
		load_bad(c, e->key, "recommend: unknown sysctl '%s' (not in the knowledge base)",
			 key);
		return;
	}
	v = want_parse(c, &recommend_syntax, key, kb, v, &rec->kind);
	if (!v)
		return;
	if ((rec->kind == REC_MIN || rec->kind == REC_MAX) && !is_integer(v->value)) {
		_cleanup_free_ char *msg = NULL;
		unsigned col = 0;

		/* A bound relative to the machine's own values, checked when judged. */
		if (expr_parse(v->value, &rec->bound, &col, &msg) < 0) {
			load_bad(c, v, "recommend: %s: %s (column %u of the bound)", key,
				 msg ? msg : "invalid expression", col);
			return;
		}
		rec->key = TAKE_PTR(key);
		rec->value = strdup(v->value);
		return;
	}
	if (kb->removed) {
		load_bad(c, e->key,
			 "recommend: %s was removed in Linux %u.%u and must not be recommended",
			 key, kb->removed >> 16, (kb->removed >> 8) & 0xff);
		return;
	}
	if (kb_check_set(kb, v->value, 0, NULL, &reason) < 0) {
		load_bad(c, v, "recommend: %s = %s: %s", key, v->value, reason);
		return;
	}
	rec->key = TAKE_PTR(key);
	rec->value = strdup(v->value);
}

static void parse_recommend(const struct load_ctx *c, const struct ynode *n, struct rule *r)
{
	if (n->kind != YNODE_MAP) {
		load_bad(c, n, "recommend: expected a mapping of sysctl keys to values");
		return;
	}
	r->recommend = calloc(n->n ? n->n : 1, sizeof(*r->recommend));
	if (!r->recommend)
		return;
	for (size_t i = 0; i < n->n; i++) {
		parse_recommendation(c, &n->entries[i], &r->recommend[r->n_recommend]);
		if (r->recommend[r->n_recommend].key)
			r->n_recommend++;
	}
}

static void parse_string_list(const struct load_ctx *c, const struct ynode *n, const char *field,
			      char ***arr, size_t *count, bool metrics)
{
	if (n->kind != YNODE_SEQ) {
		load_bad(c, n, "%s: expected a list", field);
		return;
	}
	for (size_t i = 0; i < n->n; i++) {
		const char *s = load_scalar(c, n->items[i], field);

		if (!s)
			continue;
		if (metrics && metric_check(s) < 0) {
			load_bad(c, n->items[i], "%s: unknown metric '%s'", field, s);
			continue;
		}
		add_string(arr, count, s);
	}
}

static bool parse_bool(const struct load_ctx *c, const struct ynode *n, bool *ret)
{
	const char *s = load_scalar(c, n, "enabled");

	if (s && (strcmp(s, "true") == 0 || strcmp(s, "false") == 0)) {
		*ret = s[0] == 't';
		return true;
	}
	if (s)
		load_bad(c, n, "enabled: expected true or false, found '%s'", s);
	return false;
}

static const char *const rule_fields[] = {
	"id",	     "severity", "when",     "summary", "explain",    "action",
	"recommend", "see",	 "evidence", "enabled", "supersedes", NULL,
};

static bool known_field(const char *name)
{
	for (const char *const *f = rule_fields; *f; f++)
		if (strcmp(*f, name) == 0)
			return true;
	return false;
}

/* Returns whether the rule is whole; problems go to c->errs. */
static bool parse_rule(const struct load_ctx *c, const struct ynode *n, struct rule *r)
{
	const struct ynode *v;
	size_t before = c->errs->n;

	memset(r, 0, sizeof(*r));
	r->enabled = true;
	if (n->kind != YNODE_MAP) {
		load_bad(c, n, "a rule must be a mapping, found a %s", ynode_kind_name(n->kind));
		return false;
	}
	if (asprintf(&r->origin, "%s:%u", c->file, n->line) < 0)
		r->origin = NULL;
	for (size_t i = 0; i < n->n; i++)
		if (!known_field(n->entries[i].key->value))
			load_bad(c, n->entries[i].key, "unknown field '%s'",
				 n->entries[i].key->value);

	v = ynode_get(n, "id");
	if (!v)
		load_bad(c, n, "a rule needs an id");
	else if ((r->id = dup_scalar(c, v, "id")) && !load_valid_id(r->id))
		load_bad(c, v, "id '%s' must be lower-case letters, digits and '-'", r->id);
	if ((v = ynode_get(n, "enabled")))
		parse_bool(c, v, &r->enabled);
	/* "id: x, enabled: false" alone switches a rule off. */
	if (!r->enabled && n->n == 2)
		return c->errs->n == before;

	if (!(v = ynode_get(n, "severity")))
		load_bad(c, n, "rule '%s' needs a severity", r->id ? r->id : "?");
	else if (load_scalar(c, v, "severity") && !(r->severity = severity_from_name(v->value)))
		load_bad(c, v, "severity '%s' is not one of info, warning, critical", v->value);
	if (!(v = ynode_get(n, "when")))
		load_bad(c, n, "rule '%s' needs a 'when' condition", r->id ? r->id : "?");
	else
		parse_when(c, v, r);
	if (!(v = ynode_get(n, "summary")))
		load_bad(c, n, "rule '%s' needs a summary", r->id ? r->id : "?");
	else if ((r->summary = dup_scalar(c, v, "summary")))
		check_template(c, v, "summary");
	if ((v = ynode_get(n, "explain")) && (r->explain = dup_scalar(c, v, "explain")))
		check_template(c, v, "explain");
	if ((v = ynode_get(n, "action")) && (r->action = dup_scalar(c, v, "action")))
		check_template(c, v, "action");
	if ((v = ynode_get(n, "recommend")))
		parse_recommend(c, v, r);
	if ((v = ynode_get(n, "see")))
		parse_string_list(c, v, "see", &r->see, &r->n_see, false);
	if ((v = ynode_get(n, "evidence")))
		parse_string_list(c, v, "evidence", &r->evidence, &r->n_evidence, true);
	if ((v = ynode_get(n, "supersedes")))
		parse_string_list(c, v, "supersedes", &r->supersedes, &r->n_supersedes, false);
	for (size_t i = 0; i < r->n_supersedes; i++)
		if (!load_valid_id(r->supersedes[i]))
			load_bad(c, v, "supersedes: '%s' is not a rule id", r->supersedes[i]);
	return c->errs->n == before;
}

/* ---- files and layers ---- */

static void parse_file(const char *path, struct ruleset *layer, struct load_errors *errs)
{
	_cleanup_ynode_ struct ynode *root = NULL;
	_cleanup_free_ char *msg = NULL;
	struct load_ctx c = { .file = path, .errs = errs };
	_cleanup_close_ int fd = -1;
	const struct ynode *list;
	struct rule *grown;

	fd = load_open_safe(path, "rule file", errs);
	if (fd < 0)
		return;
	if (ytree_load_fd(fd, path, &root, &msg) < 0) {
		load_errors_add(errs, "%s", msg ? msg : path);
		return;
	}
	if (!root)
		return; /* an empty file holds no rules */
	list = ynode_get(root, "rules");
	if (root->kind != YNODE_MAP || !list || list->kind != YNODE_SEQ) {
		load_bad(&c, root, "expected a mapping with a 'rules:' list");
		return;
	}
	for (size_t i = 0; i < root->n; i++)
		if (strcmp(root->entries[i].key->value, "rules") != 0)
			load_bad(&c, root->entries[i].key, "unknown field '%s'",
				 root->entries[i].key->value);
	grown = realloc(layer->rules, (layer->n + list->n + 1) * sizeof(*grown));
	if (!grown) {
		load_errors_add(errs, "%s: out of memory", path);
		return;
	}
	layer->rules = grown;
	for (size_t i = 0; i < list->n; i++) {
		struct rule *r = &layer->rules[layer->n];

		if (!parse_rule(&c, list->items[i], r)) {
			rule_clear(r);
			continue;
		}
		if (ruleset_find(layer, r->id)) {
			load_bad(&c, list->items[i], "duplicate rule id '%s' (first at %s)", r->id,
				 ruleset_find(layer, r->id)->origin);
			rule_clear(r);
			continue;
		}
		layer->n++;
	}
}

static void parse_dir(const char *dir, struct ruleset *layer, struct load_errors *errs)
{
	char **names = NULL;
	size_t n = 0;
	int r = dir_list(AT_FDCWD, dir, ".yaml", &names, &n);

	if (r < 0) {
		load_errors_add(errs, "%s: %s", dir, strerror(-r));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *p = path_join(dir, names[i]);

		if (p)
			parse_file(p, layer, errs);
	}
	strv_free(names);
}

/* Puts the layer's rules over rs: same id replaces, a disabling stub disables. */
static int merge_layer(struct ruleset *rs, struct ruleset *layer)
{
	struct rule *grown = realloc(rs->rules, (rs->n + layer->n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	rs->rules = grown;
	for (size_t i = 0; i < layer->n; i++) {
		struct rule *l = &layer->rules[i];
		struct rule *old = (struct rule *)ruleset_find(rs, l->id);

		if (old && !l->enabled && !l->when) {
			old->enabled = false;
			rule_clear(l);
		} else if (old) {
			rule_clear(old);
			*old = *l;
		} else if (!l->when) {
			/* Disabling a rule nobody defined: harmless, nothing to keep. */
			rule_clear(l);
		} else {
			rs->rules[rs->n++] = *l;
		}
	}
	free(layer->rules);
	layer->rules = NULL;
	layer->n = 0;
	return 0;
}

int ruleset_load(struct ruleset *rs, const char *path, struct load_errors *errs)
{
	struct ruleset layer = { 0 };
	size_t before = errs->n;
	struct stat st;

	if (stat(path, &st) < 0) {
		int r = -errno;

		load_errors_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	if (S_ISDIR(st.st_mode))
		parse_dir(path, &layer, errs);
	else
		parse_file(path, &layer, errs);
	if (errs->n > before) {
		ruleset_free(&layer);
		return -EBADMSG;
	}
	if (merge_layer(rs, &layer) < 0) {
		ruleset_free(&layer);
		return -ENOMEM;
	}
	return 0;
}

/* ---- what the rules need from a snapshot ---- */

/* Adds the key of a sysctl metric or recommendation ("x.y[1]" -> "x.y") once. */
static int add_key(char ***keys, size_t *n, const char *name)
{
	char *key = strndup(name, strcspn(name, "["));
	char **k;

	if (!key)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*keys)[i], key) == 0) {
			free(key);
			return 0;
		}
	k = realloc(*keys, (*n + 2) * sizeof(*k));
	if (!k) {
		free(key);
		return -ENOMEM;
	}
	k[(*n)++] = key;
	k[*n] = NULL;
	*keys = k;
	return 0;
}

struct key_list {
	char ***keys;
	size_t *n;
};

static void add_sysctl_metric(const char *name, void *data)
{
	struct key_list *l = data;

	if (strncmp(name, "sysctl.", 7) == 0)
		add_key(l->keys, l->n, name + 7);
}

char **ruleset_sysctl_keys(const struct ruleset *rs)
{
	char **keys = calloc(1, sizeof(*keys));
	size_t n = 0;

	for (size_t i = 0; keys && i < rs->n; i++) {
		const struct rule *r = &rs->rules[i];

		if (!r->enabled)
			continue;
		for (size_t j = 0; j < r->n_recommend; j++) {
			if (add_key(&keys, &n, r->recommend[j].key) < 0)
				goto oom;
			if (r->recommend[j].bound)
				expr_foreach_metric(r->recommend[j].bound, add_sysctl_metric,
						    &(struct key_list){ &keys, &n });
		}
		for (size_t j = 0; j < r->n_evidence; j++)
			if (strncmp(r->evidence[j], "sysctl.", 7) == 0 &&
			    add_key(&keys, &n, r->evidence[j] + 7) < 0)
				goto oom;
	}
	return keys;
oom:
	strv_free(keys);
	return NULL;
}
