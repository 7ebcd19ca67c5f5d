# shellcheck shell=bash
# tests/integration/nobody.sh - as_nobody CMD...: runs CMD as uid and gid 65534
# with no groups; lib.sh and clilib.sh source it.
#
# A coverage build (-DTCPTUNE_COVERAGE=ON) writes its counters into the build
# tree at exit, which nobody may not: libgcov would say so on stderr, in the
# middle of the output the tests compare. Nobody's counters go to a scratch
# directory instead.
as_nobody() {
	local gcov="${TMPDIR:-/tmp}/tcptune-nobody-gcov"
	install -d -m 1777 "$gcov"
	GCOV_PREFIX="$gcov" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
