#!/usr/bin/env bash
# Any sysctl key (issue 9.3): a key outside the knowledge base is applied,
# journaled and rolled back like any other, checked only against the shape of
# its live value. Real per-namespace keys in a private network namespace;
# keys outside it (vm.*, kernel.*) only under a fake --sysctl-root.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
need_tmp

# run ARGS...: tcptune with this test's state directory; sets RC, OUT, ERR.
run() {
	RC=0
	"$TCPTUNE" "$@" --state-dir "$TEST_TMP/state" >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
	OUT=$(cat "$TEST_TMP/out")
	ERR=$(cat "$TEST_TMP/err")
}

# A per-namespace key tcptune's knowledge base does not hold: tcp_ecn.
real_key() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	local before
	before=$(sysctl -n net.ipv4.tcp_ecn)
	[ "$before" = 0 ] && want=1 || want=0
	case "$("$TCPTUNE" explain net.ipv4.tcp_ecn)" in
	*"tcptune has no knowledge of this key"*) ;;
	*) fail "net.ipv4.tcp_ecn is in the knowledge base now: pick another key for this test" ;;
	esac
	run apply --set "net.ipv4.tcp_ecn=$want"
	assert_eq 0 "$RC" "apply --set net.ipv4.tcp_ecn=$want (not in the knowledge base): $ERR"
	assert_eq "$want" "$(sysctl -n net.ipv4.tcp_ecn)" "the value is written"
	case "$OUT" in
	*"net.ipv4.tcp_ecn  $before -> $want  (--set; not in the knowledge base"*)
		echo "ok: the output says it is not in the knowledge base" ;;
	*) fail "the output does not say the key is unknown: $OUT" ;;
	esac
	run apply --set net.ipv4.tcp_ecn=on
	assert_eq 65 "$RC" "a value of another shape is refused"
	assert_eq "tcptune: net.ipv4.tcp_ecn = on: 'on' is not an integer (the shape of its live value) (from --set)
tcptune: nothing was written: 1 problem in the plan" "$ERR" "its message"
	assert_eq "$want" "$(sysctl -n net.ipv4.tcp_ecn)" "and nothing is written"
	run apply --check --set "net.ipv4.tcp_ecn=$want"
	assert_eq 0 "$RC" "apply --check: an unknown key that already has its value matches"
	run rollback
	assert_eq 0 "$RC" "rollback of a transaction of an unknown key: $ERR"
	assert_eq "$before" "$(sysctl -n net.ipv4.tcp_ecn)" "rollback restores it"
}
run_in_netns real_key

# Keys outside the network namespace, under a fake tree: a vector, text, and a
# read-only key refused before anything is written.
fake=$TEST_TMP/sys
mkdir -p "$fake/vm" "$fake/kernel" "$fake/fs"
printf '60\n' >"$fake/vm/swappiness"
printf '4\t4\t1\t7\n' >"$fake/kernel/printk"
printf 'core\n' >"$fake/kernel/core_pattern"
printf '1\t0\t9\n' >"$fake/fs/file-nr"
chmod 0444 "$fake/fs/file-nr"
run apply --sysctl-root "$fake" --set vm.swappiness=10 --set "kernel.printk=3 4 1 7" \
	--set "kernel.core_pattern=|/usr/lib/x %p"
assert_eq 0 "$RC" "vm.*, kernel.* keys under a fake root: $ERR"
assert_eq "10" "$(cat "$fake/vm/swappiness")" "vm.swappiness written"
assert_eq "3 4 1 7" "$(cat "$fake/kernel/printk")" "kernel.printk written"
assert_eq "|/usr/lib/x %p" "$(cat "$fake/kernel/core_pattern")" "kernel.core_pattern written"
run apply --sysctl-root "$fake" --set vm.swappiness=20 --set "fs.file-nr=1 0 9" --set "kernel.printk=3 4"
assert_eq 65 "$RC" "a read-only key and a wrong shape are refused"
assert_eq "tcptune: fs.file-nr: read-only here (in this network namespace) (from --set)
tcptune: kernel.printk = 3 4: expects 4 integers, got 2 (the shape of its live value) (from --set)
tcptune: nothing was written: 2 problems in the plan" "$ERR" "each problem, one per line"
assert_eq "10" "$(cat "$fake/vm/swappiness")" "nothing is written, not even the valid key"
run rollback --sysctl-root "$fake"
assert_eq 0 "$RC" "rollback under the fake root: $ERR"
assert_eq "60|4 4 1 7|core" "$(cat "$fake/vm/swappiness")|$(tr '\t' ' ' <"$fake/kernel/printk")|$(cat "$fake/kernel/core_pattern")" \
	"rollback restores vm.*, kernel.* keys"
finish
