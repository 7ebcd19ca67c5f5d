# Billion laughs in a profile's sysctl mapping.
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:3:4: anchors and aliases are not supported")
