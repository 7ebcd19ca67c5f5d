# A NUL written as the escape "\0" in a quoted value: "30\0 1" would read as
# "30" in C; refused.
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml:4:29: NUL character in a scalar")
