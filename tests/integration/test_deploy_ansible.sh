#!/usr/bin/env bash
# The Ansible module contrib/ansible/library/tcptune.py, run by ansible-core
# (ansible-playbook -i localhost, -c local) in a private network namespace, so
# that only that namespace's net.* keys change; the journal and the persisted
# file live in a temporary directory. One playbook runs every step (ansible's
# startup is slow), registers each result and what the system looks like
# after it, and writes them all to one JSON file that the checks read. The
# steps: check+diff shows the keys and changes nothing; a run applies and
# returns the transaction; a second run is unchanged; a deleted persisted
# file is a change; state: rolled_back (check, then for real, then again)
# restores; a value tcptune refuses fails the task with tcptune's exit status
# and message; netns applies in another namespace (made by the test) and
# rolls back only its transactions there; persist with netns is refused.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_root_and_netns
command -v ansible-playbook >/dev/null ||
	skip_or_fail "ansible-playbook is not installed (Debian package ansible-core)"
LIBRARY=$SRCDIR/contrib/ansible/library
[ -f "$LIBRARY/tcptune.py" ] || { echo "FAIL: no $LIBRARY/tcptune.py"; exit 1; }

FIN=net.ipv4.tcp_fin_timeout
RANGE=net.ipv4.ip_local_port_range

# What the system looks like, as JSON: both keys, the persisted file (null
# when absent) and the transactions as [id, status]; a task runs it after
# each step. Arguments: the persisted file, tcptune, the state directory.
LOOK='import json, subprocess, sys
conf, tcptune, state = sys.argv[1:]
def live(key):
    return " ".join(open("/proc/sys/" + key.replace(".", "/")).read().split())
try:
    text = open(conf).read()
except OSError:
    text = None
out = subprocess.check_output([tcptune, "history", "--format", "json", "--state-dir", state])
print(json.dumps({"fin": live("'$FIN'"), "range": live("'$RANGE'"), "file": text,
                  "history": [[t["id"], t["status"]] for t in json.loads(out)]}))'

# The playbook: tcptune's arguments are module_defaults; "look" steps record
# the system after the step before.
PLAYBOOK='- hosts: localhost
  gather_facts: false
  module_defaults:
    tcptune:
      tcptune: "{{ tcptune }}"
      profile: "{{ profile }}"
      set: {'$RANGE': [20000, 40000]}
      persist: true
      root: "{{ root }}"
      state_dir: "{{ state_dir }}"
  tasks:
    - {name: check, tcptune: {}, check_mode: true, diff: true, register: check}
    - {name: look, command: "{{ look }}", register: after_check, changed_when: false}
    - {name: apply, tcptune: {}, diff: true, register: apply}
    - {name: look, command: "{{ look }}", register: after_apply, changed_when: false}
    - {name: again, tcptune: {}, register: again}
    - {name: delete the persisted file, file: {path: "{{ conf }}", state: absent}}
    - {name: check the file, tcptune: {}, check_mode: true, register: check_file}
    - {name: rewrite the file, tcptune: {}, diff: true, register: refile}
    - {name: look, command: "{{ look }}", register: after_refile, changed_when: false}
    - name: rollback check
      tcptune: {state: rolled_back}
      check_mode: true
      diff: true
      register: back_check
    - {name: look, command: "{{ look }}", register: after_back_check, changed_when: false}
    - {name: rollback, tcptune: {state: rolled_back}, diff: true, register: back}
    - {name: look, command: "{{ look }}", register: after_back, changed_when: false}
    - {name: rollback again, tcptune: {state: rolled_back}, register: back_again}
    - name: a value tcptune refuses
      tcptune: {set: {'$FIN': soon}}
      register: refused
      ignore_errors: true
    - {name: look, command: "{{ look }}", register: after_refused, changed_when: false}
    - {name: in a namespace, tcptune: {netns: "{{ netns }}", persist: false}, register: ns_apply}
    - {name: look there, command: "{{ look_ns }}", register: ns_after_apply, changed_when: false}
    - {name: look, command: "{{ look }}", register: after_ns_apply, changed_when: false}
    - name: roll back in the namespace
      tcptune: {netns: "{{ netns }}", persist: false, state: rolled_back}
      register: ns_back
    - {name: look there, command: "{{ look_ns }}", register: ns_after_back, changed_when: false}
    - name: persist with netns
      tcptune: {netns: "{{ netns }}"}
      register: ns_persist
      ignore_errors: true
    - name: results
      copy:
        dest: "{{ results }}"
        content: "{{ {\"check\": check, \"apply\": apply, \"again\": again,
          \"check_file\": check_file, \"refile\": refile, \"back_check\": back_check,
          \"back\": back, \"back_again\": back_again, \"refused\": refused,
          \"after_check\": after_check.stdout | from_json,
          \"after_apply\": after_apply.stdout | from_json,
          \"after_refile\": after_refile.stdout | from_json,
          \"after_back_check\": after_back_check.stdout | from_json,
          \"after_back\": after_back.stdout | from_json,
          \"after_refused\": after_refused.stdout | from_json,
          \"ns_apply\": ns_apply, \"ns_back\": ns_back, \"ns_persist\": ns_persist,
          \"ns_after_apply\": ns_after_apply.stdout, \"ns_after_back\": ns_after_back.stdout,
          \"after_ns_apply\": after_ns_apply.stdout | from_json} | to_json }}"'

