# A profile that includes itself.
ENV=(TCPTUNE_DATADIR="$W/data")
CMD=(apply --profile self --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/data/profiles/self.yaml:3:10: include cycle: self -> self")
