// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "format.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int report_format_addr(int family, const uint8_t addr[16], char *buf, size_t size)
{
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (!inet_ntop(family, addr, buf, (socklen_t)size))
		return -errno;
	return 0;
}

const char *report_stall_name(enum stall k)
{
	return k == STALL_ZERO_WINDOW ? "zero_window" : "retransmitting";
}

const char *report_family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "ipv4";
	case AF_INET6:
		return "ipv6";
	default:
		return NULL;
	}
}

const char *report_obs_family_name(enum obs_family f)
{
	return f == OBS_V6 ? "ipv6" : "ipv4";
}

const char *report_role_name(bool server)
{
	return server ? "server" : "client";
}

uint64_t report_states_total(const struct observation *o, int family)
{
	uint64_t total = 0;

	FOREACH_TCP_STATE(s) {
		if (family < 0)
			total += observation_state_total(o, s);
		else
			total += o->states[family][s];
	}
	return total;
}

size_t report_counter_split(const char *name, const char **ret_field)
{
	const char *dot = strchr(name, '.');

	if (!dot) {
		*ret_field = name;
		return 0;
	}
	*ret_field = dot + 1;
	return (size_t)(dot - name);
}

int report_format_double(double d, char *buf, size_t size)
{
	int n = 0;

	if (isnan(d))
		n = snprintf(buf, size, "NaN");
	else if (isinf(d))
		n = snprintf(buf, size, "%cInf", d < 0 ? '-' : '+');
	else if (d == trunc(d) && fabs(d) < 1e15)
		n = snprintf(buf, size, "%.1f", d); /* "30.0", never "3e+01" */
	else
		for (int prec = 1; prec <= 17; prec++) {
			n = snprintf(buf, size, "%.*g", prec, d);
			if (n < 0 || (size_t)n >= size || strtod(buf, NULL) == d)
				break;
		}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	if (isfinite(d) && !strpbrk(buf, ".e")) {
		if ((size_t)n + 2 >= size)
			return -ENOSPC;
		memcpy(buf + n, ".0", 3);
	}
	return 0;
}

static bool is_cont(const char *s, size_t i)
{
	return ((unsigned char)s[i] & 0xc0) == 0x80;
}

size_t report_utf8_char(const char *s)
{
	const unsigned char c = (unsigned char)s[0], d = (unsigned char)s[1];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return is_cont(s, 1) ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		/* No overlong forms (E0 80..9F), no UTF-16 surrogates (ED A0..BF). */
		if ((c == 0xe0 && d < 0xa0) || (c == 0xed && d > 0x9f))
			return 0;
		return is_cont(s, 1) && is_cont(s, 2) ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		/* No overlong forms (F0 80..8F), nothing above U+10FFFF (F4 90..). */
		if ((c == 0xf0 && d < 0x90) || (c == 0xf4 && d > 0x8f))
			return 0;
		return is_cont(s, 1) && is_cont(s, 2) && is_cont(s, 3) ? 4 : 0;
	}
	return 0;
}

char *report_utf8_sanitize(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return NULL;
	for (char *p = copy; *p;) {
		size_t n = report_utf8_char(p);

		if (n == 0) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
	return copy;
}

static bool is_utf8_codeset(const char *locale)
{
	const char *dot = strchr(locale, '.');

	if (!dot)
		return false;
	dot++;
	return strncasecmp(dot, "utf-8", 5) == 0 || strncasecmp(dot, "utf8", 4) == 0;
}

bool report_env_unicode(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };

	/* The first one set decides, as setlocale() would. */
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return is_utf8_codeset(v);
	}
	return false;
}

int report_json_add_str(json_object *o, const char *key, const char *s)
{
	_cleanup_free_ char *clean = NULL;

	if (!s)
		return json_object_object_add(o, key, NULL) < 0 ? -ENOMEM : 0;
	clean = report_utf8_sanitize(s);
	return clean ? json_add(o, key, json_object_new_string(clean)) : -ENOMEM;
}

int report_json_print(FILE *f, json_object *o)
{
	const char *text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);

	if (!text)
		return -ENOMEM;
	if (fputs(text, f) < 0 || fputc('\n', f) == EOF || fflush(f) == EOF)
		return -EIO;
	return 0;
}

int report_flushed(FILE *f)
{
	return fflush(f) == EOF || ferror(f) ? -EIO : 0;
}

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n > 0)
		*len += (size_t)n;
}

void report_format_holders(char *buf, size_t size, const struct owner_set *s, int pid,
			   const char *comm)
{
	const char *who = s->service ? s->service : comm;
	size_t len = 0;

	buf[0] = '\0';
	if (s->n_pids == 0 && pid <= 0)
		return;
	if (s->n_pids == 0) { /* one socket's owner, without a holders' lookup */
		if (comm)
			append(buf, size, &len, "%s (%d)", comm, pid);
		else
			append(buf, size, &len, "pid %d", pid);
	} else {
		append(buf, size, &len, "%s%s(pid%s", who ? who : "", who ? " " : "",
		       s->n_pids + s->n_more > 1 ? "s" : "");
		for (size_t i = 0; i < s->n_pids; i++)
			append(buf, size, &len, "%s %d", i ? "," : "", s->pids[i]);
		if (s->n_more)
			append(buf, size, &len, " and %zu more", s->n_more);
		append(buf, size, &len, "%s)", s->complete ? "" : ", perhaps others");
	}
	for (char *p = buf; *p;) {
		size_t n = report_utf8_char(p);

		if (n == 0 || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p++ = '?';
		else
			p += n;
	}
}
