#!/usr/bin/env bash
# stats and diagnose in one node_exporter textfile directory (issue 9.5), as
# contrib/systemd/tcptune-textfile.service writes them: the unit's own script
# fills a directory that Debian's prometheus-node-exporter serves on a free
# port of 127.0.0.1. A scrape has every tcptune series and
# node_textfile_scrape_error 0, the exporter logs no error (a series written
# by both files would make it log one at every scrape: checked too, so that
# the check is known to bite), and `promtool check metrics` is clean on both
# files. Runs on a fake /proc tree: no root, no namespace. Without the tools,
# a skip (77); under CI=true a failure.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

if [ -z "${TCPTUNE:-}" ] || [ ! -x "$TCPTUNE" ]; then
	echo "FAIL: \$TCPTUNE is not an executable; run the test with ctest"
	exit 1
fi
for tool in prometheus-node-exporter promtool python3; do
	command -v "$tool" >/dev/null ||
		skip_or_fail "$tool is not installed (scripts/install-deps: Debian packages" \
			"prometheus-node-exporter, prometheus)"
done
PYTHON=$(python3 -c 'import sys; print(sys.executable)')
FX="$SRCDIR/tests/fixtures"
export TCPTUNE_DATADIR="$SRCDIR" # the shipped rules, whatever the binary's location
need_tmp

