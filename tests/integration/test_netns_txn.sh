#!/usr/bin/env bash
# Transactions in a container's network namespace (issue 14): apply, verify,
# history and rollback with --netns / --netns-pid change only that namespace,
# find it again by identity, refuse a name that now stands for another one,
# mark a vanished one without writing anywhere, refuse host-wide keys, and
# recover from a SIGKILL mid-apply. Everything runs in a private namespace of
# the test's own; the namespaces it names are made here and deleted at exit.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
need_tmp
command -v nsenter >/dev/null || skip_or_fail "nsenter is not installed"

STATE=$TEST_TMP/state
NS_A=tcptune-t$$-a
NS_B=tcptune-t$$-b
NS_C=tcptune-t$$-c
for ns in "$NS_A" "$NS_B" "$NS_C"; do
	on_exit ip netns del "$ns"
done
# The profile's keys, each a per-namespace one.
KEYS=(net.ipv4.tcp_fin_timeout net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl
	net.ipv4.tcp_keepalive_probes net.ipv4.tcp_synack_retries net.ipv4.tcp_max_syn_backlog
	net.ipv4.tcp_max_tw_buckets net.core.somaxconn net.ipv4.tcp_syncookies)

# run VERB ARGS...: tcptune, with this test's state directory for the verbs that
# keep one; sets RC, OUT, ERR.
run() {
	local state=(--state-dir "$STATE")
	case "$1" in verify | profiles | diagnose) state=() ;; esac
	RC=0
	"$TCPTUNE" "$@" "${state[@]}" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
	OUT=$(cat "$TEST_TMP/out")
	ERR=$(cat "$TEST_TMP/err")
}

# values [NS]: the profile's keys as "key=value" lines, in NS (a name) or in ours.
values() {
	local k
	for k in "${KEYS[@]}"; do
		if [ -n "${1:-}" ]; then
			echo "$k=$(ip netns exec "$1" sysctl -n "$k")"
		else
			echo "$k=$(sysctl -n "$k")"
		fi
	done
}

in_ns() { ip netns exec "$1" sysctl -n "$2"; }

expect_in() { # WHAT NEEDLE HAYSTACK
	case "$3" in
	*"$2"*) echo "ok: $1" ;;
	*) fail "$1: '$2' not in: $3" ;;
	esac
}

journals() { find "$STATE" -name '*.json' 2>/dev/null | wc -l; }

two_namespaces() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	ip netns add "$NS_A" && ip netns add "$NS_B" || { fail "ip netns add"; return; }
	local own_before a_before b_before
	own_before=$(values)
	a_before=$(values "$NS_A")
	b_before=$(values "$NS_B")

	run apply --profile high-conn --netns "$NS_A"
	assert_eq 0 "$RC" "apply --profile high-conn --netns A: $ERR"
	expect_in "the report names the namespace" "in network namespace $NS_A as transaction" "$OUT"
	assert_eq 30 "$(in_ns "$NS_A" net.ipv4.tcp_fin_timeout)" "A has the profile's value"
	assert_eq "$b_before" "$(values "$NS_B")" "B keeps its values"
	assert_eq "$own_before" "$(values)" "the test's own namespace keeps its values"

	run verify --profile high-conn --netns "$NS_A"
	assert_eq 0 "$RC" "verify --netns A passes: $OUT $ERR"
	run verify --profile high-conn --netns "$NS_B"
	assert_eq 1 "$RC" "verify --netns B fails: the profile is not there"
	expect_in "verify says where" "from profile high-conn in network namespace $NS_B" "$OUT"
	run profiles show high-conn --netns "$NS_A"
	expect_in "profiles show --netns reads A's values" \
		"current values: network namespace $NS_A" "$OUT"
	expect_in "... and A matches" "9 of 9 settings already in place" "$OUT"

	run history
	expect_in "history shows the namespace" "$NS_A" "$OUT"
	run history --netns "$NS_B"
	assert_eq "(no transactions)" "$(tail -n1 <<<"$OUT")" "history --netns B: none"
	run history --netns "$NS_A" -f json
	assert_eq "$NS_A 1" "$(python3 -c 'import json,sys; h=json.load(sys.stdin)
