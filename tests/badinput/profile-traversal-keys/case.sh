# The same traversals as profile keys: every one is reported, each with its
# line, and nothing is written. The global kernel.core_pattern is only read.
SYSCTLS=(kernel.core_pattern)
setup() {
	traversal_canaries
	cat >"$W/p.yaml" <<-EOF
		name: p
		description: Keys that climb out of /proc/sys.
		sysctl:
		  net/../../kernel/core_pattern: "|/bin/sh"
		  ../x: 1
		  net.ipv4.tcp_fin_timeout/../../../x: 1
		  $W/proc/kernel/core_pattern: "|/bin/sh"
		  net.ipv4.tcp_fin_timeout: 30
	EOF
}
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/proc/sys")
RC=65
ERR=("tcptune: $W/p.yaml:4:3: 'net/../../kernel/core_pattern' is not a sysctl key"
	"tcptune: $W/p.yaml:5:3: '../x' is not a sysctl key"
	"tcptune: $W/p.yaml:6:3: 'net.ipv4.tcp_fin_timeout/../../../x' is not a sysctl key"
	"tcptune: $W/p.yaml:7:3: '$W/proc/kernel/core_pattern' is not a sysctl key")
