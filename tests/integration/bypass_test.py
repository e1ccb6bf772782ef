#!/usr/bin/env python3
"""`warden bypass` on the running binary, as a school's administrator uses it: a group let
through unfiltered for a bounded time while other groups stay filtered, the start and end in the
access log and the journal (stderr), the end enforced when it comes, across a restart (resumed,
and an end that passed while Warden was stopped logged as such), `--end`, and refusals: not
root, no reason, too long. Needs root (the command is root's); skips saying why otherwise,
except under CI=true as root."""

import calendar
import os
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import Warden, wait_until

harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
NOBODY = 65534
PUPIL, STAFF = "127.0.0.1", "127.0.0.2"
POLICY = f"""
[[group]]
name = "pupils"
sources = ["{PUPIL}/32"]

[[group]]
name = "staff"
sources = ["{STAFF}/32"]

[[rule]]
name = "no games"
action = "block"
domains = ["games.example"]
"""


class Bypass(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root: `warden bypass` is root's alone")
        cls.dir = tempfile.mkdtemp(prefix="warden-bypass-")
        cls.policy = os.path.join(cls.dir, "policy.toml")
        with open(cls.policy, "w") as f:
            f.write(POLICY)

    def warden(self, state=None):
        w = Warden("--policy", self.policy, state=state)
        self.addCleanup(lambda: w.proc.poll() is None and w.stop())
        return w

    def bypass(self, w, *args, uid=None):
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"] if uid else []
        return subprocess.run(prefix + harness.command("bypass", "--state-dir", w.state, *args),
                              capture_output=True, text=True, timeout=30)

    def start(self, w, *args):
        out = self.bypass(w, *args)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out

    def decision(self, w, client):
        """The policy's decision for a request to the blocked host from `client`: (status, rule)."""
        before = len(w.wait_for_log(0))
        out = w.curl("--interface", client, "-o", "/dev/null", "-w", "%{http_code}",
                     "http://games.example/")
        lines = w.wait_for_log(before + 1)
        request = [l for l in lines[before:] if l.get("host") == "games.example"]
        self.assertTrue(request, lines[before:])
        self.assertEqual(request[-1]["client"], client)
        return int(out.stdout or 0), request[-1]["rule"]

    def event(self, w, name, timeout=10, **want):
        found = []

        def match():
            found[:] = [l for l in w.wait_for_log(0) if l.get("event") == name and
                        all(l.get(k) == v for k, v in want.items())]
            return bool(found)
        self.assertTrue(wait_until(match, timeout=timeout), (name, want, w.wait_for_log(0)))
        return found[-1]

    def test_a_group_goes_unfiltered_until_its_end_and_others_stay_filtered(self):
        w = self.warden()
        self.assertEqual(self.decision(w, STAFF), (403, "no games"))
        self.start(w, "--for", "4s", "--group", "staff", "--reason", "exam software update")
        started = self.event(w, "bypass_start", group="staff")
        self.assertEqual(started["reason"], "exam software update")
        self.assertNotIn("resumed", started)
        self.assertNotEqual(self.decision(w, STAFF)[1], "no games")
        self.assertEqual(self.decision(w, STAFF)[1], "bypass")
        self.assertEqual(self.decision(w, PUPIL), (403, "no games"))
        status = self.bypass(w)
        self.assertIn("Bypass in force for group staff", status.stdout)
        ended = self.event(w, "bypass_end", group="staff")
        self.assertEqual(ended["why"], "expired")
        self.assertEqual(self.decision(w, STAFF), (403, "no games"))
        self.assertFalse(os.path.exists(os.path.join(w.state, "bypass", "bypass.toml")))
        self.assertTrue(wait_until(lambda: any("bypass ended (expired)" in l
                                               for l in w.stderr_lines)), w.stderr_lines)
        self.assertIn("No bypass", self.bypass(w).stdout)

    def test_a_bypass_outlives_a_restart_and_still_ends_on_time(self):
        w = self.warden()
        self.start(w, "--for", "6s", "--reason", "network change")  # every client
        self.event(w, "bypass_start", group="")
        w.stop(9)
        w = self.warden(state=w.state)
        self.assertEqual(self.event(w, "bypass_start")["resumed"], "after a restart")
        self.assertEqual(self.decision(w, PUPIL)[1], "bypass")
        self.assertEqual(self.event(w, "bypass_end")["why"], "expired")
        self.assertEqual(self.decision(w, PUPIL), (403, "no games"))

    def test_an_end_that_passed_while_stopped_is_logged_and_holds(self):
        w = self.warden()
        self.start(w, "--for", "2s", "--reason", "short")
        until = self.event(w, "bypass_start")["until"]
        w.stop(9)
        # The bypass's end passes while no Warden runs.
        end = calendar.timegm(time.strptime(until, "%Y-%m-%dT%H:%M:%SZ"))
        self.assertTrue(wait_until(lambda: time.time() > end + 0.1, timeout=10))
        w = self.warden(state=w.state)
        ended = self.event(w, "bypass_end")
        self.assertEqual(ended["why"], "expired while Warden was not running")
        self.assertEqual(self.decision(w, PUPIL), (403, "no games"))
        self.assertFalse([l for l in w.wait_for_log(0) if l.get("event") == "bypass_start"])

    def test_end_ends_it_at_once(self):
        w = self.warden()
        self.start(w, "--for", "10m", "--group", "pupils", "--reason",
                   "printer setup in room 12 before the exam")
        self.event(w, "bypass_start")
        self.assertEqual(self.decision(w, PUPIL)[1], "bypass")
        out = self.start(w, "--end")
        self.assertIn("Bypass ended", out.stdout)
        self.assertEqual(self.event(w, "bypass_end")["why"], "ended by warden bypass --end")
        self.assertEqual(self.decision(w, PUPIL), (403, "no games"))

    def test_refusals_say_why_and_change_nothing(self):
        w = self.warden()
        os.chmod(w.state, 0o755)  # so that nobody gets as far as the root check, not a file error
        out = self.bypass(w, "--for", "15m", "--reason", "pupil", uid=NOBODY)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("only root", out.stderr)
        # Nor can it tell whether one is in force: it says so rather than "no bypass".
        out = self.bypass(w, uid=NOBODY)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("root can", out.stderr)
        for args, says in ((["--for", "25h", "--reason", "x"], "at most 24 hours"),
                           (["--for", "soon", "--reason", "x"], "expected a duration"),
                           (["--for", "15m", "--reason", ""], "reason is required"),
                           (["--for", "15m"], "--reason"),
                           (["--end", "--for", "1m", "--reason", "x"], "excludes")):
            out = self.bypass(w, *args)
            self.assertNotEqual(out.returncode, 0, args)
            self.assertIn(says, out.stderr, args)
        self.assertFalse(os.path.exists(os.path.join(w.state, "bypass", "bypass.toml")))
        self.assertEqual(self.decision(w, PUPIL), (403, "no games"))


if __name__ == "__main__":
    harness.main()