print(h[0]["netns"]["given"], len(h))' <<<"$OUT")" "history --netns A -f json: its one"

	run rollback --netns "$NS_B"
	assert_eq 66 "$RC" "rollback --netns B: nothing of B to roll back"
	run rollback
	assert_eq 0 "$RC" "rollback from outside A: $ERR"
	expect_in "it says where" "in network namespace $NS_A" "$OUT"
	assert_eq "$a_before" "$(values "$NS_A")" "A's values restored exactly"
	assert_eq "$b_before" "$(values "$NS_B")" "B still untouched"
	assert_eq "$own_before" "$(values)" "our own namespace still untouched"

	# Host-wide keys are refused at validation, each named; nothing is written or journaled.
	local n
	n=$(journals)
	run apply --set net.core.rmem_max=8388608 --set vm.swappiness=10 \
		--set net.ipv4.tcp_fin_timeout=33 --netns "$NS_B"
	assert_eq 65 "$RC" "a plan with host-wide keys in --netns B is refused"
	expect_in "rmem_max is named, and why" "net.core.rmem_max: not per network namespace: setting it in $NS_B would change the host's value (from --set)" "$ERR"
	expect_in "vm.swappiness is named" "vm.swappiness: not per network namespace" "$ERR"
	assert_eq "$b_before" "$(values "$NS_B")" "nothing written in B"
	assert_eq "$n" "$(journals)" "nothing journaled"

	# --persist would put a container's values into the host's boot.
	run apply --profile high-conn --netns "$NS_B" --persist
	assert_eq 64 "$RC" "--persist with --netns is refused"

	# The namespace deleted between apply and rollback: said, marked, nothing written.
	run apply --set net.ipv4.tcp_fin_timeout=21 --netns "$NS_A"
	assert_eq 0 "$RC" "apply --set into A: $ERR"
	ip netns del "$NS_A"
	run rollback
	assert_eq 66 "$RC" "rollback of a vanished namespace: documented 66"
	expect_in "it says the namespace is gone" "network namespace $NS_A" "$ERR"
	expect_in "... and how it is recorded" "is marked namespace-gone" "$ERR"
	assert_eq "$b_before" "$(values "$NS_B")" "nothing written into B"
	assert_eq "$own_before" "$(values)" "nothing written into our own namespace"
	run history --netns "$NS_A"
	expect_in "history --netns still finds the gone one's" "namespace-gone" "$OUT"
	run rollback
	assert_eq 66 "$RC" "a second rollback: nothing left to roll back"
}
run_in_netns two_namespaces

# --netns-pid: the namespace of a process; rollback finds it again by identity.
by_pid() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	local pid before
	unshare -n sleep 300 &
	pid=$!
	on_exit kill "$pid"
	sleep 0.2
	before=$(nsenter -n -t "$pid" sysctl -n net.ipv4.tcp_keepalive_time)
	run apply --set net.ipv4.tcp_keepalive_time=333 --netns-pid "$pid"
	assert_eq 0 "$RC" "apply --netns-pid: $ERR"
	assert_eq 333 "$(nsenter -n -t "$pid" sysctl -n net.ipv4.tcp_keepalive_time)" "written there"
	assert_eq 7200 "$(sysctl -n net.ipv4.tcp_keepalive_time)" "not here"
	run history --netns-pid "$pid" -f json
	assert_eq "pid $pid /proc/$pid/ns/net" "$(python3 -c 'import json,sys; h=json.load(sys.stdin)
print(h[-1]["netns"]["given"], h[-1]["netns"]["path"])' <<<"$OUT")" \
		"the journal records the pid as given, and its path"
	run rollback --netns-pid "$pid"
	assert_eq 0 "$RC" "rollback --netns-pid: $ERR"
	assert_eq "$before" "$(nsenter -n -t "$pid" sysctl -n net.ipv4.tcp_keepalive_time)" \
		"restored there"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}
run_in_netns by_pid

# A name bound again to a new namespace is another namespace: refused, nothing written.
rebound() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	ip netns add "$NS_C" || { fail "ip netns add"; return; }
	run apply --set net.ipv4.tcp_fin_timeout=22 --netns "$NS_C"
	assert_eq 0 "$RC" "apply into C: $ERR"
	ip netns del "$NS_C"
	ip netns add "$NS_C"
	in_ns "$NS_C" net.ipv4.tcp_fin_timeout >/dev/null
	run rollback
	assert_eq 1 "$RC" "rollback refuses a name now bound to another namespace"
	expect_in "it says so" "is another one now: refusing to roll it back there" "$ERR"
	assert_eq 60 "$(in_ns "$NS_C" net.ipv4.tcp_fin_timeout)" "the new C is left alone"
	ip netns del "$NS_C"
}
run_in_netns rebound

# diagnose --netns X ends with the exact command, which diagnoses that same namespace.
next_command() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	[ -e "/run/netns/$NS_B" ] || ip netns add "$NS_B"
	ip netns exec "$NS_B" sysctl -qw net.ipv4.tcp_syncookies=0
	run diagnose --netns "$NS_B"
	expect_in "diagnose --netns names the next command" \
		"Next: tcptune apply --recommended --netns $NS_B --dry-run" "$OUT"
	run apply --recommended --netns "$NS_B" --dry-run
	assert_eq 0 "$RC" "that command runs: $ERR"
	expect_in "it previews B's change" "net.ipv4.tcp_syncookies  0 -> 1  (rule syncookies-disabled" "$OUT"
	run apply --recommended --netns "$NS_B"
	assert_eq 0 "$RC" "apply --recommended --netns B: $ERR"
	assert_eq 1 "$(in_ns "$NS_B" net.ipv4.tcp_syncookies)" "B has syncookies again"
	run rollback
	assert_eq 0 "$(in_ns "$NS_B" net.ipv4.tcp_syncookies)" "rollback puts B's 0 back"
}
run_in_netns next_command