# The fake root of clilib.sh's fake_root, and a process 812 whose name is not
# UTF-8 holding the listener on port 8080 and a CLOSE_WAIT socket (inodes of
# tests/fixtures/procnet/net/tcp): its label must still parse.
root="$TEST_TMP/proc"
mkdir -p "$root/net" "$root/812/fd"
cp -r "$FX/proc-good/sys" "$root/sys"
cp "$FX"/proc-good/net/* "$FX"/procnet/net/tcp "$FX"/procnet/net/tcp6 "$root/net/"
printf 'ngi\377nx\n' >"$root/812/comm"
ln -s 'socket:[10999]' "$root/812/fd/3"
ln -s 'socket:[11014]' "$root/812/fd/4"

# The unit's script, as systemd passes it to sh (continuation lines joined, $$
# unescaped), run with a tcptune that reads the fake root; stats with -p, so
# that process labels are in the file too.
"$PYTHON" - "$SRCDIR/contrib/systemd/tcptune-textfile.service" >"$TEST_TMP/unit.sh" <<'EOF'
import re, sys
text = re.sub(r"\\\n", " ", open(sys.argv[1]).read())
line = next(l for l in text.splitlines() if l.startswith("ExecStart="))
cmd = line[len("ExecStart="):].strip()
prefix = "/bin/sh -c '"
assert cmd.startswith(prefix) and cmd.endswith("'"), cmd
print(cmd[len(prefix):-1].replace("$$", "$"))
EOF
mkdir -p "$TEST_TMP/bin" "$TEST_TMP/textfile"
cat >"$TEST_TMP/bin/tcptune" <<EOF
#!/bin/sh
[ "\$1" = stats ] && set -- "\$@" -p
exec "$TCPTUNE" "\$@" --proc-root "$root"
EOF
chmod +x "$TEST_TMP/bin/tcptune"
dir="$TEST_TMP/textfile"
TEXTFILE_DIR=$dir PATH="$TEST_TMP/bin:$PATH" sh "$TEST_TMP/unit.sh" 2>"$TEST_TMP/unit.err"
rc=$?
files=$(cd "$dir" && echo *)
if [ "$rc" -eq 0 ] && [ "$files" = "tcptune-diagnose.prom tcptune-stats.prom" ]; then
	echo "ok: the unit's script wrote tcptune-stats.prom and tcptune-diagnose.prom"
else
	fail "the unit's script: exit $rc, files '$files', stderr: $(cat "$TEST_TMP/unit.err")"
fi

# --- promtool: both files parse and lint clean ---
for f in tcptune-stats.prom tcptune-diagnose.prom; do
	if promtool check metrics <"$dir/$f" >"$TEST_TMP/promtool" 2>&1; then
		echo "ok: promtool check metrics $f: clean"
	else
		fail "promtool check metrics $f: $(head -5 "$TEST_TMP/promtool")"
	fi
done

# --- node_exporter: textfile collector only, on a free port of 127.0.0.1 ---
port=$("$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log="$TEST_TMP/exporter.log"
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$dir" --web.disable-exporter-metrics \
	>"$log" 2>&1 &
exporter=$!
on_exit kill "$exporter"

# scrape OUT: /metrics into OUT, waiting up to 10 s for the exporter to listen.
scrape() {
	"$PYTHON" - "http://127.0.0.1:$port/metrics" "$1" <<'EOF'
import sys, time, urllib.request
for _ in range(100):
    try:
        body = urllib.request.urlopen(sys.argv[1], timeout=5).read()
        break
    except OSError as e:
        err = e
        time.sleep(0.1)
else:
    sys.exit(f"no answer from {sys.argv[1]}: {err}")
open(sys.argv[2], "wb").write(body)
EOF
}
# exporter_errors: the error and warning lines of the exporter's log so far
# (but the warning that it runs as root, as tests do).
exporter_errors() {
	grep -E 'level=(error|warn)' "$log" | grep -v 'Node Exporter is running as root user'
}

if scrape "$TEST_TMP/metrics" 2>"$TEST_TMP/scrape.err"; then
	echo "ok: node_exporter answers on 127.0.0.1:$port"
else
	fail "scrape: $(cat "$TEST_TMP/scrape.err"); exporter log: $(tail -5 "$log")"
	finish
fi
assert_eq "node_textfile_scrape_error 0" "$(grep '^node_textfile_scrape_error ' "$TEST_TMP/metrics")" \
	"node_textfile_scrape_error"
if ! exporter_errors >"$TEST_TMP/errors"; then
	echo "ok: node_exporter logs no error or warning"
else
	fail "node_exporter's log: $(head -5 "$TEST_TMP/errors")"
fi

# Every sample of both files, and only those, is a tcptune series of the
# scrape: same names, labels and values. node_exporter sorts the labels, gives
# a family's series the labels of its others (empty: the same series), and
# writes numbers its own way (9.752576e+06). Then some series by value.
page=$(getconf PAGESIZE)
export WANT="tcptune_netstat_tcpext_listen_overflows_total 1523
tcptune_sockstat_mem_bytes $((2381 * page))
tcptune_netstat_tcp_rto_min_seconds 0.2
tcptune_sockets{state=\"established\",family=\"ipv4\"} 11
tcptune_port_sockets{state=\"close_wait\",port=\"8080\",role=\"server\",process=\"ngi?nx\"} 1
tcptune_diagnose_status 0"
if "$PYTHON" - "$TEST_TMP/metrics" "$dir"/*.prom <<'EOF' >"$TEST_TMP/check" 2>&1; then
import math, os, re, sys
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
def parse(lines, where):
    out = {}
    for line in lines:
        m = sample.match(line.rstrip("\n"))
        if line.startswith("#") or not m or not m.group(1).startswith("tcptune_"):
            continue
        labels = tuple(sorted(l for l in label.findall(m.group(2) or "") if l[1]))
        key = (m.group(1), labels)
        assert key not in out, f"{where}: {key} twice"
        out[key] = float(m.group(3))
    return out
scraped = parse(open(sys.argv[1], encoding="utf-8"), "the scrape")
written = {}
for path in sys.argv[2:]:
    s = parse(open(path, encoding="utf-8"), path)
    both = written.keys() & s.keys()
    assert not both, f"in two files: {sorted(both)[:3]}"
    written.update(s)
missing, extra = written.keys() - scraped.keys(), scraped.keys() - written.keys()
assert not missing and not extra, f"missing {sorted(missing)[:3]}, unexpected {sorted(extra)[:3]}"
differ = [k for k in written if written[k] != scraped[k] and not math.isnan(written[k])]
assert not differ, f"values differ: {differ[:3]}"
want = parse(os.environ["WANT"].splitlines(), "WANT")
wrong = [(k, v, scraped.get(k)) for k, v in want.items() if scraped.get(k) != v]
assert not wrong, f"scraped wrong or not at all (series, want, got): {wrong}"
print(f"all {len(scraped)} series of both files are scraped, each once, with its value; "
      f"and the {len(want)} looked for")
EOF
	echo "ok: $(cat "$TEST_TMP/check")"
else
	fail "the scraped series: $(cat "$TEST_TMP/check")"
fi
for f in tcptune-stats.prom tcptune-diagnose.prom; do
	if grep -q "^node_textfile_mtime_seconds{file=\"\(.*/\)\?$f\"}" "$TEST_TMP/metrics"; then
		echo "ok: node_textfile_mtime_seconds of $f"
	else
		fail "no node_textfile_mtime_seconds of $f"
	fi
done

# The check bites: the file of earlier versions (diagnose with stats' families
# in it) next to the new ones repeats series, and the exporter says so.
{ cat "$dir/tcptune-stats.prom"; cat "$dir/tcptune-diagnose.prom"; } >"$dir/tcptune.prom"
scrape "$TEST_TMP/metrics2" 2>/dev/null
if exporter_errors | grep -q 'collected before with the same name and label values'; then
	echo "ok: a series in two files is an error in the exporter's log, as the test expects"
else
	fail "two files with the same series, and no error logged: the log check is blind"
fi
rm -f "$dir/tcptune.prom"
finish
