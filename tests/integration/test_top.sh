#!/usr/bin/env bash
# tcptune top in a real terminal: tmux runs it at 80x24 in a private network
# namespace, the test opens connections on loopback and reads the screen with
# `tmux capture-pane`: the established count follows within two refreshes, a
# CLOSE_WAIT leak made during the run appears as a finding, the keys act, q
# ends it with exit status 0; without a terminal it refuses with 64.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
command -v tmux >/dev/null || skip_or_fail "tmux is not installed"
need_tmp

# conns N MODE: N connections on loopback held by a python process; MODE
# "open" keeps both ends, "close-wait" closes the clients, leaving the
# server's ends in CLOSE_WAIT (an application that never closes). Prints its pid.
CONNS='import socket, sys, time
n, mode = int(sys.argv[1]), sys.argv[2]
l = socket.socket()
l.bind(("127.0.0.1", 0))
l.listen(1024)
cs = [socket.create_connection(l.getsockname()) for _ in range(n)]
ss = [l.accept()[0] for _ in range(n)]
if mode == "close-wait":
    for c in cs:
        c.close()
print("ready", flush=True)
time.sleep(120)'

conns() { # N MODE
	local out=$TEST_TMP/conns.$RANDOM pid
	python3 -c "$CONNS" "$1" "$2" >"$out" &
	pid=$!
	on_exit kill "$pid"
	for _ in $(seq 100); do
		[ "$(cat "$out")" = ready ] && break
		sleep 0.05
	done
	echo "$pid"
}

SOCK=tcptune-test-$$
screen() { tmux -L "$SOCK" capture-pane -p -t top; }

# wait_screen WHAT SECONDS NEEDLE: polls the screen until it holds NEEDLE.
wait_screen() {
	local deadline=$((SECONDS + $2))
	while ((SECONDS <= deadline)); do
		if screen | grep -qF -- "$3"; then
			echo "ok: $1"
			return 0
		fi
		sleep 0.1
	done
	fail "$1: no '$3' on the screen after $2 s:"
	screen | sed 's/^/    | /'
	return 1
}

# The ESTAB row: "ESTAB  <count>".
estab() { screen | sed -n 's/^ESTAB  *\([0-9,]*\) .*/\1/p' | head -1 | tr -d ,; }

