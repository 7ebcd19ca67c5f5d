/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_SYSCTL_H
#define TCPTUNE_SYSCTL_H

/*
 * The one place that knows what a sysctl key is and how to read it.
 *
 * Keys come in dotted ("net.ipv4.tcp_fin_timeout") or slashed
 * ("net/ipv4/tcp_fin_timeout") form. The dotted form is canonical.
 */

/* Where the live kernel's sysctls are. */
#define SYSCTL_ROOT_DEFAULT "/proc/sys"

#include <stdbool.h>

/*
 * Canonical dotted form of a key, or -EINVAL for a key that is empty, has an
 * empty component, a "." or ".." component, or characters outside
 * [A-Za-z0-9_-] (and '.' / '/' as separators).
 */
int sysctl_key_normalize(const char *key, char **ret);

/* The file of a key under a sysctl root ("/proc/sys"); refuses keys that would escape it. */
int sysctl_key_path(const char *root, const char *key, char **ret);

/*
 * Reads a key's current value under root. Whitespace runs (tabs in tcp_rmem)
 * fold to one space and the ends are trimmed. -ENOENT: no such key on this
 * kernel; -EACCES: not readable; -EINVAL: bad key; -EISDIR: the key names a
 * directory ("net.ipv4"); -EFBIG: larger than 64 KiB; -EBADMSG: holds a NUL.
 */
int sysctl_read(const char *root, const char *key, char **ret_value);

/*
 * Writes a value under root: the value and its newline in a single write(),
 * because a value split across two writes can be rejected or half-set.
 * Returns 0 or the kernel's refusal: -EINVAL (a value it does not accept),
 * -ENOENT (no such key), -EACCES/-EPERM (not permitted, or a read-only key),
 * -EIO when write() took fewer bytes than given.
 */
int sysctl_write(const char *root, const char *key, const char *value);

/*
 * Whether the key can be written here: 0, or -EROFS when its file has no
 * owner write bit. /proc/sys decides by those bits even for root, so this is
 * what a write would meet: in a container's network namespace some net.*
 * keys are read-only. -ENOENT, -EINVAL as for sysctl_read().
 */
int sysctl_writable(const char *root, const char *key);

/* Folds whitespace runs to one space and trims, in place; returns s. */
char *sysctl_value_normalize(char *s);

/*
 * Whether Kubernetes classes a key (dotted, canonical) as safe: in the
 * kubelet's safe set, which any Pod may set. Every other key is unsafe and
 * needs the node's kubelet --allowed-unsafe-sysctls (k8s.c).
 */
bool sysctl_k8s_safe(const char *key);

#endif
