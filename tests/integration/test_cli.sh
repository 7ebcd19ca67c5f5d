#!/usr/bin/env bash
# The command line's contract: exit codes, one-line errors, no partial output,
# and the exact reports of `stats` on a fake /proc tree (every format, the
# locale's bars, colours only on a terminal, --top, --interval). Needs no
# privileges: it reads fake /proc trees built from the fixtures.
set -u
# shellcheck source=tests/integration/clilib.sh
. "$(dirname "$0")/clilib.sh"
CFX="$FX/cli"

# expect CODE STDERR-PATTERN -- ARGS...: exit code, one stderr line matching, no stdout.
expect() {
	local code=$1 pattern=$2
	shift 3
	run "$@"
	if [ "$rc" -ne "$code" ] || ! grep -qE -e "$pattern" "$tmp/err" ||
		[ "$(wc -l <"$tmp/err")" -ne 1 ] || [ -s "$tmp/out" ]; then
		bad "tcptune $* -> exit $rc (want $code), stderr:"
		sed 's/^/    /' "$tmp/err"
		[ -s "$tmp/out" ] && echo "    and printed to stdout"
	else
		ok "tcptune $* -> $rc"
	fi
}

good=$(fake_root good)
badnetstat=$(fake_root badnetstat)
cp "$FX/proc-bad-truncated/net/netstat" "$badnetstat/net/netstat"
badtcp=$(fake_root badtcp)
printf '  sl  local_address\n   0: 0100007F:1F90 00000000\n' >"$badtcp/net/tcp"
nosnmp=$(fake_root nosnmp)
rm "$nosnmp/net/snmp"

# --- usage and input errors ---

expect 64 "unknown option '--bogus'" -- stats --bogus
expect 64 "option '--format' needs a value" -- stats --format
expect 64 "'xml' is not one of text, json, prometheus" -- stats -f xml
expect 64 "--source: 'ebpf'" -- stats --source ebpf
expect 64 "--top: '-1'" -- stats --top -1
expect 64 "--top: '1001'" -- stats --top 1001
expect 64 "--interval: '0'" -- stats --interval 0
expect 64 "--interval: '3601'" -- stats --interval 3601
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

# --- stats on the fake root: every format, exactly ---

# stats_text GOLDEN WHAT ENV...: the text report, run with exactly these
# locale variables, is the golden file (time masked).
stats_text() {
	local golden=$1 what=$2
	shift 2
	env -u LC_ALL -u LC_CTYPE -u LANG -u NO_COLOR "$@" "$T" stats --proc-root "$good" \
		>"$tmp/raw" 2>"$tmp/err"
	rc=$?
	mask_time <"$tmp/raw" >"$tmp/out"
	if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]; then
		expect_same "$CFX/$golden" "$tmp/out" "$what"
	else
		bad "$what: exit $rc, stderr: $(cat "$tmp/err")"
	fi
}
# A UTF-8 locale draws bars with block characters, any other with '#'; the
# first of LC_ALL, LC_CTYPE and LANG that is set decides, as setlocale() does.
stats_text stats-utf8.txt "text, LANG=C.UTF-8: block bars" LANG=C.UTF-8
stats_text stats-utf8.txt "text, LC_CTYPE=en_US.utf8 over LANG=C" LC_CTYPE=en_US.utf8 LANG=C
stats_text stats-ascii.txt "text, no locale set: ASCII bars" LC_ALL=
stats_text stats-ascii.txt "text, LANG=en_US.ISO-8859-1: ASCII bars" LANG=en_US.ISO-8859-1
stats_text stats-ascii.txt "text, LC_ALL=C over LANG=C.UTF-8: ASCII bars" LC_ALL=C LANG=C.UTF-8
stats_text stats-ascii.txt "text, LANG=C.UTF-8 under LC_CTYPE=POSIX: ASCII bars" \
	LC_CTYPE=POSIX LANG=C.UTF-8

