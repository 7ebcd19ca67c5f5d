#!/usr/bin/env bash
# `tcptune apply` and its companions on fake sysctl trees (no root needed, no
# kernel touched): the text and JSON reports, --recommended, --persist=FILE,
# history's columns, verify --format json, TCPTUNE_STATE_DIR, a write that
# fails (71, strace) and the state lock held too long (75, faketime runs the
# 60 s wait fifty times faster).
set -u
# shellcheck source=tests/integration/clilib.sh
. "$(dirname "$0")/clilib.sh"
for tool in strace faketime flock; do
	if ! command -v "$tool" >/dev/null; then
		[ "${CI:-}" = true ] && { echo "FAIL: $tool is not installed (scripts/install-deps)"; exit 1; }
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
export TCPTUNE_DATADIR="$SRCDIR" # the shipped profiles and rules
unset TCPTUNE_STATE_DIR

# fresh NAME: a fake sysctl tree $tmp/NAME/sys (tests/fixtures/proc-good's
# values) and its state directory $tmp/NAME/state; sets S and D.
fresh() {
	S=$tmp/$1/sys
	D=$tmp/$1/state
	mkdir -p "$tmp/$1"
	cp -r "$FX/proc-good/sys" "$S"
}

# tt ARGS...: tcptune with the current tree and state directory.
tt() {
	run "$@" --sysctl-root "$S" --state-dir "$D"
}

# key NAME: a key's value in the current fake tree.
key() {
	cat "$S/${1//.//}"
}

# journals DIR: how many journals (*.json) the directory holds.
journals() {
	find "$1" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l
}

# last_id: the newest transaction's id.
last_id() {
	"$T" history --state-dir "$D" --format json | "$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[-1]["id"])'
}

# --- the reports of a committed apply ---

fresh report
tt apply --set net.ipv4.tcp_fin_timeout=30 --set net.ipv4.tcp_syncookies=1
expect_rc 0 "apply --set"
expect_text "Applied 1 change as transaction $(last_id):
  net.ipv4.tcp_fin_timeout  60 -> 30  (--set)" "$tmp/out" \
	"apply: the transaction and each change as current -> new (source); a matching key skipped"
expect_text "30" <(key net.ipv4.tcp_fin_timeout) "apply: the value written"
tt apply --set net.ipv4.tcp_keepalive_time=600 --format json
expect_rc 0 "apply --format json"
expect_json "apply --format json: committed, its id, the change" 'd' \
	'{"status": "committed", "transaction": "'"$(last_id)"'", "netns": null,
	  "changes": [{"key": "net.ipv4.tcp_keepalive_time", "current": "7200", "new": "600", "source": "--set"}]}'
tt apply --set net.ipv4.tcp_keepalive_time=600 --format json
expect_rc 0 "apply --format json, nothing to change"
expect_json "apply --format json: matches, no transaction" 'd' \
	'{"status": "matches", "transaction": null, "netns": null, "changes": []}'
expect_text "2" <("$T" history --state-dir "$D" --format json | "$PYTHON" -c 'import json, sys; print(len(json.load(sys.stdin)))') \
	"a plan that changes nothing records no transaction"

# --- verify --format json ---

fresh verify
run verify --profile high-conn --format json --sysctl-root "$S"
expect_rc 1 "verify --format json, drifted"
expect_json "verify --format json: every key that differs, bounds resolved" 'd' \
	'{"profile": "high-conn", "netns": null, "matches": false, "keys": 9, "drift": [
	  {"key": "net.ipv4.tcp_fin_timeout", "current": "60", "new": "30"},
	  {"key": "net.ipv4.tcp_keepalive_intvl", "current": "75", "new": "30"},
	  {"key": "net.ipv4.tcp_keepalive_probes", "current": "9", "new": "5"},
	  {"key": "net.ipv4.tcp_keepalive_time", "current": "7200", "new": "600"},
	  {"key": "net.ipv4.tcp_max_syn_backlog", "current": "2048", "new": "4096"},
	  {"key": "net.ipv4.tcp_max_tw_buckets", "current": "131072", "new": "262144"},
	  {"key": "net.ipv4.tcp_synack_retries", "current": "5", "new": "3"}]}'
