#!/usr/bin/env bash
# The bad-input corpus, tests/badinput/: one directory per case, whose case.sh
# names one tcptune command, the exact error line(s) it must print and its
# exit status. Each case runs in a scratch copy of its directory ($W) and, when
# we are root, in a private network namespace of its own. Before and after the
# command, a snapshot is taken of the live sysctls the case could touch
# (SYSCTLS, read in that namespace) and of every file under $W: the fake
# sysctl trees, the state directory, the --root and --persist directories.
# Nothing may change.
#
# case.sh is sourced with W (the scratch directory) and QW ($W quoted for a
# regular expression) set, and may set:
#   CMD=(ARG...)       tcptune's arguments; it runs with $W as its directory
#   RC=N               the exit status it must return
#   ERR=(LINE...)      its stderr, exactly, line by line; or
#   ERR_RE=(ERE...)    its stderr, each line matching its pattern whole
#   OUT=(LINE...)      its stdout, exactly (default: nothing)
#   SYSCTLS=(KEY...)   live sysctls compared before and after (read only)
#   NEEDS=root         the setup gives files away (chown to uid 65534)
#   NEEDS=netns        the command works on the live /proc/sys: per-namespace
#                      keys only, in the private namespace
#   ENV=(VAR=VALUE...) more environment for the command
#   setup()            makes the inputs that are generated (big, binary,
#                      owned by another user), before the first snapshot
# Every $W starts with state/, a state directory in use (mode 0700, with its
# lock; $TCPTUNE_STATE_DIR points there too), and sys/, a fake sysctl tree.
#
# Without root, the cases that need it are skipped with a message, and the
# test exits 77 if it skipped any; under CI=true a skip is a failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

T="${TCPTUNE:?TCPTUNE must name the tcptune binary (run the test with ctest)}"
CASES="${SRCDIR:?}/tests/badinput"
[ -x "$T" ] || {
	echo "FAIL: \$TCPTUNE ('$T') is not an executable"
	exit 1
}
export T CASES

# --- helpers for case.sh ---