run stats --proc-root "$good" --format prometheus
mask_time <"$tmp/out" >"$tmp/prom"
expect_rc 0 "stats --format prometheus"
# The golden file's memory is the fixture's 2381 pages of 4096 bytes: here,
# pages of this machine's size.
sed "s/^tcptune_sockstat_mem_bytes .*/tcptune_sockstat_mem_bytes $((2381 * $(getconf PAGESIZE)))/" \
	"$CFX/stats.prom" >"$tmp/want.prom"
expect_same "$tmp/want.prom" "$tmp/prom" "stats --format prometheus on the fake root"
# An oracle besides the golden file: every counter of the fixture's snmp Tcp
# and netstat TcpExt sections, in snake_case, as a counter (_total) or, for
# the Tcp gauges, a gauge; RtoMin and RtoMax (milliseconds) in seconds.
if "$PYTHON" - "$good/net" "$tmp/prom" <<'PY' >"$tmp/check" 2>&1; then
import re, sys
net, prom = sys.argv[1], sys.argv[2]
gauges = {"CurrEstab", "MaxConn", "RtoAlgorithm"}
millis = {"RtoMin", "RtoMax"}
def snake(key):
    key = re.sub(r"^TCP(?=[A-Z])", "TCP_", key)              # TCPSACKReneging: TCP_SACKReneging
    key = re.sub(r"([A-Z]+)([A-Z](?:[a-rt-z]|s[a-z]))", r"\1_\2", key)  # SACKReneging, not ACKs
    key = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)        # ListenOverflows, MD5Not
    return key.lower()
want = set()
for name, section in (("snmp", "Tcp"), ("netstat", "TcpExt")):
    lines = [l.split() for l in open(f"{net}/{name}") if l.startswith(section + ":")]
    for key, value in zip(lines[0][1:], lines[1][1:]):
        metric = f"tcptune_netstat_{section.lower()}_{snake(key)}"
        if section == "Tcp" and key in millis:
            want.add(f"{metric}_seconds {int(value) / 1000!r}")
        else:
            suffix = "" if section == "Tcp" and key in gauges else "_total"
            want.add(f"{metric}{suffix} {value}")
got = {l.strip() for l in open(prom) if l.startswith("tcptune_netstat_")}
missing, extra = want - got, got - want
assert not missing and not extra, f"missing {sorted(missing)[:5]}, unexpected {sorted(extra)[:5]}"
assert "tcptune_netstat_tcpext_listen_overflows_total 1523" in got, "the name the issue asks for"
PY
	ok "prometheus: every Tcp and TcpExt counter of the fixture, by its value, in snake_case"
else
	bad "prometheus counters: $(cat "$tmp/check")"
fi
if command -v promtool >/dev/null; then
	if promtool check metrics <"$tmp/out" >"$tmp/check" 2>&1; then
		ok "prometheus: promtool check metrics is clean"
	else
		bad "prometheus: promtool check metrics: $(head -5 "$tmp/check")"
	fi
fi

run stats --proc-root "$good" --format json
expect_rc 0 "stats --format json"
expect_json "json: source and version" '[d["version"], d["source"], d["netns"], d["kernel"]]' \
	'[1, "proc", null, "6.18.44-fc-v509"]'
expect_json "json: the states of the fixture (tests/fixtures/procnet/ss-tan.txt)" 'd["states"]' \
	'{"established": 13, "syn_sent": 0, "syn_recv": 1, "fin_wait1": 0, "fin_wait2": 1,
	  "time_wait": 2, "close": 0, "close_wait": 1, "last_ack": 0, "listen": 3, "closing": 0}'
expect_json "json: IPv6 states" '{k: v for k, v in d["states_v6"].items() if v}' \
	'{"established": 2, "listen": 1}'
expect_json "json: total" 'd["total"]' 21
expect_json "json: a vector sysctl is an array" 'd["sysctl"]["net.ipv4.ip_local_port_range"]' \
	'[32768, 60999]'
