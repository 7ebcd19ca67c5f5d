# An absolute path as a --set key (a canary inside the case's directory, never
# the real /proc/sys/kernel/core_pattern): refused as a key.
SYSCTLS=(kernel.core_pattern)
setup() { traversal_canaries; }
CMD=(apply --sysctl-root "$W/proc/sys" --set "$W/proc/kernel/core_pattern=|/bin/sh")
RC=64
ERR=("tcptune: --set: '$W/proc/kernel/core_pattern' is not a sysctl key")
