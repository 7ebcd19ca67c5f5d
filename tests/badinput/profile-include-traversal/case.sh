# include names a profile, never a path: "../" is refused, not looked up.
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:3:10: include: '../../../etc/passwd' is not a profile name")
