#!/usr/bin/env bash
# Advice that names the right cause, against real sockets: SYN-queue drops are
# not blamed on the accept queue; FIN_WAIT2 held by an application is not
# "fixed" with tcp_fin_timeout; orphans stuck on a zero window and connections
# to a peer that drops everything name that peer. Each scenario runs in a
# private network namespace; the peer, where there is one, in a second
# namespace behind a veth pair, where nftables drops its traffic.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
command -v nft >/dev/null || skip_or_fail "nft is not installed (nftables)"
command -v nsenter >/dev/null || skip_or_fail "nsenter is not installed (util-linux)"

PYTHON=$(python3 -c 'import sys; print(sys.executable)')

# ids: the ids of the findings, sorted, one line.
ids() {
	"$PYTHON" -c 'import json,sys; print(" ".join(sorted(f["id"] for f in json.loads(sys.argv[1])["findings"])))' "$DIAG"
}

# background NAME SCRIPT ARGS...: runs a Python script in the background (in
# the namespace it is called in) until the test ends; waits for it to print
# "ready". Sets BG_PID.
background() {
	local name=$1 script=$2 i
	shift 2
	need_tmp
	"$PYTHON" -c "$script" "$@" >"$TEST_TMP/$name.out" 2>&1 &
	BG_PID=$!
	on_exit kill "$BG_PID"
	for ((i = 0; i < 200; i++)); do
		grep -q '^ready' "$TEST_TMP/$name.out" && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	fail "$name did not get ready: $(tail -3 "$TEST_TMP/$name.out")"
	return 1
}

# peer_netns: a second namespace (its holder's pid in PEER) joined to this one
# by a veth pair: here 10.77.0.1, there 10.77.0.2.
peer_netns() {
	unshare -n sleep 600 &
	PEER=$!
	on_exit kill "$PEER"
	sleep 0.1
	ip link add tt0 type veth peer name tt1 netns "$PEER"
	ip addr add 10.77.0.1/24 dev tt0
	ip link set tt0 up
	nsenter -t "$PEER" -n sh -c 'ip link set lo up && ip addr add 10.77.0.2/24 dev tt1 &&
		ip link set tt1 up'
}

in_peer() { nsenter -t "$PEER" -n "$@"; }

# A server that accepts everything and keeps it: ARGS host port rcvbuf read(0/1).
SERVER='
import socket, sys, threading
host, port, rcvbuf, read = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
if rcvbuf:
    l.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
l.bind((host, port)); l.listen(4096)
print("ready", flush=True)
held = []
while True:
    a, _ = l.accept()
    held.append(a)
    if read:
        threading.Thread(target=lambda s: [s.recv(65536) for _ in iter(int, 1)], args=(a,),
                         daemon=True).start()
'

# SYNs whose handshake never completes (this namespace drops its own SYN-ACKs)
# against a listener with syncookies off and a small tcp_max_syn_backlog: the
# kernel drops SYNs in the SYN queue's last quarter. ListenDrops grows,
# ListenOverflows does not, and the accept queue stays empty.
syn_queue_drops() {
	need_tmp
	sysctl -qw net.ipv4.tcp_syncookies=0 net.ipv4.tcp_max_syn_backlog=16
	nft -f - <<'NFT'
table inet tcptune_test {
	chain out {
		type filter hook output priority 0;
		tcp sport 9100 tcp flags & (syn | ack) == syn | ack drop
	}
}
NFT
	background server "$SERVER" 127.0.0.1 9100 0 0
	background clients '
import socket
held = []
for _ in range(120):
    s = socket.socket(); s.setblocking(False)
    s.connect_ex(("127.0.0.1", 9100)); held.append(s)
print("ready", flush=True)
import time; time.sleep(600)
'
	# Two samples 3 s apart: the clients' SYNs are retransmitted after 1 s and 3 s.
	diagnose_json --interval 3
	# The SYN queue is three quarters full with syncookies off: critical.
	assert_eq 2 "$DIAG_RC" "SYN queue: exit status (critical)"
	# The clients are here too: their SYN_SENT is what they see of it.
	assert_eq "syn-drops syn-flood-no-syncookies syn-sent-pileup syncookies-disabled" "$(ids)" \
		"SYN queue: only the SYN queue's findings"
	assert_eq True "$(finding syn-drops 'f["evidence"]["rate.TcpExt.ListenOverflows"] == "0"')" \
		"SYN queue: syn-drops found, with no accept-queue overflow"
	assert_eq True "$(finding syn-drops '"SYN queue" in f["explain"] and
		f["recommend"] == {"net.ipv4.tcp_syncookies": "1"}')" \
		"SYN queue: the SYN queue named, syncookies recommended"
	assert_eq "" "$(finding listen-overflows 'f["id"]')" "SYN queue: no listen-overflows"
	assert_eq "" "$(finding accept-queue-full 'f["id"]')" "SYN queue: no accept-queue-full"
	assert_eq "" "$(finding somaxconn-low 'f["id"]')" "SYN queue: no somaxconn advice"
}

