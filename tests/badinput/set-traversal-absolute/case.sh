# An absolute path as a --set key (a canary inside the case's directory, never
# the real /proc/sys/kernel/core_pattern): refused as a key.
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
CMD=(apply --sysctl-root "$W/proc/sys" --set "$W/proc/kernel/core_pattern=|/bin/sh")
RC=64
ERR=("tcptune: --set: '$W/proc/kernel/core_pattern' is not a sysctl key")
