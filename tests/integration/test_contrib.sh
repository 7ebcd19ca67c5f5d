#!/usr/bin/env bash
# contrib/: the bash completion (simulated completions against the real
# binary), the systemd units (systemd-analyze verify when available, their
# keys, and the textfile unit's shell script run for real). No root needed.
# shellcheck source=tests/integration/clilib.sh
. "$(dirname "$0")/clilib.sh"
C="$SRCDIR/contrib"
U="$C/systemd"
export TCPTUNE_DATADIR="$SRCDIR"

# --- bash completion ---------------------------------------------------------

# The completion runs 'tcptune' as typed: put one on PATH.
mkdir -p "$tmp/bin" "$tmp/cwd/rules.d" "$tmp/cwd/sysroot"
ln -s "$T" "$tmp/bin/tcptune"
export PATH="$tmp/bin:$PATH"
: >"$tmp/cwd/lintme.conf"

if bash -n "$C/bash-completion/tcptune"; then
	ok "bash -n bash-completion/tcptune"
else
	bad "bash -n bash-completion/tcptune"
fi
# shellcheck source=/dev/null
. "$C/bash-completion/tcptune"
if complete -p tcptune 2>/dev/null | grep -q -- '-F _tcptune'; then
	ok "the completion is registered for tcptune"
else
	bad "the completion is not registered for tcptune"
fi

# comp WANT WORDS...: completing the last word (readline splits at '=': pass
# '=' as a word of its own) offers exactly WANT (sorted, space-separated).
comp() {
	local want=$1 got
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	(cd "$tmp/cwd" && _tcptune && printf '%s\n' "${COMPREPLY[@]}") >"$tmp/comp" 2>"$tmp/comperr"
	got=$(sort "$tmp/comp" | grep -v '^$' | paste -sd' ')
	if [ "$got" = "$want" ] && [ ! -s "$tmp/comperr" ]; then
		ok "complete '$*' -> $want"
	else
		bad "complete '$*' -> '$got', want '$want'"
		sed 's/^/    err: /' "$tmp/comperr"
	fi
}

# comp_has WANT WORDS...: the completions include every word of WANT.
comp_has() {
	local want=$1 w missing=
	shift
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_tcptune 2>/dev/null
	for w in $want; do
		printf '%s\n' "${COMPREPLY[@]}" | grep -qxF -- "$w" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then
		ok "complete '$*' offers $want"
	else
		bad "complete '$*' lacks$missing (got: ${COMPREPLY[*]})"
	fi
}

comp diagnose tcptune di
comp "apply confirm diagnose explain history lint profiles rollback rules stats top verify" tcptune ""
comp "--help --version" tcptune --
comp --format tcptune diagnose --for
comp --format tcptune diagnose -p --for
comp "json prometheus text" tcptune stats --format ""
comp "json prometheus text" tcptune diagnose -f ""
comp "json prometheus text" tcptune stats --format = ""
comp json tcptune stats --format = j
comp "json text" tcptune lint --format ""
comp "json text" tcptune apply -f ""
comp "json text" tcptune verify --format ""
comp "auto netlink proc" tcptune diagnose --source ""
comp "auto netlink proc" tcptune stats -s ""
comp warning tcptune diagnose --min-severity w
comp high-conn tcptune apply --profile hi
comp high-conn tcptune apply --dry-run -p hi
comp low-latency tcptune verify --profile low
comp "client-heavy defaults high-conn low-latency syn-flood" tcptune verify -p ""
comp "list show" tcptune profiles ""
comp syn-flood tcptune profiles show syn
comp syn-flood tcptune profiles --format json show syn
comp "check list" tcptune rules ""
comp net.ipv4.tcp_fin_timeout tcptune explain net.ipv4.tcp_fin
comp net.core.somaxconn tcptune explain net.ipv4.tcp_fin_timeout net.core.somax
comp net.core.somaxconn= tcptune apply --set net.core.somax
comp net.core.somaxconn= tcptune apply -s net.core.somax
comp "" tcptune apply --set net.core.somaxconn = 4
comp lintme.conf tcptune lint lint
comp lintme.conf tcptune rules check li
comp rules.d tcptune diagnose --rules rul
comp sysroot tcptune stats --sysctl-root s
comp lintme.conf tcptune apply --persist = li
comp "" tcptune apply --persist li
comp --persist tcptune apply --pers
comp --force tcptune rollback --fo

