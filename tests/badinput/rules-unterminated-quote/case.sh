# A quoted scalar that never ends: the error points at where it starts.
CMD=(rules list --rules "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:6:1: found unexpected end of stream (while scanning a quoted scalar at 5:14)")
