#!/usr/bin/env bash
# `tcptune diagnose` and `tcptune rules` on a fake /proc tree with the rules
# of tests/fixtures/diagnose/rules (an info, a warning and a critical finding
# on that tree): --rules, --min-severity and the exit status, the status line
# of the text report (a monitoring plugin's), --no-processes, every renderer
# exactly, what --interval tells a terminal, and the exit codes of what cannot
# be observed (3) or loaded (65, 66). Needs no privileges; strace makes
# netlink fail, and as root one case runs as nobody.
set -u
# shellcheck source=tests/integration/clilib.sh
. "$(dirname "$0")/clilib.sh"
DFX="$FX/diagnose"
R="$DFX/rules"
INFO="$R/10-info.yaml"
WARN="$R/20-warning.yaml"
export TCPTUNE_DATADIR="$SRCDIR" # the shipped rules, whatever the binary's location
export LC_ALL=C                   # ASCII bars in the text report

# The fake root, and a process 812 "nginx" holding the listener on port 8080
# and its CLOSE_WAIT socket (inodes of tests/fixtures/procnet/net/tcp).
root=$(fake_root diag)
mkdir -p "$root/812/fd"
echo nginx >"$root/812/comm"
ln -s 'socket:[10999]' "$root/812/fd/3"
ln -s 'socket:[11014]' "$root/812/fd/4"