# Every long option of each verb's --help (outside quoted commands such as
# 'tcptune apply --try') is offered after '--'.
for verb in diagnose stats rules explain lint apply rollback confirm history verify profiles; do
	opts=$("$T" "$verb" --help | sed "s/'[^']*'//g" | grep -o -- '--[a-z][a-z-]*' | sort -u | paste -sd' ')
	comp_has "$opts --help" tcptune "$verb" --
done

# --- systemd units -----------------------------------------------------------

units="tcptune-textfile.service tcptune-textfile.timer tcptune-apply@.service
	tcptune-verify@.service tcptune-verify@.timer"

# systemd-analyze verify needs no running systemd; scripts/install-deps
# installs it, and CI fails without it. Exit 0 and silence: it only warns
# (exit 0) about a line it ignores, such as an unknown Type=.
if command -v systemd-analyze >/dev/null; then
	# verify wants ExecStart's binary to exist: copies naming the one tested.
	mkdir -p "$tmp/units"
	for u in $units; do
		sed "s|=tcptune |=$T |; s|^\(\t\)tcptune |\1$T |" "$U/$u" >"$tmp/units/$u"
	done
	(cd "$tmp/units" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no \
		./tcptune-textfile.service ./tcptune-textfile.timer \
		./tcptune-apply@high-conn.service ./tcptune-verify@high-conn.service \
		./tcptune-verify@high-conn.timer) >"$tmp/sa" 2>&1
	sarc=$?
	if [ "$sarc" -eq 0 ] && [ ! -s "$tmp/sa" ]; then
		ok "systemd-analyze verify: the units are clean (exit 0, no warning)"
	else
		bad "systemd-analyze verify -> exit $sarc:"
		sed 's/^/    /' "$tmp/sa"
	fi
elif [ "${CI:-}" = true ]; then
	bad "systemd-analyze is not installed (scripts/install-deps installs systemd)"
else
	echo "note: no systemd-analyze (install systemd); only the INI checks below"
fi

# The sections and keys that matter, read as INI.
if python3 - "$U" <<'EOF' >"$tmp/ini" 2>&1; then
import configparser, os, sys

d = sys.argv[1]
failed = []

def load(name):
    p = configparser.ConfigParser(strict=False, interpolation=None)
    p.optionxform = str
    with open(os.path.join(d, name)) as f:
        p.read_file(f)
    return p

def want(name, section, key, pred, what):
    p = load(name)
    v = p.get(section, key, fallback=None)
    good = v is not None and pred(v)
    print(("ok: " if good else "FAIL: ") + f"{name} [{section}] {key} {what}" +
          ("" if good else f" (is {v!r})"))
    if not good:
        failed.append(name)

has = lambda *ws: lambda v: all(w in v.split() for w in ws)
eq = lambda w: lambda v: v.strip() == w

t = "tcptune-textfile.service"
want(t, "Service", "Type", eq("oneshot"), "= oneshot")
want(t, "Service", "ExecStart", lambda v: "tcptune stats --format prometheus" in v,
     "runs stats --format prometheus")
want(t, "Service", "ExecStart", lambda v: "tcptune diagnose --format prometheus --no-processes" in v,
     "runs diagnose --format prometheus --no-processes")
want(t, "Service", "ExecStart", lambda v: 'mv -f "$$tmp" "$$dir/tcptune-$$verb.prom"' in v,
     "renames into place")
want(t, "Service", "Environment", eq("TEXTFILE_DIR=/var/lib/prometheus/node-exporter"), "names the textfile dir")
want(t, "Service", "SuccessExitStatus", eq("1 2"), "= 1 2")
want(t, "Service", "ProtectSystem", eq("strict"), "= strict")
want(t, "Service", "ReadWritePaths", lambda v: v.lstrip("-") == "/var/lib/prometheus/node-exporter",
     "is the textfile dir")
