# shellcheck shell=bash
# tests/integration/clilib.sh - helpers for the command-line tests that need
# no privileges (fake trees): source it, then call cli_finish at the end.
# shellcheck source=tests/integration/wrappers.sh
. "$(dirname "${BASH_SOURCE[0]}")/wrappers.sh"
T="${TCPTUNE:?TCPTUNE must name the tcptune binary}"
FX="${SRCDIR:?}/tests/fixtures"
# The interpreter itself: a version manager's python3 shim takes a second a call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
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
	run_cmd "$T" "$@"
}

# run_cmd COMMAND ARGS...: the same for any command (tcptune under strace...).
run_cmd() {
	"$@" >"$tmp/out" 2>"$tmp/err"
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

# expect_same EXPECTED-FILE ACTUAL-FILE WHAT: the files are identical; else the diff.
expect_same() {
	if diff -u "$1" "$2" >"$tmp/diff"; then
		ok "$3"
	else
		bad "$3 (- expected, + got):"
		head -60 "$tmp/diff" | sed 's/^/    /'
	fi
}

# expect_text TEXT FILE WHAT: FILE holds exactly TEXT and a newline ("" for an empty file).
expect_text() {
	if [ -z "$1" ]; then
		: >"$tmp/want"
	else
		printf '%s\n' "$1" >"$tmp/want"
	fi
	expect_same "$tmp/want" "$2" "$3"
}

# expect_json WHAT EXPR EXPECTED-JSON: the Python expression EXPR, on the last
# run's standard output parsed as JSON (d), equals EXPECTED-JSON.
expect_json() {
	local got
	if got=$("$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
got, want = eval(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps(got, sort_keys=True))
sys.exit(got != want)' "$tmp/out" "$2" "$3" 2>&1); then
		ok "$1"
	else
		bad "$1: $2 is $got, want $3"
	fi
}

# fake_root NAME: makes $tmp/NAME, a fake /proc with the counters and sysctls
# of tests/fixtures/proc-good and the socket tables of tests/fixtures/procnet
# (21 sockets: see tests/fixtures/procnet/ss-tan.txt), and prints its path.
fake_root() {
	local r="$tmp/$1"
	mkdir -p "$r/net"
	cp -r "$FX/proc-good/sys" "$r/sys"
	cp "$FX"/proc-good/net/* "$FX"/procnet/net/tcp "$FX"/procnet/net/tcp6 "$r/net/"
	echo "$r"
}

# mask_time: a report with the snapshot's time (text "  at ... UTC", the
# Prometheus timestamp gauges of stats and diagnose) replaced by TIME, so that
# it can be compared.
mask_time() {
	sed -E 's/^(  at )[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}( UTC)$/\1TIME\2/
		s/^(tcptune_(observation|diagnose)_timestamp_seconds) [0-9.e+]+$/\1 TIME/'
}

# The closing line ctest's log shows, and the status.
cli_finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
