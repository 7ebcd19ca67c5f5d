#!/usr/bin/env bash
# shellcheck disable=SC2317 # the functions run through run_in_netns
# Observing where privileges and the kernel matter: stats --netns-pid enters
# another process's namespace (and exits 77 for who may not), --source
# netlink fails when netlink does while --source auto falls back to /proc
# with a note (netlink refused by strace's fault injection). Each scenario in
# a private network namespace with sockets of sockmix.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
command -v strace >/dev/null || skip_or_fail "strace is not installed"
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
NETLINK_EPERM=(under_tool strace -f -o /dev/null -e trace=socket -e inject=socket:error=EPERM)

# run ARGS...: a command; sets RC, and OUT and ERR (files).
run() {
	RC=0
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
	OUT=$TEST_TMP/out
	ERR=$TEST_TMP/err
}

# field JSON-FILE EXPR: a Python expression on the document d, as JSON.
field() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps(eval(sys.argv[2]), sort_keys=True))' "$1" "$2"
}

# states JSON-TEXT [PATH]: the state counts at PATH, sorted, as JSON.
states() {
	"$PYTHON" -c 'import json, sys
d = json.loads(sys.argv[1])
for p in filter(None, sys.argv[2].split(".")): d = d[p]
print(json.dumps({k: v for k, v in sorted(d.items()) if k in sys.argv[3:]}))' \
		"$1" "${2:-}" "${STATE_KEYS[@]}"
}

start_mix() {
	need_tmp
	start_sockmix --listeners 2 --established 4 --time-wait 3 --close-wait 2 --v6-percent 25
	wait_sockmix_ready 30
}

# tcptune in a namespace of its own observes sockmix's through its pid.
netns_pid() {
	start_mix
	local want ns=/proc/$SOCKMIX_PID/ns/net
	want=$(states "$SOCKMIX_JSON")
	run unshare -n "$TCPTUNE" stats --format json
	assert_eq "0 0" "$RC $(field "$OUT" 'd["total"]')" \
		"a fresh namespace of its own holds no socket: the test means something"
	run unshare -n "$TCPTUNE" stats --netns-pid "$SOCKMIX_PID" --format json
	assert_eq 0 "$RC" "stats --netns-pid: exit status ($(cat "$ERR"))"
	assert_eq "$want" "$(states "$(cat "$OUT")" states)" "stats --netns-pid: sockmix's states"
	assert_eq "\"$ns\" \"netlink\"" "$(field "$OUT" 'd["netns"]') $(field "$OUT" 'd["source"]')" \
		"stats --netns-pid: the namespace observed is named, read with netlink"
	run unshare -n "$TCPTUNE" stats --netns-pid "$SOCKMIX_PID"
	assert_eq "TCP sockets from netlink, namespace $ns, kernel $(uname -r)" "$(head -1 "$OUT")" \
		"stats --netns-pid (text): the header names the namespace"

	# Entering another user's namespace needs privileges: 77 for stats, and the
	# monitoring UNKNOWN (3) for diagnose; one line, no report (diagnose's
	# status line says UNKNOWN and why).
	local cmd verb code out
	for cmd in "stats|77|" "diagnose|3|TCPTUNE UNKNOWN - network namespace $ns: Permission denied"; do
		IFS='|' read -r verb code out <<<"$cmd"
		run as_nobody "$TCPTUNE" "$verb" --netns-pid "$SOCKMIX_PID"
		assert_eq "$code tcptune: network namespace $ns: Permission denied|$out" \
			"$RC $(cat "$ERR")|$(cat "$OUT")" "$verb --netns-pid as nobody: exit, one error, no report"
	done
	stop_sockmix
}

# Netlink refused: --source netlink fails (71, a netlink error), --source auto
# reads /proc and says so; the counts stay right.
netlink_fails() {
	start_mix
	local want
	want=$(states "$SOCKMIX_JSON")
	run "${NETLINK_EPERM[@]}" "$TCPTUNE" stats --source netlink --format json
	assert_eq "71 tcptune: netlink sock_diag: Operation not permitted|" "$RC $(cat "$ERR")|$(cat "$OUT")" \
		"--source netlink with netlink refused: exit 71, one error, no report"
	run "${NETLINK_EPERM[@]}" "$TCPTUNE" stats --format json
	assert_eq "0|" "$RC|$(cat "$ERR")" "--source auto with netlink refused: exit 0, silent"
	assert_eq '"proc"' "$(field "$OUT" 'd["source"]')" "--source auto: read from /proc"
	assert_eq "$want" "$(states "$(cat "$OUT")" states)" "--source auto: sockmix's states from /proc"
	assert_eq '["netlink unavailable (netlink sock_diag: Operation not permitted): read /proc/net/tcp", "/proc/net/tcp does not report accept-queue limits: listener fill unknown"]' \
		"$(field "$OUT" 'd["notes"]')" "--source auto: the notes say why and what is missing"
	run "${NETLINK_EPERM[@]}" "$TCPTUNE" stats
	assert_eq "Notes
  - netlink unavailable (netlink sock_diag: Operation not permitted): read
    /proc/net/tcp
  - /proc/net/tcp does not report accept-queue limits: listener fill unknown" \
		"$(sed -n '/^Notes$/,$p' "$OUT")" "--source auto (text): the notes end the report, wrapped at 80 columns"
	run "$TCPTUNE" stats --format json
	assert_eq '"netlink" []' "$(field "$OUT" 'd["source"]') $(field "$OUT" 'd["notes"]')" \
		"without the fault: netlink, no note"
	stop_sockmix
}

run_in_netns netns_pid
run_in_netns netlink_fails
finish
