# shellcheck shell=bash
# tests/integration/wrappers.sh - how the tests run tcptune as another user or
# under another tool; lib.sh and clilib.sh source it.
#
# CI runs the suite again on a build with AddressSanitizer and gcov
# instrumentation (.ci/run), and these wrappers keep that build's runtime out
# of the output the tests compare.

# as_nobody CMD...: runs CMD as uid and gid 65534 with no groups. A coverage
# build writes its counters into the root-owned build tree at exit, which
# nobody may not (libgcov would say so on stderr): nobody's go to a scratch
# directory instead.
as_nobody() {
	local gcov="${TMPDIR:-/tmp}/tcptune-nobody-gcov"
	install -d -m 1777 "$gcov"
	GCOV_PREFIX="$gcov" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# under_tool CMD...: runs CMD (strace, faketime) in the environment a
# sanitizer build needs there: LeakSanitizer cannot run under ptrace, and ASan
# must otherwise be the first preloaded library (faketime preloads its own).
# Injected write faults would also hit the coverage counters written at exit:
# they go to a scratch directory of the call's own, where a damaged file
# cannot make a later run complain. TOOL_ENV is the same as a command prefix
# (for `timeout` and the like), with one scratch directory for the script.
TOOL_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0:verify_asan_link_order=0"
TOOL_ENV=(env "ASAN_OPTIONS=$TOOL_ASAN" "GCOV_PREFIX=${TMPDIR:-/tmp}/tcptune-tool-gcov.$$")
under_tool() {
	local gcov rc=0
	gcov=$(mktemp -d)
	ASAN_OPTIONS="$TOOL_ASAN" GCOV_PREFIX="$gcov" "$@" || rc=$?
	rm -rf "$gcov"
	return "$rc"
}
