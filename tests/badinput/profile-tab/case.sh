# A tab indenting a profile's settings.
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:4:1: found character that cannot start any token (while scanning for the next token at 4:1)")
