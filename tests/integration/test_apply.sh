#!/usr/bin/env bash
# tcptune apply, rollback, confirm, history and verify against real sysctls,
# each scenario in a private network namespace (only per-namespace keys are
# written), or against a fake sysctl tree where a test needs a window.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
command -v strace >/dev/null || skip_or_fail "strace is not installed"

# A snapshot of the per-namespace keys these tests touch (inside the function:
# run_in_netns children see the script's functions).
snapshot() {
	local k keys=(net.ipv4.tcp_fin_timeout net.ipv4.tcp_syn_retries net.ipv4.tcp_synack_retries
		net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl net.ipv4.tcp_keepalive_probes
		net.ipv4.tcp_syncookies net.ipv4.tcp_max_syn_backlog net.core.somaxconn
		net.ipv4.tcp_tw_reuse net.ipv4.ip_local_port_range net.ipv4.tcp_max_tw_buckets
		net.ipv4.tcp_congestion_control)
	for k in "${keys[@]}"; do
		printf '%s = %s\n' "$k" "$(sysctl -n "$k" | tr -s ' \t' ' ')"
	done
}

# run ARGS...: tcptune; sets RC, OUT, ERR.
run() {
	RC=0
	"$TCPTUNE" "$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
	OUT=$(cat "$TEST_TMP/out")
	ERR=$(cat "$TEST_TMP/err")
}

# tt ARGS...: tcptune with this test's state directory.
tt() {
	run "$@" --state-dir "$TEST_TMP/state"
}

history_json() {
	"$TCPTUNE" history --format json --state-dir "$TEST_TMP/state"
}

# The interpreter itself: a version manager's python3 shim takes a second a call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# last_journal EXPR: a Python expression on the newest journal t (history -f json).
last_journal() {
	history_json | "$PYTHON" -c 'import json, sys; t = json.load(sys.stdin)[-1]; print(eval(sys.argv[1]))' "$1"
}

# wait_value KEY VALUE: waits up to 10 s for a sysctl to read VALUE.
wait_value() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(sysctl -n "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	fail "$1 never became $2 (is $(sysctl -n "$1"))"
	return 1
}

# profile_values PROFILE: "key = value" for every key of a profile file, its
# bounds resolved against the live values as tcptune-profiles(5) says: {min: N}
# keeps a higher value, {max: N} a lower one.
profile_values() {
	local key line
	while IFS= read -r line; do
		[[ $line =~ ^\ \ ([a-z0-9_.]+):\ (.*)$ ]] || continue
		key=${BASH_REMATCH[1]}
		"$PYTHON" -c 'import re, sys
key, spec, live = sys.argv[1:]
m = re.fullmatch(r"\{(min|max): *(\d+)\}", spec)
if m:
    n, cur = int(m.group(2)), int(live)
    value = max(n, cur) if m.group(1) == "min" else min(n, cur)
else:
    value = " ".join(spec.strip("\"").split())
print(f"{key} = {value}")' "$key" "${BASH_REMATCH[2]}" "$(sysctl -n "$key")"
	done <"$1"
}

# live_values PROFILE: "key = value" for every key of the profile, as sysctl reads it now.
live_values() {
	local key
	for key in $(sed -n 's/^  \([a-z0-9_.]*\): .*/\1/p' "$1"); do
		printf '%s = %s\n' "$key" "$(sysctl -n "$key" | tr -s ' \t' ' ')"
	done
}

