// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include "loaderr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "yamltree.h"

void load_errors_free(struct load_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->msgs[i]);
	free(e->msgs);
	e->msgs = NULL;
	e->n = 0;
}

static int add_msg(struct load_errors *e, char *msg)
{
	char **msgs = realloc(e->msgs, (e->n + 1) * sizeof(*msgs));

	if (!msgs) {
		free(msg);
		return -ENOMEM;
	}
	msgs[e->n++] = msg;
	e->msgs = msgs;
	return 0;
}

int load_errors_add(struct load_errors *e, const char *fmt, ...)
{
	char *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	return add_msg(e, msg);
}

void load_errors_vat(struct load_errors *e, const char *file, const struct ynode *n,
		     const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	load_errors_add(e, "%s:%u:%u: %s", file, n->line, n->column, msg ? msg : "out of memory");
}

void load_errors_at(struct load_errors *e, const char *file, const struct ynode *n, const char *fmt,
		    ...)
{
	va_list ap;

	va_start(ap, fmt);
	load_errors_vat(e, file, n, fmt, ap);
	va_end(ap);
}

void load_bad(const struct load_ctx *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	load_errors_vat(c->errs, c->file, n, fmt, ap);
	va_end(ap);
}

const char *load_scalar(const struct load_ctx *c, const struct ynode *n, const char *field)
{
	if (n->kind == YNODE_SCALAR)
		return n->value;
	load_bad(c, n, "%s: expected a scalar, found a %s", field, ynode_kind_name(n->kind));
	return NULL;
}

bool load_valid_id(const char *id)
{
	if (!*id || strlen(id) > 64)
		return false;
	for (const char *p = id; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') && *p != '-')
			return false;
	return true;
}

/* The checks of load_open_safe(), on the descriptor that will be read. */
static int check_fd_safe(int fd, const char *path, const char *what, struct load_errors *errs)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		int r = -errno;

		load_errors_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		load_errors_add(errs, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		load_errors_add(errs, "%s: owned by uid %u, not by root or uid %u: refusing it",
				path, (unsigned)st.st_uid, (unsigned)geteuid());
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		load_errors_add(errs, "%s: refusing a %s that group or others may write", path,
				what);
		return -EPERM;
	}
	return 0;
}

int load_open_safe(const char *path, const char *what, struct load_errors *errs)
{
	_cleanup_close_ int fd = -1;
	int r;

	/* O_NONBLOCK: a FIFO must be refused, not waited on. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		load_errors_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	r = check_fd_safe(fd, path, what, errs);
	if (r < 0)
		return r;
	r = fd;
	fd = -1;
	return r;
}
