# A raw NUL byte after a profile value: it must not cut the value short.
setup() {
	printf 'name: p\ndescription: x\nsysctl:\n  net.ipv4.tcp_fin_timeout: 30\0 1\n' >"$W/p.yaml"
}
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:4:31: control characters are not allowed")
