# Billion laughs: nine levels of nine aliases, 10^9 strings once expanded.
# Anchors are refused where the first one stands, before any expansion.
CMD=(rules check "$W/r.yaml")
RC=65
ERR=("tcptune: $W/r.yaml:2:4: anchors and aliases are not supported")
