// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "kb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sysctl.h"
#include "util.h"

/*
 * One number as the kernel's proc handlers read it: they parse with base 0,
 * so "0x400" is hex and "010" octal (8). Hex is useful for bitmaps such as
 * tcp_fastopen; a leading zero is almost always a mistake, so it is refused
 * rather than silently read as octal.
 */
static int parse_number(const char *s, int64_t *ret, const char **why)
{
	const char *digits = s + (*s == '-');
	char *end;
	long long v;

	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
		if (!digits[2] || !strchr("0123456789abcdefABCDEF", digits[2]))
			goto bad;
		errno = 0;
		v = strtoll(s, &end, 16);
	} else {
		if (*digits < '0' || *digits > '9')
			goto bad;
		if (digits[0] == '0' && digits[1]) {
			*why = "has a leading zero, which the kernel would read as octal";
			return -EINVAL;
		}
		errno = 0;
		v = strtoll(s, &end, 10);
	}
	if (*end)
		goto bad;
	if (errno == ERANGE) {
		*why = "is too large";
		return -ERANGE;
	}
	*ret = v;
	return 0;
bad:
	*why = "is not an integer";
	return -EINVAL;
}

/* A string value names a kernel module-like object: "cubic", "fq_codel". */
static int check_name(const struct kb_entry *e, const char *v, char **reason)
{
	size_t len = strlen(v);

	if (e->choices) {
		_cleanup_free_ char *list = NULL;

		for (const char *const *c = e->choices; *c; c++) {
			char *l;

			if (strcmp(*c, v) == 0)
				return 0;
			if (asprintf(&l, "%s%s%s", list ? list : "", list ? " " : "", *c) < 0)
				return -ENOMEM;
			free(list);
			list = l;
		}
		return err_set(reason, -EINVAL, "'%s' is not one of: %s", v, list ? list : "");
	}
	/* TCP_CA_NAME_MAX and IFNAMSIZ-sized qdisc names: 16 bytes with the NUL. */
	if (len == 0 || len > 15 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_") != len)
		return err_set(
			reason, -EINVAL,
			"'%s' is not a valid name (1 to 15 lowercase letters, digits or '_')", v);
	return 0;
}

/* Relations between the elements of one value that the kernel enforces. */
static int check_relations(const struct kb_entry *e, const int64_t *nums, char **reason)
{
	if (strcmp(e->key, "net.ipv4.ip_local_port_range") == 0 && nums[0] >= nums[1])
		return err_set(reason, -EINVAL, "low end %lld is not below high end %lld",
			       (long long)nums[0], (long long)nums[1]);
	return 0;
}

/* "65536 is above the maximum 65535", "element 2 (65536) is above ...". */
static int out_of_range(const struct kb_entry *e, size_t i, const char *tok, bool below,
			char **reason)
{
	const struct kb_range *rg = &e->range[i];
	const char *what = below ? "below the minimum" : "above the maximum";
	long long limit = below ? rg->min : rg->max;

	if (e->type == KB_VEC)
		return err_set(reason, -EINVAL, "element %zu (%s) is %s %lld", i + 1, tok, what,
			       limit);
	return err_set(reason, -EINVAL, "%s is %s %lld", tok, what, limit);
}

/* Words in a normalised value: one more than its blanks. */
static size_t count_fields(const char *s)
{
	size_t n = *s ? 1 : 0;

	for (; *s; s++)
		n += *s == ' ';
	return n;
}

static int parse_numbers(const struct kb_entry *e, char *copy, int64_t *nums, char **reason)
{
	char *f[KB_MAX_VEC];
	size_t n = count_fields(copy);

	if (n != e->n)
		return err_set(reason, -EINVAL, "expects %u integer%s, got %zu", e->n,
			       e->n == 1 ? "" : "s", n);
	split_fields(copy, f, n);
	for (size_t i = 0; i < n; i++) {
		const char *why;

		if (parse_number(f[i], &nums[i], &why) < 0) {
			if (e->type == KB_VEC)
				return err_set(reason, -EINVAL, "element %zu (%s) %s", i + 1, f[i],
					       why);
			return err_set(reason, -EINVAL, "'%s' %s", f[i], why);
		}
		if (nums[i] < e->range[i].min || nums[i] > e->range[i].max)
			return out_of_range(e, i, f[i], nums[i] < e->range[i].min, reason);
	}
	return check_relations(e, nums, reason);
}

int kb_parse_value(const struct kb_entry *e, const char *value, int64_t *ret_nums, size_t *ret_n,
		   char **reason)
{
	_cleanup_free_ char *copy = NULL;
	int64_t nums[KB_MAX_VEC];
	int r;

	if (!e || !value)
		return -EINVAL;
	copy = sysctl_value_normalize(strdup(value));
	if (!copy)
		return -ENOMEM;
	if (e->type == KB_TEXT) {
		/* One line: a newline would end the value early in /proc and in sysctl.d. */
		for (const char *c = value; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return err_set(reason, -EINVAL,
					       "the value holds a control character");
		if (ret_n)
			*ret_n = 0;
		return 0;
	}
	if (e->type == KB_STRING) {
		r = check_name(e, copy, reason);
		if (r < 0)
			return r;
		if (ret_n)
			*ret_n = 0;
		return 0;
	}
	if (!*copy)
		return err_set(reason, -EINVAL, "the value is empty");
	r = parse_numbers(e, copy, nums, reason);
	if (r < 0)
		return r;
	if (ret_nums)
		memcpy(ret_nums, nums, e->n * sizeof(nums[0]));
	if (ret_n)
		*ret_n = e->n;
	return 0;
}

/* The lowest value a never_lower key may take, or -1 when nothing is known. */
static int64_t lower_bound(const struct kb_entry *e, const char *current, const char **what)
{
	int64_t cur, def, floor = -1;

	if (e->type != KB_INT)
		return -1;
	if (current && kb_parse_value(e, current, &cur, NULL, NULL) == 0) {
		floor = cur;
		*what = "its current value";
	}
	if (e->def && kb_parse_value(e, e->def, &def, NULL, NULL) == 0 && def > floor) {
		floor = def;
		*what = "the kernel default";
	}
	return floor;
}

int kb_check_set(const struct kb_entry *e, const char *value, unsigned kernel_version,
		 const char *current, char **reason)
{
	const char *what = NULL;
	int64_t v, floor;
	int r;

	if (!e || !value)
		return -EINVAL;
	if (e->removed && (kernel_version == 0 || kernel_version >= e->removed))
		return err_set(reason, -EINVAL, "%s was removed in Linux %u.%u", e->key,
			       e->removed >> 16, (e->removed >> 8) & 0xff);
	if (e->since && kernel_version && kernel_version < e->since)
		return err_set(reason, -EINVAL,
			       "%s needs Linux %u.%u or later (this kernel is %u.%u)", e->key,
			       e->since >> 16, (e->since >> 8) & 0xff, kernel_version >> 16,
			       (kernel_version >> 8) & 0xff);
	r = kb_parse_value(e, value, e->type == KB_INT ? &v : NULL, NULL, reason);
	if (r < 0 || !e->never_lower)
		return r;
	floor = lower_bound(e, current, &what);
	if (floor >= 0 && v < floor)
		return err_set(reason, -EINVAL,
			       "must not be lowered below %lld (%s): the kernel documentation says "
			       "this limit only guards against simple DoS attacks and must not be "
			       "lowered artificially; raise it instead",
			       (long long)floor, what);
	return 0;
}

bool kb_values_equal(const struct kb_entry *e, const char *a, const char *b)
{
	_cleanup_free_ char *na = NULL, *nb = NULL;
	int64_t va[KB_MAX_VEC], vb[KB_MAX_VEC];

	if (!a || !b)
		return a == b;
	/* Numerically when both parse, so that "0x1" equals "1" as the kernel sees it. */
	if (e && e->type != KB_STRING && e->type != KB_TEXT &&
	    kb_parse_value(e, a, va, NULL, NULL) == 0 && kb_parse_value(e, b, vb, NULL, NULL) == 0)
		return memcmp(va, vb, e->n * sizeof(va[0])) == 0;
	na = sysctl_value_normalize(strdup(a));
	nb = sysctl_value_normalize(strdup(b));
	return na && nb && strcmp(na, nb) == 0;
}

int64_t kb_effective(const struct kb_entry *e, int64_t value)
{
	return e->type == KB_INT && value == 0 && e->zero_means ? e->zero_means : value;
}

bool kb_per_netns(const char *key)
{
	const struct kb_entry *e = kb_lookup(key);

	return e ? e->per_netns : strncmp(key, "net.", 4) == 0;
}

void kb_entry_from_value(const char *key, const char *value, struct kb_entry *ret)
{
	_cleanup_free_ char *copy = value ? sysctl_value_normalize(strdup(value)) : NULL;
	size_t n = copy && *copy ? count_fields(copy) : 0;
	char *f[KB_MAX_VEC];
	int64_t v;
	const char *why;

	*ret = (struct kb_entry){
		.key = key, .type = KB_TEXT, .per_netns = kb_per_netns(key), .unknown = true
	};
	if (n == 0 || n > KB_MAX_VEC)
		return;
	split_fields(copy, f, n);
	for (size_t i = 0; i < n; i++)
		if (parse_number(f[i], &v, &why) < 0)
			return;
	ret->type = n == 1 ? KB_INT : KB_VEC;
	ret->n = (unsigned)n;
	for (size_t i = 0; i < n; i++)
		ret->range[i] = (struct kb_range){ INT64_MIN, INT64_MAX };
}
