# A profile value whose quote never closes.
CMD=(profiles show --sysctl-root "$W/sys" "$W/p.yaml")
RC=65
ERR=("tcptune: $W/p.yaml:6:1: found unexpected end of stream (while scanning a quoted scalar at 4:29)")
