#!/usr/bin/env python3
"""Sign-in on the explicit proxy (auth.method = "local", docs/identity.md) on the running
binary, as a school uses it: users made with `warden users add`, curl as the browser
(--proxy-user). No credentials or a wrong password: 407 with a Basic challenge; a pupil's
requests are judged by their group and logged with their name, the block page shows it; HTTPS
through an intercepted CONNECT carries the sign-in; a user added while Warden runs signs in; a
changed password takes effect within auth.cache_ttl; a listener not in auth.listen does not
ask; passwords are never logged; a broken users file refuses the start."""

import os
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import Warden, free_port, start_origin, start_tls_origin, wait_until

harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN

POLICY = harness.SIGN_IN_POLICY
ANN_PASSWORD = "correct horse 7"
BOB_PASSWORD = "staffroom-key-9"


def add_user(state, name, group, password, action="add"):
    args = ["users", action, "--state-dir", state, name] + ([group] if group else [])
    return subprocess.run(harness.command(*args), input=password + "\n", capture_output=True,
                          text=True, timeout=60)


class SignIn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="warden-sign-in-")
        cls.state = tempfile.mkdtemp(prefix="warden-state-")
        for name, group, password in (("Ann", "year7", ANN_PASSWORD),
                                      ("bob", "staff", BOB_PASSWORD)):
            made = add_user(cls.state, name, group, password)
            assert made.returncode == 0, made.stderr
        cls.policy = os.path.join(cls.dir, "policy.toml")
        with open(cls.policy, "w") as f:
            f.write(POLICY)
        cls.origin = start_origin()
        cls.tls_origin = start_tls_origin(os.path.join(cls.dir))
        cls.config = os.path.join(cls.dir, "warden.toml")
        with open(cls.config, "w") as f:
            f.write('[auth]\nmethod = "local"\ncache_ttl = "1s"\n')
        cls.warden = Warden("--policy", cls.policy, "--upstream-ca",
                            os.path.join(cls.dir, "root.pem"), "--connect-port",
                            str(cls.tls_origin.server_address[1]), config=cls.config,
                            state=cls.state)
        cls.school_ca = os.path.join(cls.state, "ca.pem")

    @classmethod
    def tearDownClass(cls):
        rc = cls.warden.stop()
        cls.origin.shutdown()
        cls.tls_origin.shutdown()
        assert rc == 0, f"warden exited {rc}"

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.origin.server_address[1]}{path}"

    def get(self, *args):
        """curl through Warden: (status, headers and body)."""
        out = self.warden.curl("-i", "-w", "\n%{http_code}", *args)
        status = out.stdout.rstrip().rsplit("\n", 1)[-1]
        return int(status or 0), out.stdout

    def test_no_credentials_get_a_basic_challenge(self):
        status, text = self.get(self.url("/nobody"))
        self.assertEqual(status, 407, text)
        self.assertIn('Proxy-Authenticate: Basic realm="School web filter", charset="UTF-8"', text)
        self.assertIn("X-Warden-Error: ERR_SIGN_IN_REQUIRED", text)
        line = self.warden.log_line(path="/nobody")
        self.assertEqual((line["status"], line["error"]), (407, "ERR_SIGN_IN_REQUIRED"))
        self.assertNotIn("user", line)

    def test_a_wrong_password_is_asked_again_and_never_logged(self):
        status, text = self.get("--proxy-user", "ann:not-the-password", self.url("/wrong"))
        self.assertEqual(status, 407, text)
        self.assertIn("ERR_SIGN_IN_FAILED", text)
        self.assertIn("Proxy-Authenticate: Basic", text)
        line = self.warden.log_line(path="/wrong")
        self.assertNotIn("user", line)
        with open(self.warden.access_log) as f:
            logged = f.read() + "".join(self.warden.stderr_lines)
        for secret in ("not-the-password", ANN_PASSWORD, BOB_PASSWORD):
            self.assertNotIn(secret, logged)

    def test_a_pupil_is_judged_by_their_group_and_logged_by_name(self):
        # The name is matched without regard to case: "ANN" is ann.
        status, text = self.get("--proxy-user", f"ANN:{ANN_PASSWORD}", self.url("/ann"))
        self.assertEqual(status, 200, text)
        line = self.warden.log_line(path="/ann")
        self.assertEqual((line["user"], line["group"]), ("ann", "year7"))
        status, text = self.get("--proxy-user", f"ann:{ANN_PASSWORD}", "-H",
                                "Accept: text/html", "http://games.example/play")
        self.assertEqual(status, 403, text)
        self.assertIn('id="user">ann<', text)  # the block page says who
        line = self.warden.log_line(host="games.example", user="ann")
        self.assertEqual((line["decision"], line["rule"]), ("block", "no games for year 7"))
        # Staff are not in the rule's group: allowed (then not found: no DNS here).
        self.get("--proxy-user", f"bob:{BOB_PASSWORD}", "http://games.example/staff")
        line = self.warden.log_line(host="games.example", path="/staff")
        self.assertEqual((line["user"], line["group"], line["decision"]),
                         ("bob", "staff", "allow"))

    def test_https_through_connect_carries_the_sign_in(self):
        port = self.tls_origin.server_address[1]
        status, text = self.get("--cacert", self.school_ca, "--proxy-user",
                                f"ann:{ANN_PASSWORD}", f"https://localhost:{port}/secure")
        self.assertEqual(status, 200, text)
        inner = self.warden.log_line(path="/secure")
        self.assertEqual((inner["scheme"], inner["user"], inner["group"]),
                         ("https", "ann", "year7"))
        connect = self.warden.log_line(method="CONNECT", port=port, user="ann")
        self.assertEqual(connect["group"], "year7")
        status, text = self.get("--cacert", self.school_ca, f"https://localhost:{port}/anon")
        self.assertNotEqual(status, 200, text)  # the CONNECT itself was answered 407
        self.warden.log_line(method="CONNECT", port=port, status=407,
                             error="ERR_SIGN_IN_REQUIRED")

    def test_users_added_and_changed_while_running(self):
        made = add_user(self.state, "carol", "staff", "carol-password-1")
        self.assertEqual(made.returncode, 0, made.stderr)
        status, text = self.get("--proxy-user", "carol:carol-password-1", self.url("/carol"))
        self.assertEqual(status, 200, text)
        self.assertEqual(self.warden.log_line(path="/carol")["user"], "carol")
        changed = add_user(self.state, "carol", None, "carol-password-2", action="passwd")
        self.assertEqual(changed.returncode, 0, changed.stderr)
        # The old password's sign-in is cached for auth.cache_ttl (1 s here), then refused.
        self.assertTrue(wait_until(lambda: self.get(
            "--proxy-user", "carol:carol-password-1", self.url("/old"))[0] == 407, timeout=10))
        status, _ = self.get("--proxy-user", "carol:carol-password-2", self.url("/new"))
        self.assertEqual(status, 200)
        removed = subprocess.run(harness.command("users", "remove", "--state-dir", self.state,
                                                 "carol"), capture_output=True, text=True)
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertTrue(wait_until(lambda: self.get(
            "--proxy-user", "carol:carol-password-2", self.url("/gone"))[0] == 407, timeout=10))
        listed = subprocess.run(harness.command("users", "list", "--state-dir", self.state),
                                capture_output=True, text=True)
        self.assertEqual(listed.stdout, "ann year7\nbob staff\n")

    def test_users_command_refuses_bad_input(self):
        short = add_user(self.state, "dan", "year7", "short")
        self.assertEqual(short.returncode, 2)
        self.assertIn("at least 8 characters", short.stderr)
        bad = add_user(self.state, "dan:x", "year7", "long enough pw")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("is not a user name", bad.stderr)
        missing = add_user(self.state, "nobody-here", None, "long enough pw", action="passwd")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no user nobody-here", missing.stderr)