expect_json "json: an absent sysctl is null" 'd["sysctl"]["net.ipv4.tcp_tw_recycle"]' null
expect_json "json: listeners without limits from /proc" 'd["listeners"]' \
	'[{"family": "ipv4", "address": "127.0.0.1", "port": 9090, "queue": 0, "backlog": null, "fill": null},
	  {"family": "ipv4", "address": "127.0.0.1", "port": 8080, "queue": 2, "backlog": null, "fill": null},
	  {"family": "ipv6", "address": "::1", "port": 8443, "queue": 0, "backlog": null, "fill": null}]'
expect_json "json: no interval, no rates without --interval" '["interval" in d, "rates" in d]' \
	'[false, false]'
expect_json "json: the note about the /proc source" 'd["notes"]' \
	'["/proc/net/tcp does not report accept-queue limits: listener fill unknown"]'

# --top N keeps the N busiest ports of each state, ties by port number.
top_cases=(
	'1|{"established": [{"port": 8080, "count": 5, "role": "server"}],
	    "syn_recv": [{"port": 9090, "count": 1, "role": "server"}],
	    "fin_wait2": [{"port": 45416, "count": 1, "role": "client"}],
	    "time_wait": [{"port": 45400, "count": 1, "role": "client"}],
	    "close_wait": [{"port": 8080, "count": 1, "role": "server"}]}'
	'3|{"established": [{"port": 8080, "count": 5, "role": "server"},
	                    {"port": 8443, "count": 1, "role": "server"},
	                    {"port": 35442, "count": 1, "role": "client"}],
	    "syn_recv": [{"port": 9090, "count": 1, "role": "server"}],
	    "fin_wait2": [{"port": 45416, "count": 1, "role": "client"}],
	    "time_wait": [{"port": 45400, "count": 1, "role": "client"},
	                  {"port": 45412, "count": 1, "role": "client"}],
	    "close_wait": [{"port": 8080, "count": 1, "role": "server"}]}'
	'0|{}'
)
for case in "${top_cases[@]}"; do
	run stats --proc-root "$good" --top "${case%%|*}" --format json
	expect_rc 0 "stats --top ${case%%|*}"
	expect_json "stats --top ${case%%|*}: top_ports" 'd["top_ports"]' "${case#*|}"
done
run stats --proc-root "$good" --top 1
expect_text "Top local ports   port    sockets  role    process
  established     8080          5  server
  syn_recv        9090          1  server
  fin_wait2      45416          1  client
  time_wait      45400          1  client
  close_wait      8080          1  server" <(sed -n '/^Top local ports/,/^$/p' "$tmp/out" | sed '$d') \
	"stats --top 1: the text table"

# --interval: two snapshots; a counter that grew between them has its rate per
# second of the measured interval (longer than the one asked: observing takes
# time), one that went backwards has none (null).
cp -r "$good" "$tmp/moving"
(
	sleep 1
	awk 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "ListenOverflows") a = i; if ($i == "ListenDrops") b = i } }
		NR == 2 { $a += 10; $b -= 1 } { print }' "$tmp/moving/net/netstat" >"$tmp/netstat.new" &&
		mv "$tmp/netstat.new" "$tmp/moving/net/netstat"
) &
bump=$!
run stats --proc-root "$tmp/moving" --interval 2 --format json
wait "$bump"
expect_rc 0 "stats --interval 2"
if "$PYTHON" - "$tmp/out" <<'PY' >"$tmp/check" 2>&1; then
import json, sys
d = json.load(open(sys.argv[1]))
iv = d["interval"]
assert 2 < iv < 3, f"interval {iv}: not the measured one"
r = d["rates"]
assert set(r) == set(d["counters"]) and all(set(r[s]) == set(d["counters"][s]) for s in r), \
    "rates do not have the shape of counters"
