#!/usr/bin/env bash
# `tcptune profiles`: listing, showing a profile against a fake sysctl tree,
# and the exit codes of bad and missing profiles. Needs no privileges.
set -u
. "$(dirname "$0")/clilib.sh"
PFX="$FX/profiles"
SYS="$FX/proc-good/sys"
export TCPTUNE_DATADIR="$SRCDIR" # the shipped profiles, named in messages

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

# expect_errors CODE STDERR ARGS...: exit code, exactly these stderr lines
# (each "tcptune: " and a message), nothing on stdout.
expect_errors() {
	local code=$1 want=$2
	shift 2
	run "$@"
	if [ "$rc" -eq "$code" ] && [ ! -s "$tmp/out" ]; then
		expect_text "$want" "$tmp/err" "tcptune $* -> $rc, its errors"
	else
		bad "tcptune $* -> exit $rc (want $code), stdout $(wc -c <"$tmp/out") bytes, stderr:"
		sed 's/^/    /' "$tmp/err"
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
expect_text "client-heavy  Hosts opening very many outgoing connections.
defaults      The kernel defaults for the keys the shipped profiles change.
high-conn     Servers accepting very many short connections.
low-latency   Long-lived connections with bursty, latency-sensitive traffic.
syn-flood     Defences for a server under a SYN flood (a defence, not capacity)." "$tmp/out" \
	"profiles: each shipped profile and its description, sorted"
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

# Every key in key order: the profile's value (bounds in words), the current
# one, the status; neither tcp_tw_recycle nor tcp_tw_reuse (no help to a server).
run profiles show high-conn --sysctl-root "$SYS"
expect_rc 0 "profiles show high-conn"
expect_text "high-conn: Servers accepting very many short connections.
file: $SRCDIR/profiles/high-conn.yaml

key                            profile          current  status
net.core.somaxconn             at least 4096    4096     satisfied
net.ipv4.tcp_fin_timeout       30               60       differs
net.ipv4.tcp_keepalive_intvl   30               75       differs
net.ipv4.tcp_keepalive_probes  5                9        differs
net.ipv4.tcp_keepalive_time    600              7200     differs
net.ipv4.tcp_max_syn_backlog   at least 4096    2048     differs
net.ipv4.tcp_max_tw_buckets    at least 262144  131072   differs
net.ipv4.tcp_synack_retries    3                5        differs
net.ipv4.tcp_syncookies        1                1        matches

2 of 9 settings already in place." "$tmp/out" "profiles show high-conn: the exact table"

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

# Every problem of a profile, each on its line as file:line:column: message.
expect_errors 65 "tcptune: $PFX/invalid-value.yaml:4:29: net.ipv4.tcp_fin_timeout = -5: -5 is below the minimum 1
tcptune: $PFX/invalid-value.yaml:5:33: net.ipv4.ip_local_port_range = 61000 32768: low end 61000 is not below high end 32768
tcptune: $PFX/invalid-value.yaml:6:28: net.ipv4.tcp_syncookies = yes: 'yes' is not an integer
tcptune: $PFX/invalid-value.yaml:7:32: net.ipv4.tcp_keepalive_time: expected a value, {min: N} or {max: N}" \
	profiles show "$PFX/invalid-value.yaml"
expect_errors 65 "tcptune: $PFX/bounds.yaml:4:24: net.core.somaxconn: 'widen' is not min or max
tcptune: $PFX/bounds.yaml:5:33: net.ipv4.ip_local_port_range: {min: N} and {max: N} need an integer key
tcptune: $PFX/bounds.yaml:6:35: net.ipv4.tcp_syn_retries: {max: 200}: 200 is above the maximum 127
tcptune: $PFX/bounds.yaml:7:32: net.ipv4.tcp_max_tw_buckets: only {min: N} is allowed: the kernel documentation says this limit must not be lowered
tcptune: $PFX/bounds.yaml:8:29: net.ipv4.tcp_max_orphans: only {min: N} is allowed: the kernel documentation says this limit must not be lowered
tcptune: $PFX/bounds.yaml:9:39: net.ipv4.tcp_max_syn_backlog: {min: many}: 'many' is not an integer" \
	profiles show "$PFX/bounds.yaml"
expect_errors 65 "tcptune: $PFX/removed.yaml:4:3: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 and must not be set" \
	profiles show "$PFX/removed.yaml"
# Its own problems and its include's: the search path named.
expect_errors 65 "tcptune: $PFX/include-bad.yaml:5:29: net.ipv4.tcp_fin_timeout = 0: 0 is below the minimum 1
tcptune: $PFX/include-bad.yaml:3:10: include: no profile 'unknown-key' in /etc/tcptune/profiles.d, $SRCDIR/profiles" \
	profiles show "$PFX/include-bad.yaml"
cp "$PFX/good.yaml" "$tmp/w.yaml"
chmod 666 "$tmp/w.yaml"
expect_errors 65 "tcptune: $tmp/w.yaml: refusing a profile that group or others may write" \
	profiles show "$tmp/w.yaml"

expect_errors 66 "tcptune: no profile 'no-such-profile' in /etc/tcptune/profiles.d, $SRCDIR/profiles" \
	profiles show no-such-profile
expect_errors 66 "tcptune: $tmp/nope.yaml: No such file or directory" profiles show "$tmp/nope.yaml"

usage_cases=(
	"show|show takes one profile name or file; see 'tcptune profiles --help'"
	"show a b|show takes one profile name or file; see 'tcptune profiles --help'"
	"frob|unknown subcommand 'frob'; expected 'list' or 'show'"
	"list extra|unexpected argument 'extra'; see 'tcptune profiles --help'"
	"--bogus|unknown option '--bogus'; see 'tcptune profiles --help'"
	"--format|option '--format' needs a value; see 'tcptune profiles --help'"
	"--sysctl-root /x|--sysctl-root is for 'show'; see 'tcptune profiles --help'"
)
for case in "${usage_cases[@]}"; do
	read -ra args <<<"${case%%|*}"
	expect_errors 64 "tcptune: profiles: ${case#*|}" profiles "${args[@]}"
done
expect_errors 64 "tcptune: --format: 'xml' is not one of text, json" profiles -f xml

run profiles --help
expect_rc 0 "profiles --help"
grep -q "tcptune profiles show" "$tmp/out" && ok "--help shows the synopsis" || bad "--help"
"$T" --help | grep -q "^  profiles" && ok "--help lists profiles" || bad "--help lacks profiles"

cli_finish