class Listeners(unittest.TestCase):
    def test_only_the_listeners_in_auth_listen_ask(self):
        folder = tempfile.mkdtemp(prefix="warden-sign-in-")
        state = tempfile.mkdtemp(prefix="warden-state-")
        self.assertEqual(add_user(state, "ann", "year7", ANN_PASSWORD).returncode, 0)
        asks, open_port = free_port(), free_port()
        config = os.path.join(folder, "warden.toml")
        with open(config, "w") as f:
            f.write(f'[proxy]\nlisten = ["127.0.0.1:{asks}", "127.0.0.1:{open_port}"]\n'
                    f'[auth]\nmethod = "local"\nlisten = ["127.0.0.1:{asks}"]\n')
        origin = start_origin()
        self.addCleanup(origin.shutdown)
        # (The harness's own --listen replaces proxy.listen: run this one as configured.)
        w = subprocess.Popen(harness.command("run", "-c", config, "--state-dir", state,
                                             "--access-log", os.path.join(folder, "a.log"),
                                             "--admin-listen", "off", *harness.ALLOW_LOOPBACK),
                             stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: (w.terminate(), w.wait(timeout=30)))
        url = f"http://127.0.0.1:{origin.server_address[1]}/"

        def status(port):
            out = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                                  "--max-time", "10", "-x", f"http://127.0.0.1:{port}", url],
                                 capture_output=True, text=True)
            return out.stdout
        self.assertTrue(wait_until(lambda: status(open_port) == "200", timeout=10))
        self.assertEqual(status(asks), "407")

    def test_a_broken_users_file_refuses_the_start(self):
        state = tempfile.mkdtemp(prefix="warden-state-")
        os.makedirs(os.path.join(state, "auth"))
        with open(os.path.join(state, "auth", "users"), "w") as f:
            f.write("ann:year7:plaintext-password\n")
        config = os.path.join(state, "warden.toml")
        with open(config, "w") as f:
            f.write('[auth]\nmethod = "local"\n')
        out = subprocess.run(harness.command("run", "-c", config, "--state-dir", state,
                                             "--listen", "127.0.0.1:0", "--admin-listen", "off"),
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("users:1: expected name:group:scrypt$", out.stderr)
        self.assertNotIn("plaintext-password", out.stderr)


if __name__ == "__main__":
    harness.main()
