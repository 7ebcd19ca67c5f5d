// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "results.h"
#include "kb.h"
#include "sysctl.h"
#include "util.h"

static void usage(FILE *f)
{
	fputs("Usage: tcptune explain [-f text|json] [--sysctl-root DIR] KEY...\n"
	      "       tcptune explain [-f text|json] [--sysctl-root DIR] --all\n"
	      "\n"
	      "Explain what sysctls really do: range, default, namespace scope, kernel history,\n"
	      "the caveats, and the current value.\n"
	      "\n"
	      "  -a, --all              list every key tcptune knows, with its summary\n"
	      "  -f, --format FMT       text (default) or json\n"
	      "      --sysctl-root DIR  read current values from DIR (default /proc/sys)\n"
	      "  -h, --help             show this help\n",
	      f);
}

/* ---- The command ---- */

struct explain_args {
	enum report_format format;
	const char *sysctl_root;
	bool all;
};

/* The keys to show, with what the machine says of them; their strings are ours. */
struct shown {
	struct report_explain_key *keys;
	size_t n;
};

static void shown_free(struct shown *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->keys[i].key);
		free((char *)s->keys[i].current);
		free((char *)s->keys[i].path);
	}
	free(s->keys);
}

/* A key with its entry (NULL: unknown) and its live value under root; key is the caller's. */
static struct report_explain_key read_key(const char *key, const struct kb_entry *e,
					  const char *root)
{
	struct report_explain_key k = { .key = key, .kb = e };
	char *current = NULL;

	k.read_r = sysctl_read(root, key, &current);
	k.current = current;
	k.is_default = e && e->def && current && kb_values_equal(e, current, e->def);
	if (!e && k.read_r == 0) {
		char *path = NULL;

		if (sysctl_key_path(root, key, &path) == 0)
			k.path = path;
		k.writable_r = sysctl_writable(root, key);
		kb_entry_from_value(key, current, &k.shape);
	}
	return k;
}

/* Appends k, taking over its strings (freed on failure too); 0 or -ENOMEM. */
static int shown_add(struct shown *s, const struct report_explain_key *k)
{
	struct report_explain_key *keys = reallocarray(s->keys, s->n + 1, sizeof(*keys));

	if (!keys) {
		free((char *)k->key);
		free((char *)k->current);
		free((char *)k->path);
		return -ENOMEM;
	}
	s->keys = keys;
	s->keys[s->n++] = *k;
	return 0;
}

/* One key: its entry, or its bare value when tcptune does not know it. */
static int explain_key(const struct explain_args *a, const char *arg, struct shown *s)
{
	char *key = NULL;
	struct report_explain_key k;
	int r = 0;

	if (sysctl_key_normalize(arg, &key) < 0) {
		log_error("explain: '%s' is not a sysctl key", arg);
		return EXIT_DATAERR;
	}
	k = read_key(key, kb_lookup(key), a->sysctl_root);
	if (!k.kb && (k.read_r == -ENOENT || k.read_r == -EISDIR)) {
		log_error("explain: unknown key '%s': not in tcptune's knowledge base and absent "
			  "under %s",
			  key, a->sysctl_root);
		k.read_r = -ENOENT;
		r = EXIT_DATAERR;
	}
	/* JSON says that it is neither known nor present; text leaves it out. */
	if (r && a->format != FORMAT_JSON) {
		free(key);
		free((char *)k.current);
		return r;
	}
	return shown_add(s, &k) < 0 ? EXIT_OSERR : r;
}

/* --all in JSON: every entry of the knowledge base, with its live value. */
static int explain_all(const struct explain_args *a, struct shown *s)
{
	size_t n;
	const struct kb_entry *t = kb_entries(&n);

	for (size_t i = 0; i < n; i++) {
		char *key = strdup(t[i].key);
		struct report_explain_key k;

		if (!key)
			return EXIT_OSERR;
		k = read_key(key, &t[i], a->sysctl_root);
		if (shown_add(s, &k) < 0)
			return EXIT_OSERR;
	}
	return 0;
}

static int parse_args(struct explain_args *a, int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'f' },
		{ "sysctl-root", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*a = (struct explain_args){ .format = FORMAT_TEXT, .sysctl_root = SYSCTL_ROOT_DEFAULT };
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":af:h", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			a->all = true;
			break;
		case 'f':
			if (parse_format_text_json(optarg, &a->format))
				return EXIT_USAGE;
			break;
		case 'S':
			a->sysctl_root = optarg;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			return usage_error("explain", c, argv);
		}
	}
	if (a->all == (optind < argc)) {
		log_error("explain: %s; see 'tcptune explain --help'",
			  a->all ? "--all takes no keys" : "name at least one key, or --all");
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	struct shown s = { 0 };
	struct explain_args a;
	size_t n_kb;
	int r, rc = 0;

	r = parse_args(&a, argc, argv);
	if (r)
		return r < 0 ? 0 : r;
	if (a.all && a.format != FORMAT_JSON) {
		const struct kb_entry *entries = kb_entries(&n_kb);

		r = report_explain_list_text(stdout, entries, n_kb);
	} else {
		if (a.all)
			rc = explain_all(&a, &s);
		for (int i = optind; i < argc && rc != EXIT_OSERR; i++) {
			r = explain_key(&a, argv[i], &s);
			if (r && rc != EXIT_OSERR)
				rc = r;
		}
		r = rc == EXIT_OSERR	      ? 0
		    : a.format == FORMAT_JSON ? report_explain_json(stdout, s.keys, s.n)
					      : report_explain_text(stdout, s.keys, s.n);
	}
	shown_free(&s);
	/* -EIO leaves stdout in error, which the check below reports. */
	if (r == -ENOMEM)
		rc = EXIT_OSERR;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_error("writing the explanation: %s", strerror(errno));
		return EXIT_OSERR;
	}
	if (rc == EXIT_OSERR)
		log_error("out of memory");
	return rc;
}