# A profile applied and rolled back leaves every key exactly as before.
profile_round_trip() {
	need_tmp
	local before want profile=$SRCDIR/profiles/high-conn.yaml
	# Above the profile's floor of 4096: {min: 4096} must keep it.
	sysctl -qw net.core.somaxconn=8192
	before=$(snapshot)
	# What the profile sets, bounds resolved against this namespace's values.
	want=$(profile_values "$profile")
	assert_eq 9 "$(wc -l <<<"$want")" "high-conn has 9 keys"
	tt apply --profile high-conn
	assert_eq 0 "$RC" "apply high-conn: exit status ($ERR)"
	assert_eq "$want" "$(live_values "$profile")" \
		"apply high-conn: every key has the profile's value, bounds resolved against the old one"
	run verify --profile high-conn
	assert_eq 0 "$RC" "verify high-conn after apply: every key has its value ($OUT)"
	assert_eq "The system matches profile high-conn (9 keys)." "$OUT" "verify says it matches"
	tt apply --profile high-conn --check
	assert_eq 0 "$RC" "apply --check after apply: matches"
	tt apply --profile high-conn
	assert_eq "Nothing to change: the system already matches." "$OUT" "a second apply is a no-op"
	sysctl -qw net.ipv4.tcp_fin_timeout=59
	run verify --profile high-conn
	assert_eq 1 "$RC" "verify after a manual change: drift"
	assert_eq True "$(python3 -c 'import sys; print("net.ipv4.tcp_fin_timeout is 59" in sys.argv[1])' "$OUT")" \
		"verify names the drifted key"
	tt rollback
	assert_eq 1 "$RC" "rollback refuses a drifted key"
	assert_eq True "$(python3 -c 'import sys; print("tcp_fin_timeout is 59" in sys.argv[1])' "$ERR")" \
		"rollback names the drift ($ERR)"
	tt rollback --force
	assert_eq 0 "$RC" "rollback --force: exit status ($ERR)"
	assert_eq "$before" "$(snapshot)" "after rollback every key is exactly as before"
	assert_eq "rolled-back" "$(history_json | python3 -c 'import json,sys; print(" ".join(t["status"] for t in json.load(sys.stdin)))')" \
		"history: the apply rolled back, recorded in its own journal (no second transaction)"
}

# One invalid value: nothing written, every problem listed.
invalid_profile() {
	need_tmp
	local before
	before=$(snapshot)
	cat >"$TEST_TMP/bad.yaml" <<'YAML'
name: bad
description: three problems and two good values
sysctl:
  net.ipv4.tcp_fin_timeout: 15
  net.ipv4.tcp_syn_retries: 300
  net.ipv4.tcp_tw_recycle: 1
  net.ipv4.ip_local_port_range: 60000 1024
  net.ipv4.tcp_keepalive_time: 600
YAML
	chmod 644 "$TEST_TMP/bad.yaml"
	tt apply --profile "$TEST_TMP/bad.yaml"
	assert_eq 65 "$RC" "invalid profile: exit status"
	assert_eq 3 "$(grep -c 'bad.yaml:' <<<"$ERR")" "invalid profile: all three errors listed ($ERR)"
	assert_eq "$before" "$(snapshot)" "invalid profile: nothing written"
	assert_eq "" "$(ls "$TEST_TMP/state" 2>/dev/null | grep json || true)" "invalid profile: no transaction"
	# Validated before the state directory is touched: a fresh machine keeps none.
	"$TCPTUNE" apply --set net.ipv4.tcp_syn_retries=300 --state-dir "$TEST_TMP/fresh" \
		>/dev/null 2>&1 && fail "an invalid --set was applied"
	assert_eq no "$([ -e "$TEST_TMP/fresh" ] && echo yes || echo no)" \
		"invalid --set: no state directory made"
}

# The kernel refuses the k-th value: every earlier one is restored.
kth_write_fails() {
	need_tmp
	local before
	before=$(snapshot)
	# Keys apply in the order given; the third is refused by the kernel
	# (no such congestion control), after two real writes.
	tt apply --set net.ipv4.tcp_fin_timeout=21 --set net.ipv4.tcp_keepalive_time=601 \
		--set net.ipv4.tcp_congestion_control=tcptunenosuch --set net.ipv4.tcp_syn_retries=4
	assert_eq 65 "$RC" "refused value: exit status"
	assert_eq True "$(python3 -c 'import sys; e=sys.argv[1]; print("tcp_congestion_control = tcptunenosuch: the kernel refused it" in e and "every change was undone" in e)' "$ERR")" \
		"refused value: the error names the key and the kernel's answer ($ERR)"
	assert_eq "$before" "$(snapshot)" "refused value: every earlier key restored"
	assert_eq rolled-back "$(history_json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["status"])')" \
		"refused value: journaled as rolled back"
}