# --try in a namespace: confirm --netns takes only that namespace's; a --try whose
# waiter was killed is rolled back in its own namespace by an apply into another.
tries() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	local pid
	ip netns add "$NS_C" || { fail "ip netns add"; return; }
	[ -e "/run/netns/$NS_B" ] || ip netns add "$NS_B"
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=41 --netns "$NS_C" --try 30 \
		--state-dir "$STATE" </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		[ "$(in_ns "$NS_C" net.ipv4.tcp_fin_timeout)" = 41 ] && break
		sleep 0.1
	done
	run confirm --netns "$NS_B"
	assert_eq 1 "$RC" "confirm --netns B: C's pending transaction is not B's"
	run confirm --netns "$NS_C"
	assert_eq 0 "$RC" "confirm --netns C: $ERR"
	wait "$pid" || fail "the --try apply did not end well once confirmed"
	assert_eq 41 "$(in_ns "$NS_C" net.ipv4.tcp_fin_timeout)" "C keeps the confirmed value"
	run rollback
	# The waiter killed: its window closes with nobody to roll it back.
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=42 --netns "$NS_C" --try 3 \
		--state-dir "$STATE" </dev/null >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		[ "$(in_ns "$NS_C" net.ipv4.tcp_fin_timeout)" = 42 ] && break
		sleep 0.1
	done
	wait_txn_pending "$STATE"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	assert_eq 42 "$(in_ns "$NS_C" net.ipv4.tcp_fin_timeout)" "C has the --try value"
	# The deadline is whole seconds after a start in whole seconds: past it for sure.
	sleep 4.2
	run apply --set net.ipv4.tcp_fin_timeout=43 --netns "$NS_B"
	assert_eq 0 "$RC" "an apply into B goes on after rolling back C's abandoned --try: $ERR"
	expect_in "it says so" "closed unconfirmed with nobody waiting: rolled back now" "$ERR"
	assert_eq 60 "$(in_ns "$NS_C" net.ipv4.tcp_fin_timeout)" "C's value restored in C"
	assert_eq 43 "$(in_ns "$NS_B" net.ipv4.tcp_fin_timeout)" "B has its own new value"
	run rollback
	assert_eq 60 "$(in_ns "$NS_B" net.ipv4.tcp_fin_timeout)" "and B's is rolled back in B"
	ip netns del "$NS_C"
}
run_in_netns tries

# SIGKILL at write N of an apply into a namespace: one rollback restores that namespace.
killed() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	local before total n
	[ -e "/run/netns/$NS_A" ] || ip netns add "$NS_A"
	before=$(values "$NS_A")
	"${TOOL_ENV[@]}" strace -f -o "$TEST_TMP/count" -e trace=write "$TCPTUNE" apply \
		--profile high-conn --netns "$NS_A" --state-dir "$TEST_TMP/count-state" >/dev/null 2>&1
	total=$(grep -c '^[0-9]* *write(' "$TEST_TMP/count")
	ip netns del "$NS_A"
	[ "$total" -ge 6 ] || { fail "a clean apply made only $total writes"; return; }
	for n in 3 $((total / 2)) $((total - 1)); do
		ip netns add "$NS_A"
		rm -rf "$STATE"
		# In a subshell that outlives it, so that bash's "Killed" goes to /dev/null.
		(
			rc=0
			"${TOOL_ENV[@]}" strace -f -o /dev/null -e trace=write \
				-e "inject=write:signal=SIGKILL:when=$n" "$TCPTUNE" apply \
				--profile high-conn --netns "$NS_A" --state-dir "$STATE" >/dev/null \
				2>&1 || rc=$?
			echo "$rc" >"$TEST_TMP/rc"
		) 2>/dev/null
		assert_eq 137 "$(cat "$TEST_TMP/rc")" "write $n of $total: the apply was killed"
		run rollback
		case "$RC" in
		0 | 66) echo "ok: killed at write $n of $total: rollback exits $RC" ;;
		*) fail "killed at write $n of $total: rollback exits $RC: $ERR" ;;
		esac
		assert_eq "$before" "$(values "$NS_A")" "killed at write $n: A restored"
		run apply --check --profile high-conn --netns "$NS_A"
		assert_eq 1 "$RC" "killed at write $n: nothing blocks the next apply"
		ip netns del "$NS_A"
	done
}
command -v strace >/dev/null || skip_or_fail "strace is not installed"
run_in_netns killed

finish
