# A journal edited to name a key tcptune never sets (kernel.core_pattern, with
# a pipe to a program as its "old" value): rollback --force checks the journal
# before it writes anything, refuses it, and changes nothing.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["keys"][0].update(key="kernel.core_pattern", old="|/tmp/evil %p"); json.dump(d,open(sys.argv[1],"w"))' "$f"
	mkdir -p "$W/sys/kernel"
	echo core >"$W/sys/kernel/core_pattern"
}
CMD=(rollback --force --state-dir "$W/state" --sysctl-root "$W/sys")
RC=65
ERR_RE=("tcptune: rollback: transaction $ID_RE: key 1: kernel\.core_pattern is not a key tcptune sets; refusing to roll it back")