# res EXPR: a Python expression on the results r (a step's registered result
# r["apply"], the system after it r["after_apply"]); j(A, B...) joins its
# arguments with spaces, and a dict is printed with its keys sorted.
res() {
	"$PYTHON" -c 'import json, sys
r = json.load(open(sys.argv[1]))
def s(x):
    return "{" + ", ".join("%s: %s" % (k, x[k]) for k in sorted(x)) + "}" if isinstance(x, dict) else str(x)
def j(*a):
    return " ".join(map(s, a))
print(s(eval(sys.argv[2])))' "$TEST_TMP/results.json" "$1"
}

# settings FILE-TEXT: the settings of a persisted file, one line each joined by |.
settings() {
	grep -v '^#' <<<"$1" | grep . | paste -sd'|'
}

deploy() {
	need_tmp
	PYTHON=$(python3 -c 'import sys; print(sys.executable)')
	local fin0 range0 id id2 start=$SECONDS conf=$TEST_TMP/root/etc/sysctl.d/90-tcptune.conf
	local ns=tcptune-ansible-$$ ns_fin0
	ip netns add "$ns" || { fail "ip netns add $ns"; return; }
	on_exit ip netns del "$ns"
	ns_fin0=$(ip netns exec "$ns" sysctl -n "$FIN")
	fin0=$(sysctl -n "$FIN")
	range0=$(sysctl -n "$RANGE" | tr -s ' \t' ' ')
	if [ "$fin0" = 31 ] || [ "$range0" = "20000 40000" ]; then
		fail "this namespace already has the values the test sets"
		return
	fi
	mkdir -p "${conf%/*}"
	printf 'name: deploy\ndescription: the Ansible test.\nsysctl:\n  %s: 31\n' "$FIN" >"$TEST_TMP/deploy.yaml"
	printf '%s\n' "$PLAYBOOK" >"$TEST_TMP/deploy.yml"
	"$PYTHON" -c 'import json, shlex, sys
t, py, look = sys.argv[1], sys.argv[2], sys.argv[3]
conf, tcptune = t + "/root/etc/sysctl.d/90-tcptune.conf", sys.argv[4]
ns, fin = sys.argv[5], sys.argv[6]
json.dump({"tcptune": tcptune, "profile": t + "/deploy.yaml", "root": t + "/root",
           "state_dir": t + "/state", "conf": conf, "results": t + "/results.json",
           "look": " ".join(map(shlex.quote, [py, "-c", look, conf, tcptune, t + "/state"])),
           "netns": ns, "look_ns": " ".join(["ip", "netns", "exec", ns, "sysctl", "-n", fin])},
          open(t + "/vars.json", "w"))' "$TEST_TMP" "$PYTHON" "$LOOK" "$TCPTUNE" "$ns" "$FIN"
	# Ansible's home, temporary files and configuration: the test's, not the machine's.
	: >"$TEST_TMP/ansible.cfg"
	ARC=0
	ANSIBLE_CONFIG=$TEST_TMP/ansible.cfg ANSIBLE_HOME=$TEST_TMP/ansible \
		ANSIBLE_LOCAL_TEMP=$TEST_TMP/ansible/tmp ANSIBLE_REMOTE_TMP=$TEST_TMP/ansible/tmp \
		ANSIBLE_LIBRARY=$LIBRARY ANSIBLE_PYTHON_INTERPRETER=auto_silent ANSIBLE_NOCOLOR=1 \
		ANSIBLE_PIPELINING=true \
		ansible-playbook -i localhost, -c local -e "@$TEST_TMP/vars.json" "$TEST_TMP/deploy.yml" \
		>"$TEST_TMP/play.out" 2>&1 || ARC=$?
	echo "ansible-playbook ran for $((SECONDS - start)) s"
	if [ "$ARC" -ne 0 ] || [ ! -s "$TEST_TMP/results.json" ]; then
		fail "ansible-playbook exited $ARC:"
		sed 's/^/  /' "$TEST_TMP/play.out"
		return
	fi

	# check mode with diff: every key before and after, the file to be written; nothing written.
	assert_eq "True would-change" "$(res 'j(r["check"]["changed"], r["check"]["status"])')" \
		"check mode: changed, would-change"
	assert_eq "{$RANGE: $range0, $FIN: $fin0} {$RANGE: 20000 40000, $FIN: 31}" \
		"$(res 'j(r["check"]["diff"][0]["before"], r["check"]["diff"][0]["after"])')" \
		"check mode: the diff's before and after of each key"
	assert_eq "$conf (absent)" "$(res 'r["check"]["diff"][1]["before_header"]')" \
		"check mode: the diff names the missing persisted file"
	if grep -q "^-    \"$FIN\": \"$fin0\"" "$TEST_TMP/play.out" &&
		grep -q "^+    \"$FIN\": \"31\"" "$TEST_TMP/play.out"; then
		echo "ok: --diff prints each key's before and after"
	else
		fail "--diff does not print $FIN's before and after: $(cat "$TEST_TMP/play.out")"
	fi
	assert_eq "$fin0|$range0|None|[]" "$(res '"|".join(map(str, r["after_check"].values()))')" \
		"check mode changes no key, writes no file, records no transaction"

	# A real run: applied, persisted, one transaction whose id is returned.
	id=$(res 'r["apply"]["transaction"]')
	assert_eq "True committed" "$(res 'j(r["apply"]["changed"], r["apply"]["status"])')" "apply: changed, committed"
	assert_eq "31|20000 40000|[['$id', 'committed']]" \
		"$(res '"|".join(map(str, [r["after_apply"][k] for k in ("fin", "range", "history")]))')" \
		"apply sets the keys and returns the id of the transaction recorded"
	assert_eq "$FIN = 31|$RANGE = 20000 40000" "$(settings "$(res 'r["after_apply"]["file"]')")" \
		"apply persists both keys"
	assert_eq True "$(res '("transaction %s." % r["apply"]["transaction"]) in r["after_apply"]["file"]')" \
		"the persisted file names the transaction"

	# Idempotent.
	assert_eq "False matches None" \
		"$(res 'j(r["again"]["changed"], r["again"]["status"], r["again"]["transaction"])')" \
		"a second run: unchanged, no transaction"

	# The live values match, but the persisted file is gone: that is a change.
	assert_eq "True []" "$(res 'j(r["check_file"]["changed"], r["check_file"]["changes"])')" \
		"check mode: a deleted persisted file is a change, no key is"
	id2=$(res 'r["refile"]["transaction"]')
	assert_eq "True committed [['$id', 'committed'], ['$id2', 'committed']]" \
		"$(res 'j(r["refile"]["changed"], r["refile"]["status"], r["after_refile"]["history"])')" \
		"a deleted persisted file: written again as a transaction of its own, its id returned"
	assert_eq "$FIN = 31|$RANGE = 20000 40000" "$(settings "$(res 'r["after_refile"]["file"]')")" \
		"the persisted file is back"

	# rolled_back: check mode says what, then every transaction of the profile, newest first.
	assert_eq "True ['$id2', '$id']" "$(res 'j(r["back_check"]["changed"], r["back_check"]["rolled_back"])')" \
		"rolled_back in check mode: both transactions, newest first"
	assert_eq "{$RANGE: $range0, $FIN: $fin0}" "$(res 'r["back_check"]["diff"][0]["after"]')" \
		"rolled_back in check mode: the diff shows the old values"
	assert_eq "$conf (absent)" "$(res 'r["back_check"]["diff"][1]["after_header"]')" \
		"rolled_back in check mode: the diff shows the file removed"
	assert_eq "31 20000 40000 True" \
		"$(res 'j(r["after_back_check"]["fin"], r["after_back_check"]["range"], r["after_back_check"]["file"] is not None)')" \
		"rolled_back in check mode changes nothing"
	assert_eq "True rolled-back" "$(res 'j(r["back"]["changed"], r["back"]["status"])')" "rolled_back: changed"
	assert_eq "$fin0|$range0|None|rolled-back rolled-back" \
		"$(res '"|".join(map(str, [r["after_back"]["fin"], r["after_back"]["range"], r["after_back"]["file"], j(*[s for _, s in r["after_back"]["history"]])]))')" \
		"rolled_back restores the old values, removes the file it had written; both transactions rolled back"
	assert_eq False "$(res 'r["back_again"]["changed"]')" "rolled_back again: unchanged"

	# tcptune's refusal fails the task with its exit status and message; nothing written.
	assert_eq "True 65" "$(res 'j(r["refused"]["failed"], r["refused"]["rc"])')" "a refused value fails the task, rc 65"
	assert_eq True "$(res '"exited 65" in r["refused"]["msg"] and "is not an integer" in r["refused"]["msg"]')" \
		"the failure carries tcptune's message ($(res 'r["refused"]["msg"]'))"
	assert_eq "$fin0|$range0" "$(res 'r["after_refused"]["fin"] + "|" + r["after_refused"]["range"]')" \
		"a refused value changes nothing"

	# netns: applied there only; rolled back there, only that namespace's transaction.
	assert_eq "True committed 31 $fin0" \
		"$(res 'j(r["ns_apply"]["changed"], r["ns_apply"]["status"], r["ns_after_apply"], r["after_ns_apply"]["fin"])')" \
		"netns: applied in that namespace, not in ours"
	assert_eq "True" "$(res 'r["ns_back"]["rolled_back"] == [r["ns_apply"]["transaction"]]')" \
		"netns, rolled_back: that namespace's one transaction"
	assert_eq "$ns_fin0" "$(res 'r["ns_after_back"]')" "netns, rolled_back: its value restored there"
	assert_eq "True True" \
		"$(res 'j(r["ns_persist"]["failed"], "persist cannot go with netns" in r["ns_persist"]["msg"])')" \
		"netns with persist fails the task"
	echo "took $((SECONDS - start)) s"
}

run_in_netns deploy
finish
