# A profile value of 5 MiB of digits.
setup() {
	{
		printf 'name: p\ndescription: x\nsysctl:\n  net.ipv4.tcp_fin_timeout: '
		head -c $((5 << 20)) /dev/zero | tr '\0' 9
		printf '\n'
	} >"$W/p.yaml"
}
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml: larger than 4 MiB")
