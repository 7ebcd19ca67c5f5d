/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_OWNERS_H
#define TCPTUNE_OWNERS_H

#include <stdint.h>

#include "observation.h"

/* Parses a /proc/PID/fd link target "socket:[12345]"; -EINVAL when it is not a socket. */
int owners_parse_link(const char *target, uint32_t *ret_inode);

/*
 * Finds the processes holding the sample sockets of the top ports and the
 * listeners (as `ss -p` does: socket inode against /proc/PID/fd links) and
 * fills their pid and comm. Processes we may not inspect are counted, and a
 * note says so: the lookup degrades, it does not fail.
 */
int owners_resolve(const char *proc_root, struct observation *o);

#endif
