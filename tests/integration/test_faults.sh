#!/usr/bin/env bash
# tests/integration/test_faults.sh - a fault campaign against apply and rollback.
#
# tcptune applies a 20-key profile (tests/fixtures/profiles/faults20.yaml, all
# per-namespace keys) as one journaled transaction. This test breaks that
# transaction at every write(2) it makes, one point at a time, and checks that
# tcptune recovers from each break:
#
#   case 1  kill-apply        SIGKILL at write N of `apply`, for every N
#   case 2  kill-rollback     SIGKILL at write N of `rollback` after a committed apply
#   case 3  eacces-apply      EACCES on writes N and N+1 of `apply` (a forward write
#                             and the restore of an earlier key, or a journal write)
#   case 4a enospc-apply      the state directory on a tmpfs with N = 0..3 pages free
#   case 4b enospc-rollback   the same for `rollback`, after an apply with space
#   case 5  enospc-rollback   ENOSPC at write N of `rollback`: a journal record that
#                             cannot be written, or a key that cannot be restored
#
# N runs over every write of a clean run, counted first with strace. After each
# fault (for case 4, once the disk has space again) the contract is:
#   a. one `tcptune rollback` recovers: exit 0, or 66 when nothing was left applied;
#   b. every key has its before-value again;
#   c. `history -f json` is consistent: nothing in progress, pending, rolling back
#      or failed to restore; every transaction rolled back, in its own journal
#      (no second transaction records the rollback);
#   d. a new apply sets all 20 values and its rollback restores them;
#   e. the faulty run exits 0, 65, 71, 75 or 137 (killed), and says "undone" or
#      "rolled back" only when every key really is at its before-value;
#   f. no *.tmp file is left in the state directory after the recovery.
#
# Each case runs in a private network namespace (only per-namespace keys are
# written), the whole test in a private mount namespace (for the tmpfs), and
# every point starts from the namespace's defaults with a fresh state directory.
# A failing point is reported on one line as it happens; the summary groups
# them and tables the unexpected exit codes. Needs root and strace.
#
# The machine is shared and forks are slow under load: values are read and
# written through /proc/sys with shell builtins (what `sysctl -n` and
# `sysctl -w` do), and one python per case checks every history.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
command -v strace >/dev/null || skip_or_fail "strace is not installed"
strace -o /dev/null -e trace=write -e inject=write:error=EACCES:when=1..2 true 2>/dev/null ||
	skip_or_fail "strace cannot inject faults here (strace -e inject, ptrace)"
unshare -m true 2>/dev/null || skip_or_fail "cannot create a mount namespace (unshare -m)"

# The tmpfs mounts of case 4 stay in a mount namespace of the test's own.
if [ "${_TCPTUNE_FAULTS_MNTNS:-}" != 1 ]; then
	exec env _TCPTUNE_FAULTS_MNTNS=1 unshare -m --propagation private bash "$0" "$@"
fi

