# Control characters inside a sysctl.d line (an escape, a carriage return):
# each finding stays one line on the terminal, the characters shown escaped,
# and the file is not applied or changed.
setup() {
	printf 'net.ipv4.tcp_fin_timeout = 3\0330\nnet.ipv4.tcp_syncookies = 1\r\0332\n' >"$W/10-esc.conf"
}
CMD=(lint --sysctl-root "$W/sys" "$W/10-esc.conf")
RC=1
OUT=("$W/10-esc.conf:1: net.ipv4.tcp_fin_timeout = 3\\x1b0: '3\\x1b0' is not an integer"
	"$W/10-esc.conf:2: net.ipv4.tcp_syncookies = 1 \\x1b2: expects 1 integer, got 2")
