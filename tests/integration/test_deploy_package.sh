#!/usr/bin/env bash
# The Debian package and relocatable installs (issue 9.1, 9.2):
# - `cpack -G DEB` builds a .deb that declares its runtime libraries and holds
#   the binary, the shipped rules and profiles, man pages, completion, units
#   and an empty /etc/tcptune/{rules.d,profiles.d};
# - the binary finds its data relative to itself, wherever it is installed
#   (`cmake --install --prefix ANY`, or the package's files unpacked anywhere);
# - a missing data directory is exit 66 on every verb that needs it;
# - under CI (or with TCPTUNE_TEST_DPKG=1) the package is installed with
#   dpkg -i, used, found by man, and removed with dpkg -r, leaving nothing.
# Installing a package changes the machine: on a developer's box that part is
# skipped with a message unless asked for.
set -u
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

[ -n "${TCPTUNE:-}" ] && [ -x "$TCPTUNE" ] || {
	echo "FAIL: \$TCPTUNE is not an executable; run the test with ctest"
	exit 1
}
BUILD=$(dirname "$TCPTUNE")
for tool in cpack dpkg-deb dpkg-shlibdeps file python3; do
	command -v "$tool" >/dev/null || skip_or_fail "$tool is not installed (scripts/install-deps)"
done
need_tmp
unset TCPTUNE_DATADIR

# --- the package ---
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$TEST_TMP/pkg" >"$TEST_TMP/cpack.log" 2>&1 ||
	{ cat "$TEST_TMP/cpack.log"; fail "cpack -G DEB failed"; finish; }
deb=$(ls "$TEST_TMP"/pkg/tcptune_*_*.deb 2>/dev/null)
[ -f "$deb" ] || { fail "no tcptune_*.deb in $TEST_TMP/pkg"; finish; }

depends=$(dpkg-deb -f "$deb" Depends)
for lib in libyaml-0-2 libnl-3-200 libjson-c5; do
	case "$depends" in
	*"$lib"*) echo "ok: Depends names $lib" ;;
	*) fail "Depends '$depends' lacks $lib" ;;
	esac
done
assert_eq tcptune "$(dpkg-deb -f "$deb" Package)" "package name"

dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | sort >"$TEST_TMP/files"
for f in /usr/bin/tcptune /usr/share/tcptune/rules/close-wait.yaml \
	/usr/share/tcptune/profiles/high-conn.yaml /usr/share/man/man8/tcptune.8 \
	/usr/share/man/man5/tcptune-rules.5 /usr/share/man/man5/tcptune-profiles.5 \
	/usr/share/bash-completion/completions/tcptune /usr/lib/systemd/system/tcptune-apply@.service \
	/usr/share/ansible/plugins/modules/tcptune.py \
	/etc/tcptune/rules.d /etc/tcptune/profiles.d; do
	grep -qxF "$f" "$TEST_TMP/files" && echo "ok: the package holds $f" || fail "the package lacks $f"
