# A safe profile that includes one anyone may write: the include is refused.
ENV=(TCPTUNE_DATADIR="$W/data")
setup() { chmod 0666 "$W/data/profiles/base.yaml"; }
CMD=(apply --profile top --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/data/profiles/base.yaml: refusing a profile that group or others may write")
