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

# Exactly one finding is a finding: exit 1.
printf 'net.ipv4.tcp_tw_recycle = 1\n' >"$tmp/one.conf"
run lint --sysctl-root "$LFX/sys" "$tmp/one.conf"
expect_text "1|1" <(echo "$rc|$(wc -l <"$tmp/out")") "lint with exactly one finding: exit 1, one line"

expect_error 66 "lint: .*/nope.conf: No such file or directory" lint --sysctl-root "$LFX/sys" "$LFX/nope.conf"
expect_error 66 "lint: /nonexistent: No such file" lint --sysctl-root /nonexistent
expect_error 64 "lint: unknown option '--bogus'" lint --bogus
expect_error 64 "lint: option '--root' needs a value" lint --root
expect_error 64 "'xml' is not one of text, json" lint -f xml
run lint --help
expect_rc 0 "lint --help"
grep -q -- "--sysctl-root" "$tmp/out" && ok "lint --help shows options" || bad "lint --help"

# --- explain ---

# The whole text of two keys, one named slashed (shown dotted): summary, current
# value, type and range, default, scope, history, reference and the caveats
# (tcp_fin_timeout does not shorten TIME_WAIT; somaxconn is read at listen()).
run explain --sysctl-root "$SYS" net.ipv4.tcp_fin_timeout net/core/somaxconn
expect_rc 0 "explain of known keys"
expect_same "$FX/cli/explain-fin-timeout-somaxconn.txt" "$tmp/out" \
	"explain net.ipv4.tcp_fin_timeout net/core/somaxconn: the exact text"
expect_line "$tmp/out" "  current    60 (the default)" "explain shows the current value"
expect_line "$tmp/out" "net.core.somaxconn" "slashed keys are shown dotted"
expect_line "$tmp/out" "  listen(): a running service keeps its old limit until it listens again" \
	"explain tells that somaxconn is read at listen()"

# A name key, a vector of three and a key newer than this kernel: their types,
# defaults computed at boot or build, and history.
run explain --sysctl-root "$SYS" net.ipv4.tcp_congestion_control net.ipv4.tcp_rmem \
	net.ipv4.tcp_tw_reuse_delay
expect_rc 0 "explain of a string, a vector and an absent newer key"
expect_same "$FX/cli/explain-string-vector-since.txt" "$tmp/out" \
	"explain of a string, a vector and a newer key: the exact text"
run explain --format json --sysctl-root "$SYS" net.ipv4.tcp_congestion_control net.ipv4.tcp_rmem \
	net.ipv4.tcp_tw_reuse_delay
expect_json "explain -f json: type, count, ranges, defaults, presence and history" \
	'[[x["type"], x.get("count"), x.get("range"), x["default"], x["present"], x["current"], x["since"]] for x in d]' \
	'[["string", null, null, null, true, "bbr", null], ["vector", 3, [{"min": 1, "max": 2147483647}, {"min": 1, "max": 2147483647}, {"min": 1, "max": 2147483647}], null, true, "4096 131072 33554432", null], ["integer", 1, [{"min": 1, "max": 60000}], "1000", false, null, "6.14"]]'

run explain --sysctl-root "$SYS" net.ipv4.tcp_tw_recycle net.ipv4.tcp_max_tw_buckets
expect_rc 0 "explain of a removed key"
expect_line "$tmp/out" "  current    absent on this kernel or in this namespace" "absent key"
expect_line "$tmp/out" "  history    removed in Linux 4.12" "removed key history"
expect_line "$tmp/out" "  caution    never lower it (the kernel documentation forbids it)" "never_lower"

run explain --sysctl-root "$SYS" net.ipv4.tcp_ecn
expect_rc 0 "explain of a key present but unknown to tcptune"
expect_text "net.ipv4.tcp_ecn
  current    2
  file       $SYS/net/ipv4/tcp_ecn
  shape      one integer
  writable   yes
  scope      a net.* key: per network namespace, unless it exists only in the initial one
  tcptune has no knowledge of this key; see the kernel documentation.
  apply sets it like any other, checking only the shape of the value." "$tmp/out" \
	"a key unknown to tcptune: its value, file, shape, whether it is writable, its scope"

run explain --sysctl-root "$SYS" net.ipv4.tcp_sack net.ipv4.no_such_key
expect_rc 65 "explain of a key neither known nor present"
expect_text "net.ipv4.tcp_sack
  Selective acknowledgements (RFC 2018)." <(head -2 "$tmp/out") "other keys still explained"
