#!/usr/bin/env bash
# Man pages and help agree with the binary (scripts/check-docs): mandoc -Tlint
# is clean, and every option each verb accepts is in its --help, in
# tcptune(8)'s text for the verb and in the bash completion. Then copies of
# the documents, each with one mismatch planted, must be caught. Needs no
# privileges.
set -u
# shellcheck source=tests/integration/clilib.sh
. "$(dirname "$0")/clilib.sh"

if ! command -v mandoc >/dev/null; then
	if [ "${CI:-}" = true ]; then
		bad "mandoc is not installed (scripts/install-deps installs it)"
		cli_finish
		exit
	fi
	echo "skip: mandoc is not installed"
	exit 77
fi

# check-docs runs the binary a few hundred times with --help; under ASan the
# leak check at each exit doubles the time and finds nothing the rest of the
# suite and valgrind do not.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

"$SRCDIR/scripts/check-docs" "$T" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/out" ]; then
	ok "check-docs: the man pages, every verb's --help and the completion agree with $T"
else
	bad "check-docs -> exit $rc:"
	sed 's/^/    /' "$tmp/out"
fi

# rollback, confirm and history share a getopt table: each refuses the options
# of the others, as the documents say, naming the option and not its value.
refused=(
	"history --sysctl-root $tmp|tcptune: history: unknown option '--sysctl-root'; see 'tcptune history --help'"
	"rollback --format json|tcptune: rollback: unknown option '--format'; see 'tcptune rollback --help'"
	"confirm -f text|tcptune: confirm: unknown option '-f'; see 'tcptune confirm --help'"
	"confirm --force|tcptune: confirm: unknown option '--force'; see 'tcptune confirm --help'"
)
for case in "${refused[@]}"; do
	read -ra args <<<"${case%%|*}"
	run "${args[@]}" --state-dir "$tmp/state"
	expect_rc 64 "${case%%|*}"
	expect_text "${case#*|}" "$tmp/err" "${case%%|*}: the option named"
done
if [ -e "$tmp/state" ]; then
	bad "a refused option made the state directory"
else
	ok "a refused option: nothing ran"
fi

# A tree of the documents for check-docs to read, to plant mismatches in.
copy_tree() {
	rm -rf "$tmp/tree"
	mkdir -p "$tmp/tree/scripts" "$tmp/tree/src" "$tmp/tree/contrib"
	cp "$SRCDIR/scripts/check-docs" "$tmp/tree/scripts/"
	cp -r "$SRCDIR/man" "$tmp/tree/man"
	cp -r "$SRCDIR/src/cmd" "$tmp/tree/src/cmd"
	cp -r "$SRCDIR/contrib/bash-completion" "$tmp/tree/contrib/"
}

# A tcptune whose 'diagnose --help' forgets the line of --no-processes.
cat >"$tmp/forgetful" <<EOF
#!/bin/sh
if [ "\$1 \$2" = "diagnose --help" ]; then
	"$T" "\$@" | sed 's/ *\[--no-processes\]//; /--no-processes/d'
else
	exec "$T" "\$@"
fi
EOF
chmod +x "$tmp/forgetful"

# expect_caught WHAT WANT [TCPTUNE VERB]: check-docs on the tree (of that
# verb of that binary) exits 1 and says WANT, and only that.
expect_caught() {
	"$tmp/tree/scripts/check-docs" "${@:3}" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(cat "$tmp/out")" = "$2" ]; then
		ok "check-docs catches $1"
	else
		bad "check-docs on $1 -> exit $rc; want '$2', got:"
		sed 's/^/    /' "$tmp/out"
	fi
}

copy_tree
sed -i '1s/"[^"]*"/"November 2026"/' "$tmp/tree/man/tcptune-rules.5"
expect_caught "a .TH date mandoc cannot parse" \
	"mandoc: man/tcptune-rules.5:1:21: WARNING: cannot parse date, using it verbatim: TH November 2026"

copy_tree
"$PYTHON" - "$tmp/tree/man/tcptune.8" <<'PY'
import sys
s = open(sys.argv[1]).read()
for mention in (".RB [ \\-\\-no\\-processes ]\n",
                ".TP\n.B \\-\\-no\\-processes\nDoes not look up the processes holding sockets.\n"):
    assert s.count(mention) == 1, mention
    s = s.replace(mention, "")
open(sys.argv[1], "w").write(s)
PY
expect_caught "an option missing from tcptune(8)" \
	"tcptune diagnose accepts --no-processes, which tcptune(8) does not name for diagnose" \
	"$T" diagnose

copy_tree
sed -i "s/opts='--netns --netns-pid --state-dir --sysctl-root -h/opts='--netns --netns-pid --state-dir -h/" \
	"$tmp/tree/contrib/bash-completion/tcptune"
expect_caught "an option the completion does not offer" \
	"tcptune confirm accepts --sysctl-root, which the bash completion does not offer" \
	"$T" confirm

copy_tree
sed -i "s/opts='-f --format --netns --netns-pid --state-dir -h/opts='-f --format --force --netns --netns-pid --state-dir -h/" \
	"$tmp/tree/contrib/bash-completion/tcptune"
expect_caught "an option the completion offers and the verb refuses" \
	"the bash completion names --force for history, which tcptune history does not accept" \
	"$T" history

copy_tree
expect_caught "an option missing from --help" \
	"tcptune diagnose accepts --no-processes, which 'tcptune diagnose --help' does not name" \
	"$tmp/forgetful" diagnose

cli_finish
