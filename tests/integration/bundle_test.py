#!/usr/bin/env python3
"""The central policy (docs/fleet.md, "One policy for the fleet"): `warden bundle keygen` and
`sign`, a bundle served by nginx over HTTPS (with ETags), and one Warden with bundle.url.

Asserted: an instance that never had a bundle does not start without one (it has no policy);
with one, its policy is in force, and `warden_policy_bundle_version` on /metrics says which;
a newer bundle is applied within the poll interval; a tampered bundle and an older one (a
replay) are refused with the reason in the journal and change nothing; `warden bundle sign`
refuses a folder whose policy does not load (that an instance refuses such a bundle signed
anyway is tests/app/bundle_store_test.cpp); `warden bundle verify` says what an instance would;
a restart with the server gone starts with the last good bundle. Loopback only."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Bundles, Nginx, Ok, ThreadingServer, Warden, blocking, wait_until  # noqa: E402
from harness import warden  # noqa: E402

harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN


class Bundle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require(*("nginx", "openssl", "curl"))
        cls.dir = tempfile.mkdtemp(prefix="warden-bundle-")
        os.chmod(cls.dir, 0o755)  # nginx's workers read the bundle
        harness.make_origin_pki(cls.dir)
        cls.bundles = Bundles(cls.dir)
        cls.port = harness.free_port()
        cls.nginx = Nginx(cls.dir, cls.bundles.www, [(cls.port, False, "")])
        cls.origin = ThreadingServer(("127.0.0.1", 0), Ok)
        threading.Thread(target=cls.origin.serve_forever, daemon=True).start()
        cls.origin_url = f"http://127.0.0.1:{cls.origin.server_address[1]}"
        cls.config = os.path.join(cls.dir, "warden.toml")
        with open(cls.config, "w") as f:
            f.write(f'[bundle]\nurl = "https://localhost:{cls.port}/policy.bundle"\n'
                    f'public_key = "{cls.bundles.keys}/bundle.pub"\npoll = "300ms"\n'
                    f'ca = ["{cls.dir}/root.pem"]\n')
        cls.state = tempfile.mkdtemp(prefix="warden-bundle-state-")

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.origin.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)
        shutil.rmtree(cls.state, ignore_errors=True)

    def status(self, w, path):
        return w.curl("-o", "/dev/null", "-w", "%{http_code}", f"{self.origin_url}/{path}").stdout

    def bundle_metric(self, w):
        with open(os.path.join(self.state, "admin", "metrics.token")) as f:
            token = f.read().strip()
        out = subprocess.run(["curl", "-sk", "-H", f"Authorization: Bearer {token}",
                              f"https://127.0.0.1:{w.admin_port()}/metrics"],
                             capture_output=True, text=True).stdout
        m = re.search(r"^warden_policy_bundle_version (\d+)$", out, re.M)
        return int(m.group(1)) if m else None

    def said(self, w, text):
        return wait_until(lambda: text in w.banner + "".join(w.stderr_lines), 10)

    def test_a_fleet_policy_from_start_to_restart(self):
        # No bundle served and none kept: no policy, so no start.
        got = subprocess.run(harness.command("run", "--listen", "127.0.0.1:0", "--state-dir",
                                             self.state, "--admin-listen", "off", "-c",
                                             self.config),
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(got.returncode, 1, got.stderr)
        self.assertIn("no policy bundle has been applied here yet", got.stderr)
        self.assertIn("the server answered 404", got.stderr)

        self.assertEqual(self.bundles.sign(100, blocking("one")).returncode, 0)
        w = Warden(config=self.config, state=self.state)
        try:
            self.assertEqual(self.status(w, "one"), "403")
            self.assertEqual(self.status(w, "two"), "200")
            line = w.log_line(path="/one")
            self.assertEqual(line["rule"], "bundled rule", line)
            self.assertEqual(self.bundle_metric(w), 100)

            # A newer one: in force within the poll interval.
            self.assertEqual(self.bundles.sign(200, blocking("two")).returncode, 0)
            self.assertTrue(wait_until(lambda: self.status(w, "two") == "403"), w.stderr_lines)
            self.assertEqual(self.status(w, "one"), "200")
            self.assertTrue(wait_until(lambda: self.bundle_metric(w) == 200))

            # Tampered with after signing: one byte of the archive changed (before it is
            # served: a good version 300 fetched first would be what runs).
            tampered = os.path.join(self.dir, "tampered.bundle")
            self.assertEqual(self.bundles.sign(300, blocking("three"), out=tampered).returncode, 0)
            with open(tampered, "rb") as f:
                data = bytearray(f.read())
            data[-40] ^= 1
            self.write_served(bytes(data))
            self.assertTrue(self.said(w, "the signature does not verify"), w.stderr_lines)
            # An old bundle served again (a replay), and a signed one whose policy is broken.
            self.assertEqual(self.bundles.sign(50, blocking("old")).returncode, 0)
            self.assertTrue(self.said(w, "version 50 is not newer than version 200"))
            broken = os.path.join(self.dir, "broken.bundle")
            self.assertEqual(self.bundles.sign(400, "[[rule]]\nname = 'x'\naction = 'maybe'\n",
                                               out=broken).returncode, 1)  # sign refuses it
            self.assertEqual(self.status(w, "two"), "403")  # version 200 still
            self.assertEqual(self.status(w, "three"), "200")
            self.assertEqual(self.bundle_metric(w), 200)
        finally:
            self.assertEqual(w.stop(), 0)

        # `warden bundle verify` agrees; a restart with the server gone keeps version 200.
        served = self.bundles.served
        self.assertIn("version 50, signed by this key",
                      warden("bundle", "verify", "--public-key",
                             os.path.join(self.bundles.keys, "bundle.pub"), served).stdout)
        os.remove(served)
        self.nginx.stop()
        w = Warden(config=self.config, state=self.state)
        try:
            self.assertEqual(self.status(w, "two"), "403")
            self.assertTrue(self.said(w, "policy bundle version 200 (the last good one)"))
        finally:
            self.assertEqual(w.stop(), 0)

    def write_served(self, data):
        with open(self.bundles.served + ".tmp", "wb") as f:
            f.write(data)
        os.utime(self.bundles.served + ".tmp", (1_600_000_000, 1_600_000_000))
        os.replace(self.bundles.served + ".tmp", self.bundles.served)


class Signing(unittest.TestCase):
    def test_sign_and_verify_refuse_what_an_instance_would(self):
        folder = tempfile.mkdtemp(prefix="warden-bundle-sign-")
        try:
            b = Bundles(folder)
            self.assertEqual(b.sign(7, blocking("x")).returncode, 0)
            other = os.path.join(folder, "other")
            self.assertEqual(warden("bundle", "keygen", other).returncode, 0)
            got = warden("bundle", "verify", "--public-key", os.path.join(other, "bundle.pub"),
                         b.served)
            self.assertEqual(got.returncode, 1)
            self.assertIn("the signature does not verify", got.stderr)
            # A second keygen into the same folder would orphan every instance's key.
            again = warden("bundle", "keygen", other)
            self.assertEqual(again.returncode, 1)
            self.assertIn("exists", again.stderr)
            self.assertEqual(os.stat(os.path.join(other, "bundle.key")).st_mode & 0o777, 0o600)
            # Not a bundle at all.
            with open(os.path.join(folder, "junk"), "w") as f:
                f.write("<html>404</html>")
            got = warden("bundle", "verify", "--public-key",
                         os.path.join(b.keys, "bundle.pub"), os.path.join(folder, "junk"))
            self.assertIn("not a Warden policy bundle", got.stderr)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    harness.main()
