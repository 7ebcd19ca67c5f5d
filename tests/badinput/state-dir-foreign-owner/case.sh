# A state directory owned by another user (uid 65534): whoever owns it can
# forge the history rollback trusts. Refused before anything is written.
NEEDS=root
setup() {
	mkdir -m 0700 "$W/theirs"
	chown 65534:65534 "$W/theirs"
}
CMD=(apply --sysctl-root "$W/sys" --state-dir "$W/theirs" --set net.ipv4.tcp_fin_timeout=30)
RC=77
ERR=("tcptune: state directory $W/theirs is owned by uid 65534, not by uid 0")
