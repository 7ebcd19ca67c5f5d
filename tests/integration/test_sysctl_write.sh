#!/usr/bin/env bash
# sysctl_write() against the real kernel, in a private network namespace:
# a value is set and reads back, a value the kernel refuses comes back as
# -EINVAL and leaves the key as it was. Only per-namespace net.ipv4 keys are
# written, and the host's are checked to be unchanged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_or_fail "needs root (network namespaces, sysctls)"
command -v unshare >/dev/null || skip_or_fail "unshare is not installed"
command -v ip >/dev/null || skip_or_fail "ip is not installed"
unshare -n true 2>/dev/null || skip_or_fail "cannot create a network namespace (unshare -n)"
# From ctest; a missing one is a broken build, never a skip.
if [ -z "${SYSCTL_WRITE:-}" ] || [ ! -x "$SYSCTL_WRITE" ]; then
	echo "FAIL: \$SYSCTL_WRITE ('${SYSCTL_WRITE:-}') is not an executable; run the test with ctest"
	exit 1
fi
export SYSCTL_WRITE

FIN=/proc/sys/net/ipv4/tcp_fin_timeout
RANGE=/proc/sys/net/ipv4/ip_local_port_range
# The tool writes to /proc/sys only from another namespace than this one.
SYSCTL_WRITE_HOST_NETNS=$(readlink /proc/self/ns/net)
export FIN RANGE SYSCTL_WRITE_HOST_NETNS # seen by in_namespace, in a child bash
host_fin=$(cat "$FIN")
host_range=$(cat "$RANGE")

# sysctl_write KEY VALUE: prints "0", or the error sysctl-write reported.
try_write() {
	local err rc=0
	err=$("$SYSCTL_WRITE" "$1" "$2" 2>&1) || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo 0
	else
		echo "$err"
	fi
}

in_namespace() {
	local before
	# run_in_netns checks against /proc/1, which may be unreadable: check here too.
	if [ "$(readlink /proc/self/ns/net)" = "$SYSCTL_WRITE_HOST_NETNS" ]; then
		fail "still in the host's network namespace"
		return
	fi
	assert_eq 0 "$(try_write net.ipv4.tcp_fin_timeout 31)" "tcp_fin_timeout=31 written"
	assert_eq 31 "$(cat "$FIN")" "tcp_fin_timeout reads back 31"

	assert_eq "sysctl-write: net.ipv4.tcp_fin_timeout: Invalid argument (-22)" \
		"$(try_write net.ipv4.tcp_fin_timeout abc)" "tcp_fin_timeout=abc refused with -EINVAL"
	assert_eq 31 "$(cat "$FIN")" "tcp_fin_timeout unchanged after a refused value"

	before=$(cat "$RANGE")
	assert_eq "sysctl-write: net.ipv4.ip_local_port_range: Invalid argument (-22)" \
		"$(try_write net.ipv4.ip_local_port_range "60000 1024")" \
		"ip_local_port_range low > high refused with -EINVAL"
	assert_eq "$before" "$(cat "$RANGE")" "ip_local_port_range unchanged after a refused value"
	assert_eq 0 "$(try_write net.ipv4.ip_local_port_range "20000 40000")" \
		"ip_local_port_range='20000 40000' written"
	assert_eq "$(printf '20000\t40000')" "$(cat "$RANGE")" "ip_local_port_range reads back"

	assert_eq "sysctl-write: net.ipv4.tcp_no_such_key: No such file or directory (-2)" \
		"$(try_write net.ipv4.tcp_no_such_key 1)" "an absent key is -ENOENT"
}
run_in_netns in_namespace

# The namespace was private: the host's values must not have moved.
assert_eq "$host_fin" "$(cat "$FIN")" "host tcp_fin_timeout unchanged"
assert_eq "$host_range" "$(cat "$RANGE")" "host ip_local_port_range unchanged"
finish