# fake_sysctl DIR KEY=VALUE...: a fake /proc/sys tree holding these keys.
fake_sysctl() {
	local dir=$1 kv key
	shift
	for kv in "$@"; do
		key=${kv%%=*}
		mkdir -p "$dir/$(dirname "${key//.//}")"
		printf '%s\n' "${kv#*=}" >"$dir/${key//.//}"
	done
}

# The traversal cases' fake root, $W/proc/sys, with canaries where each
# traversal would land if it were followed: nothing outside it may be written.
traversal_canaries() {
	fake_sysctl "$W/proc/sys" net.ipv4.tcp_fin_timeout=60
	mkdir -p "$W/proc/kernel" "$W/proc/sys/net.ipv4.tcp_fin_timeout"
	echo core >"$W/proc/kernel/core_pattern"
	echo canary >"$W/proc/x"
	echo canary >"$W/x"
}

# A regular expression that matches the text $1 literally.
re_quote() {
	printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'
}

# repeat N TEXT: TEXT N times, without a newline.
repeat() {
	local i out=
	for ((i = 0; i < $1; i++)); do out+=$2; done
	printf '%s' "$out"
}

# A valid journal in $W/state: one apply of --set on the fake tree. Prints its id.
make_journal() {
	local journals
	"$T" apply --sysctl-root "$W/sys" --state-dir "$W/state" --set "$1" >/dev/null ||
		{ echo "FAIL: setup: apply --set $1 on the fake tree" >&2; return 1; }
	journals=("$W/state/"*.json)
	basename "${journals[0]}" .json
}

# --- one case ---

# Everything that could change: the live keys, then every file under $W.
snapshot() {
	local k
	for k in "${SYSCTLS[@]}"; do
		printf 'sysctl %s = %s\n' "$k" "$(tr -s ' \t' ' ' <"/proc/sys/${k//.//}" 2>&1)"
	done
	(
		cd "$W" || exit 1
		find . -printf '%p %y %m %U:%G %s %T@ %l\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
	)
}

# check_lines WHAT FILE exact|re LINE...: FILE holds exactly these lines.
check_lines() {
	local what=$1 file=$2 how=$3 i ok=true
	local -a got
	shift 3
	mapfile -t got <"$file"
	if [ "${#got[@]}" -ne "$#" ]; then
		ok=false
	else
		for ((i = 0; i < $#; i++)); do
			local want=${*:i+1:1}
			if [ "$how" = exact ]; then
				[ "${got[i]}" = "$want" ] || ok=false
			else
				[[ ${got[i]} =~ ^${want}$ ]] || ok=false
			fi
		done
	fi
	if ! $ok; then
		fail "$what: want $# line(s)$([ "$how" = re ] && echo ' matching'):"
		printf '      %s\n' "$@"
		echo "    got ${#got[@]}:"
		sed 's/^/      /' "$file" | cat -v
	fi
	$ok
}

# run_case NAME: runs one case; its failures are counted by lib.sh's fail.
run_case() {
	local name=$1 src=$CASES/$1 W QW rc=0 before after out err shown
	local -a CMD=() ERR=() ERR_RE=() OUT=() SYSCTLS=() ENV=()
	local RC='' NEEDS=''
	W=$(mktemp -d "$WORK/$name.XXXXXX")
	QW=$(re_quote "$W")
	out=$WORK/$name.out
	err=$WORK/$name.err
	unset -f setup
	# The case's own files, made safe to load whatever the umask of the checkout.
	find "$src" -mindepth 1 -maxdepth 1 ! -name case.sh -exec cp -a {} "$W/" \;
	chmod -R go-w "$W"
	mkdir -m 0700 "$W/state"
	install -m 0600 /dev/null "$W/state/lock"
	fake_sysctl "$W/sys" net.ipv4.tcp_fin_timeout=60 net.ipv4.tcp_syncookies=1 \
		net.core.somaxconn=4096 net.ipv4.tcp_max_tw_buckets=262144 \
		"net.ipv4.tcp_rmem=4096	131072	6291456" net.ipv4.tcp_tw_reuse=2 \
		net.ipv4.tcp_timestamps=1 "net.ipv4.ip_local_port_range=32768	60999"
	# shellcheck source=/dev/null
	. "$src/case.sh"
	if [ -z "$RC" ] || [ "${#CMD[@]}" -eq 0 ]; then
		fail "$name: case.sh sets no CMD or no RC"
		return 0
	fi
	if declare -F setup >/dev/null && ! setup; then
		fail "$name: setup failed"
		return 0
	fi
	before=$(snapshot)
	(cd "$W" && exec env TCPTUNE_STATE_DIR="$W/state" "${ENV[@]}" \
		timeout 60 "$T" "${CMD[@]}") >"$out" 2>"$err" || rc=$?
	after=$(snapshot)
	local ok=true
	if [ "$rc" -ne "$RC" ]; then
		fail "$name: exit status $rc, want $RC"
		ok=false
	fi
	if [ "${#ERR_RE[@]}" -gt 0 ]; then
		check_lines "$name: stderr" "$err" re "${ERR_RE[@]}" || ok=false
	else
		check_lines "$name: stderr" "$err" exact "${ERR[@]}" || ok=false
	fi
	check_lines "$name: stdout" "$out" exact "${OUT[@]}" || ok=false
	if [ "$before" != "$after" ]; then
		fail "$name: something changed:"
		diff <(echo "$before") <(echo "$after") | sed 's/^/    /'
		ok=false
	fi
	if $ok; then
		shown=$(printf '%q ' "${CMD[@]}")
		echo "ok: $name: tcptune ${shown//$W/\$W}-> $rc, nothing changed"
	fi
	rm -rf "$W"
	return 0
}

# What a case needs, read without running anything.
case_needs() {
	(
		# shellcheck disable=SC2034 # for case.sh
		W=/nonexistent QW=''
		NEEDS=''
		# shellcheck source=/dev/null
		. "$CASES/$1/case.sh" >/dev/null 2>&1
		echo "$NEEDS"
	)
}

# --- all cases ---

need_tmp
WORK=$TEST_TMP # run_in_netns copies the script's variables, not lib's
# shellcheck disable=SC2034 # for case.sh
ID_RE='[0-9]{8}-[0-9]{6}-[0-9a-f]{4}' # a transaction id, for ERR_RE
root=false
netns=false
[ "$(id -u)" -eq 0 ] && root=true
$root && command -v unshare >/dev/null && command -v ip >/dev/null &&
	unshare -n true 2>/dev/null && netns=true
if $root && ! $netns; then
	skip_or_fail "cannot create a network namespace (unshare -n)"
fi

skipped=0
n=0
for dir in "$CASES"/*/; do
	name=$(basename "$dir")
	[ -f "$dir/case.sh" ] || {
		fail "$name: no case.sh"
		continue
	}
	n=$((n + 1))
	needs=$(case_needs "$name")
	if $netns; then
		run_in_netns run_case "$name"
	elif [ -n "$needs" ]; then
		echo "SKIP: $name: needs $needs (run as root)"
		skipped=$((skipped + 1))
	else
		(run_case "$name" && finish) || fail "$name"
	fi
done
[ "$n" -gt 0 ] || fail "no cases in $CASES"
echo "$n cases, $skipped skipped"
# shellcheck disable=SC2154 # lib.sh's count of failed checks
if [ "$skipped" -gt 0 ] && [ "$_lib_failures" -eq 0 ]; then
	skip_or_fail "$skipped of $n cases need root"
fi
finish
