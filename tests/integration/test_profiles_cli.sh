#!/usr/bin/env bash
# `tcptune profiles`: listing, showing a profile against a fake sysctl tree,
# and the exit codes of bad and missing profiles. Needs no privileges.
set -u
. "$(dirname "$0")/clilib.sh"
PFX="$FX/profiles"
SYS="$FX/proc-good/sys"

# expect_row KEY PROFILE CURRENT STATUS: a row of `profiles show`, blanks squeezed.
expect_row() {
	local want="$1 $2 $3 $4"
	if tr -s ' ' <"$tmp/out" | grep -qxF -e "$want"; then
		ok "row: $want"
	else
		bad "no row '$want' in:"
		sed 's/^/    /' "$tmp/out"
	fi
}

# expect_errors CODE N ARGS...: exit code, exactly N lines on stderr, nothing on stdout.
expect_errors() {
	local code=$1 n=$2
	shift 2
	run "$@"
	if [ "$rc" -ne "$code" ] || [ "$(wc -l <"$tmp/err")" -ne "$n" ] || [ -s "$tmp/out" ]; then
		bad "tcptune $* -> exit $rc (want $code, $n lines), stderr:"
		sed 's/^/    /' "$tmp/err"
	else
		ok "tcptune $* -> $rc, $n lines"
	fi
}

# expect_err_line LINE: the last run's stderr has this exact line.
expect_err_line() {
	if grep -qxF -e "$1" "$tmp/err"; then
		ok "stderr: $1"
	else
		bad "no line '$1' on stderr:"
		sed 's/^/    /' "$tmp/err"
	fi
}

# --- list ---

run profiles
expect_rc 0 "profiles"
for p in client-heavy defaults high-conn low-latency syn-flood; do
	grep -qE "^$p +[A-Z]" "$tmp/out" && ok "lists $p" || bad "profiles lacks $p"
done
run profiles list -f json
expect_rc 0 "profiles list --format json"
if python3 - "$tmp/out" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
by = {p["name"]: p for p in d}
for n in ("client-heavy", "defaults", "high-conn", "low-latency", "syn-flood"):
    assert by[n]["valid"] is True and by[n]["description"], by[n]
    assert set(by[n]) == {"name", "description", "path", "valid"}, by[n]
assert by["high-conn"]["path"].endswith("/profiles/high-conn.yaml")
PY
	ok "profiles JSON"
else
	bad "profiles JSON"
fi

# A broken shipped profile is listed as invalid, its problems reported, exit 65.
mkdir -p "$tmp/data/profiles"
cp "$PFX/removed.yaml" "$tmp/data/profiles/"
cp "$SRCDIR/profiles/defaults.yaml" "$tmp/data/profiles/"
chmod 644 "$tmp/data/profiles/"*
TCPTUNE_DATADIR="$tmp/data" "$T" profiles >"$tmp/out" 2>"$tmp/err"
rc=$?
expect_rc 65 "profiles with an invalid one"
grep -qE "^defaults +The kernel defaults" "$tmp/out" && ok "valid profiles still listed" ||
	bad "valid profiles lost"
grep -qE "^removed +\(invalid" "$tmp/out" && ok "invalid profile marked" || bad "invalid not marked"
expect_err_line "tcptune: $tmp/data/profiles/removed.yaml:4:3: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 and must not be set"

# --- show ---

run profiles show high-conn --sysctl-root "$SYS"
expect_rc 0 "profiles show high-conn"
grep -q "^high-conn: Servers" "$tmp/out" && ok "show names the profile" || bad "show header"
expect_row net.ipv4.tcp_syncookies 1 1 matches
expect_row net.core.somaxconn "at least 4096" 4096 satisfied
expect_row net.ipv4.tcp_max_syn_backlog "at least 4096" 2048 differs
expect_row net.ipv4.tcp_fin_timeout 30 60 differs
expect_row net.ipv4.tcp_keepalive_time 600 7200 differs
grep -q "tcp_tw_recycle\|tcp_tw_reuse" "$tmp/out" && bad "high-conn sets tw_recycle/tw_reuse" ||
	ok "high-conn sets neither tcp_tw_recycle nor tcp_tw_reuse"