tt apply --profile high-conn
expect_rc 0 "apply --profile high-conn"
run verify --profile high-conn --format json --sysctl-root "$S"
expect_rc 0 "verify --format json, matching"
expect_json "verify --format json: matches" 'd' \
	'{"profile": "high-conn", "netns": null, "matches": true, "keys": 9, "drift": []}'
echo 8192 >"$S/net/core/somaxconn"
echo 45 >"$S/net/ipv4/tcp_fin_timeout"
run verify --profile high-conn --sysctl-root "$S"
expect_rc 1 "verify, one key drifted and a bound still held"
expect_text "1 of 9 keys differ from profile high-conn:
  net.ipv4.tcp_fin_timeout is 45, the profile wants 30" "$tmp/out" "verify (text): the drifted key"

# --- --recommended: the changes a diagnosis still needs, named after their rules ---

root=$(fake_root recommended)
mkdir -p "$tmp/data"
ln -s "$SRCDIR/profiles" "$tmp/data/profiles"
cp -r "$FX/diagnose/rules" "$tmp/data/rules"
rec() { # ARGS...: apply --recommended with the fixture rules, on the fake root
	TCPTUNE_DATADIR=$tmp/data run apply --recommended --proc-root "$root" --state-dir "$tmp/rec.state" "$@"
}
rec --dry-run
expect_rc 0 "apply --recommended --dry-run"
expect_text "Would apply 3 changes:
  net.ipv4.ip_local_port_range  32768 60999 -> 10240 65535  (rule fixture-critical)
  net.ipv4.tcp_fin_timeout      60 -> 30  (rule fixture-warning)
  net.ipv4.tcp_keepalive_time   7200 -> 600  (rule fixture-info)" "$tmp/out" \
	"--recommended: each needed change, named after its rule (not the satisfied somaxconn)"
rec
expect_rc 0 "apply --recommended"
expect_text "10240 65535|30|600|4096" \
	<(cat "$root"/sys/net/ipv4/{ip_local_port_range,tcp_fin_timeout,tcp_keepalive_time} "$root/sys/net/core/somaxconn" | paste -sd'|') \
	"--recommended: the three values written, somaxconn left"
expect_text "recommended" <("$T" history --state-dir "$tmp/rec.state" --format json |
	"$PYTHON" -c 'import json, sys; print(json.load(sys.stdin)[-1]["source"])') "--recommended: the journal's source"
rec
expect_text "Nothing to change: the system already matches." "$tmp/out" \
	"--recommended again: the diagnosis needs nothing more"

# --- --persist=FILE: a *.conf directly in a sysctl.d directory ---

fresh persist
conf=$tmp/persist/etc/sysctl.d/50-mine.conf
mkdir -p "${conf%/*}"
tt apply --profile high-conn --persist="$conf"
expect_rc 0 "apply --persist=FILE"
id=$(last_id)
expect_text "Wrote $conf." <(tail -1 "$tmp/out") "--persist=FILE: the output names the file"
expect_text "# Written by tcptune from profile high-conn, transaction $id.
# 'tcptune rollback $id' restores what was here before; edits here are lost then.
net.core.somaxconn = 4096
net.ipv4.tcp_fin_timeout = 30
net.ipv4.tcp_keepalive_intvl = 30
net.ipv4.tcp_keepalive_probes = 5
net.ipv4.tcp_keepalive_time = 600
net.ipv4.tcp_max_syn_backlog = 4096
net.ipv4.tcp_max_tw_buckets = 262144
net.ipv4.tcp_synack_retries = 3
net.ipv4.tcp_syncookies = 1" "$conf" "--persist=FILE: the header names profile and transaction; every value of the plan"
tt rollback
expect_rc 0 "rollback of the persisted transaction"
[ -e "$conf" ] && bad "rollback left $conf" || ok "rollback removed the file it wrote"
for p in relative.conf "$tmp/persist/etc/x.conf" "$tmp/persist/etc/sysctl.d/x.txt" \
	"$tmp/persist/etc/sysctl.d/../sysctl.d/x.conf" "$tmp/persist/etc/sysctl.d/sub/x.conf"; do
	fresh refused
	tt apply --set net.ipv4.tcp_fin_timeout=31 --persist="$p"
	expect_rc 64 "--persist=$p"
	expect_text "tcptune: --persist: $p is not a *.conf file in a sysctl.d directory (an absolute path without . or ..)" \
		"$tmp/err" "--persist=$p: refused, one line"
	expect_text "60|no state" <(printf '%s|%s\n' "$(key net.ipv4.tcp_fin_timeout)" \
		"$([ -e "$D" ] && echo state || echo no state)") "--persist=$p: nothing written"
	rm -rf "$tmp/refused"
