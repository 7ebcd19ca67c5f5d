# A journal edited to say that the transaction created a file it never wrote
# (not a *.conf in a sysctl.d directory): rollback --force refuses the whole
# journal instead of deleting the file.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	mkdir -p "$W/etc"
	echo "root:x:0:0::/root:/bin/sh" >"$W/etc/passwd"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["persist"]={"path": sys.argv[2], "existed": False, "backup": None}; json.dump(d,open(sys.argv[1],"w"))' "$f" "$W/etc/passwd"
}
CMD=(rollback --force --state-dir "$W/state" --sysctl-root "$W/sys")
RC=65
ERR_RE=("tcptune: rollback: transaction $ID_RE: persisted file $QW/etc/passwd is not a \*\.conf file in a sysctl\.d directory; refusing to roll it back")