expect_text "tcptune: explain: unknown key 'net.ipv4.no_such_key': not in tcptune's knowledge base and absent under $SYS" \
	"$tmp/err" "the unknown key named on stderr, one line"

expect_error 64 "explain: name at least one key, or --all" explain
expect_error 64 "explain: --all takes no keys" explain --all net.ipv4.tcp_sack
expect_error 64 "explain: unknown option '--bogus'" explain --bogus
expect_error 65 "explain: '../etc/passwd' is not a sysctl key" explain ../etc/passwd

# --all: every key of the knowledge base, sorted, each with its summary in a
# column after the longest key; the same keys and summaries as its JSON.
KB_KEYS="net.core.default_qdisc net.core.netdev_max_backlog net.core.rmem_max net.core.somaxconn
net.core.wmem_max net.ipv4.ip_local_port_range net.ipv4.tcp_abort_on_overflow
net.ipv4.tcp_congestion_control net.ipv4.tcp_fastopen net.ipv4.tcp_fin_timeout
net.ipv4.tcp_keepalive_intvl net.ipv4.tcp_keepalive_probes net.ipv4.tcp_keepalive_time
net.ipv4.tcp_max_orphans net.ipv4.tcp_max_syn_backlog net.ipv4.tcp_max_tw_buckets net.ipv4.tcp_mem
net.ipv4.tcp_moderate_rcvbuf net.ipv4.tcp_mtu_probing net.ipv4.tcp_no_metrics_save
net.ipv4.tcp_notsent_lowat net.ipv4.tcp_orphan_retries net.ipv4.tcp_retries2 net.ipv4.tcp_rmem
net.ipv4.tcp_sack net.ipv4.tcp_slow_start_after_idle net.ipv4.tcp_syn_retries
net.ipv4.tcp_synack_retries net.ipv4.tcp_syncookies net.ipv4.tcp_timestamps
net.ipv4.tcp_tw_recycle net.ipv4.tcp_tw_reuse net.ipv4.tcp_tw_reuse_delay
net.ipv4.tcp_window_scaling net.ipv4.tcp_wmem"
run explain --all --sysctl-root "$SYS" -f json
expect_rc 0 "explain --all --format json"
cp "$tmp/out" "$tmp/all.json"
expect_text "$(echo $KB_KEYS | tr ' ' '\n')" <("$PYTHON" -c 'import json, sys
for e in json.load(open(sys.argv[1])): print(e["key"])' "$tmp/all.json") \
	"explain --all --format json: the 35 keys of the knowledge base, sorted"
run explain --all --sysctl-root "$SYS"
expect_rc 0 "explain --all"
"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
w = max(len(e["key"]) for e in d)
for e in d: print(e["key"].ljust(w), e["summary"], sep="  ")' "$tmp/all.json" >"$tmp/all.want"
expect_same "$tmp/all.want" "$tmp/out" "explain --all: each key with its summary, as in the JSON"
expect_line "$tmp/out" "net.ipv4.tcp_tw_reuse_delay         Delay before a TIME_WAIT socket may be reused by tcp_tw_reuse." \
	"--all lists tcp_tw_reuse_delay"

run explain -f json --sysctl-root "$SYS" net.ipv4.ip_local_port_range net.ipv4.tcp_ecn net.ipv4.tcp_tw_recycle
expect_rc 0 "explain --format json"
if python3 - "$tmp/out" "$SYS" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert [e["key"] for e in d] == ["net.ipv4.ip_local_port_range", "net.ipv4.tcp_ecn", "net.ipv4.tcp_tw_recycle"]
p, ecn, rec = d
assert p["known"] and p["present"] and p["current"] == "32768 60999", p
assert p["type"] == "vector" and p["count"] == 2 and p["range"][1] == {"min": 1, "max": 65535}
assert p["default"] == "32768 60999" and p["per_netns"] is True and p["since"] is None
assert ecn == {"key": "net.ipv4.tcp_ecn", "known": False, "present": True, "current": "2",
               "file": sys.argv[2] + "/net/ipv4/tcp_ecn", "type": "integer", "count": 1,
               "writable": True}, ecn
assert rec["removed"] == "4.12" and rec["present"] is False and rec["current"] is None
PY
	ok "explain JSON"
else
	bad "explain JSON"
fi

"$T" --help | grep -q "^  explain" && ok "--help lists explain" || bad "--help lacks explain"
"$T" --help | grep -q "^  lint" && ok "--help lists lint" || bad "--help lacks lint"

cli_finish
