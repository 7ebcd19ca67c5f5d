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

# --- export for orchestrators ---

# Kubernetes: a Pod's securityContext.sysctls, every key of high-conn being
# per network namespace; the kubelet's unsafe ones and the bounds commented.
run profiles show high-conn --format kubernetes
expect_rc 0 "profiles show high-conn --format kubernetes"
unsafe="  # unsafe: the kubelet must allow it (--allowed-unsafe-sysctls)"
expect_text "# tcptune profile high-conn: Servers accepting very many short connections.
securityContext:
  sysctls:
  - name: net.core.somaxconn$unsafe
    value: \"4096\"  # a bound: the profile wants at least 4096
  - name: net.ipv4.tcp_fin_timeout
    value: \"30\"
  - name: net.ipv4.tcp_keepalive_intvl
    value: \"30\"
  - name: net.ipv4.tcp_keepalive_probes
    value: \"5\"
  - name: net.ipv4.tcp_keepalive_time
    value: \"600\"
  - name: net.ipv4.tcp_max_syn_backlog$unsafe
    value: \"4096\"  # a bound: the profile wants at least 4096
  - name: net.ipv4.tcp_max_tw_buckets$unsafe
    value: \"262144\"  # a bound: the profile wants at least 262144
  - name: net.ipv4.tcp_synack_retries$unsafe
    value: \"3\"
  - name: net.ipv4.tcp_syncookies
    value: \"1\"" "$tmp/out" "kubernetes: the exact YAML"
[ ! -s "$tmp/err" ] && ok "kubernetes: nothing on stderr" || bad "kubernetes: stderr not empty"
if python3 -c 'import yaml' 2>/dev/null; then
	if python3 - "$tmp/out" <<'PY'; then
import sys, yaml
d = yaml.safe_load(open(sys.argv[1]))
s = d["securityContext"]["sysctls"]
assert all(set(e) == {"name", "value"} and isinstance(e["value"], str) for e in s), s
assert {"name": "net.ipv4.tcp_fin_timeout", "value": "30"} in s, s
assert len(s) == 9, s
PY
		ok "kubernetes: the YAML parses"
	else
		bad "kubernetes: the YAML does not parse as a Pod securityContext"
	fi
fi

# Docker: one pasteable line on stdout, the notes on stderr.
run profiles show high-conn --format docker
expect_rc 0 "profiles show high-conn --format docker"
expect_text "--sysctl net.core.somaxconn=4096 --sysctl net.ipv4.tcp_fin_timeout=30 --sysctl net.ipv4.tcp_keepalive_intvl=30 --sysctl net.ipv4.tcp_keepalive_probes=5 --sysctl net.ipv4.tcp_keepalive_time=600 --sysctl net.ipv4.tcp_max_syn_backlog=4096 --sysctl net.ipv4.tcp_max_tw_buckets=262144 --sysctl net.ipv4.tcp_synack_retries=3 --sysctl net.ipv4.tcp_syncookies=1" \
	"$tmp/out" "docker: the exact line"
expect_text "# net.core.somaxconn=4096 is a bound: the profile wants at least 4096
# net.ipv4.tcp_max_syn_backlog=4096 is a bound: the profile wants at least 4096
# net.ipv4.tcp_max_tw_buckets=262144 is a bound: the profile wants at least 262144" \
	"$tmp/err" "docker: the bounds noted on stderr"

# A vector is quoted for the shell; a host-only key is left out with a note.
cat >"$tmp/host.yaml" <<'YAML'
name: host
description: One host-only key.
sysctl:
  net.core.rmem_max: 4194304
  net.ipv4.ip_local_port_range: 10240 65535
YAML
chmod 644 "$tmp/host.yaml"
run profiles show -f docker "$tmp/host.yaml"
expect_rc 0 "docker with a host-only key"
expect_text "--sysctl 'net.ipv4.ip_local_port_range=10240 65535'" "$tmp/out" "docker: quoted"
expect_text "# left out: net.core.rmem_max is not per network namespace (host-only; set it on the node)" \
	"$tmp/err" "docker: the host-only key noted"
eval "set -- $(cat "$tmp/out")"
[ "$#" -eq 2 ] && [ "$2" = "net.ipv4.ip_local_port_range=10240 65535" ] &&
	ok "docker: the shell reads two words" || bad "docker: the shell reads $# words: $*"
run profiles show -f kubernetes "$tmp/host.yaml"
expect_rc 0 "kubernetes with a host-only key"
grep -qxF "# left out: net.core.rmem_max is not per network namespace (host-only; set it on the node)" \
	"$tmp/out" && ok "kubernetes: the host-only key noted" || bad "kubernetes: no note"
grep -q "name: net.core.rmem_max" "$tmp/out" && bad "kubernetes: host-only key listed" ||
	ok "kubernetes: host-only key left out"

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
	"-f docker|--format kubernetes and docker are for 'show'; see 'tcptune profiles --help'"
	"list -f kubernetes|--format kubernetes and docker are for 'show'; see 'tcptune profiles --help'"
)
for case in "${usage_cases[@]}"; do
	read -ra args <<<"${case%%|*}"
	expect_errors 64 "tcptune: profiles: ${case#*|}" profiles "${args[@]}"
done
expect_errors 64 "tcptune: --format: 'xml' is not one of text, json, kubernetes, docker" profiles -f xml
expect_errors 66 "tcptune: no profile 'no-such-profile' in /etc/tcptune/profiles.d, $SRCDIR/profiles" \
	profiles show -f kubernetes no-such-profile

run profiles --help
expect_rc 0 "profiles --help"
grep -q "tcptune profiles show" "$tmp/out" && ok "--help shows the synopsis" || bad "--help"
"$T" --help | grep -q "^  profiles" && ok "--help lists profiles" || bad "--help lacks profiles"

cli_finish