want(t, "Service", "RestrictAddressFamilies", has("AF_NETLINK"), "allows AF_NETLINK")
for k in ("PrivateTmp", "NoNewPrivileges", "ProtectHome", "ProtectKernelTunables"):
    want(t, "Service", k, eq("yes"), "= yes")
for k in ("PrivateNetwork", "ProcSubset"):
    if load(t).has_option("Service", k):
        print(f"FAIL: {t} sets {k}: diagnose would not see the host's sockets")
        failed.append(t)
want("tcptune-textfile.timer", "Timer", "OnCalendar", eq("minutely"), "= minutely")
want("tcptune-textfile.timer", "Install", "WantedBy", has("timers.target"), "timers.target")

a = "tcptune-apply@.service"
want(a, "Unit", "After", has("systemd-sysctl.service"), "systemd-sysctl.service")
want(a, "Service", "Type", eq("oneshot"), "= oneshot")
want(a, "Service", "ExecStart", eq("tcptune apply --profile %i"), "= tcptune apply --profile %i")
want(a, "Install", "WantedBy", has("multi-user.target"), "multi-user.target")

v = "tcptune-verify@.service"
want(v, "Service", "Type", eq("oneshot"), "= oneshot")
want(v, "Service", "ExecStart", eq("tcptune verify --profile %i"), "= tcptune verify --profile %i")
if load(v).has_option("Service", "SuccessExitStatus"):
    print("FAIL: tcptune-verify@.service must fail on drift (no SuccessExitStatus)")
    failed.append(v)
want("tcptune-verify@.timer", "Timer", "OnCalendar", eq("daily"), "= daily")
want("tcptune-verify@.timer", "Install", "WantedBy", has("timers.target"), "timers.target")
sys.exit(1 if failed else 0)
EOF
	ok "the units' sections and keys"
else
	bad "the units' sections and keys"
fi
grep '^FAIL' "$tmp/ini" | sed 's/^/    /'

# The textfile unit's script, as systemd passes it to sh: continuation lines
# joined, $$ unescaped.
python3 - "$U/tcptune-textfile.service" >"$tmp/script.sh" <<'EOF'
import re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
line = next(l for l in text.splitlines() if l.startswith("ExecStart="))
cmd = line[len("ExecStart="):].strip()
prefix = "/bin/sh -c '"
assert cmd.startswith(prefix) and cmd.endswith("'"), cmd
print(cmd[len(prefix):-1].replace("$$", "$"))
EOF
if sh -n "$tmp/script.sh"; then
	ok "the textfile ExecStart script parses"
else
	bad "the textfile ExecStart script does not parse"
fi