SHIPPED=$(cat "$SRCDIR"/rules/*.yaml | grep -c '^  - id: ')

# diag ARGS...: diagnose on the fake root.
diag() {
	run diagnose --proc-root "$root" "$@"
}

# The performance data of the status line: the fake root's state counts.
PERF="'established'=13;;;0 'syn_recv'=1;;;0 'time_wait'=2;;;0 'close_wait'=1;;;0"

# status_from_json: the status line the last run's JSON calls for: the state
# of its status, the first (most severe) finding and how many more, or the
# rules evaluated; the performance data from its states.
status_from_json() {
	"$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1]))
state = {"ok": "OK", "info": "OK", "warning": "WARNING", "critical": "CRITICAL"}[d["status"]]
f = d["findings"]
if f:
    text = "%s: %s" % (f[0]["id"], f[0]["summary"]) + (" (+%d more)" % (len(f) - 1) if len(f) > 1 else "")
else:
    text = "%d rules, no findings" % d["rules_evaluated"]
perf = " ".join("%r=%d;;;0" % (s, d["states"][s]) for s in ("established", "syn_recv", "time_wait", "close_wait"))
print("TCPTUNE %s - %s | %s" % (state, text, perf))' "$tmp/out"
}

# --- exit status and --min-severity: findings below the floor do not count ---

# rules|--min-severity|exit|status|ids reported
status_cases=(
	"|info|0|ok|"
	"$INFO|info|0|info|fixture-info"
	"$INFO $WARN|info|1|warning|fixture-warning fixture-info"
	"$R|info|2|critical|fixture-critical fixture-warning fixture-info"
	"$R|warning|2|critical|fixture-critical fixture-warning"
	"$R|critical|2|critical|fixture-critical"
	"$INFO $WARN|warning|1|warning|fixture-warning"
	"$INFO $WARN|critical|0|ok|"
	"$INFO|warning|0|ok|"
)
for case in "${status_cases[@]}"; do
	IFS='|' read -r rules min code status ids <<<"$case"
	args=()
	for f in $rules; do args+=(--rules "$f"); done
	what="diagnose ${rules//$R/R} --min-severity $min"
	diag "${args[@]}" --min-severity "$min" --format json
	expect_rc "$code" "$what"
	expect_json "$what: status and findings" '[d["status"], " ".join(f["id"] for f in d["findings"])]' \
		"[\"$status\", \"$ids\"]"
	want_status=$(status_from_json)
	diag "${args[@]}" --min-severity "$min"
	expect_rc "$code" "$what (text)"
	expect_text "$want_status" <(head -1 "$tmp/out") "$what (text): the status line says what the JSON does"
done
diag --rules "$R" --format json
expect_json "rules_evaluated: the shipped rules and the three, less those not evaluated" \
	'd["rules_evaluated"] + len(d["not_evaluated"])' "$((SHIPPED + 3))"

# --- the status line: a monitoring plugin's, then a blank line, then the report ---

# ARGS|the first line (the exit codes are checked above)
status_lines=(
	"|TCPTUNE OK - $((SHIPPED - 7)) rules, no findings | $PERF"
	"--rules $INFO|TCPTUNE OK - fixture-info: 13 established connections | $PERF"
	"--rules $WARN|TCPTUNE WARNING - fixture-warning: 1 in CLOSE_WAIT on port 8080 held by nginx | $PERF"
	"--rules $WARN --no-processes|TCPTUNE WARNING - fixture-warning: 1 in CLOSE_WAIT on port 8080 held by an unknown process | $PERF"
	"--rules $R --min-severity warning|TCPTUNE CRITICAL - fixture-critical: 2 in TIME_WAIT (+1 more) | $PERF"
	"--rules $R|TCPTUNE CRITICAL - fixture-critical: 2 in TIME_WAIT (+2 more) | $PERF"
)
for case in "${status_lines[@]}"; do
	read -ra args <<<"${case%%|*}"
	diag "${args[@]}"
	expect_text "${case#*|}"$'\n' <(head -2 "$tmp/out") "text, ${case%%|*}: the status line, a blank line"
done
diag --rules "$R" --format json
expect_text "{" <(head -1 "$tmp/out") "JSON: no status line"
diag --rules "$R" --format prometheus
expect_text "# HELP" <(head -1 "$tmp/out" | cut -c1-6) "prometheus: no status line"

# --- --interval: a terminal on stderr is told what it waits for, nothing else is ---

for verb in diagnose stats; do
	run "$verb" --proc-root "$root" --interval 0.2
	expect_text "" "$tmp/err" "$verb --interval, stderr not a terminal: silent"
	# script(1) gives stderr a terminal; stdout goes to a file.
	script -qec "'$T' $verb --proc-root '$root' --interval 0.2 >'$tmp/tty.out'" /dev/null \
		</dev/null | tr -d '\r' >"$tmp/tty"
	expect_text "tcptune: sampling counters for 0.2 s..." "$tmp/tty" \
		"$verb --interval, stderr a terminal: one line says what it waits for"
	if [ -s "$tmp/tty.out" ] && ! grep -q sampling "$tmp/tty.out"; then
		ok "$verb --interval on a terminal: the report on stdout, without that line"
	else
		bad "$verb --interval on a terminal: stdout $(head -1 "$tmp/tty.out")"
	fi
done

# --- JSON: every field of every finding ---

diag --rules "$R" --format json
expect_json "JSON findings, most severe first, every field" 'd["findings"]' '[
 {"id": "fixture-critical", "severity": "critical", "summary": "2 in TIME_WAIT",
  "explain": null, "action": null, "evidence": {"state.time_wait": "2"},
  "recommend": {"net.ipv4.ip_local_port_range": "10240 65535"},
  "changes": [{"key": "net.ipv4.ip_local_port_range", "current": "32768 60999",
               "recommended": "10240 65535", "kind": "widen", "needed": true}],
  "see": [], "origin": "'"$R"'/30-critical.yaml:3"},
 {"id": "fixture-warning", "severity": "warning",
  "summary": "1 in CLOSE_WAIT on port 8080 held by nginx",
  "explain": "The peer closed first.", "action": "Fix port 8080.",
  "evidence": {"state.close_wait": "1", "top.close_wait.count": "1"},
  "recommend": {"net.ipv4.tcp_fin_timeout": "30"},
  "changes": [{"key": "net.core.somaxconn", "current": "4096", "recommended": "1024",
               "kind": "min", "needed": false},
              {"key": "net.ipv4.tcp_fin_timeout", "current": "60", "recommended": "30",
               "kind": "set", "needed": true}],
  "see": ["man 7 tcp"], "origin": "'"$R"'/20-warning.yaml:5",
  "owners": [{"state": "close_wait", "port": 8080, "count": 1, "role": "server",
              "pid": 812, "process": "nginx", "pids": [812], "more_pids": 0,
              "owners_complete": false, "service": null, "cgroup": null}]},
 {"id": "fixture-info", "severity": "info", "summary": "13 established connections",
  "explain": "Informational.", "action": "Nothing to do.",
  "evidence": {"state.established": "13"},
  "recommend": {"net.ipv4.tcp_keepalive_time": "600"},
  "changes": [{"key": "net.ipv4.tcp_keepalive_time", "current": "7200", "recommended": "600",
               "kind": "max", "needed": true}],
  "see": [], "origin": "'"$R"'/10-info.yaml:4"}]'
expect_json "JSON not_evaluated: the rules this tree cannot tell, and why" 'd["not_evaluated"]' '[
 {"id": "accept-queue-full", "reason": "listen.full is not available (the /proc source does not report accept-queue limits)"},
 {"id": "listen-overflows", "reason": "rate.TcpExt.ListenOverflows is not available (rates need two samples: run with --interval SEC)"},
 {"id": "tcp-memory-exhausted", "reason": "rate.TcpExt.TCPAbortOnMemory is not available (rates need two samples: run with --interval SEC)"},
 {"id": "syn-drops", "reason": "rate.TcpExt.ListenDrops is not available (rates need two samples: run with --interval SEC)"},
 {"id": "syncookies-sent", "reason": "rate.TcpExt.SyncookiesSent is not available (rates need two samples: run with --interval SEC)"},
 {"id": "time-wait-bucket-limit", "reason": "rate.TcpExt.TCPTimeWaitOverflow is not available (rates need two samples: run with --interval SEC)"},
 {"id": "tw-recycle-enabled", "reason": "sysctl.net.ipv4.tcp_tw_recycle is not available (the key is absent on this kernel or in this network namespace)"}]'
# Only the port a finding names has its holders looked up, after judging.
expect_json "JSON: the object of stats, and the owner of the port" \
	'[d["version"], d["source"], d["total"], d["top_ports"]["close_wait"]]' \
	'[1, "proc", 21, [{"port": 8080, "count": 1, "role": "server", "pid": 812, "process": "nginx",
	  "pids": [812], "more_pids": 0, "owners_complete": false, "service": null, "cgroup": null}]]'
expect_json "JSON: no holder looked up for the ports no finding names" \
	'[list(p) for p in d["top_ports"]["established"]][0]' '["port", "count", "role"]'

# --no-processes: no owner looked up, so the template's fallback stands in.
diag --rules "$WARN" --no-processes --format json
expect_rc 1 "diagnose --no-processes"
expect_json "--no-processes: no process named" \
	'[d["findings"][0]["summary"], d["top_ports"]["close_wait"]]' \
	'["1 in CLOSE_WAIT on port 8080 held by an unknown process", [{"port": 8080, "count": 1, "role": "server"}]]'

# --- text: the report, and the Next line ---

diag --rules "$R"
expect_rc 2 "diagnose (text)"
mask_time <"$tmp/out" >"$tmp/text"
expect_same "$DFX/text.txt" "$tmp/text" "text report: states, findings most severe first, notes, Next"
# Next names the first change still needed: not the satisfied somaxconn bound.
next_cases=(
	"--rules $WARN --min-severity warning|Next: tcptune apply --recommended --dry-run   (tcptune explain net.ipv4.tcp_fin_timeout tells more)"
	"--rules $INFO|Next: tcptune apply --recommended --dry-run   (tcptune explain net.ipv4.tcp_keepalive_time tells more)"
	"--rules $INFO --min-severity warning|  - /proc/net/tcp does not report accept-queue limits: listener fill unknown"
)
for case in "${next_cases[@]}"; do
	read -ra args <<<"${case%%|*}"
	diag "${args[@]}"
	expect_text "${case#*|}" <(tail -1 "$tmp/out") "text, ${case%%|*}: the last line"
done
diag --rules "$INFO" --min-severity warning
expect_text "No problems found: $((SHIPPED - 6)) rules evaluated, 7 not evaluated (-v says why)." \
	<(grep '^No problems' "$tmp/out") "text: no problems found, with the counts"

# --- Prometheus: the diagnosis only; every other family is stats' ---

families() { # the families of a Prometheus text, sorted
	sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$1" | sort
}
"$T" stats --proc-root "$root" -p --format prometheus >"$tmp/stats.prom"
diag --rules "$R" --format prometheus
expect_rc 2 "diagnose --format prometheus"
expect_text "# HELP tcptune_diagnose_timestamp_seconds When the diagnosed snapshot was taken, in seconds since the epoch.
# TYPE tcptune_diagnose_timestamp_seconds gauge
tcptune_diagnose_timestamp_seconds TIME
# HELP tcptune_diagnose_status Worst finding: 0 ok or info, 1 warning, 2 critical (diagnose's exit code).
# TYPE tcptune_diagnose_status gauge
tcptune_diagnose_status 2
# HELP tcptune_diagnose_finding A rule that found a problem, by id and severity.
# TYPE tcptune_diagnose_finding gauge
tcptune_diagnose_finding{id=\"fixture-critical\",severity=\"critical\"} 1
tcptune_diagnose_finding{id=\"fixture-warning\",severity=\"warning\"} 1
tcptune_diagnose_finding{id=\"fixture-info\",severity=\"info\"} 1
# HELP tcptune_diagnose_rules Rules by outcome of this diagnosis.
# TYPE tcptune_diagnose_rules gauge
tcptune_diagnose_rules{outcome=\"fired\"} 3
tcptune_diagnose_rules{outcome=\"evaluated\"} $((SHIPPED - 4))
tcptune_diagnose_rules{outcome=\"not_evaluated\"} 7" <(mask_time <"$tmp/out") \
	"prometheus: the time, the status, each finding, the rules by outcome, nothing of stats'"
# The two outputs share a textfile directory: not one family in common.
expect_text "" <(comm -12 <(families "$tmp/stats.prom") <(families "$tmp/out")) \
	"prometheus: no family is written by both stats and diagnose"
diag --rules "$INFO" --rules "$WARN" --min-severity critical --format prometheus
expect_rc 0 "diagnose --min-severity critical --format prometheus, no critical finding"
expect_text "tcptune_diagnose_status 0
tcptune_diagnose_rules{outcome=\"fired\"} 0" <(grep -v '^#' "$tmp/out" | grep -v 'evaluated\|timestamp') \
	"prometheus: status 0 and no finding below the floor"

# --- could not observe: 3 (UNKNOWN), one line on stderr, and on stdout the ---
# --- status line saying the same (text only); nothing else is reported    ---

# expect_fail CODE STDERR ARGS...: exit code, exactly this stderr; no stdout,
# but for 3 (UNKNOWN) the status line "TCPTUNE UNKNOWN - " and the error.
expect_fail() {
	local code=$1 want=$2 what status=''
	shift 2
	what="$*"
	[ "$code" -eq 3 ] && status="TCPTUNE UNKNOWN - ${want#tcptune: }"
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$code" ]; then
		expect_text "$want" "$tmp/err" "${what/"$T"/tcptune} -> $rc, its error"
		expect_text "$status" "$tmp/out" "${what/"$T"/tcptune} -> $rc, stdout"
	else
		bad "$* -> exit $rc (want $code), stdout $(wc -c <"$tmp/out") bytes, stderr:"
		sed 's/^/    /' "$tmp/err"
	fi
}
badnetstat=$(fake_root badnetstat)
cp "$FX/proc-bad-truncated/net/netstat" "$badnetstat/net/netstat"
expect_fail 3 "tcptune: network namespace /run/netns/tcptune-no-such-ns: No such file or directory" \
	"$T" diagnose --netns tcptune-no-such-ns
expect_fail 3 "tcptune: /nonexistent/net/tcp: No such file or directory" \
	"$T" diagnose --proc-root /nonexistent
for fmt in json prometheus; do
	run diagnose --proc-root /nonexistent --format "$fmt"
	expect_rc 3 "diagnose --format $fmt, could not observe"
	expect_text "" "$tmp/out" "diagnose --format $fmt, could not observe: nothing on stdout"
done
expect_fail 3 "$(2>&1 "$T" stats --proc-root "$badnetstat" >/dev/null)" \
	"$T" diagnose --proc-root "$badnetstat"
if command -v strace >/dev/null; then
	expect_fail 3 "tcptune: netlink sock_diag: Operation not permitted" \
		under_tool strace -f -o /dev/null -e trace=socket -e inject=socket:error=EPERM \
		"$T" diagnose --source netlink
else
	bad "strace is not installed (scripts/install-deps installs it)"
fi
if [ "$(id -u)" -eq 0 ]; then
	# Files nobody may read: a root-only copy of the tree.
	cp -r "$root" "$tmp/private"
	chmod 0711 "$tmp"
	chmod 0700 "$tmp/private"
	expect_fail 3 "tcptune: $tmp/private/net/tcp: Permission denied" \
		as_nobody "$T" diagnose --proc-root "$tmp/private"
elif [ "${CI:-}" = true ]; then
	bad "not root: cannot check an unreadable /proc as another user"
fi

# --- rule files: checked before anything is observed (65, 66, not 3) ---

BAD="$FX/rules/bad.yaml"
BAD_LINES="tcptune: $BAD:11:5: unknown field 'colour'
tcptune: $BAD:2:9: id 'Bad_Id' must be lower-case letters, digits and '-'
tcptune: $BAD:3:15: severity 'urgent' is not one of info, warning, critical
tcptune: $BAD:4:11: when: unknown metric 'state.timewait'
tcptune: $BAD:5:14: summary: unknown metric '{state.nothing}'
tcptune: $BAD:7:7: recommend: net.ipv4.tcp_tw_recycle was removed in Linux 4.12 and must not be recommended
tcptune: $BAD:8:7: recommend: unknown sysctl 'net.ipv4.no_such_key' (not in the knowledge base)
tcptune: $BAD:9:33: recommend: net.ipv4.tcp_fin_timeout = -5: -5 is below the minimum 1
tcptune: $BAD:10:37: recommend: net.ipv4.ip_local_port_range = 60000 1024: low end 60000 is not below high end 1024
tcptune: $BAD:12:5: rule 'no-when' needs a 'when' condition
tcptune: $BAD:17:14: when: unexpected end of expression
tcptune: $BAD:23:5: duplicate rule id 'dup' (first at $BAD:19)"
cp "$INFO" "$tmp/writable.yaml"
chmod 0666 "$tmp/writable.yaml"
expect_fail 65 "$BAD_LINES" "$T" diagnose --proc-root /nonexistent --rules "$BAD"
expect_fail 66 "tcptune: $tmp/none.yaml: No such file or directory" \
	"$T" diagnose --proc-root /nonexistent --rules "$tmp/none.yaml"
expect_fail 65 "tcptune: $tmp/writable.yaml: refusing a rule file that group or others may write" \
	"$T" diagnose --proc-root /nonexistent --rules "$tmp/writable.yaml"
expect_fail 65 "tcptune: $FX/rules/notrules.yaml:1:1: expected a mapping with a 'rules:' list" \
	"$T" diagnose --netns tcptune-no-such-ns --rules "$FX/rules/notrules.yaml"

# --- rules check and rules list ---

run rules check
expect_rc 0 "rules check"
expect_text "$SHIPPED rules OK" "$tmp/out" "rules check: the shipped rules"
run rules check "$R" "$FX/rules/good.yaml"
expect_rc 0 "rules check of a directory and a file"
expect_text "$((SHIPPED + 5)) rules OK" "$tmp/out" "rules check: loaded on top of the shipped rules"
expect_fail 65 "$BAD_LINES" "$T" rules check "$R" "$BAD"
expect_fail 66 "tcptune: $tmp/none.yaml: No such file or directory" "$T" rules check "$tmp/none.yaml"
expect_fail 65 "$BAD_LINES" "$T" rules list --rules "$BAD"
expect_fail 64 "tcptune: rules: expected 'check' or 'list'; see 'tcptune rules --help'" "$T" rules
expect_fail 64 "tcptune: rules: unknown subcommand 'frob'; expected 'check' or 'list'" "$T" rules frob

# list: id, severity, enabled or disabled, the summary template; a later layer
# replaces a rule of the same id or disables it.
run rules list --rules "$R" --rules "$FX/rules/good.yaml" --rules "$FX/rules/override.yaml"
expect_rc 0 "rules list"
expect_text "$((SHIPPED + 5))" <(wc -l <"$tmp/out") "rules list: one line per rule"
expect_text "close-wait-leak              warning   enabled   {state.close_wait} sockets in CLOSE_WAIT, {top.close_wait.count} of them on local port {top.close_wait.port} held by {top.close_wait.process|an unknown process (run as root)}" \
	<(head -1 "$tmp/out") "rules list: the first shipped rule"
expect_text "fixture-info                 info      enabled   {state.established} established connections
fixture-warning              warning   enabled   {state.close_wait} in CLOSE_WAIT on port {top.close_wait.port} held by {top.close_wait.process|an unknown process}
fixture-critical             critical  enabled   {state.time_wait} in TIME_WAIT
many-close-wait              critical  enabled   overridden
tw-cap                       critical  disabled  TIME_WAIT at {state.time_wait}" <(tail -5 "$tmp/out") \
	"rules list: the added rules in order, one replaced and one disabled by a later file"

cli_finish