done
shipped_rules=$(cd "$SRCDIR/rules" && ls ./*.yaml | wc -l)
assert_eq "$shipped_rules" "$(grep -c '^/usr/share/tcptune/rules/.*\.yaml$' "$TEST_TMP/files")" \
	"every shipped rule file is packaged"

# --- relocatable: the package's files unpacked anywhere, and an install into any prefix ---
profiles_want=$(cd "$SRCDIR/profiles" && ls ./*.yaml | sed 's|^\./||; s|\.yaml$||' | sort)

# check_data BIN WHAT: BIN lists the shipped profiles and loads the shipped rules.
check_data() {
	local got
	got=$("$1" profiles 2>"$TEST_TMP/err" | awk '{print $1}' | sort)
	assert_eq "$profiles_want" "$got" "$2: tcptune profiles lists the shipped profiles"
	"$1" rules list >/dev/null 2>"$TEST_TMP/err"
	assert_eq 0 $? "$2: tcptune rules list loads the shipped rules"
}

dpkg-deb -x "$deb" "$TEST_TMP/unpacked"
check_data "$TEST_TMP/unpacked/usr/bin/tcptune" "unpacked package"

cmake --install "$BUILD" --prefix "$TEST_TMP/prefix" >"$TEST_TMP/install.log" 2>&1 ||
	{ cat "$TEST_TMP/install.log"; fail "cmake --install --prefix failed"; finish; }
check_data "$TEST_TMP/prefix/bin/tcptune" "cmake --install --prefix"

# Without its data the binary says so and exits 66, on every verb that needs it.
rm -rf "$TEST_TMP/prefix/share/tcptune"
for verb in "profiles" "profiles show high-conn" "rules list" "diagnose --proc-root $SRCDIR/tests/fixtures/proc-good" \
	"apply --dry-run --profile high-conn"; do
	# shellcheck disable=SC2086 # the verb and its arguments
	"$TEST_TMP/prefix/bin/tcptune" $verb >"$TEST_TMP/out" 2>"$TEST_TMP/err"
	rc=$?
	assert_eq 66 "$rc" "no data directory: tcptune $verb exits 66"
	[ -s "$TEST_TMP/err" ] || fail "no data directory: tcptune $verb says nothing on stderr"
	[ -s "$TEST_TMP/out" ] && fail "no data directory: tcptune $verb printed a result: $(head -2 "$TEST_TMP/out")"
done

# --- dpkg -i, use, dpkg -r ---
if [ "${CI:-}" != true ] && [ "${TCPTUNE_TEST_DPKG:-}" != 1 ]; then
	echo "note: dpkg -i/-r not tried: it changes this machine (CI does it; TCPTUNE_TEST_DPKG=1 to run it here)"
	finish
fi
[ "$(id -u)" -eq 0 ] || skip_or_fail "dpkg -i needs root"
# One install at a time: another run of this test (a parallel ctest, a mutation
# check) would meet dpkg's lock, or remove the package under our feet.
exec 9>"${TMPDIR:-/tmp}/tcptune-test-dpkg.lock"
flock -w 600 9 || skip_or_fail "another run of this test held the dpkg lock for 10 minutes"
if dpkg -s tcptune >/dev/null 2>&1 || [ -e /usr/bin/tcptune ]; then
	skip_or_fail "a tcptune is already installed on this machine: not replacing it"
fi
on_exit dpkg -r tcptune
dpkg -i "$deb" >"$TEST_TMP/dpkg.log" 2>&1 || { cat "$TEST_TMP/dpkg.log"; fail "dpkg -i failed"; finish; }
check_data /usr/bin/tcptune "installed package"
[ -d /etc/tcptune/rules.d ] && [ -d /etc/tcptune/profiles.d ] &&
	echo "ok: /etc/tcptune/{rules.d,profiles.d} exist" || fail "/etc/tcptune/{rules.d,profiles.d} missing"
if command -v man >/dev/null; then
	for page in "8 tcptune" "5 tcptune-rules" "5 tcptune-profiles"; do
		# shellcheck disable=SC2086 # section and name
		where=$(man -w $page 2>/dev/null)
		case "$where" in
		/usr/share/man/*) echo "ok: man finds $page at $where" ;;
		*) fail "man -w $page: '$where'" ;;
		esac
	done
else
	skip_or_fail "man is not installed (man-db)"
fi
dpkg -r tcptune >"$TEST_TMP/dpkg.log" 2>&1 || { cat "$TEST_TMP/dpkg.log"; fail "dpkg -r failed"; }
for f in /usr/bin/tcptune /usr/share/tcptune /usr/share/man/man8/tcptune.8 /etc/tcptune/rules.d; do
	[ -e "$f" ] && fail "dpkg -r left $f" || echo "ok: dpkg -r removed $f"
done
finish
