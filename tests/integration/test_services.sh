#!/usr/bin/env bash
# test_services.sh - the service that holds a port (issue 7): two processes in
# two cgroups of their own, each leaking CLOSE_WAIT on its own port, in a
# private network namespace. diagnose and stats -p name each one's process and
# cgroup, --cgroup and --unit restrict to one of them, and as nobody the
# lookup says it could not look. The cgroups are made under the host's cgroup2
# mount (or one mounted here) and removed; nothing else is touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

need_root_and_netns
need_tmp

# No cgroup2 in this kernel: nothing to test, even under CI (not a broken setup).
if ! grep -qw cgroup2 /proc/filesystems; then
	echo "SKIP: this kernel has no cgroup v2"
	exit 77
fi
# The hierarchy as tcptune finds it: the first cgroup2 mount; else one of our own.
CG=$(awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -1)
if [ -z "$CG" ]; then
	mkdir "$TEST_TMP/cg"
	mount -t cgroup2 none "$TEST_TMP/cg" || skip_or_fail "cannot mount cgroup2"
	on_exit umount "$TEST_TMP/cg"
	CG=$TEST_TMP/cg
fi
REL=/tcptune-test-$$ # the test's cgroup, relative to the mount
TOP=$CG$REL
mkdir "$TOP" 2>/dev/null || skip_or_fail "cannot make a cgroup under $CG (not writable)"
A=tcptune-test-$$-a.service
B=tcptune-test-$$-b.service
mkdir "$TOP/$A" "$TOP/$B"
# Whatever is left in them is killed, then the cgroups go (once empty).
remove_cgroups() {
	local i
	# shellcheck disable=SC2046 # one pid a word
	kill $(cat "$TOP/$A/cgroup.procs" "$TOP/$B/cgroup.procs" 2>/dev/null) 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		rmdir "$TOP/$A" "$TOP/$B" "$TOP" 2>/dev/null && return
		sleep 0.1
	done
	echo "could not remove $TOP"
}
on_exit remove_cgroups

# leak CGROUP PORT N: a server in CGROUP that accepts N connections on PORT and
# never closes them after the clients close theirs: N CLOSE_WAIT. Prints its pid.
leak() {
	local out=$TEST_TMP/leak.$2
	sh -c 'echo $$ >"$1/cgroup.procs" && exec python3 -c "$2" "$3" "$4"' sh "$1" '
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
srv = socket.socket()
srv.bind(("127.0.0.1", port))
srv.listen(64)
held = []
for _ in range(n):
    c = socket.create_connection(("127.0.0.1", port))
    held.append(srv.accept()[0])
    c.close()
print("ready", flush=True)
time.sleep(120)' "$2" "$3" >"$out" 2>&1 &
	local pid=$! i
	for ((i = 0; i < 100; i++)); do
		if grep -q ready "$out" 2>/dev/null; then
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	echo "leak on port $2 did not start: $(cat "$out")" >&2
	return 1
}

# py EXPR: evaluates EXPR with d, the JSON document in $OUT.
py() {
	python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1"
}

services() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	local pa pb
	pa=$(leak "$TOP/$A" 18001 30) || { fail "server A"; return; }
	pb=$(leak "$TOP/$B" 18002 20) || { fail "server B"; return; }
	# shellcheck disable=SC2064 # the pids now
	trap "kill $pa $pb 2>/dev/null" EXIT
	sleep 0.3 # the clients' FIN reaches the servers

	OUT=$("$TCPTUNE" diagnose --format json) || true
	assert_eq "close-wait-leak 18001 $pa" \
		"$(py '" ".join(str(x) for x in [d["findings"][0]["id"], d["findings"][0]["owners"][0]["port"], d["findings"][0]["owners"][0]["pid"]])')" \
		"diagnose: the busiest leak, its port and its process"
	assert_eq "$A $REL/$A" \
		"$(py '" ".join([d["findings"][0]["owners"][0]["service"], d["findings"][0]["owners"][0]["cgroup"]])')" \
		"diagnose: the service and the cgroup of that process"
	# The text, lines joined: "Held by  port 18001: 30 close_wait held by A (pid N...".
	TEXT=$("$TCPTUNE" diagnose | tr -s ' \n' '  ') || true
	if grep -qF "Held by port 18001: 30 close_wait held by $A (pid $pa" <<<"$TEXT"; then
		echo "ok: diagnose text: the port held by the service, with its pid"
	else
		fail "diagnose text: no 'Held by' line for port 18001: $(grep -A1 'Held by' <<<"$TEXT")"
	fi

	OUT=$("$TCPTUNE" stats -p --format json)
	assert_eq "18001 $pa $A 18002 $pb $B" \
		"$(py '" ".join(str(p[k]) for p in d["top_ports"]["close_wait"] for k in ["port", "pid", "service"])')" \
		"stats -p: each port with its own process and service"
	assert_eq "$pa $A" "$(py '" ".join(str(l[k]) for l in d["listeners"] if l["port"] == 18001 for k in ["pid", "service"])')" \
		"stats -p: the listener's process and service"
	PROM=$("$TCPTUNE" stats -p --format prometheus)
	if grep -q "^tcptune_port_sockets{state=\"close_wait\",port=\"18002\",role=\"server\",process=\"python3\",service=\"$B\"} 20$" <<<"$PROM"; then
		echo "ok: prometheus: the service label on the top-port series"
	else
		fail "prometheus: no service label on port 18002's series"
	fi

	# --cgroup and --unit: one service's sockets only.
	OUT=$("$TCPTUNE" diagnose --cgroup "$REL/$B" --format json) || true
	assert_eq "20 0 18002 $pb $REL/$B" \
		"$(py '" ".join(str(x) for x in [d["states"]["close_wait"], d["states"]["listen"] - 1, d["findings"][0]["owners"][0]["port"], d["findings"][0]["owners"][0]["pid"], d["cgroup"]])')" \
		"diagnose --cgroup: only B's sockets, B's port and process"
	OUT=$("$TCPTUNE" stats --unit "$A" --format json)
	assert_eq "30 1 18001" "$(py '" ".join(str(x) for x in [d["states"]["close_wait"], d["states"]["listen"], d["top_ports"]["close_wait"][0]["port"]])')" \
		"stats --unit: only A's sockets"
	OUT=$("$TCPTUNE" stats --cgroup "$TOP/$A" --source proc 2>&1) && fail "--cgroup with /proc: accepted" ||
		echo "ok: --cgroup with the /proc source is refused"
	"$TCPTUNE" stats --unit "tcptune-no-such-$$.service" >/dev/null 2>&1 && rc=0 || rc=$?
	assert_eq 66 "$rc" "--unit of no cgroup: 66"

	# Not root: the lookup cannot read the servers' descriptors and says so.
	OUT=$(as_nobody "$TCPTUNE" diagnose --format json) || true
	assert_eq "[] True" \
		"$(py 'str(d["findings"][0]["owners"][0]["pids"]) + " " + str(any("not permitted" in n for n in d["notes"]))')" \
		"as nobody: no process named, and a note that the lookup was not permitted"
	kill "$pa" "$pb" 2>/dev/null || true
}

run_in_netns services
finish
