#!/usr/bin/env bash
# Whether a live value already satisfies a wanted one is asked on three
# paths: a rule's recommendation (diagnose, and apply --recommended), a
# profile's plan (apply --check) and `profiles show`. All three call the
# sysctl wing's want module; this proves they agree on every kind of wanted
# value, including the one that needs the kernel's meaning of a value
# (tcp_orphan_retries 0 means 8). Fake trees, no privileges.
set -u
# shellcheck source=tests/integration/clilib.sh
. "$(dirname "$0")/clilib.sh"

# key|YAML form|live value|satisfied (1) or not (0)
cases=(
	"net.ipv4.tcp_fin_timeout|30|30|1"
	"net.ipv4.tcp_fin_timeout|30|60|0"
	"net.ipv4.tcp_fin_timeout|30|0x1e|1"
	"net.core.somaxconn|{min: 4096}|4096|1"
	"net.core.somaxconn|{min: 4096}|65535|1"
	"net.core.somaxconn|{min: 4096}|128|0"
	"net.ipv4.tcp_fin_timeout|{max: 30}|60|0"
	"net.ipv4.tcp_fin_timeout|{max: 30}|15|1"
	"net.ipv4.tcp_orphan_retries|{max: 7}|0|0"
	"net.ipv4.tcp_orphan_retries|{min: 8}|0|1"
	"net.ipv4.tcp_orphan_retries|{max: 8}|0|1"
	"net.ipv4.tcp_orphan_retries|{min: 9}|0|0"
	"net.ipv4.ip_local_port_range|{widen: 1024 65535}|32768	60999|0"
	"net.ipv4.ip_local_port_range|{widen: 10000 60000}|1024	65535|1"
)

# json_field FILE EXPR: a value of the JSON in FILE, printed as Python does.
json_field() {
	"$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2" 2>&1
}

n=0
for c in "${cases[@]}"; do
	IFS='|' read -r key form live want <<<"$c"
	n=$((n + 1))
	what="$key $form, live '$live'"
	root=$(fake_root "case$n")
	data="$tmp/data$n"
	mkdir -p "$data/rules"
	printf '%s\n' "$live" >"$root/sys/${key//.//}"
	cat >"$data/rules/want.yaml" <<EOF
rules:
  - id: want-path
    severity: info
    when: state.listen >= 0
    summary: x
    recommend:
      $key: $form
EOF
	chmod -R go-w "$tmp"

	# 1. The rule's recommendation: needed unless satisfied.
	TCPTUNE_DATADIR="$data" run diagnose --proc-root "$root" -f json
	got=$(json_field "$tmp/out" 'd["findings"][0]["changes"][0]["needed"]')
	[ "$got" = "$([ "$want" = 1 ] && echo False || echo True)" ] &&
		ok "diagnose: $what: needed $got" || bad "diagnose: $what: needed '$got'"

	# 2. The same recommendation as a plan: apply --recommended --check.
	TCPTUNE_DATADIR="$data" run apply --recommended --check --proc-root "$root" \
		--sysctl-root "$root/sys"
	expect_rc $((1 - want)) "apply --recommended --check: $what"

	# Profiles take no widen (a range is set whole).
	case "$form" in "{widen:"*) continue ;; esac
	profile="$tmp/p$n.yaml"
	printf 'name: p%s\ndescription: x\nsysctl:\n  %s: %s\n' "$n" "$key" "$form" >"$profile"
	chmod go-w "$profile"

	# 3. The profile as a plan: apply --check.
	run apply --check --profile "$profile" --sysctl-root "$root/sys"
	expect_rc $((1 - want)) "apply --check --profile: $what"

	# 4. profiles show: matches/satisfied, or differs.
	run profiles show "$profile" --sysctl-root "$root/sys" -f json
	got=$(json_field "$tmp/out" 'd["sysctl"][0]["status"]')
	case "$want$got" in
	1matches | 1satisfied | 0differs) ok "profiles show: $what: $got" ;;
	*) bad "profiles show: $what: '$got'" ;;
	esac
done

cli_finish