# Killed in the middle of an apply: the next apply refuses, rollback restores.
# The kill is made deterministic on a fake sysctl tree: strace sends SIGKILL at
# the first write(2) to the second key, after the first key was written and
# read back, with the journal on disk.
killed_mid_apply() {
	need_tmp
	local fake=$TEST_TMP/sys rc=0
	mkdir -p "$fake/net/ipv4"
	echo 60 >"$fake/net/ipv4/tcp_fin_timeout"
	echo 6 >"$fake/net/ipv4/tcp_syn_retries"
	echo 7200 >"$fake/net/ipv4/tcp_keepalive_time"
	# (In braces: the shell's own "Killed" notice goes to /dev/null too.)
	{ under_tool strace -o /dev/null -P "$fake/net/ipv4/tcp_keepalive_time" -e trace=write \
		-e inject=write:signal=SIGKILL:when=1 \
		"$TCPTUNE" apply --sysctl-root "$fake" --state-dir "$TEST_TMP/state" \
		--set net.ipv4.tcp_fin_timeout=30 --set net.ipv4.tcp_keepalive_time=600 \
		--set net.ipv4.tcp_syn_retries=3 >/dev/null; } 2>/dev/null || rc=$?
	assert_eq 137 "$rc" "killed: by SIGKILL at the second key's write"
	assert_eq 30 "$(cat "$fake/net/ipv4/tcp_fin_timeout")" "killed: the first key was written"
	assert_eq 6 "$(cat "$fake/net/ipv4/tcp_syn_retries")" "killed: the third key was not"
	# open(O_TRUNC) emptied the fake file; a real sysctl keeps its value until written.
	assert_eq "" "$(cat "$fake/net/ipv4/tcp_keepalive_time")" "killed: before the second key's write"
	echo 7200 >"$fake/net/ipv4/tcp_keepalive_time"
	assert_eq in-progress "$(last_journal 't["status"]')" "killed: the journal says in progress"
	assert_eq interrupted "$(last_journal 't["shown_status"]')" "killed: history shows it interrupted"
	tt apply --sysctl-root "$fake" --set net.ipv4.tcp_syn_retries=2
	assert_eq 75 "$RC" "after the crash a new apply is refused"
	assert_eq "tcptune: transaction $(last_journal 't["id"]') (set) was interrupted while applying; run 'tcptune rollback' to restore the values it recorded" \
		"$ERR" "the refusal says what happened and what to run"
	assert_eq 6 "$(cat "$fake/net/ipv4/tcp_syn_retries")" "nothing written by the refused apply"
	tt rollback --sysctl-root "$fake"
	assert_eq 0 "$RC" "rollback of the interrupted transaction ($ERR)"
	assert_eq "60 7200 6" "$(cat "$fake"/net/ipv4/{tcp_fin_timeout,tcp_keepalive_time,tcp_syn_retries} | xargs)" \
		"rollback restored the exact before-state"
	tt apply --sysctl-root "$fake" --set net.ipv4.tcp_syn_retries=2
	assert_eq "0 2" "$RC $(cat "$fake/net/ipv4/tcp_syn_retries")" "after the rollback applies work again"
}

# Two applies at once: the lock serialises them and the journal chains.
concurrent() {
	need_tmp
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=31 --state-dir "$TEST_TMP/state" >/dev/null &
	local a=$!
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=32 --state-dir "$TEST_TMP/state" >/dev/null &
	local b=$! ra=0 rb=0
	wait $a || ra=$?
	wait $b || rb=$?
	assert_eq "0 0" "$ra $rb" "concurrent applies both succeed"
	assert_eq ok "$(history_json | python3 -c '
import json, sys
h = json.load(sys.stdin)
first, second = h
# The second saw what the first wrote: its old value is the first one new value.
ok = len(h) == 2 and all(t["status"] == "committed" for t in h) and second["keys"][0]["old"] == first["keys"][0]["new"]
print("ok" if ok else h)')" "concurrent applies: serialised, the journal chains"
	assert_eq "$(last_journal 't["keys"][0]["new"]')" "$(sysctl -n net.ipv4.tcp_fin_timeout)" \
		"concurrent applies: the value of the last one journaled stands"
}

