# A state directory the group may write.
setup() { mkdir -m 0770 "$W/shared"; }
CMD=(apply --sysctl-root "$W/sys" --state-dir "$W/shared" --set net.ipv4.tcp_fin_timeout=30)
RC=77
ERR=("tcptune: state directory $W/shared is writable by group or others (mode 0770)")
