#!/usr/bin/env bash
# The command line's contract: exit codes, one-line errors, no partial output.
# Needs no privileges: it reads fake /proc trees built from the fixtures.
set -u
T="${TCPTUNE:?TCPTUNE must name the tcptune binary}"
FX="${SRCDIR:?}/tests/fixtures"
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect CODE STDERR-PATTERN -- ARGS...: exit code, one stderr line matching, no stdout.
expect() {
	local code=$1 pattern=$2; shift 3
	"$T" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$? lines
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne "$code" ] || ! grep -qE -e "$pattern" "$tmp/err" || [ "$lines" -ne 1 ] ||
		[ -s "$tmp/out" ]; then
		echo "FAIL: tcptune $* -> exit $rc (want $code), stderr ($lines lines):"
		sed 's/^/    /' "$tmp/err"
		[ -s "$tmp/out" ] && echo "    and printed to stdout"
		fails=$((fails + 1))
	else
		echo "ok: tcptune $* -> $rc"
	fi
}

# A fake /proc: good counters and sysctls, real socket tables.
mkroot() {
	local r="$tmp/$1"
	mkdir -p "$r/net"
	cp -r "$FX/proc-good/sys" "$r/sys"
	cp "$FX"/proc-good/net/* "$r/net/"
	cp "$FX"/procnet/net/tcp "$FX"/procnet/net/tcp6 "$r/net/"
	echo "$r"
}
good=$(mkroot good)
badnetstat=$(mkroot badnetstat)
cp "$FX/proc-bad-truncated/net/netstat" "$badnetstat/net/netstat"
badtcp=$(mkroot badtcp)
printf '  sl  local_address\n   0: 0100007F:1F90 00000000\n' >"$badtcp/net/tcp"
nosnmp=$(mkroot nosnmp)
rm "$nosnmp/net/snmp"

expect 64 "unknown option '--bogus'" -- stats --bogus
expect 64 "option '--format' needs a value" -- stats --format
expect 64 "'xml' is not one of text, json, prometheus" -- stats -f xml
expect 64 "--source: 'ebpf'" -- stats --source ebpf
expect 64 "--top: '-1'" -- stats --top -1
expect 64 "--interval: '0'" -- stats --interval 0
expect 64 "unexpected argument 'extra'" -- stats extra
expect 64 "exclude each other" -- stats --netns a --netns-pid 1
expect 64 "unknown command 'frob'" -- frob
expect 66 "/run/netns/tcptune-no-such-ns: No such file" -- stats --netns tcptune-no-such-ns
expect 66 "/proc/2147483647/ns/net: No such file" -- stats --netns-pid 2147483647
expect 65 "/dev/null: not a network namespace" -- stats --netns /dev/null
expect 66 "/nonexistent/net/tcp: No such file" -- stats --proc-root /nonexistent
expect 65 "badnetstat/net/netstat: line [0-9]+: " -- stats --proc-root "$badnetstat"
expect 65 "badtcp/net/tcp:2: malformed socket line" -- stats --proc-root "$badtcp"
expect 66 "nosnmp/net/snmp: No such file" -- stats --proc-root "$nosnmp"

# The good fake root works in every format, from /proc (the fake root implies it).
for fmt in text json prometheus; do
	if ! "$T" stats --proc-root "$good" --format "$fmt" >"$tmp/out" 2>"$tmp/err"; then
		echo "FAIL: stats --format $fmt on a fake root:"; cat "$tmp/err"; fails=$((fails + 1))
	fi
done
python3 - "$tmp/out" <<'PY' || fails=$((fails + 1))
import json, subprocess, sys, os
d = json.loads(subprocess.run([os.environ["TCPTUNE"], "stats", "--proc-root", sys.argv[1].rsplit("/", 1)[0] + "/good", "--format", "json"], capture_output=True, check=True).stdout)
want = {"established": 13, "syn_recv": 1, "time_wait": 2, "close_wait": 1, "fin_wait2": 1, "listen": 3}
got = {k: v for k, v in d["states"].items() if v}
assert d["source"] == "proc", d["source"]
assert got == want, f"states {got} != {want}"
assert d["sysctl"]["net.ipv4.ip_local_port_range"] == [32768, 60999]
assert d["sysctl"]["net.ipv4.tcp_tw_recycle"] is None
print("ok: stats --format json on a fake root")
PY
"$T" --help | grep -q "stats" || { echo "FAIL: --help lists no stats"; fails=$((fails + 1)); }

# Before the first apply there is no state directory: an empty history, no error.
if "$T" history --state-dir "$tmp/never" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ] &&
	grep -q "(no transactions)" "$tmp/out" &&
	[ "$("$T" history --state-dir "$tmp/never" --format json)" = "[]" ]; then
	echo "ok: history before any transaction is empty, silently"
else
	echo "FAIL: history before any transaction:"; cat "$tmp/out" "$tmp/err"; fails=$((fails + 1))
fi
"$T" stats --help | grep -q -- "--netns-pid" || { echo "FAIL: stats --help"; fails=$((fails + 1)); }

echo "$fails failed"
[ "$fails" -eq 0 ]
