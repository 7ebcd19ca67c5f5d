# A rule file whose indentation breaks the block structure.
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:3:4: did not find expected '-' indicator (while parsing a block collection at 2:3)")
