#!/usr/bin/env python3
"""warden.exe under Wine, driven as the Linux binary tests drive `warden`: the explicit proxy on
loopback forwarding HTTP, CONNECT refused and tunnelled, TLS interception with the school CA
trusted by the client, the example policy's block page, the polling policy watch, the admin
listener's /metrics and the CA page, `ca export`
writing binary DER to a Windows console handle, and a clean stop on Ctrl-C (SIGINT: Wine turns
it into CTRL_C_EVENT). The Windows-only parts Wine cannot run (WinDivert, WFP, service DACLs)
are tested at their boundary in the unit tests; docs/windows.md lists them.

Usage: warden_exe_test.py path/to/warden.exe"""

import os
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
import harness  # noqa: E402
from harness import Warden, start_origin, wait_until  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE_POLICY = os.path.join(SOURCE, "policy.example.toml")
FIXTURE_LISTS = os.path.join(SOURCE, "tests", "policy", "lists")

EXE = sys.argv.pop(1) if len(sys.argv) > 1 else "build/windows/warden.exe"
harness.WARDEN = ["wine", EXE]
harness.START_TIMEOUT = 90  # a fresh Wine prefix takes a while to boot
os.environ.setdefault("WINEDEBUG", "-all")
os.environ.setdefault("WINEPREFIX", os.path.join(
    os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "warden", "wineprefix"))


def run_exe(*args, **kw):
    return subprocess.run(harness.command(*args), capture_output=True, timeout=120, **kw)


def stop(w):
    """Ctrl-C, as a console user stops it; Warden drains and exits 0."""
    return w.stop(signal.SIGINT)


class WardenExeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = start_origin()
        cls.origin_url = f"http://127.0.0.1:{cls.origin.server_address[1]}"

    @classmethod
    def tearDownClass(cls):
        cls.origin.shutdown()

    def test_forwards_http_logs_it_and_refuses_connect(self):
        w = Warden()
        try:
            self.assertIn("Wine", w.banner)  # the banner names the compatibility layer
            got = w.curl(self.origin_url + "/")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, "origin says hi")
            refused = w.curl("-p", self.origin_url + "/")
            self.assertIn("403", refused.stderr)
            bad = w.raw(b"GET http://a/ HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n")
            self.assertTrue(bad.startswith(b"HTTP/1.1 400 "), bad[:80])
            log = w.wait_for_log(2)
            self.assertEqual(log[0]["status"], 200, log)
            self.assertEqual(log[0]["decision"], "allow", log)
        finally:
            self.assertEqual(stop(w), 0, "".join(w.stderr_lines))
        self.assertTrue(any("draining" in l for l in w.stderr_lines), w.stderr_lines)

    def test_the_admin_listener_serves_metrics_and_the_ca_page(self):
        w = Warden()
        try:
            port = w.admin_port()
            with open(os.path.join(w.state, "admin", "metrics.token")) as f:
                token = f.read().strip()
            ca = os.path.join(w.state, "ca.pem")
            got = w.curl(self.origin_url + "/")
            self.assertEqual(got.stdout, "origin says hi")
            scrape = lambda: subprocess.run(
                ["curl", "-sS", "--max-time", "20", "--noproxy", "*", "--cacert", ca, "-H",
                 f"Authorization: Bearer {token}", f"https://127.0.0.1:{port}/metrics"],
                capture_output=True, text=True)
            self.assertTrue(wait_until(lambda: 'warden_requests_total{decision="allow",'
                                       'capture="explicit"} 1' in scrape().stdout, 20),
                            scrape().stdout + scrape().stderr)
            self.assertIn("process_resident_memory_bytes", scrape().stdout)
            page = w.curl("http://warden.internal/ca.pem")
            with open(ca) as f:
                self.assertEqual(page.stdout, f.read())
        finally:
            self.assertEqual(stop(w), 0)

    def test_connect_tunnels_to_an_allowed_port(self):
        port = self.origin.server_address[1]
        w = Warden("--connect-port", str(port), "-c", self.no_interception())
        try:
            got = w.curl("-p", self.origin_url + "/")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, "origin says hi")
        finally:
            self.assertEqual(stop(w), 0)

    def no_interception(self):
        path = os.path.join(tempfile.mkdtemp(prefix="warden-exe-"), "warden.toml")
        with open(path, "w") as f:
            f.write("[tls]\nintercept = false\n")
        return path

    def test_https_is_intercepted_with_the_school_ca(self):
        pki = tempfile.mkdtemp(prefix="warden-exe-pki-")
        server = harness.start_tls_origin(pki)
        port = server.server_address[1]
        w = Warden("--upstream-ca", os.path.join(pki, "root.pem"), "--connect-port", str(port))
        try:
            school = os.path.join(w.dir, "school.pem")
            exported = run_exe("ca", "export", "--state-dir", w.state)
            self.assertEqual(exported.returncode, 0, exported.stderr)
            with open(school, "wb") as f:
                f.write(exported.stdout)
            got = w.curl("-v", "--cacert", school, f"https://localhost:{port}/")
            self.assertEqual(got.returncode, 0, got.stderr)
            self.assertEqual(got.stdout, "origin says hi")
            self.assertIn("Web Filter CA", got.stderr)  # curl -v prints the issuer
            untrusted = w.curl("--cacert", os.path.join(pki, "root.pem"),
                               f"https://localhost:{port}/")
            self.assertNotEqual(untrusted.returncode, 0)  # the school CA is what vouches
        finally:
            self.assertEqual(stop(w), 0)
            server.shutdown()
            server.server_close()

    def test_ca_export_der_is_binary_exact(self):
        state = os.path.join(tempfile.mkdtemp(prefix="warden-exe-"), "state")
        self.assertEqual(run_exe("ca", "init", "--state-dir", state).returncode, 0)
        der = run_exe("ca", "export", "--format", "der", "--state-dir", state)
        self.assertEqual(der.returncode, 0, der.stderr)
        pem_path = os.path.join(state, "ca.pem")
        expected = subprocess.run(["openssl", "x509", "-in", pem_path, "-outform", "DER"],
                                  capture_output=True, check=True).stdout
        # No CRLF translation, nothing appended: the bytes are the certificate's.
        self.assertEqual(der.stdout, expected)

    def test_ca_install_makes_it_a_trusted_root_and_uninstall_takes_it_out(self):
        state = os.path.join(tempfile.mkdtemp(prefix="warden-exe-"), "state")
        self.assertEqual(run_exe("ca", "init", "--state-dir", state).returncode, 0)
        trusts = lambda: "This machine trusts it" in run_exe(
            "ca", "show", "--state-dir", state, text=True).stdout
        self.assertFalse(trusts())
        installed = run_exe("ca", "install", "--state-dir", state, text=True)
        self.assertEqual(installed.returncode, 0, installed.stderr)
        self.assertTrue(trusts())
        # Windows' own certificate API finds it in LocalMachine\Root, by its SHA-1 thumbprint.
        thumbprint = subprocess.run(
            ["openssl", "x509", "-in", os.path.join(state, "ca.pem"), "-noout", "-fingerprint",
             "-sha1"], capture_output=True, text=True, check=True).stdout
        thumbprint = thumbprint.split("=")[1].strip().replace(":", "")
        roots = subprocess.run(["wine", "reg", "query", "HKLM\\Software\\Microsoft\\"
                                "SystemCertificates\\Root\\Certificates"],
                               capture_output=True, text=True).stdout
        self.assertIn(thumbprint, roots.upper())
        firefox = subprocess.run(["wine", "reg", "query", "HKLM\\SOFTWARE\\Policies\\Mozilla"
                                  "\\Firefox\\Certificates", "/v", "ImportEnterpriseRoots"],
                                 capture_output=True, text=True).stdout
        self.assertIn("0x1", firefox)
        removed = run_exe("ca", "uninstall", "--state-dir", state, text=True)
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertFalse(trusts())

    def test_the_example_policy_blocks_with_its_page(self):
        w = Warden("--policy", EXAMPLE_POLICY, "--lists", FIXTURE_LISTS)
        try:
            r = w.curl("-i", "-H", "Accept: text/html", "http://casino.test/roulette")
            self.assertIn("HTTP/1.1 403", r.stdout)
            self.assertIn('<dd id="category">gambling</dd>', r.stdout)
            self.assertEqual(w.curl(self.origin_url + "/").stdout, "origin says hi")
        finally:
            self.assertEqual(stop(w), 0)

    def test_a_changed_policy_is_picked_up_while_running(self):
        folder = tempfile.mkdtemp(prefix="warden-exe-policy-")
        policy = os.path.join(folder, "policy.toml")
        with open(policy, "w") as f:
            f.write("")
        w = Warden("--policy", policy)
        try:
            self.assertEqual(w.curl(self.origin_url + "/").stdout, "origin says hi")
            with open(policy + ".new", "w") as f:
                f.write('[[rule]]\naction = "block"\ndomains = ["127.0.0.1"]\n')
            os.replace(policy + ".new", policy)
            blocked = lambda: "403" in w.curl("-sS", "-o", os.devnull, "-w", "%{http_code}",
                                              self.origin_url + "/").stdout
            self.assertTrue(wait_until(blocked, timeout=15), w.stderr_lines)
        finally:
            self.assertEqual(stop(w), 0)

    def test_lists_update_says_it_is_not_here_and_bypass_shows_none(self):
        out = run_exe("lists", "update", text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("not available on Windows yet", out.stderr)
        state = os.path.join(tempfile.mkdtemp(prefix="warden-exe-"), "state")
        out = run_exe("bypass", "--state-dir", state, text=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("No bypass", out.stdout)

    def test_capture_modes_refuse_clearly_where_they_cannot_run(self):
        state = os.path.join(tempfile.mkdtemp(prefix="warden-exe-"), "state")
        base = ["run", "--listen", "127.0.0.1:0", "--state-dir", state]
        # Wine has no Windows Filtering Platform: failing closed is impossible, so no capture.
        out = run_exe(*base, "--capture", "windivert", text=True)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("needs fail-closed filters, and the Windows Filtering Platform cannot be "
                      "opened", out.stderr)
        # Failing open needs no WFP, but Wine has no WinDivert driver (nor its DLL) either.
        fail_open = os.path.join(os.path.dirname(state), "open.toml")
        with open(fail_open, "w") as f:
            f.write('[capture]\nfail = "open"\n')
        out = run_exe(*base, "-c", fail_open, "--capture", "windivert", text=True)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("WinDivert.dll is not beside warden.exe", out.stderr)
        out = run_exe(*base, "--capture", "tun", text=True)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("capture.mode tun is not this system's packet capture; here it is "
                      "windivert", out.stderr)
        out = run_exe(*base, "--capture", "local", text=True)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("capture.mode local is Linux's", out.stderr)


class ServiceUnderWine(unittest.TestCase):
    """`warden service install|start|status|stop|uninstall` through Wine's service control
    manager, with the service really serving. Wine ignores the DACL and the failure actions
    (tested as data in platform_test); the plumbing is what runs here.

    In a Wine prefix of its own, booted with its output to /dev/null: Wine's service manager
    (and so the service) inherits the standard handles of the process that booted the prefix,
    and Wine's own diagnostics written to a closed pipe would end the service with SIGPIPE."""

    @classmethod
    def setUpClass(cls):
        cls.saved_prefix = os.environ["WINEPREFIX"]
        os.environ["WINEPREFIX"] = cls.saved_prefix + "-service"
        subprocess.run(["wineserver", "-k"], capture_output=True)  # only this prefix's
        subprocess.run(["wine", "wineboot"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=180, check=True)

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["wineserver", "-k"], capture_output=True)
        os.environ["WINEPREFIX"] = cls.saved_prefix

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="warden-exe-service-")
        self.origin = start_origin()
        self.port = harness.free_port()
        self.config = os.path.join(self.dir, "warden.toml")
        self.state = os.path.join(self.dir, "state")
        with open(self.config, "w") as f:
            f.write(f'[proxy]\nlisten = ["127.0.0.1:{self.port}"]\n'
                    'allow_destinations = ["127.0.0.0/8"]\n'
                    f'[log]\naccess_log = "{os.path.join(self.dir, "access.log")}"\n'
                    '[admin]\nlisten = "127.0.0.1:0"\n')

    def tearDown(self):
        run_exe("service", "uninstall")
        self.origin.shutdown()

    def service(self, *args):
        out = run_exe("service", *args, text=True)
        return out.returncode, out.stdout + out.stderr

    def test_installed_started_serving_stopped_and_removed(self):
        rc, out = self.service("install", "-c", self.config, "--state-dir", self.state)
        self.assertEqual(rc, 0, out)
        rc, out = self.service("status")
        self.assertIn("starts at boot", out)
        self.assertIn("run --service -c", out)
        rc, out = self.service("start")
        self.assertEqual(rc, 0, out)
        self.assertRegex(self.service("status")[1], r"running \(pid \d+\)")
        got = subprocess.run(["curl", "-sS", "--max-time", "20", "-x",
                              f"http://127.0.0.1:{self.port}",
                              f"http://127.0.0.1:{self.origin.server_address[1]}/"],
                             capture_output=True, text=True)
        self.assertEqual(got.stdout, "origin says hi", got.stderr)
        rc, out = self.service("stop")
        self.assertEqual(rc, 0, out)
        self.assertIn("stopped (exit 0)", self.service("status")[1])
        # The service's diagnostics went to warden.log in its state folder (it has no console).
        with open(os.path.join(self.state, "warden.log")) as f:
            log = f.read()
        self.assertIn(f"explicit proxy on 127.0.0.1:{self.port}", log)
        self.assertIn("draining", log)
        rc, out = self.service("uninstall")
        self.assertEqual(rc, 0, out)
        self.assertIn("not installed", self.service("status")[1])

    def test_a_broken_config_is_refused_before_it_is_installed(self):
        with open(self.config, "a") as f:
            f.write("colour = 1\n")
        rc, out = self.service("install", "-c", self.config)
        self.assertEqual(rc, 1)
        self.assertIn("colour", out)
        self.assertIn("not installed", self.service("status")[1])

    def test_a_capturing_service_is_not_installed_without_fail_closed_filters(self):
        with open(self.config, "a") as f:
            f.write('[capture]\nmode = "windivert"\n')
        rc, out = self.service("install", "-c", self.config)
        self.assertEqual(rc, 1, out)
        self.assertIn("the Windows Filtering Platform cannot be opened", out)
        self.assertIn("removed again", out)
        status = self.service("status")[1]
        self.assertIn("not installed", status)
        self.assertIn("Fail-closed filters: unavailable", status)

    def test_run_service_from_a_console_says_how_to_start_it(self):
        out = run_exe("run", "--service", text=True)
        self.assertEqual(out.returncode, 1)
        self.assertIn("warden service start", out.stderr)


if __name__ == "__main__":
    if subprocess.run(["which", "wine"], capture_output=True).returncode != 0:
        print("SKIPPED: wine is not installed (make test-windows installs it)")
        raise SystemExit(77)
    harness.main()