live() {
	need_tmp # run_in_netns copies the script's variables, not lib's TEST_TMP
	local start
	# Its stderr to a file, to tell why if it fails.
	printf '#!/bin/sh\n"%s" top --interval 1 "$@" 2>"%s/top.err"\necho $? >"%s/rc"\nsleep 30\n' \
		"$TCPTUNE" "$TEST_TMP" "$TEST_TMP" >"$TEST_TMP/top.sh"
	chmod +x "$TEST_TMP/top.sh"
	on_exit tmux -L "$SOCK" kill-server
	tmux -L "$SOCK" new-session -d -s top -x 80 -y 24 "$TEST_TMP/top.sh" ||
		{ fail "tmux new-session"; return; }
	# Under ASan the first snapshot, rules loaded, takes seconds: time is not what is tested.
	wait_screen "the screen is drawn at 80x24" 20 "findings:" || return
	assert_eq 0 "$(estab)" "no connection yet: ESTAB 0"

	conns 10 open >/dev/null
	start=$SECONDS
	wait_screen "10 connections opened: ESTAB 20 (both ends) within two refreshes" 3 \
		"ESTAB                20" || true
	echo "ok: it took $((SECONDS - start)) s"

	conns 20 close-wait >/dev/null
	wait_screen "a CLOSE_WAIT leak made during the run appears as a finding" 8 \
		"close-wait-leak" || true
	wait_screen "... and the CLOSE-WAIT count" 3 "CLOSE-WAIT           20" || true

	# Colours on a terminal that has them: the warning finding is yellow.
	if tmux -L "$SOCK" capture-pane -e -p -t top | grep -Eq $'\e\\[(3[0-7]|9[0-7])m'; then
		echo "ok: colours on a colour terminal"
	else
		fail "no colour on a colour terminal"
	fi

	# Keys: focus, sort, interval, help.
	tmux -L "$SOCK" send-keys -t top f
	wait_screen "f focuses ESTAB" 5 "focus: ESTAB" || true
	tmux -L "$SOCK" send-keys -t top s
	wait_screen "s sorts by port" 5 "sort: port" || true
	tmux -L "$SOCK" send-keys -t top p
	wait_screen "p: the holders of the ports, the python that holds the connections" 8 \
		" python3" || true
	wait_screen "... and the status bar says so" 1 "owners: on" || true
	tmux -L "$SOCK" send-keys -t top +
	wait_screen "+ refreshes less often" 5 "every 2 s" || true
	tmux -L "$SOCK" send-keys -t top '?'
	wait_screen "? shows the keys" 5 "q        quit" || true
	tmux -L "$SOCK" send-keys -t top x
	wait_screen "any key returns from the help" 5 "PORT ROLE" || true
	# The status bar is the last of the 24 rows: nothing pushed it off.
	assert_eq "sort: port  focus: ESTAB  owners: on" "$(screen | sed -n '24p' | sed 's/^ *//; s/ *$//')" \
		"the status bar on row 24"

	# A resized terminal is redrawn to its new size: three columns of states at 120.
	tmux -L "$SOCK" resize-window -t top -x 120 -y 30
	local deadline=$((SECONDS + 8))
	until screen | sed -n 2p | grep -q "ESTAB.*FIN-WAIT-2.*CLOSING" || ((SECONDS > deadline)); do
		sleep 0.1
	done
	assert_eq 30 "$(screen | wc -l)" "resized to 120x30: 30 rows"
	if screen | sed -n 2p | grep -q "ESTAB.*FIN-WAIT-2.*CLOSING"; then
		echo "ok: resized: redrawn with three columns of states"
	else
		fail "resized: not redrawn for 120 columns: $(screen | sed -n 2p)"
	fi

	tmux -L "$SOCK" send-keys -t top q
	for _ in $(seq 100); do
		[ -s "$TEST_TMP/rc" ] && break
		sleep 0.1
	done
	assert_eq 0 "$(cat "$TEST_TMP/rc" 2>/dev/null)" "q quits with exit status 0"
	[ "$(cat "$TEST_TMP/rc" 2>/dev/null)" = 0 ] || sed 's/^/    stderr: /' "$TEST_TMP/top.err"

	# NO_COLOR: attributes only (reverse bars, bold), no colour.
	tmux -L "$SOCK" new-session -d -s plain -x 80 -y 24 -e NO_COLOR=1 "$TCPTUNE top --interval 1"
	local plain=
	for _ in $(seq 200); do
		plain=$(tmux -L "$SOCK" capture-pane -e -p -t plain)
		grep -q "close-wait-leak" <<<"$plain" && break
		sleep 0.1
	done
	if grep -q $'\e\\[7m' <<<"$plain" && ! grep -Eq $'\e\\[(3[0-7]|9[0-7])m' <<<"$plain" &&
		grep -q "close-wait-leak" <<<"$plain"; then
		echo "ok: NO_COLOR: the same screen, reverse and bold, no colour"
	else
		fail "NO_COLOR: $(cat -v <<<"$plain" | head -5)"
	fi
}
run_in_netns live

RC=0
"$TCPTUNE" top </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" || RC=$?
assert_eq 64 "$RC" "without a terminal: exit 64"
assert_eq "tcptune: top: needs a terminal; for a log or a pipe, use 'tcptune stats --interval SEC' or 'tcptune diagnose --format json'" \
	"$(cat "$TEST_TMP/err")" "... and it says what to use instead"
RC=0
"$TCPTUNE" top --format json </dev/null >/dev/null 2>&1 || RC=$?
assert_eq 64 "$RC" "top --format: a usage error"
finish
