# A profile value holding a newline, applied to the live per-namespace keys:
# refused, and the error stays one line (the newline shown as \n) instead of
# printing a second line that looks like a setting.
NEEDS=netns
SYSCTLS=(net.ipv4.tcp_fin_timeout net.ipv4.tcp_syncookies)
setup() { mkdir -p "$W/root/etc/sysctl.d"; }
CMD=(apply --profile "$W/p.yaml" --persist --root "$W/root")
RC=65
ERR=("tcptune: $W/p.yaml:4:29: net.ipv4.tcp_fin_timeout = 30\\nnet.ipv4.tcp_syncookies: 0: expects 1 integer, got 3")
