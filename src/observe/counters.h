/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_COUNTERS_H
#define TCPTUNE_COUNTERS_H

#include <stddef.h>

#include "observation.h"

/*
 * Kernel summaries and counters from a /proc root:
 *   net/sockstat   "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1"  -> sockstat "inuse" "orphan" ...
 *                  "sockets: used 120"                          -> sockstat "sockets_used"
 *   net/sockstat6  "TCP6: inuse 1"                              -> sockstat "v6.inuse"
 *   net/snmp       "Tcp:" header/value line pairs               -> counters "Tcp.<Name>"
 *   net/netstat    "TcpExt:" header/value line pairs            -> counters "TcpExt.<Name>"
 * The pure parsers work on text so that tests need no files. They append to
 * (*arr, *n) (growing the array) and, on malformed input, return -EBADMSG with a
 * message naming the line: "line 4: 'TcpExt:' has 120 names but 119 values".
 */
int counters_parse_pairs(const char *text, const char *const *sections, struct counter **arr,
			 size_t *n, char **errmsg);
int counters_parse_sockstat(const char *text, const char *line_tag, const char *prefix,
			    struct counter **arr, size_t *n, char **errmsg);

/*
 * Reads all four files under proc_root into o->sockstat and o->counters.
 * A missing sockstat6 (IPv6 disabled) is not an error; any other missing or
 * malformed file is: -ENOENT / -EBADMSG with "<path>: <what>" in *errmsg.
 */
int counters_read(const char *proc_root, struct observation *o, char **errmsg);

/* Frees an array of counters and their names; NULL is fine. */
void counters_free(struct counter *arr, size_t n);

#endif
