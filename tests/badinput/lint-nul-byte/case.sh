# A NUL byte in a sysctl.d file: lint reads the file by its length, reports
# the line that holds the NUL, and still checks the lines after it, which
# `sysctl -p` applies (here a key removed from Linux that makes it fail).
setup() {
	printf 'net.ipv4.tcp_fin_timeout = 30\0\nnet.ipv4.tcp_tw_recycle = 1\n' >"$W/99-nul.conf"
}
CMD=(lint --sysctl-root "$W/sys" "$W/99-nul.conf")
RC=1
OUT=("$W/99-nul.conf:1: line holds a NUL byte: sysctl.d files are text; remove it"
	"$W/99-nul.conf:2: net.ipv4.tcp_tw_recycle was removed in Linux 4.12: setting it makes \`sysctl -p\` fail on current kernels; delete the line")