assert r["TcpExt"]["ListenOverflows"] == 10 / iv, (r["TcpExt"]["ListenOverflows"], 10 / iv)
assert r["TcpExt"]["ListenDrops"] is None, r["TcpExt"]["ListenDrops"]
others = {f"{s}.{k}": v for s in r for k, v in r[s].items()
          if v != 0 and k not in ("ListenOverflows", "ListenDrops")}
assert not others, others
assert d["counters"]["TcpExt"]["ListenOverflows"] == 1533, "not the second snapshot"
PY
	ok "stats --interval: 10 overflows in the interval, a counter going backwards has no rate"
else
	bad "stats --interval: $(cat "$tmp/check")"
fi

# Colours only for a terminal, and never with NO_COLOR: script(1) gives one.
on_tty() { # ENV...: stats text on a terminal, escapes kept, CRs dropped
	env -u NO_COLOR LANG=C.UTF-8 "$@" script -qec "'$T' stats --proc-root '$good'" /dev/null |
		tr -d '\r' | mask_time >"$tmp/out"
}
on_tty
if grep -qxF $'\033[1mTCP sockets\033[0m from proc, own namespace, kernel 6.18.44-fc-v509' "$tmp/out"; then
	ok "text on a terminal: bold headings"
else
	bad "text on a terminal has no colours: $(head -3 "$tmp/out" | od -c | head -3)"
fi
sed 's/\x1b\[[0-9;]*m//g' "$tmp/out" >"$tmp/plain"
expect_same "$CFX/stats-utf8.txt" "$tmp/plain" "text on a terminal: the same report, escapes aside"
on_tty NO_COLOR=1
expect_same "$CFX/stats-utf8.txt" "$tmp/out" "NO_COLOR=1 on a terminal: no escape sequences at all"

# --- the verbs, the version, help ---

run --help
expect_rc 0 "--help"
expect_text "diagnose stats top rules explain lint profiles apply rollback confirm history verify" \
	<(sed -n 's/^  \([a-z]*\)  .*/\1/p' "$tmp/out" | paste -sd' ') "--help lists every verb, in order"
expect_text "Usage: tcptune [--version] [--help] COMMAND [ARGS]" <(head -1 "$tmp/out") "--help: usage line"
for verb in diagnose stats top rules explain lint profiles apply rollback confirm history verify; do
	run "$verb" --help
	if [ "$rc" -eq 0 ] && [ "$(head -1 "$tmp/out" | cut -d' ' -f1-3)" = "Usage: tcptune $verb" ]; then
		ok "$verb --help -> 0, its usage"
	else
		bad "$verb --help -> $rc: $(head -1 "$tmp/out")"
	fi
done
run stats --help
grep -q -- "--netns-pid" "$tmp/out" && ok "stats --help names --netns-pid" || bad "stats --help"

version=$(sed -n 's/^project(tcptune VERSION \([0-9.]*\) .*/\1/p' "$SRCDIR/CMakeLists.txt")
run --version
expect_rc 0 "--version"
expect_text "tcptune $version" "$tmp/out" "--version prints the project's version"
run
expect_rc 64 "no command"
[ -s "$tmp/out" ] && bad "no command printed to stdout" || ok "no command: usage on stderr only"

# Before the first apply there is no state directory: an empty history, no error.
run history --state-dir "$tmp/never"
expect_rc 0 "history before any transaction"
expect_text "TRANSACTION           TIME (UTC)           STATUS          KEYS  NETNS         SOURCE
(no transactions)" "$tmp/out" "history before any transaction: the header and (no transactions)"
expect_text "" "$tmp/err" "history before any transaction: silent on stderr"
run history --state-dir "$tmp/never" --format json
expect_text "[]" "$tmp/out" "history --format json before any transaction: []"
[ -e "$tmp/never" ] && bad "history made the state directory" || ok "history makes no state directory"

cli_finish