done

# --- --check --persist: a missing or stale file is a difference, in JSON too ---
# (what contrib/ansible's module counts as a change when the live values match)

fresh stale
conf=$tmp/stale/etc/sysctl.d/90-t.conf
mkdir -p "${conf%/*}"
for state in missing stale; do
	[ $state = stale ] && printf '# mine\nnet.ipv4.tcp_fin_timeout = 59\n' >"$conf"
	tt apply --set net.ipv4.tcp_fin_timeout=60 --persist="$conf" --check --format json
	expect_rc 1 "apply --check --persist, live values matching, file $state"
	expect_json "apply --check --format json: a $state file would be written, no key changes" 'd' \
		'{"status": "would-change", "transaction": null, "netns": null, "changes": []}'
done
expect_text "# mine
net.ipv4.tcp_fin_timeout = 59" "$conf" "--check leaves the stale file as it is"
tt apply --set net.ipv4.tcp_fin_timeout=60 --persist="$conf" --format json
expect_json "apply over a stale file: a transaction of its own, no key changed" \
	'[d["status"], d["transaction"] is not None, d["changes"]]' '["committed", true, []]'
expect_text "net.ipv4.tcp_fin_timeout = 60" <(grep -v '^#' "$conf") "the file holds the plan again"
tt apply --set net.ipv4.tcp_fin_timeout=60 --persist="$conf" --check --format json
expect_rc 0 "apply --check --persist once the file matches"
expect_json "apply --check --format json: matches" 'd' '{"status": "matches", "transaction": null, "netns": null, "changes": []}'

# --- history: id, time (UTC), status, keys, source; rollbacks and interruptions ---

fresh history
tt apply --set net.ipv4.tcp_fin_timeout=30
tt apply --set net.ipv4.tcp_syn_retries=4 --set net.ipv4.tcp_synack_retries=4
tt rollback
# Killed at its second key's write: interrupted.
{ under_tool strace -o /dev/null -P "$S/net/ipv4/tcp_keepalive_time" -e trace=write -e inject=write:signal=SIGKILL:when=1 \
	"$T" apply --sysctl-root "$S" --state-dir "$D" --set net.ipv4.tcp_keepalive_intvl=30 \
	--set net.ipv4.tcp_keepalive_time=600 >/dev/null; } 2>/dev/null
run history --state-dir "$D" # history reads journals only: it takes no --sysctl-root
expect_rc 0 "history"
"$T" history --state-dir "$D" --format json | "$PYTHON" -c 'import json, sys, time
def utc(t): return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
print("TRANSACTION           TIME (UTC)           STATUS          KEYS  NETNS         SOURCE")
for t in json.load(sys.stdin):
    back = ", rolled back " + utc(t["rollback_time"]) if t["status"] == "rolled-back" else ""
    ns = t["netns"]["given"] if t["netns"] and t["netns"]["given"] else "-"
    print("{:<20}  {:<19}  {:<14}  {:>4}  {:<12}  {}{}".format(t["id"], utc(t["time"]),
          t["shown_status"], len(t["keys"]), ns, t["source"], back))' \
	>"$tmp/history.want" 2>&1
