/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef TCPTUNE_LINT_H
#define TCPTUNE_LINT_H

#include <stddef.h>

/*
 * Checks sysctl.conf-format files (sysctl.d(5)) against the knowledge base
 * and the running kernel: removed and unknown keys, invalid or forbidden
 * values, keys set twice or overridden by a later file, and settings that
 * cannot work together (tcp_tw_reuse without timestamps).
 */

enum lint_severity {
	LINT_WARNING, /* works, but probably not as meant */
	LINT_ERROR,   /* fails when applied, or harms */
};

const char *lint_severity_name(enum lint_severity s);

struct lint_finding {
	char *file;    /* as shown to the user: "/etc/sysctl.d/99-x.conf" */
	unsigned line; /* 1-based */
	char *key;     /* dotted; NULL when the line has no valid key */
	enum lint_severity severity;
	char *message;
};

struct lint_report {
	struct lint_finding *findings; /* in reading order: file, then line */
	size_t n;
	size_t n_files; /* files read */
};

struct lint_opts {
	const char *root;	  /* where the default files are looked for ("/") */
	const char *sysctl_root;  /* current values ("/proc/sys") */
	const char *const *files; /* files to check, in this order; NULL: the default set */
	size_t n_files;
};

/*
 * The files systemd-sysctl and `sysctl --system` read, in the order they read
 * them, as absolute paths relative to root ("/etc/sysctl.d/10-x.conf"): the
 * *.conf files of /etc/sysctl.d, /run/sysctl.d, /usr/local/lib/sysctl.d,
 * /usr/lib/sysctl.d and /lib/sysctl.d, where a name in an earlier directory
 * masks the same name in later ones (a link to /dev/null masks without being
 * read), sorted by file name; then /etc/sysctl.conf.
 */
int lint_default_files(const char *root, char ***ret_files, size_t *ret_n);

/*
 * Reads and checks the files. 0 and a report (possibly without findings), or
 * -errno with *errmsg naming what failed: a named file that does not exist
 * (-ENOENT), cannot be read, or a sysctl root that is not a directory.
 */
int lint_run(const struct lint_opts *o, struct lint_report **ret, char **errmsg);

struct lint_report *lint_report_free(struct lint_report *r);
void lint_files_free(char **files, size_t n);

#endif
