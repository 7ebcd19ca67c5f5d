#!/usr/bin/env bash
# shellcheck disable=SC2317 # the functions run through run_in_netns
# tcptune stats counts every TCP state right, in total and per family, from
# netlink and from /proc, in its own namespace and in a named one (--netns),
# against both what sockmix made and what ss sees.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns

# Every state, each with its own count, in both families; small enough to set
# up in milliseconds, so TIME_WAIT (60 s) cannot expire during the test. A
# function, not a variable, so that it reaches the namespaces of run_in_netns.
# start_mix [-n NETNS]
start_mix() {
	# --bound: sockets bound but neither listening nor connected. The kernel dumps
	# them only to a request for TCP_BOUND_INACTIVE, so nobody counts them: "close"
	# stays 0 (no live socket can be counted as close; test_sockdiag replays them).
	start_sockmix "$@" --listeners 3 --established 20 --time-wait 15 --close-wait 7 \
		--syn-recv 5 --syn-sent 3 --fin-wait1 4 --last-ack 6 --closing 2 --bound 2 \
		--v6-percent 25
	wait_sockmix_ready 30
	# sockmix's own arithmetic, so that a mix that went missing cannot pass as empty ==
	# empty: each option makes its state and a peer (--fin-wait1 a CLOSE_WAIT, --closing
	# a FIN_WAIT1, --last-ack a FIN_WAIT2, --syn-recv an ESTABLISHED client); 25% of each
	# is IPv6, rounded. "listen" also counts sockmix's own listeners.
	local spec
	for spec in total:45/3/5/6/13/15/0/11/6/2 v6:11/1/1/2/4/4/0/3/2/1; do
		assert_eq "${spec#*:}" "$(python3 -c 'import json, sys
d = json.loads(sys.argv[1])
d = d[sys.argv[2]] if sys.argv[2] != "total" else d
print("/".join(str(d[k]) for k in sys.argv[3:] if k != "listen"))' \
			"$SOCKMIX_JSON" "${spec%%:*}" "${STATE_KEYS[@]}")" \
			"sockmix's counts, ${spec%%:*}: every state but listen, in STATE_KEYS' order"
	done
	assert_eq True "$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["listen"] > 3)' \
		"$SOCKMIX_JSON")" "sockmix's counts: more than 3 listeners"
}

# check_stats LABEL TCPTUNE-JSON SS-JSON: the snapshot against sockmix and ss.
check_stats() {
	local label=$1 out=$2 ss=$3
	assert_counts "$(json_states "$SOCKMIX_JSON" "")" "$(json_states "$out" states)" \
		"$label: states = sockmix's mix"
	assert_counts "$ss" "$(json_states "$out" states)" "$label: states = ss -tan"
	assert_counts "$(json_states "$SOCKMIX_JSON" v4)" "$(json_states "$out" states_v4)" \
		"$label: states_v4 = sockmix's IPv4 mix"
	assert_counts "$(json_states "$SOCKMIX_JSON" v6)" "$(json_states "$out" states_v6)" \
		"$label: states_v6 = sockmix's IPv6 mix"
}

# Runs tcptune, which must succeed with nothing on stderr; prints its stdout.
tcptune_json() {
	local tmp=$TEST_TMP rc=0
	"$TCPTUNE" "$@" >"$tmp/tcptune.out" 2>"$tmp/tcptune.err" || rc=$?
	if [ "$rc" -ne 0 ] || [ -s "$tmp/tcptune.err" ]; then
		fail "tcptune $* exited $rc: $(head -3 "$tmp/tcptune.err")"
		echo '{}'
		return
	fi
	cat "$tmp/tcptune.out"
}

in_own_namespace() {
	local out ss
	start_mix
	# The mix itself, seen by ss: if this fails, sockmix or the kernel changed, not tcptune.
	assert_counts "$(json_states "$SOCKMIX_JSON" "")" "$(ss_counts)" "sockmix's mix = ss -tan"

	out=$(tcptune_json stats --format json)
	ss=$(ss_counts)
	check_stats "netlink" "$out" "$ss"
	# The per-family interface (the fallback for kernels without the legacy
	# one) and both split halves count exactly what one plain dump counts, and
	# what ss counts: not only what tcptune's own parser makes of the dumps.
	local same
	ss -tan -4 >"$TEST_TMP/ss4"
	ss -tan -6 >"$TEST_TMP/ss6"
	same=$("$DUMP_COMPARE" "$TEST_TMP/ss4" "$TEST_TMP/ss6") ||
		fail "dump-compare: the dumps and ss disagree"
	assert_eq "$(json_get "$out" total) sockets counted alike by ss and all three" "$same" \
		"legacy and per-family dumps, split and whole, agree with ss"
	assert_eq netlink "$(json_get "$out" source)" "netlink: source"

	out=$(tcptune_json stats --source proc --format json)
	ss=$(ss_counts)
	check_stats "--source proc" "$out" "$ss"
	assert_eq proc "$(json_get "$out" source)" "--source proc: source"
	stop_sockmix
}

# The observer sits in an empty namespace of its own: whatever it reports
# comes from the named one.
from_outside() {
	local ns=$1 out ss tmp rc=0
	start_mix -n "$ns"
	out=$(tcptune_json stats --netns "$ns" --format json)
	ss=$(ss_counts -n "$ns")
	check_stats "--netns $ns" "$out" "$ss"
	# The observer's own namespace has not changed under it.
	assert_counts "$(json_states '{}' "")" "$(ss_counts)" "observer's namespace still empty"
	stop_sockmix

	tmp=$TEST_TMP
	"$TCPTUNE" stats --netns does-not-exist --format json >"$tmp/out" 2>"$tmp/err" || rc=$?
	assert_eq 66 "$rc" "--netns does-not-exist: exit status"
	assert_eq 1 "$(wc -l <"$tmp/err")" "--netns does-not-exist: lines on stderr"
	assert_eq 0 "$(wc -c <"$tmp/out")" "--netns does-not-exist: bytes on stdout"
}

# Without the privilege to look into other users' processes, --processes
# degrades: the counts stay exact, the owners are unknown, and a note says so.
owners_not_permitted() {
	local out
	start_sockmix --close-wait 20
	wait_sockmix_ready
	out=$(as_nobody "$TCPTUNE" stats -p --format json) ||
		fail "stats -p as nobody exited $?"
	assert_eq 20 "$(json_get "$out" states.close_wait)" "-p as nobody: counts exact"
	assert_eq True "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(any("could not be inspected" in n for n in d["notes"]))' "$out")" \
		"-p as nobody: a note says owners could not be looked up"
	assert_eq False "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(any("pid" in p for p in d["top_ports"]["close_wait"]))' "$out")" \
		"-p as nobody: no owner claimed"
	stop_sockmix
}

# A skip must not hide the failures counted so far: with some, the test fails.
skip_unless_failed() {
	if ((_lib_failures > 0)); then
		echo "cannot go on: $*"
		finish
	fi
	skip_or_fail "$@"
}

run_in_netns in_own_namespace
run_in_netns owners_not_permitted

ns=tcptune-test-$$
ip netns add "$ns" 2>/dev/null ||
	skip_unless_failed "cannot create a named network namespace (ip netns add)"
on_exit ip netns del "$ns"
ip netns exec "$ns" ip link set lo up
run_in_netns from_outside "$ns"
finish
