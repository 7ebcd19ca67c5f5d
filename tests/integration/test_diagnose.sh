#!/usr/bin/env bash
# tcptune diagnose against real trouble made on loopback, each scenario in a
# private network namespace where per-namespace sysctls may be changed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns

# The interpreter itself: a version manager's python3 shim takes a second a call.
PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# A service that accepts connections and never closes them after the peer did.
close_wait_leak() {
	start_sockmix --close-wait 40
	wait_sockmix_ready
	diagnose_json
	assert_eq 1 "$DIAG_RC" "CLOSE_WAIT leak: exit status (warning)"
	assert_eq True "$(finding close-wait-leak 'f["severity"] == "warning"')" \
		"CLOSE_WAIT leak: close-wait-leak found"
	# The port is a listening port of the service, and the finding names it and its process.
	assert_eq True "$(finding close-wait-leak \
		'int(f["evidence"]["top.close_wait.port"]) in [l["port"] for l in d["listeners"]]')" \
		"CLOSE_WAIT leak: the port is the service's listening port"
	assert_eq True "$(finding close-wait-leak \
		'f["evidence"]["top.close_wait.port"] in f["summary"] and "sockmix" in f["summary"]')" \
		"CLOSE_WAIT leak: the summary names the port and the process"
	# sockmix holds its sockets in worker processes: the owner is one of them.
	local pid
	pid=$(finding close-wait-leak 'f["evidence"]["top.close_wait.pid"]')
	assert_eq "$SOCKMIX_PID" "$(ps -o ppid= -p "$pid" | tr -d ' ')" \
		"CLOSE_WAIT leak: the pid ($pid) is a sockmix worker"
	assert_eq "{}" "$(finding close-wait-leak 'json.dumps(f["recommend"])')" \
		"CLOSE_WAIT leak: no sysctl recommended"
	assert_eq 40 "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["states"]["close_wait"])' "$DIAG")" \
		"CLOSE_WAIT leak: states as stats has them"
	stop_sockmix
}

# A client making many short connections through a narrowed ephemeral range:
# the kernel picks each local port, and each closed connection holds its port
# in TIME_WAIT for 60 s.
port_exhaustion() {
	sysctl -qw net.ipv4.ip_local_port_range="40000 40999"
	python3 - <<'PY' || fail "the short-connection client failed"
import socket
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 9000)); l.listen(64)
for _ in range(900):
    c = socket.create_connection(("127.0.0.1", 9000))
    a, _ = l.accept()
    c.close()           # the client closes first: TIME_WAIT lands on its ephemeral port
    a.recv(1); a.close()
PY
	diagnose_json
	assert_eq 2 "$DIAG_RC" "port exhaustion: exit status (critical)"
	assert_eq critical "$(finding ephemeral-ports-exhausted 'f["severity"]')" \
		"port exhaustion: ephemeral-ports-exhausted found"
	assert_eq 1 "$(finding ephemeral-ports-exhausted 'f["recommend"].get("net.ipv4.tcp_tw_reuse")')" \
		"port exhaustion: tcp_tw_reuse = 1 recommended"
	assert_eq "10240 65535" \
		"$(finding ephemeral-ports-exhausted 'f["recommend"].get("net.ipv4.ip_local_port_range")')" \
		"port exhaustion: a wider ip_local_port_range recommended"
	assert_eq True "$(finding ephemeral-ports-exhausted \
		'"900 client-side connections to 127.0.0.1:9000" in f["summary"] and "40000-40999" in f["summary"]')" \
		"port exhaustion: the summary names the destination and the narrowed range"
	assert_eq True "$(python3 -c 'import json,sys; p=json.loads(sys.argv[1])["peers"][0]; print(p == {"address": "127.0.0.1", "port": 9000, "count": 900})' "$DIAG")" \
		"port exhaustion: peers[0] is the upstream with its 900 sockets"
}

