# A journal named after another id than the one it holds, read by history:
# refused with the file named; nothing restored or rewritten. The detail of the
# message is the journal parser's: matched on the file name and the word.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	mv "$f" "$W/state/20200101-000000-abcd.json"
}
CMD=(history --state-dir "$W/state")
RC=65
ERR_RE=("tcptune: $QW/state/20200101-000000-abcd\.json: holds transaction $ID_RE")
