# A state directory that is a symlink (to a good directory): refused, as a
# link can be pointed elsewhere between two runs.
setup() { ln -s state "$W/link"; }
CMD=(apply --sysctl-root "$W/sys" --state-dir "$W/link" --set net.ipv4.tcp_fin_timeout=30)
RC=77
ERR=("tcptune: state directory $W/link is a symlink")