# A listener with backlog 1 that never accepts, flooded by connects while
# diagnose measures over an interval.
accept_overflow() {
	need_tmp
	python3 - "$TEST_TMP/flood.ready" <<'PY' &
import socket, sys, time
l = socket.socket(); l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 7777)); l.listen(1)
clients = []
open(sys.argv[1], "w").close()
end = time.time() + 8          # bounded: the flood stops by itself
while time.time() < end and len(clients) < 400:
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect(("127.0.0.1", 7777))
    except BlockingIOError:
        pass
    clients.append(c)
    time.sleep(0.01)
time.sleep(max(0, end - time.time()))
PY
	local flood=$!
	on_exit kill "$flood"
	until [ -e "$TEST_TMP/flood.ready" ]; do sleep 0.05; done
	sleep 0.5
	diagnose_json --interval 2
	assert_eq 2 "$DIAG_RC" "accept overflow: exit status (critical)"
	assert_eq critical "$(finding accept-queue-full 'f["severity"]')" \
		"accept overflow: accept-queue-full found"
	assert_eq True "$(finding accept-queue-full 'float(f["evidence"]["listen.max_queue_ratio"]) >= 1')" \
		"accept overflow: the queue at its limit, in the evidence"
	# One condition, one finding: a full queue's overflows are not a second one.
	assert_eq "" "$(finding listen-overflows 'f["id"]')" \
		"accept overflow: listen-overflows superseded by accept-queue-full"
	assert_eq True "$(finding accept-queue-full '"the fullest 127.0.0.1:7777" in f["summary"]')" \
		"accept overflow: the summary names the full listener"
	# The finding names the process whose listener does not accept.
	assert_eq "listen 7777 $flood" \
		"$(finding accept-queue-full '" ".join(str(f["owners"][0][k]) for k in ["state", "port", "pid"])')" \
		"accept overflow: the full listener and the process holding it"
	assert_eq True "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["rates"]["TcpExt"]["ListenOverflows"] > 0)' "$DIAG")" \
		"accept overflow: ListenOverflows rising"
	kill "$flood" 2>/dev/null || true
	wait "$flood" 2>/dev/null || true
}

# A quiet namespace with a few healthy connections.
healthy() {
	start_sockmix --listeners 2 --established 5
	wait_sockmix_ready
	diagnose_json
	assert_eq 0 "$DIAG_RC" "healthy: exit status"
	assert_eq ok "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["status"])' "$DIAG")" \
		"healthy: status"
	assert_eq 0 "$(python3 -c 'import json,sys; print(sum(f["severity"] != "info" for f in json.loads(sys.argv[1])["findings"]))' "$DIAG")" \
		"healthy: no warning or critical finding"
	# The text report says so too, with the counts of the JSON, and -v lists
	# the rules it could not evaluate, in the JSON's order, each with its reason.
	local counts ids
	counts=$("$PYTHON" -c 'import json, sys; d = json.loads(sys.argv[1]); print(d["rules_evaluated"], len(d["not_evaluated"]))' "$DIAG")
	ids=$("$PYTHON" -c 'import json, sys; print(" ".join(r["id"] for r in json.loads(sys.argv[1])["not_evaluated"]))' "$DIAG")
	"$TCPTUNE" diagnose -v >"$TEST_TMP/diag.txt" || fail "diagnose (text) exited $?"
	assert_eq "No problems found: ${counts% *} rules evaluated, ${counts#* } not evaluated." \
		"$(grep '^No problems' "$TEST_TMP/diag.txt")" "healthy: text says no problems, with the counts"
	assert_eq "$ids" "$(sed -n '/^Not evaluated$/,/^$/s/^  \([a-z0-9-]*\): .*/\1/p' "$TEST_TMP/diag.txt" | paste -sd' ')" \
		"healthy: -v lists every rule not evaluated"
	assert_eq "  listen-overflows: rate.TcpExt.ListenOverflows is not available (rates need two
      samples: run with --interval SEC)" "$(grep -A1 '^  listen-overflows: ' "$TEST_TMP/diag.txt")" \
		"healthy: -v says why, wrapped under its rule"
	stop_sockmix
}

run_in_netns close_wait_leak
run_in_netns port_exhaustion
run_in_netns accept_overflow
run_in_netns healthy
finish
