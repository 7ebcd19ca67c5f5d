#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# An Ansible module around tcptune(8): it runs `tcptune apply --check --format
# json`, `tcptune apply --format json`, `tcptune history --format json` and
# `tcptune rollback`, and turns their JSON and exit status into Ansible's
# changed, diff and failed. tcptune validates, applies, persists and rolls
# back; this module decides nothing of that itself.

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: tcptune
short_description: Apply sysctls with tcptune as one transaction, with check and diff modes
description:
  - Applies a tcptune profile and/or single keys with C(tcptune apply) as one journaled,
    all-or-nothing transaction (see tcptune(8)), optionally persisted in a sysctl.d file,
    or rolls the transactions of that profile back with C(tcptune rollback).
  - Idempotent. C(tcptune apply --check --format json) decides whether anything would
    change; C(tcptune apply --format json) applies only then. With C(persist), a persisted
    file that is missing or whose settings differ from the plan counts as a change, and
    is written again even when the live values already match.
  - Check mode writes nothing. Diff mode shows every key that changes with its value before
    and after (current and new, as tcptune reports them), and the persisted file.
  - tcptune's exit status fails the task with tcptune's own message (tcptune(8), EXIT STATUS).
version_added: "0.1"
author:
  - tcptune authors
options:
  profile:
    description:
      - A profile by name (as C(tcptune profiles) lists them) or the path of a profile file.
    type: str
  set:
    description:
      - Single keys to set, a mapping of each key to its value, applied after the profile's
        (a key here wins).
      - A value may be a number, a string, or a list for a vector key (C([10000, 65000]) for
        C(net.ipv4.ip_local_port_range)); booleans become C(1) and C(0).
    type: dict
  state:
    description:
      - C(applied) makes the live values (and the persisted file) match the plan.
      - C(rolled_back) rolls back, newest first, every transaction of this source that is
        still in effect (not rolled back) - those of C(profile) when it is given, else the
        C(--set) transactions whose keys are all keys of C(set); or only C(transaction).
        Each key gets back the value it had before tcptune changed it, and a persisted
        file its previous contents (or it is removed).
    type: str
    choices: [applied, rolled_back]
    default: applied
  persist:
    description:
      - C(true) also writes the values to C(/etc/sysctl.d/90-tcptune.conf) (under C(root)),
        an absolute path writes them to that C(*.conf) file in a C(sysctl.d) directory, so
        that they survive a reboot. C(false) changes the runtime values only.
      - The file holds every key of the plan, with a header naming the transaction.
    type: raw
    default: false
  root:
    description:
      - Where C(sysctl.d) files are looked for (later files that would override a persisted
        key are reported as warnings) and the default persisted file is placed.
        C(tcptune apply --root).
    type: path
  state_dir:
    description:
      - The journal's directory, C(tcptune --state-dir). Default C($TCPTUNE_STATE_DIR) or
        C(/var/lib/tcptune).
    type: path
  sysctl_root:
    description:
      - A tree of files to write instead of C(/proc/sys), C(tcptune --sysctl-root); for tests.
    type: path
  netns:
    description:
      - Apply in this network namespace instead of the one the module runs in, as one
        transaction there (C(tcptune apply --netns)) - a name in C(/run/netns) (as
        C(ip netns add) makes it) or a path to a namespace file. Keys that are not per
        namespace are refused; C(persist) cannot go with it.
      - With C(state=rolled_back), only the transactions of that namespace are rolled back
        (C(tcptune history --netns)); each is restored in the namespace it changed.
    type: str
  netns_pid:
    description:
      - The same, for the network namespace of this process (a container's first
        process), C(tcptune apply --netns-pid).
    type: int
  transaction:
    description:
      - With C(state=rolled_back), the id of the one transaction to roll back (as
        C(tcptune history) lists them) instead of those of C(profile) or C(set).
    type: str
  force:
    description:
      - With C(state=rolled_back), C(tcptune rollback --force) restores keys that someone
        else changed since the transaction, instead of failing.
    type: bool
    default: false
  tcptune:
    description:
      - The tcptune binary, a path or a name looked for in C($PATH), C(/usr/local/sbin)
        and C(/usr/sbin).
    type: str
    default: tcptune
