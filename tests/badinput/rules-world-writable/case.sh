# A rule file anyone may write.
setup() { chmod 0666 "$W/r.yaml"; }
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml: refusing a rule file that group or others may write")
