# tests/integration/clilib.sh - helpers for the command-line tests that need
# no privileges (fake trees): source it, then call cli_finish at the end.
T="${TCPTUNE:?TCPTUNE must name the tcptune binary}"
FX="${SRCDIR:?}/tests/fixtures"
passed=0
failed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() {
	echo "ok: $*"
	passed=$((passed + 1))
}

bad() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# run ARGS...: runs tcptune, leaving $rc, $tmp/out and $tmp/err.
run() {
	"$T" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# expect_rc CODE WHAT: the last run's exit code.
expect_rc() {
	if [ "$rc" -eq "$1" ]; then
		ok "$2 -> $rc"
	else
		bad "$2 -> exit $rc, want $1"
		sed 's/^/    err: /' "$tmp/err"
	fi
}

# The closing line ctest's log shows, and the status.
cli_finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