SRCDIR=${SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PROFILE=$SRCDIR/tests/fixtures/profiles/faults20.yaml
# Exit codes a faulty run may have: success, undone, restore failed, blocked, killed.
EXPECTED_RCS="0 65 71 75 137"
CMD_TIMEOUT=30 # seconds for any one command: a hang fails a point, not the whole test
# The interpreter itself: a version manager's python3 shim takes most of a second.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# The profile's keys and values, in its order ("  key: value" or "  key: "a b"").
KEYS=()
WANT=()
while IFS= read -r line; do
	[[ $line =~ ^\ \ ([a-z0-9_.]+):\ \"?([^\"]*)\"?$ ]] || continue
	KEYS+=("${BASH_REMATCH[1]}")
	read -ra words <<<"${BASH_REMATCH[2]}"
	WANT+=("${words[*]}")
done <"$PROFILE"
if [ "${#KEYS[@]}" -ne 20 ]; then
	echo "FAIL: $PROFILE: expected 20 keys, read ${#KEYS[@]}"
	exit 1
fi

# --- values: arrays indexed like KEYS, whitespace normalised ---

proc_path() { # KEY VAR
	local p=${1//./\/}
	printf -v "$2" '/proc/sys/%s' "$p"
}

# snapshot ARRAY: the live values of the 20 keys.
snapshot() {
	local -n _snap=$1
	local i path words
	_snap=()
	for i in "${!KEYS[@]}"; do
		proc_path "${KEYS[i]}" path
		read -ra words <"$path" || harness_error "cannot read $path"
		_snap+=("${words[*]}")
	done
}

# differ WANT-ARRAY GOT-ARRAY: true when they differ; DIFF says how, at most three keys.
differ() {
	local -n _want=$1 _got=$2
	local i n=0
	DIFF=
	for i in "${!KEYS[@]}"; do
		[ "${_want[i]}" = "${_got[i]}" ] && continue
		n=$((n + 1))
		((n > 3)) || DIFF+="${DIFF:+; }${KEYS[i]} is ${_got[i]}, not ${_want[i]}"
	done
	((n > 3)) && DIFF+="; and $((n - 3)) more"
	DIFF="$n key(s) differ: $DIFF"
	((n > 0))
}

# Puts every key back to the namespace's default, read when the case began.
reset_to_defaults() {
	local i path now
	for i in "${!KEYS[@]}"; do
		proc_path "${KEYS[i]}" path
		echo "${BEFORE[i]}" >"$path" || harness_error "cannot write $path"
	done
	snapshot now
	! differ BEFORE now || harness_error "cannot reset the keys to their defaults: $DIFF"
}

# --- running commands ---

# run TAG CMD...: runs CMD with a time limit, its output in $PT/TAG.out and
# $PT/TAG.err, its exit status in RC (the braces keep bash's "Killed" quiet).
run() {
	local tag=$1
	shift
	RC=0
	{ timeout -k 5 "$CMD_TIMEOUT" "$@" >"$PT/$tag.out" 2>"$PT/$tag.err" || RC=$?; } 2>/dev/null
}

# tt TAG ARGS...: tcptune ARGS with the point's state directory.
tt() {
	local tag=$1
	shift
	run "$tag" "$TCPTUNE" "$@" --state-dir "$STATE"
}

# first_err TAG: sets ERR1, the first non-blank line of the command's stderr.
first_err() {
	ERR1="(no stderr)"
	local line
	while IFS= read -r line; do
		[[ $line =~ [^[:space:]] ]] && ERR1=$line && return
	done <"$PT/$1.err"
}

# The harness itself cannot go on: abort the case.
harness_error() {
	echo "FAIL: harness: $*"
	exit 1
}

# --- faults: each runs the faulty command as TAG "fault" ---

# Traced runs go through lib.sh's TOOL_ENV (no LeakSanitizer under ptrace,
# coverage counters out of the build tree).

inject() { # SPEC VERB [ARGS]: tcptune under strace, with the fault SPEC at its writes
	local spec=$1
	shift
	run fault "${TOOL_ENV[@]}" strace -f -o /dev/null -e trace=write -e "inject=write:$spec" \
		"$TCPTUNE" "$@" --state-dir "$STATE"
}

fault_kill_apply() { inject "signal=SIGKILL:when=$1" apply --profile "$PROFILE"; }
fault_kill_rollback() { inject "signal=SIGKILL:when=$1" rollback; }
fault_eacces_apply() { inject "error=EACCES:when=$1..$(($1 + 1))" apply --profile "$PROFILE"; }
fault_enospc_rollback() { inject "error=ENOSPC:when=$1" rollback; }
fault_apply() { tt fault apply --profile "$PROFILE"; }
fault_rollback() { tt fault rollback; }

# --- what comes before the fault, and after it before the recovery ---

setup_none() { :; }

setup_applied() {
	tt setup apply --profile "$PROFILE"
	[ "$RC" -eq 0 ] || { first_err setup && harness_error "the apply before the fault exits $RC: $ERR1"; }
}

# The state directory on a tmpfs of its own.
setup_tmpfs() {
	MNT=$PT/tmpfs
	mkdir "$MNT"
	mount -t tmpfs -o size=256k,mode=0700 tmpfs "$MNT"
	STATE=$(mktemp -d "$MNT/state.XXXXXX")
}

free_pages() { stat -f -c %a "$MNT"; }

fill_to() { # FREE-PAGES: a filler leaves exactly that many pages
	local avail
	avail=$(free_pages)
	((avail >= $1)) || harness_error "the tmpfs has $avail pages free, fewer than $1"
	head -c $(((avail - $1) * $(stat -f -c %S "$MNT"))) /dev/zero >"$MNT/filler"
	[ "$(free_pages)" = "$1" ] || harness_error "the tmpfs has $(free_pages) pages free, not $1"
}

setup_full() { # FREE-PAGES
	setup_tmpfs
	fill_to "$1"
}

setup_applied_full() { # FREE-PAGES
	setup_tmpfs
	setup_applied
	fill_to "$1"
}

no_relief() { :; }
free_disk() { rm -f "$MNT/filler"; }

# --- the checks; each reports through point_fail ---

# e. The faulty run's exit status, and its claims of an undo against the values.
check_fault_run() {
	local out='' err=''
	if [[ " $EXPECTED_RCS " != *" $FRC "* ]]; then
		point_fail e "exit $FRC" fault
		first_err fault
		printf '%s\t%s\t%s\t%s\n' "$CASE_ID" "$N" "$FRC" "$ERR1" >>"$RESULTS.rc"
	fi
	read -rd '' out <"$PT/fault.out" || true
	read -rd '' err <"$PT/fault.err" || true
	if [[ ${out,,}${err,,} =~ undone|rolled\ back ]] && differ BEFORE AFTER_FAULT; then
		point_fail e "says '${BASH_REMATCH[0]}' but $DIFF" fault
	fi
}

# a. One rollback recovers.
check_recovery() {
	local line
	tt recover rollback
	[ "$RC" -eq 0 ] || [ "$RC" -eq 66 ] && return
	point_fail a "rollback exits $RC" recover
	while IFS= read -r line; do
		NOTES+="    | $line"$'\n'
	done < <(cat "$PT/recover.out" "$PT/recover.err")
}

# f. No temporary file is left.
check_no_tmp() {
	local -a left
	shopt -s nullglob dotglob
	left=("$STATE"/*.tmp)
	shopt -u nullglob dotglob
	((${#left[@]} == 0)) || point_fail f "left behind: ${left[*]##*/}" recover
}

# b. Every key is back at its before-value.
check_values() {
	local now
	snapshot now
	! differ BEFORE now || point_fail b "after the recovery $DIFF" recover
}

# The history checker: reads the path of a `history -f json` output a line,
# answers a line: empty when consistent, else the problems.
read -rd '' HISTORY_CHECK <<'EOF' || true
import json, sys

def problems(txns):
    if not isinstance(txns, list):
        return ["history -f json is not an array"]
    bad = []
    for t in txns:
        tid, status = t.get("id"), t.get("status")
        if status != "rolled-back":
            bad.append(f"{tid} is {status}, not rolled-back")
        if t.get("undoes") is not None:
            bad.append(f"{tid} is a rollback recorded as a transaction of its own")
    return bad

for path in sys.stdin:
    try:
        with open(path.rstrip("\n")) as f:
            bad = problems(json.load(f))
    except Exception as e:
        bad = [f"history -f json does not parse: {e}"]
    print("; ".join(bad).replace("\n", " "), flush=True)
EOF

start_history_checker() {
	coproc HISTORY_CHECKER { "$PYTHON" -I -S -c "$HISTORY_CHECK"; }
}

# c. The history parses and holds only finished, rolled-back transactions.
check_history() {
	local problems
	tt history history -f json
	if [ "$RC" -ne 0 ]; then
		point_fail c "history exits $RC" history
		return
	fi
	echo "$PT/history.out" >&"${HISTORY_CHECKER[1]}"
	IFS= read -r problems <&"${HISTORY_CHECKER[0]}" || harness_error "the history checker died"
	[ -z "$problems" ] || point_fail c "$problems" recover
}

# d. The state directory still works: apply and roll back the profile again.
check_fresh_cycle() {
	# shellcheck disable=SC2034 # filled by snapshot, through its name
	local now
	tt again apply --profile "$PROFILE"
	snapshot now
	if [ "$RC" -ne 0 ]; then
		point_fail d "a new apply exits $RC" again
	elif differ WANT now; then
		point_fail d "after a new apply $DIFF" again
	fi
	tt again-rb rollback
	snapshot now
	if [ "$RC" -ne 0 ]; then
		point_fail d "its rollback exits $RC" again-rb
	elif differ BEFORE now; then
		point_fail d "after its rollback $DIFF" again-rb
	fi
}

# --- points and cases ---

# point_fail CHECK DETAIL TAG: a failed check of this point; TAG names the
# command whose stderr explains it (the first failure's is reported).
point_fail() {
	[[ ,$CHECKS, == *,$1,* ]] || CHECKS+=${CHECKS:+,}$1
	DETAILS+="${DETAILS:+ | }$1: $2"
	if [ -z "$POINT_ERR" ]; then
		first_err "$3"
		POINT_ERR=$ERR1
	fi
}

# A fresh point: the defaults again, a new scratch and state directory.
new_point() {
	reset_to_defaults
	POINT_SEQ=$((POINT_SEQ + 1))
	PT=$TEST_TMP/point.$POINT_SEQ
	STATE=$PT/state
	mkdir -m 0700 "$PT" "$STATE"
	MNT=
	CHECKS=
	DETAILS=
	POINT_ERR=
	NOTES= # printed under the point's FAIL line
}

end_point() {
	[ -z "$MNT" ] || umount "$MNT"
}

# run_point N SETUP FAULT RELIEF: one fault, then every check.
run_point() {
	N=$1
	local setup=$2 fault=$3 relief=$4 sorted='' c
	new_point
	"$setup" "$N"
	"$fault" "$N"
	FRC=$RC
	snapshot AFTER_FAULT # before anything else touches the keys
	"$relief"
	check_fault_run
	check_recovery
	check_no_tmp
	check_values
	check_history
	check_fresh_cycle
	for c in a b c d e f; do
		[[ ,$CHECKS, != *,$c,* ]] || sorted+=${sorted:+,}$c
	done
	printf '%s\t%s\t%s\t%s\n' "$CASE_ID" "$N" "$sorted" "$POINT_ERR" >>"$RESULTS.points"
	if [ -n "$sorted" ]; then
		FAILING=$((FAILING + 1))
		fail "case $CASE_ID N=$N (fault exit $FRC): $DETAILS -- stderr: $POINT_ERR"
		printf '%s' "$NOTES"
	fi
	end_point
}

# run_case ID SETUP FAULT RELIEF FIRST LAST: points FIRST..LAST, every one; with
# TCPTUNE_FAULT_STRIDE=K every K-th and the last (the sanitizer pass of .ci/run,
# where each traced run is ten times slower and the plain pass already ran all).
run_case() {
	CASE_ID=$1
	local setup=$2 fault=$3 relief=$4 first=$5 last=$6 n ran=0
	local stride=${TCPTUNE_FAULT_STRIDE:-1} note=
	FAILING=0
	((stride > 1)) && note=" (every $stride and the last)"
	echo "case $CASE_ID: points $first..$last$note"
	for ((n = first; n <= last; n++)); do
		((n == last || (n - first) % stride == 0)) || continue
		run_point "$n" "$setup" "$fault" "$relief"
		ran=$((ran + 1))
	done
	echo "case $CASE_ID: $ran points, $FAILING failing"
}

# A case starts in a new namespace: its defaults are the before-values, and the
# profile must change every one of them.
start_case() {
	local i
	need_tmp
	POINT_SEQ=0
	snapshot BEFORE
	for i in "${!KEYS[@]}"; do
		[ "${BEFORE[i]}" != "${WANT[i]}" ] ||
			harness_error "${KEYS[i]} is already ${WANT[i]} in a new namespace: pick another value"
	done
	start_history_checker
}

# count_writes SETUP ARGS...: sets WRITES, the writes of a clean `tcptune ARGS` after SETUP.
count_writes() {
	local setup=$1
	shift
	new_point
	"$setup" 0
	run count "${TOOL_ENV[@]}" strace -f -o "$PT/count.trace" -e trace=write \
		"$TCPTUNE" "$@" --state-dir "$STATE"
	first_err count
	[ "$RC" -eq 0 ] || harness_error "a clean tcptune $* exits $RC: $ERR1"
	WRITES=$(grep -cE '^([0-9]+ +)?write\(' "$PT/count.trace")
	end_point
}

case_kill_apply() {
	start_case
	count_writes setup_none apply --profile "$PROFILE"
	run_case 1-kill-apply setup_none fault_kill_apply no_relief 1 "$WRITES"
}

case_kill_rollback() {
	start_case
	count_writes setup_applied rollback
	run_case 2-kill-rollback setup_applied fault_kill_rollback no_relief 1 "$WRITES"
}

case_eacces_apply() {
	start_case
	count_writes setup_none apply --profile "$PROFILE"
	run_case 3-eacces-apply setup_none fault_eacces_apply no_relief 1 "$WRITES"
}

case_enospc_rollback() {
	start_case
	count_writes setup_applied rollback
	run_case 5-enospc-rollback setup_applied fault_enospc_rollback no_relief 1 "$WRITES"
}

case_enospc() {
	start_case
	run_case 4a-enospc-apply setup_full fault_apply free_disk 0 3
	run_case 4b-enospc-rollback setup_applied_full fault_rollback free_disk 0 3
}

# --- the summary ---

# Failing points grouped by case, checks and stderr (ids and paths blurred), N as
# ranges; then the unexpected exit codes.
summary() {
	"$PYTHON" -I -S - "$RESULTS.points" "$RESULTS.rc" "$SECONDS" <<'EOF'
import re, sys

def blur(s):
    s = re.sub(r"\d{8}-\d{6}-[0-9a-f]{4}", "<id>", s)
    s = re.sub(r"/tmp/tcptune-test\.\w+/\S*?(?=[:\s]|$)", "<dir>", s)
    return s if len(s) <= 200 else s[:200] + "..."

def ranges(ns):
    out = []
    for n in sorted(ns):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in out)

points, groups = {}, {}
for line in open(sys.argv[1]):
    case, n, checks, err = line.rstrip("\n").split("\t")
    points[case] = points.get(case, 0) + 1
    if checks:
        groups.setdefault((case, checks, blur(err)), []).append(int(n))
print()
print("Points per case: " + ", ".join(f"{c} {k}" for c, k in points.items()))
failing = sum(len(v) for v in groups.values())
print(f"{sum(points.values())} points, {failing} failing, in {sys.argv[3]} s")
if groups:
    print("Failing points (case: checks at N (how many) -- first line of stderr):")
    for (case, checks, err), ns in groups.items():
        print(f"  {case}: {checks} at N={ranges(ns)} ({len(ns)}) -- {err}")
rcs = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
if rcs:
    print("Unexpected exit codes of the faulty runs:")
    print(f"  {'case':<20} {'N':>3} {'exit':>4}  stderr")
    for case, n, rc, err in rcs:
        print(f"  {case:<20} {n:>3} {rc:>4}  {err}")
EOF
}

need_tmp
RESULTS=$TEST_TMP/results
: >"$RESULTS.points"
: >"$RESULTS.rc"
for c in case_kill_apply case_kill_rollback case_eacces_apply case_enospc case_enospc_rollback; do
	run_in_netns "$c"
done
summary
finish
