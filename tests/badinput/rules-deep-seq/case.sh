# 10000 nested flow sequences: refused at the 65th level, without recursing
# 10000 times.
setup() {
	printf 'rules: %s%s\n' "$(repeat 10000 '[')" "$(repeat 10000 ']')" >"$W/r.yaml"
}
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:1:71: nested deeper than 64 levels")
