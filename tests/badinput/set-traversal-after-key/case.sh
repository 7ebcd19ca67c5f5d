# A --set key that climbs out after a real key: refused as a key before it
# becomes a path. The global kernel.core_pattern is only read.
SYSCTLS=(kernel.core_pattern)
setup() { traversal_canaries; }
CMD=(apply --sysctl-root "$W/proc/sys" --set 'net.ipv4.tcp_fin_timeout/../../../x=|/bin/sh')
RC=64
ERR=("tcptune: --set: 'net.ipv4.tcp_fin_timeout/../../../x' is not a sysctl key")
