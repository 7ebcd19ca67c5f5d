# A --set key that climbs out of the tree to kernel/core_pattern: refused as
# a key before it becomes a path. The global kernel.core_pattern is only read.
SYSCTLS=(kernel.core_pattern)
# Canaries where each traversal would land if it were followed: the fake
# root is $W/proc/sys; nothing outside it may be written.
setup() {
	fake_sysctl "$W/proc/sys" net.ipv4.tcp_fin_timeout=60
	mkdir -p "$W/proc/kernel" "$W/proc/sys/net.ipv4.tcp_fin_timeout"
	echo core >"$W/proc/kernel/core_pattern"
	echo canary >"$W/proc/x"
	echo canary >"$W/x"
}
CMD=(apply --sysctl-root "$W/proc/sys" --set 'net/../../kernel/core_pattern=|/bin/sh')
RC=64
ERR=("tcptune: --set: 'net/../../kernel/core_pattern' is not a sysctl key")
