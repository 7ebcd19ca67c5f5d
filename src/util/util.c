// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

int err_set(char **ret_msg, int r, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (!ret_msg)
		return r;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	free(*ret_msg);
	*ret_msg = msg;
	return r;
}

void str_appendf(char **msg, const char *fmt, ...)
{
	_cleanup_free_ char *add = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (n < 0 || !msg)
		return;
	if (*msg)
		err_set(msg, 0, "%s; %s", *msg, add);
	else
		*msg = TAKE_PTR(add);
}

int parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

int parse_u64(const char *s, uint64_t max, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	/* strtoull accepts a sign and silently negates: refuse it. */
	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*ret = v;
	return 0;
}

/* Reads a decimal number at *s, at most max, and moves *s past it. */
static int take_number(const char **s, unsigned long max, unsigned long *ret)
{
	unsigned long v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	*s = p;
	*ret = v;
	return 0;
}

int parse_kernel_release(const char *release, unsigned *ret_code)
{
	unsigned long major, minor, patch = 0;
	const char *p = release;

	if (!p || take_number(&p, 255, &major) < 0 || *p++ != '.' ||
	    take_number(&p, 255, &minor) < 0)
		return -EINVAL;
	/* A patch level is optional ("4.12"); what follows it is the distribution's. */
	if (*p == '.') {
		p++;
		if (take_number(&p, ULONG_MAX / 10, &patch) < 0)
			patch = 0;
	}
	*ret_code = (unsigned)(major << 16 | minor << 8 | (patch > 255 ? 255 : patch));
	return 0;
}

char *path_join(const char *root, const char *rel)
{
	char *p;
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	while (*rel == '/')
		rel++;
	if (asprintf(&p, "%.*s/%s", (int)n, root, rel) < 0)
		return NULL;
	return p;
}

int read_fd_str(int fd, size_t max_size, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = max_size < 4096 ? max_size : 4096;

	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap == max_size) {
				char extra;

				/* Full: only a file that ends here fits. */
				n = read(fd, &extra, 1);
				if (n < 0 && errno == EINTR)
					continue;
				if (n < 0)
					return -errno;
				if (n > 0)
					return -EFBIG;
				break;
			}
			cap = cap > max_size / 2 ? max_size : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return -ENOMEM;
			buf = nb;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

int read_file_str(const char *path, size_t max_size, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_fd_str(fd, max_size, ret, ret_len);
}

char *str_escape_controls(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += *p < 0x20 || *p == 0x7f ? 4 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != 0x7f) {
			*o++ = (char)*p;
			continue;
		}
		*o++ = '\\';
		if (*p == '\n') {
			*o++ = 'n';
		} else if (*p == '\t') {
			*o++ = 't';
		} else {
			*o++ = 'x';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 0xf];
		}
	}
	*o = '\0';
	return out;
}

size_t split_fields(char *s, char **fields, size_t max)
{
	size_t n = 0;

	while (n < max) {
		s += strspn(s, " \t\n");
		if (!*s)
			break;
		fields[n++] = s;
		s += strcspn(s, " \t\n");
		if (*s)
			*s++ = '\0';
	}
	return n;
}