# Only root applies.
not_root() {
	need_tmp
	local before rc=0
	before=$(snapshot)
	as_nobody "$TCPTUNE" apply \
		--set net.ipv4.tcp_fin_timeout=33 --state-dir "$TEST_TMP/nobody" \
		>/dev/null 2>"$TEST_TMP/err" || rc=$?
	assert_eq 77 "$rc" "non-root apply: exit status"
	assert_eq "$before" "$(snapshot)" "non-root apply: nothing changed"
	# The live tree by another name is still the live tree: no state, no journal.
	chmod 0711 "$TEST_TMP"
	for root in /proc/sys/ /proc/sys/net/.. /proc/self/root/proc/sys; do
		rc=0
		as_nobody "$TCPTUNE" apply \
			--set net.ipv4.tcp_fin_timeout=33 --sysctl-root "$root" \
			--state-dir "$TEST_TMP/nobody" >/dev/null 2>&1 || rc=$?
		assert_eq 77 "$rc" "non-root apply with --sysctl-root $root: exit status"
		assert_eq "no" "$([ -e "$TEST_TMP/nobody" ] && echo yes || echo no)" \
			"--sysctl-root $root: no state directory made"
	done
	# --dry-run shows the change, writes nothing and needs no root nor state.
	local who out
	for who in nobody root; do
		rc=0
		if [ "$who" = nobody ]; then
			out=$(as_nobody "$TCPTUNE" apply \
				--set net.ipv4.tcp_fin_timeout=33 --dry-run --state-dir "$TEST_TMP/dry" \
				2>"$TEST_TMP/err") || rc=$?
		else
			out=$("$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=33 --dry-run \
				--state-dir "$TEST_TMP/dry" 2>"$TEST_TMP/err") || rc=$?
		fi
		assert_eq "0|Would apply 1 change:
  net.ipv4.tcp_fin_timeout  60 -> 33  (--set)|" "$rc|$out|$(cat "$TEST_TMP/err")" \
			"--dry-run as $who: exit 0, the change as current -> new (source)"
		assert_eq "$before" "$(snapshot)" "--dry-run as $who: nothing written"
		assert_eq no "$([ -e "$TEST_TMP/dry" ] && echo yes || echo no)" \
			"--dry-run as $who: no state directory"
	done
}

# --check, --try expiring, --try confirmed.
check_and_try() {
	need_tmp
	local before pid rc=0 i
	tt apply --set net.ipv4.tcp_fin_timeout=60 --check
	assert_eq 0 "$RC" "--check when the system matches"
	tt apply --set net.ipv4.tcp_fin_timeout=44 --check
	assert_eq 1 "$RC" "--check when it would change"
	tt apply --set net.ipv4.tcp_fin_timeout=44 --check -f json
	assert_eq "would-change 44 60" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); c=d["changes"][0]; print(d["status"], c["new"], c["current"])' "$OUT")" \
		"--check -f json: the status and the change"
	before=$(snapshot)
	tt apply --set net.ipv4.tcp_fin_timeout=44 --try 1 </dev/null
	assert_eq 2 "$RC" "--try not confirmed: exit status ($ERR)"
	assert_eq "$before" "$(snapshot)" "--try expired: rolled back"
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=45 --try 20 --state-dir "$TEST_TMP/state" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	wait_value net.ipv4.tcp_fin_timeout 45
	tt apply --set net.ipv4.tcp_syn_retries=4
	assert_eq 75 "$RC" "another apply waits for the pending one"
	tt confirm
	assert_eq 0 "$RC" "tcptune confirm ($ERR)"
	wait "$pid" || rc=$?
	assert_eq 0 "$rc" "--try confirmed elsewhere: exit status"
	assert_eq 45 "$(sysctl -n net.ipv4.tcp_fin_timeout)" "--try confirmed: the value stays"

	# Rolled back from another shell mid-window: the waiter stops waiting and says so.
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=48 --try 60 --state-dir "$TEST_TMP/state" \
		</dev/null >/dev/null 2>"$TEST_TMP/try.err" &
	pid=$!
	wait_value net.ipv4.tcp_fin_timeout 48
	tt rollback
	assert_eq 0 "$RC" "rollback of a pending --try ($ERR)"
	rc=0
	for ((i = 0; i < 100; i++)); do
		# Exited (gone, or a zombie until bash reaps it), not waiting for its 60 s.
		case "$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null)" in "" | Z) break ;; esac
		sleep 0.1
	done
	((i < 100)) || fail "the --try waiter kept waiting after its rollback"
	wait "$pid" || rc=$?
	assert_eq 2 "$rc" "--try rolled back elsewhere: exit status"
	assert_eq "tcptune: transaction $(history_json | python3 -c 'import json,sys; print(json.load(sys.stdin)[-1]["id"])') was rolled back meanwhile" \
		"$(cat "$TEST_TMP/try.err")" "the waiter says it was rolled back"
	assert_eq 45 "$(sysctl -n net.ipv4.tcp_fin_timeout)" "and the value is the one before"

	# Confirming too late, with the waiter gone: confirm rolls it back itself.
	# --try 2: the deadline is whole seconds after a start in whole seconds, so
	# the window lasts at least a second, time to see it pending and kill the waiter.
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=49 --try 2 --state-dir "$TEST_TMP/state" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	wait_value net.ipv4.tcp_fin_timeout 49
	wait_txn_pending "$TEST_TMP/state"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	sleep 3
	tt confirm
	assert_eq 1 "$RC" "a confirmation after the window is refused"
	assert_eq True "$(python3 -c 'import sys; print("closed unconfirmed with nobody waiting: rolled back now" in sys.argv[1])' "$ERR")" \
		"confirm says it rolled the abandoned --try back ($ERR)"
	assert_eq 45 "$(sysctl -n net.ipv4.tcp_fin_timeout)" "and it is rolled back"

	# The terminal goes away mid-window (a dropped SSH session: SIGHUP): the
	# rollback must still happen at the deadline. script(1) gives it a terminal.
	before=$(snapshot)
	setsid script -qfc "'$TCPTUNE' apply --set net.ipv4.tcp_fin_timeout=46 --try 3 --state-dir '$TEST_TMP/state'" /dev/null \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	wait_value net.ipv4.tcp_fin_timeout 46
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pgrep -f "tcp_fin_timeout=46 --try" >/dev/null && echo "ok: --try survives the hang-up" ||
		fail "--try died with its terminal"
	for ((i = 0; i < 100; i++)); do
		[ "$(sysctl -n net.ipv4.tcp_fin_timeout)" = 45 ] && break
		sleep 0.1
	done
	assert_eq "$before" "$(snapshot)" "--try without a terminal: rolled back at the deadline"

	# The waiter killed outright (SIGKILL): nobody is left to roll back at the
	# deadline, so the first command to find the window expired does it.
	"$TCPTUNE" apply --set net.ipv4.tcp_fin_timeout=47 --try 2 --state-dir "$TEST_TMP/state" \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	wait_value net.ipv4.tcp_fin_timeout 47
	wait_txn_pending "$TEST_TMP/state"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true
	tt apply --set net.ipv4.tcp_syn_retries=4
	assert_eq 75 "$RC" "a killed --try within its window still blocks"
	sleep 3
	tt apply --set net.ipv4.tcp_syn_retries=4
	assert_eq 0 "$RC" "after the window an apply goes ahead ($ERR)"
	assert_eq True "$(python3 -c 'import sys; print("closed unconfirmed with nobody waiting: rolled back now" in sys.argv[1])' "$ERR")" \
		"it says it rolled the abandoned --try back"
	assert_eq 45 "$(sysctl -n net.ipv4.tcp_fin_timeout)" "the abandoned --try was rolled back"
	assert_eq 4 "$(sysctl -n net.ipv4.tcp_syn_retries)" "and the new apply applied"
	tt confirm
	assert_eq 1 "$RC" "nothing left to confirm"
}