# Clients that half-close with shutdown() and keep their sockets, against a
# server that never closes: FIN_WAIT2 held by the client process, which
# tcp_fin_timeout does not shorten. Then the same clients close(): orphans.
fin_wait2_held_then_orphaned() {
	need_tmp
	background server "$SERVER" 127.0.0.1 9200 0 0
	background client '
import os, socket, sys, time
held = []
for _ in range(300):
    s = socket.create_connection(("127.0.0.1", 9200))
    s.shutdown(socket.SHUT_WR); held.append(s)
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
for s in held:
    s.close()
print("closed", flush=True)
time.sleep(600)
' "$TEST_TMP/close"
	local client=$BG_PID
	diagnose_json
	assert_eq True "$(finding fin-wait2-held '"300 sockets in FIN_WAIT2" in f["summary"]')" \
		"held FIN_WAIT2: fin-wait2-held found: $(ids)"
	assert_eq "$client" "$(finding fin-wait2-held 'f["evidence"]["top.fin_wait2.pid"]')" \
		"held FIN_WAIT2: the client's pid in the evidence"
	assert_eq True "$(finding fin-wait2-held '"held by python" in f["summary"]')" \
		"held FIN_WAIT2: the client process named: $(finding fin-wait2-held 'f["summary"]')"
	assert_eq True "$(finding fin-wait2-held 'f["recommend"] == {}')" \
		"held FIN_WAIT2: no sysctl recommended"
	assert_eq "" "$(finding fin-wait2-orphaned 'f["id"]')" \
		"held FIN_WAIT2: no tcp_fin_timeout advice"

	local i
	touch "$TEST_TMP/close"
	for ((i = 0; i < 100; i++)); do
		grep -q '^closed' "$TEST_TMP/client.out" && break
		sleep 0.05
	done
	diagnose_json
	assert_eq True "$(finding fin-wait2-orphaned '"300 closed sockets" in f["summary"] and
		f["recommend"] == {"net.ipv4.tcp_fin_timeout": "30"}')" \
		"orphaned FIN_WAIT2: fin-wait2-orphaned found with tcp_fin_timeout: $(ids)"
	assert_eq "" "$(finding fin-wait2-held 'f["id"]')" "orphaned FIN_WAIT2: no fin-wait2-held"
	assert_eq True "$("$TCPTUNE" stats --format json | "$PYTHON" -c 'import json,sys
d = json.load(sys.stdin); print(d["orphaned"]["fin_wait2"] == 300 and d["states"]["fin_wait2"] == 300)')" \
		"orphaned FIN_WAIT2: stats counts them as orphans"
}

# A peer that stopped reading: the clients close with data still unsent, and
# their orphans probe the peer's zero window in FIN_WAIT1.
zero_window_orphans() {
	need_tmp
	peer_netns
	in_peer "$PYTHON" -c "$SERVER" 10.77.0.2 9300 4096 0 >"$TEST_TMP/peer.out" 2>&1 &
	on_exit kill "$!"
	sleep 0.3
	background client '
import socket, time
for _ in range(150):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
    s.connect(("10.77.0.2", 9300)); s.setblocking(False)
    try:
        while True:
            s.send(b"x" * 65536)
    except BlockingIOError:
        pass
    s.close()
time.sleep(1)
print("ready", flush=True)
time.sleep(600)
'
	diagnose_json
	assert_eq True "$(finding zero-window-orphans '"10.77.0.2:9300" in f["summary"] and
		"stopped reading" in f["summary"]')" \
		"zero window: zero-window-orphans names the peer: $(ids)"
	assert_eq "" "$(finding fin-wait1-pileup 'f["id"]')" "zero window: not also fin-wait1-pileup"
	assert_eq True "$(finding zero-window-orphans \
		'int(f["evidence"]["orphans.count"]) >= 150 and int(f["evidence"]["orphans.count"]) < 160')" \
		"zero window: this namespace's orphans, not the machine's"
}

# A peer that drops everything (nftables in its namespace): connections with
# data in flight retransmit, idle ones to the same peer wait for keepalive.
dead_peer() {
	need_tmp
	peer_netns
	in_peer "$PYTHON" -c "$SERVER" 10.77.0.2 5432 0 1 >"$TEST_TMP/peer.out" 2>&1 &
	on_exit kill "$!"
	sleep 0.3
	background client '
import os, socket, sys, time
busy = [socket.create_connection(("10.77.0.2", 5432)) for _ in range(100)]
idle = [socket.create_connection(("10.77.0.2", 5432)) for _ in range(200)]
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.05)
for s in busy:
    s.send(b"query")
print("sent", flush=True)
time.sleep(600)
' "$TEST_TMP/send"
	in_peer nft -f - <<'NFT'
table inet tcptune_test {
	chain in {
		type filter hook input priority 0;
		tcp dport 5432 drop
	}
}
NFT
	diagnose_json
	assert_eq "" "$(finding dead-peer 'f["id"]')" "dead peer: nothing before data is sent"
	touch "$TEST_TMP/send"
	# Retransmissions at about 0.2, 0.6, 1.4 and 3 s: three retries within 3 s.
	sleep 4.5
	diagnose_json
	assert_eq True "$(finding dead-peer '"100 connections to 10.77.0.2:5432 retransmitting" in
		f["summary"] and "tcp_retries2" in f["summary"]')" \
		"dead peer: dead-peer names the peer: $(ids)"
	assert_eq True "$(finding dead-peer 'f["recommend"] == {}')" \
		"dead peer: no sysctl for the retransmitting ones"
	assert_eq True "$(finding dead-peer-idle '"200 idle connections to 10.77.0.2:5432" in
		f["summary"] and f["recommend"]["net.ipv4.tcp_keepalive_time"] == "600"')" \
		"dead peer: keepalive advice for the 200 idle ones, at 300 connections"
	assert_eq "" "$(finding keepalive-slow 'f["id"]')" "dead peer: keepalive advice once"
}

run_in_netns syn_queue_drops
run_in_netns fin_wait2_held_then_orphaned
run_in_netns zero_window_orphans
run_in_netns dead_peer
finish
