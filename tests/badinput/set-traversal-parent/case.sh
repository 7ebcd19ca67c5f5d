# A --set key that starts above the tree: refused as a key before it
# becomes a path. The global kernel.core_pattern is only read.
SYSCTLS=(kernel.core_pattern)
setup() { traversal_canaries; }
CMD=(apply --sysctl-root "$W/proc/sys" --set '../x=|/bin/sh')
RC=64
ERR=("tcptune: --set: '../x' is not a sysctl key")
