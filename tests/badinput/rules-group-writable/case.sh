# A rule file the group may write.
setup() { chmod 0664 "$W/r.yaml"; }
CMD=(rules list --rules "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml: refusing a rule file that group or others may write")
