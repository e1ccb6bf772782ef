#!/usr/bin/env python3
"""Drives the built `warden` binary through its documented flags, as a user or script would:
--version, check-config (good and bad files), run with --listen/--state-dir/--access-log/
--threads/--connect-port, forwarding with curl, CONNECT refused and allowed, malformed input,
SIGHUP with a broken config (kept running), SIGTERM (exit 0). Uses only the standard library,
curl and a local origin (http.server) on loopback."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import Warden, start_origin

harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN


class BinaryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = start_origin()
        cls.origin_port = cls.origin.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.origin.shutdown()

    def test_version_and_help(self):
        out = subprocess.run([WARDEN, "--version"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^warden \d+\.\d+\.\d+")
        help_out = subprocess.run([WARDEN, "run", "--help"], capture_output=True, text=True)
        for flag in ["--listen", "--state-dir", "--access-log", "--threads", "--log-level",
                     "--connect-port", "-c"]:
            self.assertIn(flag, help_out.stdout)

    def test_check_config_accepts_the_example_and_names_errors(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        example = os.path.join(root, "warden.example.toml")
        ok = subprocess.run([WARDEN, "check-config", example], capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("OK", ok.stdout)
        with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
            f.write("[proxy]\nthreads = 2\nlisten = [\"127.0.0.1:3128\"]\ncolour = \"blue\"\n")
        bad = subprocess.run([WARDEN, "check-config", f.name], capture_output=True, text=True)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn(f"{f.name}:4:1", bad.stderr)
        self.assertIn("proxy.colour", bad.stderr)
        self.assertEqual(bad.stdout, "")
        with open(f.name, "w") as g:
            g.write("[timeouts]\nheader = 30\n")
        typed = subprocess.run([WARDEN, "check-config", f.name], capture_output=True, text=True)
        self.assertNotEqual(typed.returncode, 0)
        self.assertIn(":2:10", typed.stderr)
        self.assertIn("timeouts.header", typed.stderr)

    def test_bad_flags_and_bad_listen_fail_with_a_message(self):
        out = subprocess.run([WARDEN, "run", "--listen", "nonsense"], capture_output=True,
                             text=True, timeout=10)
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("nonsense", out.stderr)

    def test_forwarding_connect_and_errors_through_the_binary(self):
        w = Warden()
        try:
            got = w.curl(f"http://127.0.0.1:{self.origin_port}/")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, "origin says hi")
            refused = w.curl("-p", f"http://127.0.0.1:{self.origin_port}/")
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("403", refused.stderr)
            bad = w.raw(b"GET http://a/ HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")
            self.assertTrue(bad.startswith(b"HTTP/1.1 400 "), bad[:80])
            self.assertIn(b"ERR_BAD_REQUEST", bad)
            junk = w.raw(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(64))
            self.assertTrue(junk.startswith(b"HTTP/1.1 400 "), junk[:80])
            log = w.wait_for_log(4)
            self.assertGreaterEqual(len(log), 4, log)
            first = log[0]
            for key in ["ts", "id", "client", "method", "scheme", "host", "port", "path", "status",
                        "bytes_in", "bytes_out", "duration_us", "end"]:
                self.assertIn(key, first)
            self.assertEqual(first["status"], 200)
        finally:
            self.assertEqual(w.stop(), 0)

    def test_connect_port_flag_allows_a_port(self):
        # With interception off a CONNECT tunnel is a byte relay, so plain HTTP inside works.
        cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
        cfg.write("[tls]\nintercept = false\n")
        cfg.close()
        w = Warden("--connect-port", str(self.origin_port), config=cfg.name)
        try:
            got = w.curl("-p", f"http://127.0.0.1:{self.origin_port}/")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, "origin says hi")
        finally:
            self.assertEqual(w.stop(signal.SIGINT), 0)

    def test_sighup_with_a_broken_config_keeps_serving(self):
        cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
        cfg.write("[proxy]\nvia = \"school-filter\"\n")
        cfg.close()
        w = Warden(config=cfg.name)
        try:
            with open(cfg.name, "w") as f:
                f.write("[proxy]\nvia = 42\n")
            w.proc.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not any("reload refused" in l for l in w.stderr_lines):
                time.sleep(0.05)
            self.assertTrue(any("reload refused" in l and "proxy.via" in l for l in w.stderr_lines),
                            w.stderr_lines)
            got = w.curl("-D", "-", f"http://127.0.0.1:{self.origin_port}/")
            self.assertEqual(got.returncode, 0)
            self.assertIn("Via: 1.1 school-filter", got.stdout)
        finally:
            self.assertEqual(w.stop(), 0)

    def test_ca_commands(self):
        state = tempfile.mkdtemp(prefix="warden-ca-")
        run = lambda *a: subprocess.run([WARDEN, "ca", *a, "--state-dir", state],
                                        capture_output=True)
        missing = run("export")
        self.assertNotEqual(missing.returncode, 0)
        self.assertEqual(missing.stdout, b"")
        self.assertIn(b"warden ca init", missing.stderr)
        made = run("init", "--name", "Hillside School")
        self.assertEqual(made.returncode, 0, made.stderr)
        self.assertEqual(os.stat(os.path.join(state, "ca.key")).st_mode & 0o777, 0o600)
        again = run("init")
        self.assertNotEqual(again.returncode, 0)
        self.assertIn(b"--force", again.stderr)
        shown = run("show")
        self.assertEqual(shown.returncode, 0)
        self.assertIn(b"Hillside School Web Filter CA", shown.stdout)
        self.assertRegex(shown.stdout.decode(), r"SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}")
        self.assertIn(b"update-ca-certificates", shown.stdout)
        pem = run("export")
        self.assertTrue(pem.stdout.startswith(b"-----BEGIN CERTIFICATE-----"), pem.stdout[:40])
        self.assertNotIn(b"PRIVATE", pem.stdout)
        der = run("export", "--format", "der")
        self.assertEqual(der.stdout[0], 0x30)  # a DER SEQUENCE
        self.assertEqual(der.stderr, b"")

    def test_https_is_intercepted_with_the_school_ca(self):
        pki = tempfile.mkdtemp(prefix="warden-origin-pki-")
        server = harness.start_tls_origin(pki)
        port = server.server_address[1]
        w = Warden("--upstream-ca", os.path.join(pki, "root.pem"), "--connect-port", str(port))
        try:
            school = os.path.join(w.dir, "school.pem")
            with open(school, "wb") as f:
                f.write(subprocess.run([WARDEN, "ca", "export", "--state-dir",
                                        w.state],
                                       capture_output=True, check=True).stdout)
            got = w.curl("-v", "--cacert", school, f"https://localhost:{port}/")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, "origin says hi")
            self.assertIn("Web Filter CA", got.stderr)  # curl -v prints the issuer
            untrusted = w.curl("--cacert", os.path.join(pki, "root.pem"), f"https://localhost:{port}/")
            self.assertNotEqual(untrusted.returncode, 0)  # the school CA is what vouches
        finally:
            self.assertEqual(w.stop(), 0)
            server.shutdown()
            server.server_close()

    def test_ca_init_on_a_running_warden_needs_force_and_says_what_next(self):
        w = Warden()
        try:
            init = lambda *a: subprocess.run([WARDEN, "ca", "init", "--state-dir", w.state, *a],
                                             capture_output=True, text=True, timeout=30)
            with open(os.path.join(w.state, "ca.pem")) as f:
                old = f.read()
            refused = init()
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn("a running Warden uses", refused.stderr)
            with open(os.path.join(w.state, "ca.pem")) as f:
                self.assertEqual(f.read(), old)  # untouched
            forced = init("--force")
            self.assertEqual(forced.returncode, 0, forced.stderr)
            self.assertIn("restart Warden once they all have it (it is running now)", forced.stderr)
        finally:
            self.assertEqual(w.stop(), 0)
        # Stopped: the lock went with it; without --force the existing CA still stops it.
        again = subprocess.run([WARDEN, "ca", "init", "--state-dir", w.state],
                               capture_output=True, text=True, timeout=30)
        self.assertNotEqual(again.returncode, 0)
        self.assertNotIn("a running Warden uses", again.stderr)

    def test_state_dir_is_created_private(self):
        w = Warden()
        try:
            mode = os.stat(w.state).st_mode & 0o777
            self.assertEqual(mode, 0o700)
        finally:
            self.assertEqual(w.stop(), 0)


if __name__ == "__main__":
    harness.main()
