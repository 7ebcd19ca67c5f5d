/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_UTIL_H
#define TCPTUNE_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _cleanup_(f) __attribute__((cleanup(f)))

/* Hands ownership over: returns the pointer and clears the variable that held it. */
#define TAKE_PTR(p)                     \
	({                              \
		__typeof__(p) _p = (p); \
		(p) = NULL;             \
		_p;                     \
	})

/* Hands a file descriptor over, as TAKE_PTR() does a pointer. */
#define TAKE_FD(fd)             \
	({                      \
		int _fd = (fd); \
		(fd) = -1;      \
		_fd;            \
	})

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

static inline void closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_close_ _cleanup_(closep)

/*
 * Error messages travel up as heap strings so that the command layer can print
 * them once. err_set() replaces *ret_msg (when ret_msg is not NULL) and
 * returns r, which must be a negative errno, so that "return err_set(...)" reads
 * naturally.
 */
int err_set(char **ret_msg, int r, const char *fmt, ...) _printf_(3, 4);
/* Appends "; <text>" to *msg (or sets it): a failure told in several parts. */
void str_appendf(char **msg, const char *fmt, ...) _printf_(2, 3);

/* Bounded number parsing: the whole string must be a number in [min, max]. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *ret);
int parse_u64(const char *s, uint64_t max, uint64_t *ret);

/*
 * "6.1.0-18-amd64" -> (6 << 16) | (1 << 8) | 0, as the kernel's KERNEL_VERSION
 * (the third number is capped at 255, as the kernel caps it). -EINVAL when
 * the release does not start with "major.minor".
 */
int parse_kernel_release(const char *release, unsigned *ret_code);

/* Joins a root directory and a relative path: "/proc" + "net/tcp". */
char *path_join(const char *root, const char *rel);

/*
 * Reads a whole (small, /proc-like) file into a NUL-terminated heap buffer.
 * Files larger than max_size bytes are refused with -EFBIG rather than truncated.
 */
int read_file_str(const char *path, size_t max_size, char **ret, size_t *ret_len);
/* The same from an open file descriptor (read to its end). */
int read_fd_str(int fd, size_t max_size, char **ret, size_t *ret_len);

/*
 * A copy of s fit for one line of a log: control characters and DEL become
 * \n, \t or \xNN, so that a value quoted in a message can neither end the
 * line (and start one that looks like another message) nor drive the
 * terminal. Other bytes, UTF-8 included, are kept. NULL when out of memory.
 */
char *str_escape_controls(const char *s);

/* Splits s in place at runs of blanks, up to max fields; returns the count. */
size_t split_fields(char *s, char **fields, size_t max);

#endif
