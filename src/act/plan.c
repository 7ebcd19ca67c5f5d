// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "plan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "sysctl.h"
#include "util.h"

static void item_clear(struct plan_item *it)
{
	free(it->key);
	free(it->want);
	free(it->source);
	free(it->current);
	free(it->value);
	memset(it, 0, sizeof(*it));
}

void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		item_clear(&p->items[i]);
	free(p->items);
	p->items = NULL;
	p->n = 0;
}

int plan_add(struct plan *p, const char *key, const char *want, enum rec_kind kind,
	     const char *source)
{
	_cleanup_free_ char *k = NULL;
	struct plan_item *it = NULL;
	int r;

	r = sysctl_key_normalize(key, &k);
	if (r < 0)
		return r;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].key, k) == 0) {
			it = &p->items[i];
			item_clear(it);
			break;
		}
	if (!it) {
		struct plan_item *items = realloc(p->items, (p->n + 1) * sizeof(*items));

		if (!items)
			return -ENOMEM;
		p->items = items;
		it = &items[p->n++];
		memset(it, 0, sizeof(*it));
	}
	it->key = TAKE_PTR(k);
	it->want = strdup(want);
	it->source = strdup(source);
	it->kind = kind;
	if (!it->want || !it->source)
		return -ENOMEM;
	return 0;
}

size_t plan_changes(const struct plan *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += p->items[i].change;
	return n;
}

/* Reads the live value: 0, or the problem in errs (absent, removed, unreadable). */
static int read_current(struct plan_item *it, const struct kb_entry *e, const char *root,
			unsigned kernel_version, struct load_errors *errs)
{
	_cleanup_free_ char *reason = NULL;
	int r = sysctl_read(root, it->key, &it->current);

	if (r == -ENOENT && e && e->removed &&
	    kb_check_set(e, it->want, kernel_version, NULL, &reason) < 0) {
		load_errors_add(errs, "%s: %s (from %s)", it->key, reason, it->source);
		return r;
	}
	if (r == -ENOENT) {
		it->current = NULL;
		load_errors_add(
			errs, "%s: absent on this kernel or in this network namespace%s (from %s)",
			it->key,
			!e || e->per_netns ? "" : "; it exists only in the initial namespace",
			it->source);
		return r;
	}
	if (r < 0) {
		load_errors_add(errs, "%s: cannot read the current value: %s (from %s)", it->key,
				strerror(-r), it->source);
		return r;
	}
	/* Refused now, not half-way through the transaction. */
	r = sysctl_writable(root, it->key);
	if (r < 0) {
		load_errors_add(errs, "%s: %s (from %s)", it->key,
				r == -EROFS ? "read-only here (in this network namespace)"
					    : strerror(-r),
				it->source);
		return r;
	}
	return 0;
}

static void check_item(struct plan_item *it, const char *root, const char *netns,
		       unsigned kernel_version, struct load_errors *errs)
{
	_cleanup_free_ char *reason = NULL;
	const struct kb_entry *e = kb_lookup(it->key);
	struct kb_entry live_shape;

	/* From inside a namespace, a host-wide key would still change the host's value. */
	if (netns && !kb_per_netns(it->key)) {
		load_errors_add(errs,
				"%s: not per network namespace: setting it in %s would change the "
				"host's value (from %s)",
				it->key, netns, it->source);
		return;
	}
	if (read_current(it, e, root, kernel_version, errs) < 0)
		return;
	if (!e) {
		/* Any existing, writable key: checked against what its live value looks like. */
		kb_entry_from_value(it->key, it->current, &live_shape);
		e = &live_shape;
		it->unknown = true;
		/* A bound or a range needs a live value of its shape; the loaders could not tell.
		 */
		if (!want_kind_fits(e, it->kind)) {
			load_errors_add(errs, "%s: {%s: %s} needs %s, not '%s' (from %s)", it->key,
					want_kind_name(it->kind),
					it->kind == REC_WIDEN ? "LO HI" : "N",
					it->kind == REC_WIDEN ? "a range of two integers"
							      : "a key holding one integer",
					it->current, it->source);
			return;
		}
	}
	it->value = want_resolve(e, it->kind, it->current, it->want);
	if (!it->value) {
		load_errors_add(errs, "%s: out of memory", it->key);
		return;
	}
	if (kb_check_set(e, it->value, kernel_version, it->current, &reason) < 0) {
		load_errors_add(errs, "%s = %s: %s%s (from %s)", it->key, it->value,
				reason ? reason : "invalid",
				it->unknown ? " (the shape of its live value)" : "", it->source);
		return;
	}
	it->change = !kb_values_equal(e, it->current, it->value);
}

/* The value a key will have once the plan is applied, from the plan or the kernel. */
static const char *final_value(const struct plan *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->items[i].key, key) == 0)
			return p->items[i].value ? p->items[i].value : p->items[i].current;
	return NULL;
}

static void check_relations(struct plan *p, const char *root, struct load_errors *errs)
{
	_cleanup_free_ char *live_reuse = NULL, *live_ts = NULL;
	const char *reuse = final_value(p, "net.ipv4.tcp_tw_reuse");
	const char *ts = final_value(p, "net.ipv4.tcp_timestamps");

	/* tcp_tw_reuse reuses TIME_WAIT ports only when timestamps tell old segments apart. */
	if (!reuse && !ts)
		return;
	if (!reuse && sysctl_read(root, "net.ipv4.tcp_tw_reuse", &live_reuse) == 0)
		reuse = live_reuse;
	if (!ts && sysctl_read(root, "net.ipv4.tcp_timestamps", &live_ts) == 0)
		ts = live_ts;
	/* Compared as the kernel reads them: "0x1" is 1 too. */
	if (kb_values_equal(kb_lookup("net.ipv4.tcp_tw_reuse"), reuse, "1") &&
	    kb_values_equal(kb_lookup("net.ipv4.tcp_timestamps"), ts, "0"))
		load_errors_add(errs, "net.ipv4.tcp_tw_reuse = 1 needs TCP timestamps, but "
				      "net.ipv4.tcp_timestamps would be 0: set it to 1 too");
}

int plan_resolve(struct plan *p, const char *sysctl_root, unsigned kernel_version,
		 struct load_errors *errs)
{
	size_t before = errs->n;

	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].current);
		free(p->items[i].value);
		p->items[i].current = p->items[i].value = NULL;
		p->items[i].change = false;
		p->items[i].unknown = false;
		check_item(&p->items[i], sysctl_root, p->netns, kernel_version, errs);
	}
	check_relations(p, sysctl_root, errs);
	return errs->n > before ? -EBADMSG : 0;
}
