#!/usr/bin/env bash
# `tcptune lint` and `tcptune explain` on fake trees: outputs and exit codes.
# Needs no privileges.
set -u
. "$(dirname "$0")/clilib.sh"
LFX="$FX/lint"
SYS="$FX/proc-good/sys"

# expect_line FILE LINE WHAT: FILE has exactly this line.
expect_line() {
	if grep -qxF -e "$2" "$1"; then
		ok "$3"
	else
		bad "$3: no line '$2' in:"
		sed 's/^/    /' "$1"
	fi
}

# expect_error CODE PATTERN ARGS...: exit code, one stderr line matching, nothing on stdout.
expect_error() {
	local code=$1 pattern=$2
	shift 2
	run "$@"
	if [ "$rc" -ne "$code" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
		! grep -qE -e "$pattern" "$tmp/err" || [ -s "$tmp/out" ]; then
		bad "tcptune $* -> exit $rc (want $code), stderr:"
		sed 's/^/    /' "$tmp/err"
	else
		ok "tcptune $* -> $rc"
	fi
}

# --- lint ---

run lint --root "$LFX/root" --sysctl-root "$LFX/sys"
expect_rc 1 "lint of a tree with findings"
expect_line "$tmp/out" "/etc/sysctl.d/10-tcp.conf:3: net.ipv4.tcp_tw_recycle was removed in Linux 4.12: setting it makes \`sysctl -p\` fail on current kernels; delete the line" "removed key"
expect_line "$tmp/out" "/etc/sysctl.d/10-tcp.conf:8: net.ipv4.tcp_fin_timeout = 20 here is overridden by /etc/sysctl.conf:2 (= 15)" "overridden by a later file"
expect_line "$tmp/out" "/etc/sysctl.d/10-tcp.conf:2: net.ipv4.tcp_fin_timeout = 30 is set again on line 8 of this file (= 20)" "set twice in one file"
expect_line "$tmp/out" "/etc/sysctl.d/10-tcp.conf:12: net.ipv4.tcp_syncookies = 3: 3 is above the maximum 2" "invalid value"
expect_line "$tmp/out" "/etc/sysctl.d/10-tcp.conf:4: net.ipv4.tcp_tw_reuse = 1 needs TCP timestamps, but net.ipv4.tcp_timestamps = 0 is set at /run/sysctl.d/15-runtime.conf:1" "tw_reuse without timestamps"
if grep -q "never.read\|50-masked\|hidden\|README" "$tmp/out"; then
	bad "masked, shadowed or non-.conf files were read"
else
	ok "masked, shadowed and non-.conf files are not read"
fi
# Reading order: each file once, its lines ascending.
if awk -F: '$1 != f { if (seen[$1]++) exit 1; f = $1; l = 0 } $2 + 0 < l { exit 1 } { l = $2 + 0 }' \
	"$tmp/out"; then
	ok "findings in reading order"
else
	bad "findings out of order"
fi
[ "$(wc -l <"$tmp/out")" -eq 15 ] && ok "15 findings" || bad "$(wc -l <"$tmp/out") findings, want 15"
[ -s "$tmp/err" ] && bad "lint wrote to stderr" || ok "lint is quiet on stderr"

run lint --format json --root "$LFX/root" --sysctl-root "$LFX/sys"
expect_rc 1 "lint --format json"
if python3 - "$tmp/out" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == 15, len(d)
for f in d:
    assert set(f) == {"file", "line", "key", "severity", "message"}, f
    assert f["severity"] in ("error", "warning"), f
r = [f for f in d if f["key"] == "net.ipv4.tcp_tw_recycle"][0]
assert r == {"file": "/etc/sysctl.d/10-tcp.conf", "line": 3, "key": "net.ipv4.tcp_tw_recycle",
             "severity": "error", "message": r["message"]}, r
assert [f for f in d if f["line"] == 15][0]["key"] is None
PY
	ok "lint JSON findings"
else
	bad "lint JSON findings"
fi

run lint --root "$LFX/clean" --sysctl-root "$LFX/sys"
expect_rc 0 "lint of a clean tree"
[ -s "$tmp/out" ] && bad "clean lint printed something" || ok "clean lint prints nothing"
run lint -f json --root "$LFX/clean" --sysctl-root "$LFX/sys"
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == []' "$tmp/out" &&
	ok "clean lint JSON is []" || bad "clean lint JSON"

run lint --sysctl-root "$LFX/sys" "$LFX/root/usr/lib/sysctl.d/20-vendor.conf" "$LFX/root/etc/sysctl.d/10-tcp.conf"
expect_rc 1 "lint of named files"
expect_line "$tmp/out" "$LFX/root/usr/lib/sysctl.d/20-vendor.conf:2: net.core.somaxconn = 1024 here is overridden by $LFX/root/etc/sysctl.d/10-tcp.conf:16 (= 65535)" "named files in the order given"

expect_error 66 "lint: .*/nope.conf: No such file or directory" lint --sysctl-root "$LFX/sys" "$LFX/nope.conf"
expect_error 66 "lint: /nonexistent: No such file" lint --sysctl-root /nonexistent
expect_error 64 "lint: unknown option '--bogus'" lint --bogus
expect_error 64 "lint: option '--root' needs a value" lint --root
expect_error 64 "'xml' is not one of text, json" lint -f xml
run lint --help
expect_rc 0 "lint --help"
grep -q -- "--sysctl-root" "$tmp/out" && ok "lint --help shows options" || bad "lint --help"

# --- explain ---

run explain --sysctl-root "$SYS" net.ipv4.tcp_fin_timeout net/core/somaxconn
expect_rc 0 "explain of known keys"
expect_line "$tmp/out" "  current    60 (the default)" "explain shows the current value"
expect_line "$tmp/out" "net.core.somaxconn" "slashed keys are shown dotted"
grep -q "does not shorten TIME_WAIT" "$tmp/out" && ok "explain tells the TIME_WAIT caveat" ||
	bad "explain lacks the tcp_fin_timeout caveat"
grep -q "listens" "$tmp/out" && ok "explain tells that somaxconn is read at listen()" ||
	bad "explain lacks the somaxconn caveat"

run explain --sysctl-root "$SYS" net.ipv4.tcp_tw_recycle net.ipv4.tcp_max_tw_buckets
expect_rc 0 "explain of a removed key"
expect_line "$tmp/out" "  current    absent on this kernel or in this namespace" "absent key"
expect_line "$tmp/out" "  history    removed in Linux 4.12" "removed key history"
expect_line "$tmp/out" "  caution    never lower it (the kernel documentation forbids it)" "never_lower"

run explain --sysctl-root "$SYS" net.ipv4.tcp_ecn
expect_rc 0 "explain of a key present but unknown to tcptune"
expect_line "$tmp/out" "  current    2" "unknown key's value"
grep -q "no knowledge" "$tmp/out" && ok "says it has no knowledge" || bad "unknown key text"

run explain --sysctl-root "$SYS" net.ipv4.tcp_sack net.ipv4.no_such_key
expect_rc 65 "explain of a key neither known nor present"
grep -q "^net.ipv4.tcp_sack" "$tmp/out" && ok "other keys still explained" || bad "other keys lost"
grep -q "unknown key 'net.ipv4.no_such_key'" "$tmp/err" && ok "unknown key named on stderr" ||
	bad "unknown key error"

expect_error 64 "explain: name at least one key, or --all" explain
expect_error 64 "explain: --all takes no keys" explain --all net.ipv4.tcp_sack
expect_error 64 "explain: unknown option '--bogus'" explain --bogus
expect_error 65 "explain: '../etc/passwd' is not a sysctl key" explain ../etc/passwd

run explain --all --sysctl-root "$SYS"
expect_rc 0 "explain --all"
n=$(wc -l <"$tmp/out")
[ "$n" -ge 35 ] && ok "explain --all lists $n keys" || bad "explain --all lists $n keys"
grep -q "^net.ipv4.tcp_tw_reuse_delay " "$tmp/out" && ok "--all lists tcp_tw_reuse_delay" ||
	bad "--all lacks tcp_tw_reuse_delay"

run explain -f json --sysctl-root "$SYS" net.ipv4.ip_local_port_range net.ipv4.tcp_ecn net.ipv4.tcp_tw_recycle
expect_rc 0 "explain --format json"
if python3 - "$tmp/out" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert [e["key"] for e in d] == ["net.ipv4.ip_local_port_range", "net.ipv4.tcp_ecn", "net.ipv4.tcp_tw_recycle"]
p, ecn, rec = d
assert p["known"] and p["present"] and p["current"] == "32768 60999", p
assert p["type"] == "vector" and p["count"] == 2 and p["range"][1] == {"min": 1, "max": 65535}
assert p["default"] == "32768 60999" and p["per_netns"] is True and p["since"] is None
assert ecn == {"key": "net.ipv4.tcp_ecn", "known": False, "present": True, "current": "2"}, ecn
assert rec["removed"] == "4.12" and rec["present"] is False and rec["current"] is None
PY
	ok "explain JSON"
else
	bad "explain JSON"
fi

"$T" --help | grep -q "^  explain" && ok "--help lists explain" || bad "--help lacks explain"
"$T" --help | grep -q "^  lint" && ok "--help lists lint" || bad "--help lacks lint"

cli_finish