notes:
  - Changing live values needs root (C(become=true)); check mode with C(state=applied)
    does not.
  - Only the network namespace the module runs in is changed for per-namespace keys (net.*),
    or the one C(netns) or C(netns_pid) names.
  - C(tcptune apply --try) has no equivalent here, since nothing would confirm it.
  - Unlike M(ansible.posix.sysctl), the whole plan is validated before anything is written,
    each value is read back, and a failure restores every key.
requirements:
  - tcptune
seealso:
  - module: ansible.posix.sysctl
"""

EXAMPLES = r"""
- name: Apply the high-conn profile and persist it in /etc/sysctl.d
  tcptune:
    profile: high-conn
    persist: true
  become: true

- name: Two keys, persisted in a file of our own
  tcptune:
    set:
      net.ipv4.tcp_fin_timeout: 30
      net.ipv4.ip_local_port_range: [10000, 65000]
    persist: /etc/sysctl.d/60-web.conf
  become: true
  register: tuned

- name: Say which transaction did it
  ansible.builtin.debug:
    msg: "tcptune rollback {{ tuned.transaction }} undoes it"
  when: tuned.changed

- name: Tune a running container's network namespace (its first process's)
  tcptune:
    profile: high-conn
    netns_pid: "{{ container_pid }}"
  become: true

- name: Undo every change the profile made, and its persisted file
  tcptune:
    profile: high-conn
    persist: true
    state: rolled_back
  become: true
"""

RETURN = r"""
status:
  description:
    - What tcptune's apply came to, as its JSON C(status) (tcptune(8), JSON OUTPUT) -
      C(matches), C(would-change) (check mode) or C(committed); on failure
      C(rolled-back), C(unchanged) or C(incomplete).
    - With C(state=rolled_back), C(rolled-back), C(would-roll-back) (check mode) or
      C(matches) (nothing to roll back).
  returned: always
  type: str
  sample: committed
transaction:
  description: The id of the transaction tcptune recorded, null when none was.
  returned: always
  type: str
  sample: 20250101-120000-1a2b
changes:
  description:
    - One entry per key whose value changes (or would), as tcptune apply reports it.
      With C(state=rolled_back), C(current) is the value the transaction wrote and C(new)
      the one it replaced.
  returned: always
  type: list
  elements: dict
  sample: [{"key": "net.ipv4.tcp_fin_timeout", "current": "60", "new": "30", "source": "--set"}]
persist:
  description: The persisted file, null without C(persist).
  returned: always
  type: str
  sample: /etc/sysctl.d/90-tcptune.conf
rolled_back:
  description: With C(state=rolled_back), the transactions rolled back (or that would be), newest first.
  returned: always
  type: list
  elements: str
  sample: ["20250102-090000-3c4d", "20250101-120000-1a2b"]
cmd:
  description: The last tcptune command run.
  returned: always
  type: list
  elements: str
rc:
  description: Its exit status (tcptune(8), EXIT STATUS), when it failed the task.
  returned: failure
  type: int
stderr:
  description: What it wrote to standard error.
  returned: always
  type: str
