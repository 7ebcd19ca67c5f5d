# A rule file of mode 0644 owned by another user (uid 65534) in a rules
# directory: refused, as its owner could change the advice root is given.
NEEDS=root
setup() { chown 65534:65534 "$W/rules.d/20-theirs.yaml"; }
CMD=(rules check "$W/rules.d")
RC=65
ERR=("tcptune: $W/rules.d/20-theirs.yaml: owned by uid 65534, not by root or uid 0: refusing it")
