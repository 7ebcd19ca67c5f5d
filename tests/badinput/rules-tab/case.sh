# A tab where YAML allows only spaces for indentation.
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:2:1: found character that cannot start any token (while scanning for the next token at 2:1)")
