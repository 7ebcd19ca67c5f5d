// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "profile.h"
#include "util.h"

#define LOCAL_RULES_DIR "/etc/tcptune/rules.d"
#define LOCAL_PROFILES_DIR "/etc/tcptune/profiles.d"

/* Whether path is a directory. */
static bool is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The shipped data: $TCPTUNE_DATADIR; else the source tree when this binary
 * runs from its build tree (so ./build/tcptune works without installing);
 * else where it lies relative to the binary as installed
 * ("<bindir>/../share/tcptune", whatever prefix it was installed under);
 * else the datadir configured at build time.
 */
char *data_path(const char *sub)
{
	const char *env = getenv("TCPTUNE_DATADIR");
	_cleanup_free_ char *rel = NULL;
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env)
		return path_join(env, sub);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		if (strcmp(exe, TCPTUNE_BUILD_DIR) == 0)
			return path_join(TCPTUNE_SOURCE_DIR, sub);
		rel = path_join(exe, TCPTUNE_DATADIR_FROM_BINDIR);
		if (is_dir(rel))
			return path_join(rel, sub);
	}
	return path_join(TCPTUNE_DATADIR, sub);
}

int data_dir_check(const char *sub)
{
	_cleanup_free_ char *dir = data_path(sub);
	struct stat st;

	if (!dir) {
		log_error("out of memory");
		return EXIT_OSERR;
	}
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
	}
	/* tcptune's own rules and profiles: without them it can only give wrong answers. */
	log_error("%s: %s (tcptune's shipped data: reinstall it, or set TCPTUNE_DATADIR)", dir,
		  strerror(errno));
	return EXIT_NOINPUT;
	return 0;
}

char **profile_search_path(void)
{
	char **dirs = calloc(3, sizeof(*dirs));

	if (!dirs)
		return NULL;
	/* Local profiles first: one named like a shipped profile replaces it. */
	dirs[0] = strdup(LOCAL_PROFILES_DIR);
	dirs[1] = data_path("profiles");
	if (!dirs[0] || !dirs[1]) {
		strv_free(dirs);
		return NULL;
	}
	return dirs;
}

int profile_load_cmd(const char *name_or_path, struct profile *ret)
{
	char **dirs = profile_search_path();
	struct load_errors errs = { 0 };
	int r;

	if (!dirs) {
		log_error("out of memory");
		return EXIT_OSERR;
	}
	r = profile_load(name_or_path, (const char *const *)dirs, ret, &errs);
	strv_free(dirs);
	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.msgs[i]);
	load_errors_free(&errs);
	if (r == -ENOMEM)
		log_error("out of memory");
	return r < 0 ? exit_code_from_errno(r) : 0;
}

static int load_layer(struct ruleset *rs, const char *path)
{
	struct load_errors errs = { 0 };
	int r = ruleset_load(rs, path, &errs);

	for (size_t i = 0; i < errs.n; i++)
		log_error("%s", errs.msgs[i]);
	load_errors_free(&errs);
	return r;
}

int rules_load_all(struct ruleset *rs, const char *const *extra, size_t n_extra, bool shipped)
{
	_cleanup_free_ char *dir = shipped ? data_path("rules") : NULL;
	struct stat st;
	int r = 0, e;

	if (shipped) {
		if (!dir)
			return EXIT_OSERR;
		r = load_layer(rs, dir);
		if (r == -ENOENT)
			return EXIT_NOINPUT;
		if (stat(LOCAL_RULES_DIR, &st) == 0 && (e = load_layer(rs, LOCAL_RULES_DIR)) < 0)
			r = r < 0 ? r : e;
	}
	for (size_t i = 0; i < n_extra; i++) {
		e = load_layer(rs, extra[i]);
		if (e < 0 && r == 0)
			r = e;
	}
	/* What only the whole set can tell: the rules each one supersedes exist. */
	if (r == 0) {
		struct load_errors errs = { 0 };

		r = ruleset_check(rs, &errs);
		for (size_t i = 0; i < errs.n; i++)
			log_error("%s", errs.msgs[i]);
		load_errors_free(&errs);
	}
	if (r == -ENOENT)
		return EXIT_NOINPUT;
	if (r == -EPERM)
		return EXIT_NOPERM;
	return r < 0 ? EXIT_DATAERR : 0;
}
