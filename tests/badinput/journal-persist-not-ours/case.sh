# The persisted file was replaced since by someone else's (it no longer
# carries the header naming the transaction): rollback without --force calls
# it drift and changes nothing, rather than deleting another's file.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	mkdir -p "$W/etc/sysctl.d"
	printf '# mine\nnet.core.somaxconn = 1024\n' >"$W/etc/sysctl.d/90-tcptune.conf"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["persist"]={"path": sys.argv[2], "existed": False, "backup": None}; json.dump(d,open(sys.argv[1],"w"))' "$f" "$W/etc/sysctl.d/90-tcptune.conf"
}
CMD=(rollback --state-dir "$W/state" --sysctl-root "$W/sys")
RC=1
ERR_RE=("tcptune: rollback: changed by someone else since: $QW/etc/sysctl\.d/90-tcptune\.conf no longer holds what $ID_RE wrote \(--force restores the values anyway\)")
