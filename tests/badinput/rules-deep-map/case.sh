# 10000 nested flow mappings.
setup() {
	printf 'rules: %s1%s\n' "$(repeat 10000 '{a: ')" "$(repeat 10000 '}')" >"$W/r.yaml"
}
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:1:257: nested deeper than 64 levels")
