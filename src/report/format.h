/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_REPORT_FORMAT_H
#define TCPTUNE_REPORT_FORMAT_H

/*
 * Formatting helpers shared by the text, JSON and Prometheus renderers, so
 * that an address, a role or a number reads the same in all three.
 */

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "observation.h"
#include "jsonutil.h"
#include "util.h"

/* Big enough for any address (46); endpoints: ENDPOINT_MAX and endpoint_format() (observe). */
#define REPORT_ADDR_MAX 48
#define REPORT_ENDPOINT_MAX ENDPOINT_MAX
/* Big enough for report_format_double(). */
#define REPORT_DOUBLE_MAX 32

/* "127.0.0.1", "::1": 0, or -EAFNOSUPPORT / -ENOSPC. */
int report_format_addr(int family, const uint8_t addr[16], char *buf, size_t size);

/* "ipv4" / "ipv6" for AF_INET / AF_INET6, NULL for anything else. */
const char *report_family_name(int family);
/* "retransmitting" / "zero_window": a kind of stalled connection in JSON and Prometheus. */
const char *report_stall_name(enum stall k);
/* "ipv4" / "ipv6" for the observation's family index. */
const char *report_obs_family_name(enum obs_family f);
/* "server" when a listener holds the port, "client" otherwise. */
const char *report_role_name(bool server);

/* Room for report_format_holders(). */
#define REPORT_HOLDERS_MAX 192
/*
 * Who holds a port's sockets, for a person: "nginx.service (pids 1234, 1235
 * and 3 more)", the command when no service is known ("nginx (pid 1234)"),
 * ", perhaps others" when the lookup did not read every process; "" when
 * nobody was found or owners were not looked up. Control characters as '?'.
 */
void report_format_holders(char *buf, size_t size, const struct owner_set *s, int pid,
			   const char *comm);

/* Sockets in all states of one family, or of both with family < 0. */
uint64_t report_states_total(const struct observation *o, int family);

/*
 * Splits a counter name "TcpExt.ListenOverflows" at its first dot: returns the
 * length of the section ("TcpExt") and points *ret_field at "ListenOverflows".
 * A name without a dot has an empty section (0) and is all field.
 */
size_t report_counter_split(const char *name, const char **ret_field);

/*
 * The shortest decimal text that reads back as exactly d, always with a '.'
 * or an exponent so that it reads as a floating-point number ("2.0", "0.1",
 * "1e+300"). NaN and infinities are written "NaN", "+Inf", "-Inf"; callers
 * that cannot carry them (JSON) check isfinite() first.
 */
int report_format_double(double d, char *buf, size_t size);

/*
 * Length of the valid UTF-8 character that s starts with (1 to 4), or 0 when
 * s starts an invalid or truncated sequence. Process names and paths are bytes,
 * but JSON and Prometheus label values must be UTF-8.
 */
size_t report_utf8_char(const char *s);
/* A copy of s with each byte of an invalid sequence replaced by '?'; NULL: ENOMEM. */
char *report_utf8_sanitize(const char *s);

/* JSON helpers of the renderers (_cleanup_json_ and json_add() are util/jsonutil.h's). */
/* A string, or JSON null for NULL; text from files and the system need not be UTF-8. */
int report_json_add_str(json_object *o, const char *key, const char *s);
/* What every text renderer returns: 0 once f is flushed without error, else -EIO. */
int report_flushed(FILE *f);
/* o pretty-printed, then a newline, flushed: 0, -ENOMEM or -EIO. */
int report_json_print(FILE *f, json_object *o);

/* Whether the environment's locale (LC_ALL, LC_CTYPE, LANG) is UTF-8. */
bool report_env_unicode(void);

#endif
