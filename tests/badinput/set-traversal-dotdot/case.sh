# A --set key that climbs out of the tree to kernel/core_pattern: refused as
# a key before it becomes a path. The global kernel.core_pattern is only read.
SYSCTLS=(kernel.core_pattern)
setup() { traversal_canaries; }
CMD=(apply --sysctl-root "$W/proc/sys" --set 'net/../../kernel/core_pattern=|/bin/sh')
RC=64
ERR=("tcptune: --set: 'net/../../kernel/core_pattern' is not a sysctl key")
