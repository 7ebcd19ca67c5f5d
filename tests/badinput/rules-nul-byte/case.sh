# A raw NUL byte inside a rule id: YAML forbids control characters.
setup() {
	printf 'rules:\n  - id: x\0y\n    severity: info\n    when: "1"\n    summary: x\n' >"$W/r.yaml"
}
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:2:10: control characters are not allowed")
