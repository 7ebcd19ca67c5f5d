# A 5 MiB scalar: the file is refused by its size, not parsed.
setup() {
	{
		printf 'rules:\n  - id: x\n    severity: info\n    when: "1"\n    summary: "'
		head -c $((5 << 20)) /dev/zero | tr '\0' A
		printf '"\n'
	} >"$W/r.yaml"
}
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml: larger than 4 MiB")