expect_same "$tmp/history.want" "$tmp/out" "history: the columns, as the journals say"
expect_text "committed rolled-back interrupted" <(awk 'NR > 1 { print $4 }' "$tmp/out" | paste -sd' ') \
	"history: committed, rolled back, interrupted, oldest first"

# --- an open transaction blocks applies (75), says what to run, and one rollback completes it ---

# reopen STATUS [LEFT-KEY]: the last journal says STATUS, as a process killed
# mid-rollback or a restore that failed would have left it.
reopen() {
	"$PYTHON" -c 'import json, sys
path, status, left = sys.argv[1], sys.argv[2], sys.argv[3:]
d = json.load(open(path))
d["status"] = status
for k in d["keys"]:
    k["left_changed"] = k["key"] in left
json.dump(d, open(path, "w"))' "$D/$(last_id).json" "$@"
}
for case in "rolling-back|the rollback of transaction ID (set) was interrupted; run 'tcptune rollback' to complete it" \
	"restore-failed|transaction ID (set) could not restore net.ipv4.tcp_fin_timeout; run 'tcptune rollback' to try again" \
	"in-progress|transaction ID (set) was interrupted while applying; run 'tcptune rollback' to restore the values it recorded"; do
	status=${case%%|*}
	fresh "open-$status"
	tt apply --set net.ipv4.tcp_fin_timeout=30 --set net.ipv4.tcp_syn_retries=4
	id=$(last_id)
	reopen "$status" net.ipv4.tcp_fin_timeout
	tt apply --set net.ipv4.tcp_keepalive_time=600
	expect_rc 75 "apply blocked by a $status transaction"
	expect_text "tcptune: ${case#*|}" <(sed "s/$id/ID/" "$tmp/err") "$status: what happened and what to run"
	tt rollback
	expect_text "0|Rolled back $id: 2 values restored and read back.|60 6" \
		<(echo "$rc|$(cat "$tmp/out")|$(key net.ipv4.tcp_fin_timeout) $(key net.ipv4.tcp_syn_retries)") \
		"$status: one rollback completes it"
	tt apply --set net.ipv4.tcp_keepalive_time=600
	expect_rc 0 "$status: then applies work again"
	tt rollback "$id"
	expect_text "1|tcptune: rollback: transaction $id is already rolled back" <(echo "$rc|$(cat "$tmp/err")") \
		"$status: rolling it back again is refused (1)"
done

# --- TCPTUNE_STATE_DIR: the journal's directory, unless --state-dir says otherwise ---

fresh env
TCPTUNE_STATE_DIR=$tmp/env/envstate run apply --sysctl-root "$S" --set net.ipv4.tcp_fin_timeout=30
expect_rc 0 "apply with TCPTUNE_STATE_DIR"
expect_text "1" <(journals "$tmp/env/envstate") "TCPTUNE_STATE_DIR: the journal is there"
TCPTUNE_STATE_DIR=$tmp/env/envstate run history --format json
expect_json "history with TCPTUNE_STATE_DIR lists it" '[t["keys"][0]["new"] for t in d]' '["30"]'
TCPTUNE_STATE_DIR=$tmp/env/envstate run apply --sysctl-root "$S" --state-dir "$D" \
	--set net.ipv4.tcp_fin_timeout=31
expect_text "1 1" <(echo "$(journals "$tmp/env/envstate") $(journals "$D")") \
	"--state-dir wins over TCPTUNE_STATE_DIR"
TCPTUNE_STATE_DIR=$tmp/env/envstate run rollback --sysctl-root "$S"
expect_rc 1 "rollback with TCPTUNE_STATE_DIR: the drifted key refused"
TCPTUNE_STATE_DIR=$tmp/env/envstate run rollback --sysctl-root "$S" --force
expect_text "0 60" <(echo "$rc $(key net.ipv4.tcp_fin_timeout)") "rollback --force with TCPTUNE_STATE_DIR restores its transaction's old value"

