# A journal edited to restore kernel.core_pattern to two lines (a pipe to a
# program, then another setting): rollback --force checks the journal before
# it writes anything, refuses a value that is not one line, and changes nothing.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["keys"][0].update(key="kernel.core_pattern", old="|/tmp/evil %p\nkernel.x = 1"); json.dump(d,open(sys.argv[1],"w"))' "$f"
	mkdir -p "$W/sys/kernel"
	echo core >"$W/sys/kernel/core_pattern"
}
CMD=(rollback --force --state-dir "$W/state" --sysctl-root "$W/sys")
RC=65
ERR_RE=("tcptune: rollback: transaction $ID_RE: key 1: '\|/tmp/evil %p\\\\nkernel\.x = 1' is not a value for kernel\.core_pattern; refusing to roll it back")