"""

import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.module_utils.six import binary_type, integer_types, string_types

DEFAULT_PERSIST = "/etc/sysctl.d/90-tcptune.conf"
FILE_LIMIT = 1 << 20

# tcptune(8), EXIT STATUS: what each code means for the verbs this module runs.
EXIT_MEANING = {
    "apply": {
        64: "usage error",
        65: "an invalid plan, nothing written; or a value the kernel refused, every change undone",
        66: "missing input, or no such network namespace",
        71: "the system failed",
        75: "blocked by a pending or interrupted transaction",
        77: "not permitted",
    },
    "rollback": {
        1: "refused: changed by someone else since (force: true restores anyway), or its"
        " namespace's name or pid now stands for another namespace",
        64: "usage error",
        65: "a journal that fails its checks",
        66: "nothing to roll back, or its network namespace is gone",
        71: "the system failed",
        75: "locked",
        77: "not permitted",
    },
    "history": {64: "usage error", 66: "no such network namespace", 71: "the system failed", 77: "not permitted"},
}


class Tcptune(object):
    def __init__(self, module):
        self.module = module
        self.p = module.params
        self.binary = self._binary()
        self.persist = self._persist_path()
        self.result = dict(
            changed=False,
            status=None,
            transaction=None,
            changes=[],
            persist=self.persist,
            rolled_back=[],
            cmd=[],
            stderr="",
        )

    # ---- options ----

    def _binary(self):
        name = self.p["tcptune"]
        if "/" in name:
            if not (os.path.isfile(name) and os.access(name, os.X_OK)):
                self.module.fail_json(msg="tcptune: %s is not an executable file" % name)
            return name
        return self.module.get_bin_path(
            name, required=True, opt_dirs=["/usr/local/sbin", "/usr/sbin", "/sbin"]
        )

    def _persist_path(self):
        """None, or the file `--persist` writes (tcptune checks where it may be)."""
        value = self.p["persist"]
        if isinstance(value, string_types) and value.startswith("/"):
            return value
        try:
            on = boolean(value)
        except TypeError:
            self.module.fail_json(
                msg="persist: %r is neither a boolean nor an absolute path" % (value,)
            )
        if not on:
            return None
        root = self.p["root"] or "/"
        return os.path.join(root, DEFAULT_PERSIST.lstrip("/"))

    @staticmethod
    def _value(key, value, module):
        """A --set value as tcptune takes it: vectors space-separated."""
        if isinstance(value, bool):
            return "1" if value else "0"
        if isinstance(value, (list, tuple)):
            return " ".join(Tcptune._value(key, v, module) for v in value)
        if isinstance(value, integer_types):
            return str(value)
        if isinstance(value, binary_type):
            value = value.decode("utf-8")
        if isinstance(value, string_types):
            return value
        module.fail_json(msg="set: %s: %r is not a number, a string or a list" % (key, value))

    def plan_args(self):
        args = []
        if self.p["profile"]:
            args += ["--profile", self.p["profile"]]
        for key in sorted(self.p["set"] or {}):
            args += ["--set", "%s=%s" % (key, self._value(key, self.p["set"][key], self.module))]
        return args

    def where_args(self, sysctl=True, netns=False):
        args = []
        if self.p["state_dir"]:
            args += ["--state-dir", self.p["state_dir"]]
        if sysctl and self.p["sysctl_root"]:
            args += ["--sysctl-root", self.p["sysctl_root"]]
        if netns and self.p["netns"]:
            args += ["--netns", self.p["netns"]]
        if netns and self.p["netns_pid"] is not None:
            args += ["--netns-pid", str(self.p["netns_pid"])]
        return args

    # ---- running tcptune ----

    def run(self, verb, args, ok_codes=(0,)):
        """Runs tcptune VERB ARGS; fails the task unless its exit status is in ok_codes."""
        cmd = [self.binary, verb] + args
        rc, out, err = self.module.run_command(cmd)
        self.result.update(cmd=cmd, stderr=err)
        if rc not in ok_codes:
            self.fail_exit(verb, rc, out, err)
        return rc, out

    def fail_exit(self, verb, rc, out, err):
        """Fails with tcptune's message, and what its apply JSON says of the system."""
        doc = self.parse(out, quiet=True) if verb == "apply" else None
        if isinstance(doc, dict):
            self.result["status"] = doc.get("status")
            self.result["transaction"] = doc.get("transaction")
            self.result["changes"] = doc.get("changes") or []
            # A failed transaction that was not undone has changed the system.
            self.result["changed"] = doc.get("status") == "incomplete"
        # Only here: Ansible fails any result whose rc is not 0 (apply --check's 1 is not).
        self.result["rc"] = rc
        meaning = EXIT_MEANING.get(verb, {}).get(rc, "failed")
        # tcptune's own lines, one per problem, without their "tcptune: " prefix.
        lines = [line.strip() for line in err.splitlines() if line.strip()]
        said = "; ".join(line[9:] if line.startswith("tcptune: ") else line for line in lines)
        self.result["msg"] = "tcptune %s exited %d (%s): %s" % (
            verb,
            rc,
            meaning,
            said or "(no message)",
        )
        self.module.fail_json(**self.result)

    def parse(self, out, quiet=False):
        try:
            return json.loads(out)
        except ValueError as e:
            if quiet:
                return None
            self.result["msg"] = "tcptune printed no JSON (%s): %r" % (e, out[:200])
            self.module.fail_json(**self.result)

    def warn_stderr(self):
        """A successful apply's stderr holds warnings (a later sysctl.d file overrides ours)."""
        for line in self.result["stderr"].splitlines():
            if line.strip():
                self.module.warn(line.strip())

    def read_persisted(self):
        """The persisted file's text, or None when it is absent (or unreadable)."""
        return self._read(self.persist)

    # ---- diffs ----

    @staticmethod
    def keys_diff(changes, before_header, after_header):
        return dict(
            before_header=before_header,
            after_header=after_header,
            before=dict((c["key"], c["current"]) for c in changes),
            after=dict((c["key"], c["new"]) for c in changes),
        )

    def file_diff(self, before, after, after_header):
        return dict(
            before_header=self.persist + ("" if before is not None else " (absent)"),
            after_header=after_header,
            before=before or "",
            after=after or "",
        )

    def diffs(self, changes, file_before, file_after, applied):
        out = []
        if changes:
            after = "sysctl (applied)" if applied else "sysctl (apply)"
            out.append(self.keys_diff(changes, "sysctl (live)", after))
        if self.persist:
            if applied:
                header = self.persist + ("" if file_after is not None else " (absent)")
                out.append(self.file_diff(file_before, file_after, header))
            else:
                out.append(
                    self.file_diff(
                        file_before,
                        "# tcptune apply writes every key of the plan here, after a header\n"
                        "# naming the transaction.\n",
                        self.persist + " (written by tcptune apply)",
                    )
                )
        return out

    # ---- state: applied ----

    def applied(self):
        base = self.plan_args() + self.where_args(netns=True) + ["--format", "json"]
        if self.persist:
            base.append("--persist=" + self.persist)
        if self.p["root"]:
            base += ["--root", self.p["root"]]

        # Exit 1: something (a key, or the persisted file) differs.
        rc, out = self.run("apply", base + ["--check"], ok_codes=(0, 1))
        doc = self.parse(out)
        self.result.update(status=doc["status"], changes=doc["changes"])
        if rc == 0:
            return
        self.result["changed"] = True
        if self.module.check_mode:
            if self.module._diff:
                self.result["diff"] = self.diffs(
                    doc["changes"], self.read_persisted() if self.persist else None, None, False
                )
            return

        file_before = self.read_persisted() if self.persist else None
        rc, out = self.run("apply", base)
        doc = self.parse(out)
        self.warn_stderr()
        self.result.update(
            status=doc["status"],
            transaction=doc["transaction"],
            changes=doc["changes"],
            # Another run may have applied it meanwhile: then tcptune says "matches".
            changed=doc["status"] != "matches",
        )
        if self.result["changed"] and self.module._diff:
            file_after = self.read_persisted() if self.persist else None
            self.result["diff"] = self.diffs(doc["changes"], file_before, file_after, True)

    # ---- state: rolled_back ----

    def ours(self, t):
        """Whether a journal (history --format json) is a transaction of this source."""
        if self.p["transaction"]:
            return t.get("id") == self.p["transaction"]
        if t.get("shown_status") == "rollback-record":
            return False
        if self.p["profile"]:
            return t.get("source") == self.p["profile"]
        keys = [k["key"] for k in t.get("keys") or []]
        persisted = (t.get("persist") or {}).get("path")
        return (
            t.get("source") == "set"
            and all(k in self.p["set"] for k in keys)
            and (keys or (persisted is not None and persisted == self.persist))
        )

    def rolled_back(self):
        out = self.run("history", self.where_args(sysctl=False, netns=True) + ["--format", "json"])[1]
        mine = [t for t in self.parse(out) if self.ours(t)]
        if self.p["transaction"] and not mine:
            self.result["msg"] = "tcptune history has no transaction %s" % self.p["transaction"]
            self.module.fail_json(**self.result)
        # Newest first, as tcptune rollback would take them one by one.
        todo = [t for t in reversed(mine) if t.get("status") != "rolled-back"]
        if not todo:
            self.result["status"] = "matches"
            return

        # Each key goes from what the newest of them wrote to what the oldest replaced.
        before, after = {}, {}
        for t in todo:
            for k in t.get("keys") or []:
                before.setdefault(k["key"], k["new"])
                after[k["key"]] = (k["old"], t["id"])
        changes = [
            dict(key=key, current=before[key], new=after[key][0], source="rollback of " + after[key][1])
            for key in sorted(before)
        ]
        ids = [t["id"] for t in todo]
        # Each persisted file gets back what was there before the oldest of them wrote it.
        files = {}
        for t in todo:
            ps = t.get("persist") or {}
            if ps.get("path"):
                files[ps["path"]] = (self._read(ps["path"]), ps.get("backup") if ps.get("existed") else None)
        self.result.update(changed=True, status="would-roll-back", changes=changes, rolled_back=ids)
        if not self.module.check_mode:
            done = []
            for tid in ids:
                # Should one fail, the result says which were rolled back before it.
                self.result.update(changed=bool(done), rolled_back=list(done))
                force = ["--force"] if self.p["force"] else []
                self.run("rollback", [tid] + self.where_args() + force)
                done.append(tid)
            self.result.update(changed=True, status="rolled-back", rolled_back=done)
        if self.module._diff:
            self.result["diff"] = self.rollback_diffs(changes, files)

    def rollback_diffs(self, changes, files):
        """The keys' diff, and each file's: {path: (contents before, contents restored)}."""
        diff = []
        check = self.module.check_mode
        if changes:
            after = "sysctl (rollback)" if check else "sysctl (rolled back)"
            diff.append(self.keys_diff(changes, "sysctl (as tcptune set it)", after))
        for f in sorted(files):
            was, restored = files[f]
            # What tcptune did, once done: it leaves a file edited since as it is.
            now = restored if check else self._read(f)
            diff.append(
                dict(
                    before_header=f + ("" if was is not None else " (absent)"),
                    after_header=f + ("" if now is not None else " (absent)"),
                    before=was or "",
                    after=now or "",
                )
            )
        return diff

    @staticmethod
    def _read(path):
        try:
            with open(path, "rb") as f:
                return f.read(FILE_LIMIT).decode("utf-8", "replace")
        except (IOError, OSError):
            return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            profile=dict(type="str"),
            set=dict(type="dict"),
            state=dict(type="str", default="applied", choices=["applied", "rolled_back"]),
            persist=dict(type="raw", default=False),
            root=dict(type="path"),
            state_dir=dict(type="path"),
            sysctl_root=dict(type="path"),
            transaction=dict(type="str"),
            force=dict(type="bool", default=False),
            tcptune=dict(type="str", default="tcptune"),
            netns=dict(type="str"),
            netns_pid=dict(type="int"),
        ),
        mutually_exclusive=[("netns", "netns_pid")],
        required_if=[
            ("state", "applied", ("profile", "set"), True),
            ("state", "rolled_back", ("profile", "set", "transaction"), True),
        ],
        supports_check_mode=True,
    )
    p = module.params
    if p["state"] == "applied" and (p["transaction"] or p["force"]):
        module.fail_json(msg="transaction and force go with state: rolled_back")
    t = Tcptune(module)
    if (p["netns"] or p["netns_pid"] is not None) and t.persist:
        module.fail_json(msg="persist cannot go with netns or netns_pid: the host's sysctl.d "
                         "files hold the host's values")
    if p["state"] == "applied":
        t.applied()
    else:
        t.rolled_back()
    module.exit_json(**t.result)


if __name__ == "__main__":
    main()
