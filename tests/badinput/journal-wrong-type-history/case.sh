# A journal with a string where a number belongs ("time"), read by history:
# refused with the file named; nothing restored or rewritten. The detail of the
# message is the journal parser's: matched on the file name and the word.
setup() {
	local f
	f=$W/state/$(make_journal net.ipv4.tcp_fin_timeout=30).json || return 1
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["time"]="yesterday"; json.dump(d,open(sys.argv[1],"w"))' "$f"
}
CMD=(history --state-dir "$W/state")
RC=65
ERR_RE=("tcptune: $QW/state/$ID_RE\.json: .*'time'.*")
