/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_PROCNET_H
#define TCPTUNE_PROCNET_H

#include "tally.h"

/*
 * The /proc/net/tcp and /proc/net/tcp6 fallback. The files are streamed
 * through a fixed buffer, so memory stays bounded at any socket count. These
 * files report a listener's accept-queue length but not its limit: listeners
 * get backlog -1.
 */

/* Parses one socket line (not the header). -EBADMSG when malformed. */
int procnet_parse_line(char *line, enum obs_family family, struct tally *t);

/* Reads one file; errors name the path and line: "<path>:12: malformed socket line". */
int procnet_read(const char *path, enum obs_family family, struct tally *t, char **errmsg);

/* Reads <proc_root>/net/tcp and net/tcp6 (a missing tcp6 means no IPv6). */
int procnet_collect(const char *proc_root, struct tally *t, char **errmsg);

#endif
