# The same numbers in a profile: each reported at its line.
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:4:29: net.ipv4.tcp_fin_timeout = 99999999999999999999: '99999999999999999999' is too large"
	"tcptune: $W/p.yaml:5:23: net.core.somaxconn = -1: -1 is below the minimum 0"
	"tcptune: $W/p.yaml:6:38: net.ipv4.tcp_max_tw_buckets: {min: -1}: -1 is below the minimum 0")
