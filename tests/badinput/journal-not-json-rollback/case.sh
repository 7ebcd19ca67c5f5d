# A journal not JSON at all, read by rollback: refused with the file named;
# nothing restored or rewritten. The detail of the message is the journal
# parser's: matched on the file name and the word.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	printf 'this is not a journal\\n' >"$f"
}
CMD=(rollback --state-dir "$W/state" --sysctl-root "$W/sys")
RC=65
ERR_RE=("tcptune: (rollback: )?$QW/state/$ID_RE\.json: truncated or not JSON \\(.*\\)")
