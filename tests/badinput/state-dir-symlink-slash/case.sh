# The same symlink given with a trailing slash, which makes open() follow it
# whatever O_NOFOLLOW says.
setup() { ln -s state "$W/link"; }
CMD=(apply --sysctl-root "$W/sys" --state-dir "$W/link/" --set net.ipv4.tcp_fin_timeout=30)
RC=77
ERR=("tcptune: state directory $W/link/ is a symlink")
