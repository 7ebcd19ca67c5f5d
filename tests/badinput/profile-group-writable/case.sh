# A profile the group may write.
setup() { chmod 0664 "$W/p.yaml"; }
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml: refusing a profile that group or others may write")
