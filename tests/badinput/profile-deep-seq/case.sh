# 10000 nested flow sequences as a profile value.
setup() {
	printf 'name: p\ndescription: x\nsysctl:\n  net.ipv4.tcp_fin_timeout: %s%s\n' \
		"$(repeat 10000 '[')" "$(repeat 10000 ']')" >"$W/p.yaml"
}
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:4:91: nested deeper than 64 levels")