grep -qx "2 of 9 settings already in place." "$tmp/out" && ok "summary line" || bad "summary line"

# A key this kernel (namespace) lacks is absent, not an error.
cp -r "$SYS" "$tmp/sys"
rm "$tmp/sys/net/ipv4/tcp_max_tw_buckets"
run profiles show --sysctl-root "$tmp/sys" high-conn
expect_rc 0 "show with an absent key"
expect_row net.ipv4.tcp_max_tw_buckets "at least 262144" - absent

run profiles show -f json --sysctl-root "$SYS" client-heavy
expect_rc 0 "profiles show --format json"
if python3 - "$tmp/out" <<'PY'; then
import json, sys
d = json.load(open(sys.argv[1]))
assert d["name"] == "client-heavy" and d["include"] is None and d["description"]
rows = {r["key"]: r for r in d["sysctl"]}
assert list(rows) == sorted(rows)
r = rows["net.ipv4.ip_local_port_range"]
assert r == {"key": "net.ipv4.ip_local_port_range", "kind": "set", "value": "10240 65535",
             "current": "32768 60999", "status": "differs", "origin": r["origin"]}, r
assert "/profiles/client-heavy.yaml:" in r["origin"], r
assert rows["net.ipv4.tcp_timestamps"]["status"] == "matches"
PY
	ok "show JSON"
else
	bad "show JSON"
fi

# A profile file by path, with its include resolved in the profile directories.
run profiles show --sysctl-root "$SYS" "$PFX/good.yaml"
expect_rc 0 "show a file"
expect_row net.ipv4.tcp_synack_retries "at most 3" 5 differs
expect_row net.ipv4.ip_local_port_range "10240 65535" "32768 60999" differs

# --- errors ---

expect_errors 65 4 profiles show "$PFX/invalid-value.yaml"
expect_err_line "tcptune: $PFX/invalid-value.yaml:4:29: net.ipv4.tcp_fin_timeout = -5: -5 is below the minimum 1"
expect_err_line "tcptune: $PFX/invalid-value.yaml:6:28: net.ipv4.tcp_syncookies = yes: 'yes' is not an integer"
expect_errors 65 6 profiles show "$PFX/bounds.yaml"
expect_errors 65 1 profiles show "$PFX/removed.yaml"
expect_errors 65 2 profiles show "$PFX/include-bad.yaml"
grep -q "include-bad.yaml:3:10: include: no profile 'unknown-key' in /etc/tcptune/profiles.d, " "$tmp/err" &&
	ok "a missing include is named" || bad "missing include message"
cp "$PFX/good.yaml" "$tmp/w.yaml"
chmod 666 "$tmp/w.yaml"
expect_errors 65 1 profiles show "$tmp/w.yaml"
expect_err_line "tcptune: $tmp/w.yaml: refusing a profile that group or others may write"

expect_errors 66 1 profiles show no-such-profile
grep -q "^tcptune: no profile 'no-such-profile' in /etc/tcptune/profiles.d, .*/profiles$" "$tmp/err" &&
	ok "the search path is named" || bad "missing profile message"
expect_errors 66 1 profiles show "$tmp/nope.yaml"
expect_err_line "tcptune: $tmp/nope.yaml: No such file or directory"

expect_errors 64 1 profiles show
expect_errors 64 1 profiles show a b
expect_errors 64 1 profiles frob
expect_errors 64 1 profiles list extra
expect_errors 64 1 profiles --bogus
expect_errors 64 1 profiles --format
expect_errors 64 1 profiles -f xml
expect_errors 64 1 profiles --sysctl-root /x

run profiles --help
expect_rc 0 "profiles --help"
grep -q "tcptune profiles show" "$tmp/out" && ok "--help shows the synopsis" || bad "--help"
"$T" --help | grep -q "^  profiles" && ok "--help lists profiles" || bad "--help lacks profiles"

cli_finish
