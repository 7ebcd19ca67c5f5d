# Numbers past 64 bits, and -1 where the key takes no negative number, on the
# live per-namespace keys: every one reported, nothing written.
NEEDS=netns
SYSCTLS=(net.ipv4.tcp_fin_timeout net.core.somaxconn net.ipv4.tcp_rmem)
setup() { mkdir -p "$W/root/etc/sysctl.d"; }
CMD=(apply --set net.ipv4.tcp_fin_timeout=99999999999999999999 --set net.core.somaxconn=-1
	--set 'net.ipv4.tcp_rmem=4096 131072 99999999999999999999' --persist --root "$W/root")
RC=65
ERR=("tcptune: net.ipv4.tcp_fin_timeout = 99999999999999999999: '99999999999999999999' is too large (from --set)"
	"tcptune: net.core.somaxconn = -1: -1 is below the minimum 0 (from --set)"
	"tcptune: net.ipv4.tcp_rmem = 4096 131072 99999999999999999999: element 3 (99999999999999999999) is too large (from --set)"
	"tcptune: nothing was written: 3 problems in the plan")
