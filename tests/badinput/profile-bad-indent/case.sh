# A profile whose indentation breaks the mapping: refused before anything is
# resolved or written.
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:5:27: mapping values are not allowed in this context")