# A fake /proc for a deterministic stats and diagnose, and fake tcptunes for
# the codes: warn (diagnose finds a warning), fail (neither can observe),
# statsfail (stats cannot observe, diagnose warns).
r="$tmp/proc"
mkdir -p "$r/net"
cp -r "$FX/proc-good/sys" "$r/sys"
cp "$FX"/proc-good/net/* "$FX"/procnet/net/tcp "$FX"/procnet/net/tcp6 "$r/net/"
mkdir -p "$tmp/real" "$tmp/warn" "$tmp/fail" "$tmp/statsfail" "$tmp/tf"
printf '#!/bin/sh\nexec "%s" "$@" --proc-root "%s"\n' "$T" "$r" >"$tmp/real/tcptune"
cat >"$tmp/warn/tcptune" <<'EOF'
#!/bin/sh
case $1 in
stats) echo tcptune_sockets 1 ;;
*) echo tcptune_diagnose_status 1; exit 1 ;;
esac
EOF
printf '#!/bin/sh\necho "tcptune: cannot observe" >&2\nexit 3\n' >"$tmp/fail/tcptune"
cat >"$tmp/statsfail/tcptune" <<'EOF'
#!/bin/sh
case $1 in
stats) echo "tcptune: cannot observe" >&2; exit 3 ;;
*) echo tcptune_diagnose_status 2; exit 2 ;;
esac
EOF
chmod +x "$tmp/real/tcptune" "$tmp/warn/tcptune" "$tmp/fail/tcptune" "$tmp/statsfail/tcptune"

# textfile BINDIR DIR: runs the script; sets $rc.
textfile() {
	TEXTFILE_DIR=$2 PATH="$1:$PATH" sh "$tmp/script.sh" 2>"$tmp/err"
	rc=$?
}
leftovers() {
	find "$tmp/tf" -name 'tcptune*.prom.*' | grep -q .
}
# files: the two files, "stats-file | diagnose-file", for the messages.
files() {
	echo "$(cat "$tmp/tf/tcptune-stats.prom") | $(cat "$tmp/tf/tcptune-diagnose.prom")"
}

# The fake root is healthy for the shipped rules: status 0, and each file is
# exactly what its command prints (the snapshot's time aside). The single
# file of earlier versions goes: it would repeat tcptune_diagnose_status.
echo tcptune_diagnose_status 0 >"$tmp/tf/tcptune.prom"
textfile "$tmp/real" "$tmp/tf"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && ! leftovers && [ ! -e "$tmp/tf/tcptune.prom" ]; then
	ok "textfile: healthy -> 0, nothing on stderr, no temporary or old tcptune.prom left"
else
	bad "textfile: healthy -> exit $rc, want 0; files: $(ls "$tmp/tf")"
	sed 's/^/    err: /' "$tmp/err"
fi
for args in "stats" "diagnose --no-processes"; do
	verb=${args%% *}
	# shellcheck disable=SC2086 # the verb and its options, one word each
	"$T" $args --format prometheus --proc-root "$r" | mask_time >"$tmp/want.prom"
	mask_time <"$tmp/tf/tcptune-$verb.prom" >"$tmp/got.prom"
	expect_same "$tmp/want.prom" "$tmp/got.prom" "textfile: tcptune-$verb.prom is $verb's Prometheus output"
done
expect_text "tcptune_diagnose_status 0" <(grep '^tcptune_diagnose_status ' "$tmp/tf/tcptune-diagnose.prom") \
	"textfile: tcptune_diagnose_status 0"
expect_text "" <(cat "$tmp"/tf/*.prom | sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' | sort | uniq -d) \
	"textfile: no family in both files"
textfile "$tmp/warn" "$tmp/tf"
if [ "$rc" -eq 1 ] && [ "$(files)" = "tcptune_sockets 1 | tcptune_diagnose_status 1" ]; then
	ok "textfile: a warning (exit 1) still replaces the files and exits 1 (SuccessExitStatus)"
else
	bad "textfile: a warning -> exit $rc, files: $(files)"
fi
textfile "$tmp/fail" "$tmp/tf"
if [ "$rc" -eq 3 ] && [ "$(files)" = "tcptune_sockets 1 | tcptune_diagnose_status 1" ] && ! leftovers; then
	ok "textfile: exit 3 keeps the previous files, no temporary left, exits 3"
else
	bad "textfile: could not observe -> exit $rc, files: $(files)"
fi
textfile "$tmp/statsfail" "$tmp/tf"
if [ "$rc" -eq 3 ] && [ "$(files)" = "tcptune_sockets 1 | tcptune_diagnose_status 2" ] && ! leftovers; then
	ok "textfile: stats fails, diagnose does not: diagnose's file replaced, stats' kept, exits 3"
else
	bad "textfile: stats fails -> exit $rc, files: $(files)"
fi
textfile "$tmp/warn" "$tmp/nonexistent"
if [ "$rc" -eq 73 ]; then ok "textfile: a missing directory -> 73"; else bad "textfile: a missing directory -> $rc, want 73"; fi
textfile "$tmp/warn" ""
if [ "$rc" -eq 78 ]; then ok "textfile: an empty TEXTFILE_DIR -> 78"; else bad "textfile: an empty TEXTFILE_DIR -> $rc, want 78"; fi

cli_finish
