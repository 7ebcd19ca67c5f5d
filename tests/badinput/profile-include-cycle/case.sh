# a includes b, which includes a: refused with the chain, not followed forever.
ENV=(TCPTUNE_DATADIR="$W/data")
CMD=(apply --profile a --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/data/profiles/b.yaml:3:10: include cycle: a -> b -> a")
