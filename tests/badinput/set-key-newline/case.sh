# A --set key holding a newline: not a sysctl key, and the error that quotes
# it stays one line.
NEEDS=netns
SYSCTLS=(net.ipv4.tcp_fin_timeout)
CMD=(apply --set $'net.ipv4\n.tcp_fin_timeout=30')
RC=64
ERR=("tcptune: --set: 'net.ipv4\\n.tcp_fin_timeout' is not a sysctl key")
