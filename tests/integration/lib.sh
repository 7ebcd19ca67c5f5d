# shellcheck shell=bash
# tests/integration/lib.sh - helpers for the integration tests; source it.
#
# The tests run the real tcptune against real sockets made by sockmix, in
# network namespaces of their own, so that they see only their sockets and
# may change per-namespace sysctls without touching the host. ctest sets
# TCPTUNE, SOCKMIX and SRCDIR.
#
# A test script looks like:
#   . "$(dirname "$0")/lib.sh"
#   need_root_and_netns
#   check_something() {
#           start_sockmix --established 3 --time-wait 2   # sockmix's own options
#           wait_sockmix_ready                             # sets SOCKMIX_JSON
#           assert_counts "$(json_states "$SOCKMIX_JSON" "")" "$(ss_counts)" "ss sees the mix"
#           stop_sockmix
#   }
#   run_in_netns check_something
#   finish                                                 # exit 1 if a check failed
#
# need_tmp makes TEST_TMP, a scratch directory; on_exit registers cleanups.
#
# Functions given to run_in_netns run in a child bash in a fresh namespace:
# they see copies of the script's functions and variables (changes stay in the
# child), and their failures are counted in the parent.

# shellcheck source=tests/integration/wrappers.sh
. "$(dirname "${BASH_SOURCE[0]}")/wrappers.sh"

# tcptune's state names, in its order (src/observe/tcpstate.c).
STATE_KEYS=(established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait
	last_ack listen closing)

_lib_failures=0
_lib_cleanups=()
TEST_TMP= # a private temporary directory, see need_tmp

# --- preconditions ---

# Without root or namespaces the test cannot run: a skip (77) on a developer's
# machine, a failure under CI, where a silent skip would hide a broken setup.
skip_or_fail() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: integration test cannot run under CI: $*"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

need_root_and_netns() {
	local tool
	[ "$(id -u)" -eq 0 ] || skip_or_fail "needs root (network namespaces, sysctls)"
	for tool in unshare ip ss python3; do
		command -v "$tool" >/dev/null || skip_or_fail "$tool is not installed"
	done
	unshare -n true 2>/dev/null || skip_or_fail "cannot create a network namespace (unshare -n)"
	# These come from ctest; a missing one is a broken build, never a skip.
	for tool in TCPTUNE SOCKMIX; do
		if [ -z "${!tool:-}" ] || [ ! -x "${!tool}" ]; then
			echo "FAIL: \$$tool ('${!tool:-}') is not an executable; run the test with ctest"
			exit 1
		fi
	done
	export TCPTUNE SOCKMIX SRCDIR
}

# --- cleanup ---

# Registers a command to run when the script exits, newest first.
on_exit() {
	_lib_cleanups+=("$(printf '%q ' "$@")")
}

