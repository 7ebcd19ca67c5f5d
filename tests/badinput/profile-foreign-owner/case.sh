# A profile of mode 0644 owned by another user (uid 65534).
NEEDS=root
setup() { chown 65534:65534 "$W/p.yaml"; }
CMD=(apply --profile "$W/p.yaml" --sysctl-root "$W/sys")
RC=65
ERR=("tcptune: $W/p.yaml: owned by uid 65534, not by root or uid 0: refusing it")