# --persist writes the file atomically, warns about later overrides, and
# rollback restores what the file held.
persist() {
	need_tmp
	local root=$TEST_TMP/root conf
	mkdir -p "$root/etc/sysctl.d"
	conf=$root/etc/sysctl.d/90-tcptune.conf
	printf 'net.ipv4.tcp_syn_retries = 5\n' >"$root/etc/sysctl.d/99-later.conf"
	tt apply --set net.ipv4.tcp_fin_timeout=35 --set net.ipv4.tcp_syn_retries=4 \
		--persist --root "$root"
	assert_eq 0 "$RC" "apply --persist ($ERR)"
	assert_eq "net.ipv4.tcp_fin_timeout = 35|net.ipv4.tcp_syn_retries = 4" \
		"$(grep -v '^#' "$conf" | paste -sd'|')" "the persisted file holds the values"
	grep -q "^# Written by tcptune" "$conf" && echo "ok: the persisted file has its header" ||
		fail "the persisted file has no header"
	assert_eq "" "$(ls "$root/etc/sysctl.d" | grep -v '\.conf$' || true)" "no temporary file left behind"
	assert_eq True "$(python3 -c 'import sys; print("99-later.conf" in sys.argv[1] and "overridden" in sys.argv[1])' "$ERR")" \
		"a later file overriding a persisted key is reported ($ERR)"
	tt rollback
	assert_eq 0 "$RC" "rollback of a persisted transaction"
	[ ! -e "$conf" ] && echo "ok: rollback removed the file it had created" ||
		fail "rollback left $conf"
	# Live values already right but no file: --persist still owes the file.
	sysctl -qw net.ipv4.tcp_fin_timeout=37
	tt apply --set net.ipv4.tcp_fin_timeout=37 --persist --root "$root" --check
	assert_eq 1 "$RC" "--check --persist: a missing file is a difference"
	tt apply --set net.ipv4.tcp_fin_timeout=37 --persist --root "$root"
	assert_eq "0 net.ipv4.tcp_fin_timeout = 37" "$RC $(grep -v '^#' "$conf")" \
		"--persist writes the file even when the live values match"
	tt apply --set net.ipv4.tcp_fin_timeout=37 --persist --root "$root" --check
	assert_eq 0 "$RC" "--check --persist: the file matches now"
	tt rollback
	assert_eq 0 "$RC" "rollback of the file-only transaction ($ERR)"
	[ ! -e "$conf" ] && echo "ok: its rollback removes the file again" || fail "rollback left $conf"
	printf '# mine\nnet.ipv4.tcp_fin_timeout = 50\n' >"$conf"
	tt apply --set net.ipv4.tcp_fin_timeout=36 --persist --root "$root"
	assert_eq "0 36" "$RC $(sysctl -n net.ipv4.tcp_fin_timeout)" "apply --persist over a file of mine ($ERR)"
	assert_eq "net.ipv4.tcp_fin_timeout = 36" "$(grep -v '^#' "$conf")" "and the file holds the new value"
	tt rollback
	assert_eq "0 37" "$RC $(sysctl -n net.ipv4.tcp_fin_timeout)" "its rollback ($ERR)"
	assert_eq "# mine|net.ipv4.tcp_fin_timeout = 50" "$(paste -sd'|' "$conf")" \
		"rollback restored the file's previous contents"
}

run_in_netns profile_round_trip
run_in_netns invalid_profile
run_in_netns kth_write_fails
run_in_netns killed_mid_apply
run_in_netns concurrent
run_in_netns not_root
run_in_netns check_and_try
run_in_netns persist
finish