# --- a write that fails (EIO): every change undone, 71 ---

fresh eio
tt apply --set net.ipv4.tcp_fin_timeout=30 # an earlier transaction, to be left alone
run_cmd under_tool strace -o /dev/null -P "$S/net/ipv4/tcp_keepalive_time" -e trace=write -e inject=write:error=EIO:when=1 \
	"$T" apply --sysctl-root "$S" --state-dir "$D" --set net.ipv4.tcp_syn_retries=3 \
	--set net.ipv4.tcp_keepalive_time=600 --set net.ipv4.tcp_synack_retries=2
expect_rc 71 "apply with EIO on the second key's write"
id=$(last_id)
expect_text "tcptune: net.ipv4.tcp_keepalive_time = 600: writing it failed: Input/output error
tcptune: every change was undone and read back; transaction $id is recorded as rolled back" "$tmp/err" \
	"EIO: the key and the error named, the undo read back"
expect_text "" "$tmp/out" "EIO: no report on stdout"
expect_text "30 6 7200 5" <(echo "$(key net.ipv4.tcp_fin_timeout) $(key net.ipv4.tcp_syn_retries) $(key net.ipv4.tcp_keepalive_time) $(key net.ipv4.tcp_synack_retries)") \
	"EIO: every key of the failed transaction back, the earlier one kept"
run history --state-dir "$D" --format json
expect_json "EIO: journaled rolled back, with the error" '[d[-1]["status"], d[-1]["error"]]' \
	'["rolled-back", "net.ipv4.tcp_keepalive_time = 600: writing it failed: Input/output error"]'

# --- the state lock held too long: 75 ---

# The lock wait is 60 s (src/cmd/state.c, no option changes it); faketime
# runs tcptune's clock and sleeps 50 times faster, so it is 1.2 s here.
# Another process holds <state-dir>/lock, as a running apply would.
fresh lock
mkdir -m 0700 "$D"
FAST=(under_tool faketime -f '+0 x50')
hold_lock() { # SECONDS: a process that holds the lock that long (real time); sets holder
	# The subshell locks its descriptor, then becomes the sleep that keeps it.
	(
		exec 9>"$D/lock"
		flock 9
		exec sleep "$1"
	) </dev/null >/dev/null 2>&1 &
	holder=$!
	for _ in $(seq 200); do # until it has the lock
		flock -n "$D/lock" true || return 0
		sleep 0.01
	done
	bad "the lock was never taken"
}
hold_lock 30
start=$EPOCHREALTIME
run_cmd "${FAST[@]}" "$T" apply --sysctl-root "$S" --state-dir "$D" --set net.ipv4.tcp_fin_timeout=30
took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
expect_rc 75 "apply while another process holds the lock past the timeout"
expect_text "tcptune: another tcptune transaction is running (lock $D/lock)" "$tmp/err" "75: the lock named"
expect_text "60|0" <(echo "$(key net.ipv4.tcp_fin_timeout)|$(journals "$D")") \
	"75: nothing written, no transaction"
# 60 s of faked time is at least 1.2 s of real time: a wait of 55 to 200 s.
if awk -v t="$took" 'BEGIN { exit !(t >= 1.1 && t < 4) }'; then
	ok "75 after waiting about 60 s (faked: $took s)"
else
	bad "75 after $took s under faketime x50, not about 60 s"
fi
kill "$holder"
wait "$holder" 2>/dev/null
# Held for 0.2 s (10 s of tcptune's faked time), less than the timeout: it waits.
hold_lock 0.2
run_cmd "${FAST[@]}" "$T" apply --sysctl-root "$S" --state-dir "$D" --set net.ipv4.tcp_fin_timeout=30
expect_rc 0 "apply waits for a lock released within the timeout"
expect_text "30" <(key net.ipv4.tcp_fin_timeout) "and then applies"
wait "$holder" 2>/dev/null

cli_finish
