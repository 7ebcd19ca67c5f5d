# A --set value holding a newline, on the live per-namespace keys: the plan
# refuses it (its blanks folded, the newline included) and writes nothing.
NEEDS=netns
SYSCTLS=(net.ipv4.tcp_fin_timeout net.ipv4.tcp_syncookies)
setup() { mkdir -p "$W/root/etc/sysctl.d"; }
CMD=(apply --set $'net.ipv4.tcp_fin_timeout=30\nnet.ipv4.tcp_syncookies=0' --persist --root "$W/root")
RC=65
ERR=("tcptune: net.ipv4.tcp_fin_timeout = 30 net.ipv4.tcp_syncookies=0: expects 1 integer, got 2 (from --set)"
	"tcptune: nothing was written: 1 problem in the plan")