_lib_run_cleanups() {
	local i
	for ((i = ${#_lib_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_lib_cleanups[i]}" >/dev/null 2>&1 || true
	done
	_lib_cleanups=()
}
trap _lib_run_cleanups EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Makes TEST_TMP, a private temporary directory removed at exit. Not in $(...):
# the directory must be made, and its removal registered, in this very shell.
need_tmp() {
	if [ -z "$TEST_TMP" ]; then
		TEST_TMP=$(mktemp -d /tmp/tcptune-test.XXXXXX)
		on_exit rm -rf "$TEST_TMP"
	fi
}

# --- namespaces ---

# Bash's own variables that appear only in some contexts (FUNCNAME inside a function).
_lib_dynamic_vars="FUNCNAME GROUPS PIPESTATUS DIRSTACK RANDOM SRANDOM SECONDS LINENO
	EPOCHREALTIME EPOCHSECONDS OPTIND OPTARG OPTERR COLUMNS LINES COPROC _"

# Prints declarations of the variables the script made after sourcing lib.sh
# (not bash's own, not readonly ones, not lib's state), to recreate them.
_lib_script_vars() {
	local _lib_name _lib_decl _lib_flags
	for _lib_name in $(compgen -v); do
		[[ "$_lib_base_vars" == *" $_lib_name "* || $_lib_name == BASH* ||
			$_lib_name == _lib_* || " $_lib_dynamic_vars " == *" $_lib_name "* ]] && continue
		_lib_decl=$(declare -p "$_lib_name" 2>/dev/null) || continue
		_lib_flags=${_lib_decl#declare -}
		[[ ${_lib_flags%% *} == *r* ]] && continue
		echo "$_lib_decl"
	done
}

# Runs FUNC [ARGS...] in a child bash in a fresh network namespace with lo up.
run_in_netns() {
	local _lib_path
	_lib_path=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh
	# Sourcing gives lib's variables fresh values; then the script's functions and variables.
	# shellcheck disable=SC2016 # expanded by the child
	unshare -n bash -c '
		set -euo pipefail
		. "$1"
		eval "$2" || { echo "FAIL: cannot copy the functions"; exit 1; }
		eval "$3" || { echo "FAIL: cannot copy the variables"; exit 1; }
		shift 3
		[ "$(readlink /proc/self/ns/net)" != "$(readlink /proc/1/ns/net)" ] ||
			{ echo "FAIL: not in a private network namespace"; exit 1; }
		ip link set lo up
		"$@"
		finish' bash "$_lib_path" "$(declare -f)" "$(_lib_script_vars)" "$@" ||
		fail "$1 (in a private network namespace)"
}

# --- transactions ---

# wait_txn_pending STATE_DIR: waits up to 10 s for the newest transaction there
# to be pending (an apply --try that wrote its values and journaled them). A
# value read back is not enough before killing the waiter: it may still be
# about to record that it is pending.
wait_txn_pending() {
	local i
	for ((i = 0; i < 200; i++)); do
		"$TCPTUNE" history --format json --state-dir "$1" 2>/dev/null |
			"${PYTHON:-python3}" -c 'import json, sys; h = json.load(sys.stdin); sys.exit(not h or h[-1]["status"] != "pending")' &&
			return 0
		sleep 0.05
	done
	fail "the newest transaction in $1 never became pending"
	return 1
}

# --- diagnose ---

# diagnose_json ARGS...: runs diagnose --format json; sets DIAG (the JSON) and
# DIAG_RC. Output on stderr is a failure.
diagnose_json() {
	need_tmp
	DIAG_RC=0
	"$TCPTUNE" diagnose --format json "$@" >"$TEST_TMP/diag.json" 2>"$TEST_TMP/diag.err" ||
		DIAG_RC=$?
	DIAG=$(cat "$TEST_TMP/diag.json")
	if [ -s "$TEST_TMP/diag.err" ]; then
		fail "diagnose wrote to stderr: $(head -3 "$TEST_TMP/diag.err")"
	fi
}

# finding ID EXPR: evaluates a Python expression (it may span lines) on the
# finding `f` with that id, the whole report `d` and the json module; prints
# the result, "" when there is no such finding. $PYTHON, when the script sets
# it, saves a version manager's shim (about a second a call).
finding() {
	"${PYTHON:-python3}" - "$DIAG" "$1" "$2" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
f = next((f for f in d["findings"] if f["id"] == sys.argv[2]), None)
print("" if f is None else eval("(" + sys.argv[3] + ")", {"f": f, "d": d, "json": json}))
PY
}

# --- sockmix ---

SOCKMIX_PID=
# shellcheck disable=SC2034 # for the tests
SOCKMIX_JSON= # the counts line of the last "ready"

# start_sockmix [-n NETNS] ARGS...: starts sockmix (in the named namespace with -n)
# with a fifo for stdin, so that closing it stops sockmix.
start_sockmix() {
	local tmp prefix=()
	if [ "${1:-}" = -n ]; then
		prefix=(ip netns exec "$2")
		shift 2
	fi
	need_tmp
	tmp=$TEST_TMP
	rm -f "$tmp/sockmix.ctl"
	mkfifo "$tmp/sockmix.ctl"
	"${prefix[@]}" "$SOCKMIX" "$@" <"$tmp/sockmix.ctl" >"$tmp/sockmix.out" 2>"$tmp/sockmix.err" &
	SOCKMIX_PID=$!
	exec {SOCKMIX_CTL}>"$tmp/sockmix.ctl"
	on_exit _lib_kill_sockmix "$SOCKMIX_PID"
	SOCKMIX_JSON=
}

_lib_kill_sockmix() {
	kill "$1" 2>/dev/null || return 0
	wait "$1" 2>/dev/null || true
}

# Waits up to SECONDS (default 30) for "ready" and the counts; sets SOCKMIX_JSON.
wait_sockmix_ready() {
	local timeout=${1:-30} tmp=$TEST_TMP deadline
	deadline=$((SECONDS + timeout))
	until [ "$(sed -n 1p "$tmp/sockmix.out")" = ready ] && [ -n "$(sed -n 2p "$tmp/sockmix.out")" ]; do
		if ! kill -0 "$SOCKMIX_PID" 2>/dev/null; then
			echo "FAIL: sockmix exited before ready:"
			sed 's/^/  /' "$tmp/sockmix.err"
			exit 1
		fi
		if ((SECONDS >= deadline)); then
			echo "FAIL: sockmix not ready after $timeout s:"
			sed 's/^/  /' "$tmp/sockmix.err"
			exit 1
		fi
		sleep 0.02
	done
	# shellcheck disable=SC2034 # for the tests
	SOCKMIX_JSON=$(sed -n 2p "$tmp/sockmix.out")
	# sockmix says so when the namespace does not show its mix; that breaks every comparison.
	if [ -s "$tmp/sockmix.err" ]; then
		echo "FAIL: sockmix warned:"
		sed 's/^/  /' "$tmp/sockmix.err"
		exit 1
	fi
}

# Closes sockmix's stdin and expects it to exit 0 within 10 s.
stop_sockmix() {
	local i rc=0
	exec {SOCKMIX_CTL}>&-
	for ((i = 0; i < 500; i++)); do
		kill -0 "$SOCKMIX_PID" 2>/dev/null || break
		sleep 0.02
	done
	if kill -0 "$SOCKMIX_PID" 2>/dev/null; then
		fail "sockmix still running 10 s after its stdin closed"
		kill "$SOCKMIX_PID"
	fi
	wait "$SOCKMIX_PID" || rc=$?
	assert_eq 0 "$rc" "sockmix exit status"
	SOCKMIX_PID=
}

# --- counts ---

# Prints a JSON object of all STATE_KEYS from a JSON document: the object at a
# dotted PATH ("" for the top level, "v4", "states_v6"), missing keys as 0.
json_states() { # JSON PATH
	python3 - "$1" "$2" "${STATE_KEYS[@]}" <<'EOF'
import json, sys
doc, path, keys = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
for part in filter(None, path.split(".")):
    doc = doc[part]
print(json.dumps({k: doc.get(k, 0) for k in keys}))
EOF
}

# Prints one value of a JSON document at a dotted path.
json_get() { # JSON PATH
	python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
for part in sys.argv[2].split("."):
    doc = doc[part]
print(json.dumps(doc) if isinstance(doc, (dict, list)) else doc)' "$1" "$2"
}

# Per-state counts from `ss -tan`, as JSON with tcptune's names.
# ss_counts [-n NETNS] [-4|-6]
ss_counts() {
	local prefix=()
	if [ "${1:-}" = -n ]; then
		prefix=(ip netns exec "$2")
		shift 2
	fi
	"${prefix[@]}" ss -tan "$@" | python3 -c '
import json, sys
names = {"ESTAB": "established", "SYN-SENT": "syn_sent", "SYN-RECV": "syn_recv",
         "FIN-WAIT-1": "fin_wait1", "FIN-WAIT-2": "fin_wait2", "TIME-WAIT": "time_wait",
         "UNCONN": "close", "CLOSE": "close", "CLOSE-WAIT": "close_wait",
         "LAST-ACK": "last_ack", "LISTEN": "listen", "CLOSING": "closing"}
counts = dict.fromkeys(sys.argv[1:], 0)
lines = sys.stdin.read().splitlines()
for line in lines[1:]:
    state = line.split()[0]
    if state not in names:
        sys.exit("ss_counts: unknown ss state " + state)
    counts[names[state]] += 1
print(json.dumps(counts))' "${STATE_KEYS[@]}"
}

# --- assertions ---

fail() {
	echo "FAIL: $*"
	_lib_failures=$((_lib_failures + 1))
}

assert_eq() { # EXPECTED ACTUAL WHAT
	if [ "$1" = "$2" ]; then
		echo "ok: $3"
	else
		fail "$3: expected '$1', got '$2'"
	fi
}

# Compares two JSON objects of state counts; prints every differing state.
assert_counts() { # EXPECTED-JSON ACTUAL-JSON WHAT
	local diff
	if diff=$(python3 - "$1" "$2" <<'EOF'
import json, sys
want, got = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bad = [f"  {k}: expected {want.get(k, 0)}, got {got.get(k, 0)}"
       for k in sorted(set(want) | set(got)) if want.get(k, 0) != got.get(k, 0)]
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	); then
		echo "ok: $3"
	else
		fail "$3:"
		echo "$diff"
	fi
}

# Ends a test (or a function run by run_in_netns): non-zero when any assertion failed.
finish() {
	if ((_lib_failures > 0)); then
		echo "$_lib_failures check(s) failed"
		exit 1
	fi
	exit 0
}

# Everything defined so far is lib's or bash's; run_in_netns copies only what comes after.
_lib_base_vars=" $(compgen -v | tr '\n' ' ') "
