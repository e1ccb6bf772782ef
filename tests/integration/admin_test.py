#!/usr/bin/env python3
"""The admin listener and the CA page (docs/admin.md), against the built binary.

Asserted: /metrics answers only with the token, over HTTPS with a certificate from the school CA
(for the address, or for a name of admin.names; never for another name), and counts what the
test sent through the proxy (decisions, the blocking category, status classes) without a host
name or client address among its labels; plain HTTP to it is told to use HTTPS. The proxy
refuses to carry requests to the admin listener, even with loopback allowed. The CA page
(http://warden.internal/ through the proxy) serves the school CA byte for byte, PEM and DER, and
its fingerprint, and never key material, to a browser that does not trust the school CA yet
(headless Chromium, the page's screenshot kept in $WARDEN_ARTIFACTS). A real Prometheus (Debian's) scrapes Warden with the
token file, configured by docs/prometheus/ (checked by promtool, rules included), and answers a
PromQL query with the requests the test made. Loopback only."""
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import harness  # noqa: E402
from harness import Warden, wait_until  # noqa: E402

harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
ARTIFACTS = os.environ.get("WARDEN_ARTIFACTS", os.getcwd())
DOCS = os.path.join(os.path.dirname(os.path.dirname(HERE)), "docs", "prometheus")


def sample(text, name, **labels):
    """The value of `name{labels}` in an exposition text (labels in any order); None if absent."""
    for line in text.splitlines():
        m = re.match(r"([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not m or m.group(1) != name:
            continue
        have = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if have == labels:
            return float(m.group(3))
    return None


class Admin(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="warden-admin-")
        cls.origin = harness.start_origin()
        cls.origin_url = f"http://127.0.0.1:{cls.origin.server_address[1]}"
        policy, lists = harness.games_policy(cls.dir)
        cls.admin = harness.free_port()
        cls.warden = Warden("--policy", policy, "--lists", lists, "--connect-port",
                            str(cls.admin), admin=f"127.0.0.1:{cls.admin}")
        assert cls.warden.admin_port() == cls.admin
        cls.ca = os.path.join(cls.warden.state, "ca.pem")
        cls.token_file = os.path.join(cls.warden.state, "admin", "metrics.token")
        with open(cls.token_file) as f:
            cls.token = f.read().strip()

    @classmethod
    def tearDownClass(cls):
        cls.warden.stop()
        cls.origin.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def admin_get(self, path, token=None, name="127.0.0.1"):
        """(status, body) of GET https://name:admin/path, trusting the school CA only."""
        context = ssl.create_default_context(cafile=self.ca)
        with socket.create_connection(("127.0.0.1", self.admin), timeout=10) as raw:
            with context.wrap_socket(raw, server_hostname=name) as s:
                auth = f"Authorization: Bearer {token}\r\n" if token else ""
                s.sendall(f"GET {path} HTTP/1.1\r\nHost: {name}\r\n{auth}"
                          "Connection: close\r\n\r\n".encode())
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body

    def metrics(self):
        status, body = self.admin_get("/metrics", self.token)
        self.assertEqual(status, 200, body[:200])
        return body.decode()

    def test_metrics_need_the_token_and_count_what_went_through_the_proxy(self):
        before = self.metrics()
        allowed_before = sample(before, "warden_requests_total", decision="allow",
                                capture="explicit") or 0
        for _ in range(3):
            got = self.warden.curl("-o", "/dev/null", "-w", "%{http_code}", self.origin_url + "/")
            self.assertEqual(got.stdout, "200", got.stderr)
        got = self.warden.curl("-o", "/dev/null", "-w", "%{http_code}", "http://games.test/")
        self.assertEqual(got.stdout, "403")
        self.warden.wait_for_log(1)

        def counted():
            text = self.metrics()
            allowed = sample(text, "warden_requests_total", decision="allow", capture="explicit")
            return allowed is not None and allowed >= allowed_before + 3 and \
                sample(text, "warden_blocks_total", category="games") is not None
        self.assertTrue(wait_until(counted), self.metrics())
        text = self.metrics()
        self.assertGreaterEqual(sample(text, "warden_blocks_total", category="games"), 1)
        self.assertGreaterEqual(sample(text, "warden_requests_total", decision="block",
                                       capture="explicit"), 1)
        self.assertGreaterEqual(sample(text, "warden_responses_total", **{"class": "2xx"}), 3)
        self.assertGreaterEqual(sample(text, "warden_responses_total", **{"class": "4xx"}), 1)
        self.assertGreaterEqual(sample(text, "warden_upstream_connect_seconds_count"), 1)
        self.assertEqual(sample(text, "warden_list_domains", category="games"), 1)
        self.assertGreater(sample(text, "process_resident_memory_bytes"), 1 << 20)
        self.assertIn("# TYPE warden_upstream_response_seconds histogram", text)
        # Bounded labels: no host name, no client address.
        self.assertNotIn("games.test", text)
        self.assertNotIn('client="', text)
        self.assertNotIn('host="', text)

        self.assertEqual(self.admin_get("/metrics")[0], 401)
        self.assertEqual(self.admin_get("/metrics", "0" * len(self.token))[0], 401)
        self.assertEqual(self.admin_get("/metrics", self.token[:-1])[0], 401)

    def test_its_certificate_is_for_its_address_or_its_names_only(self):
        self.assertEqual(self.admin_get("/metrics", self.token, name="warden.internal")[0], 200)
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.admin_get("/metrics", self.token, name="bank.example")

    def test_plain_http_to_the_admin_listener_is_told_to_use_https(self):
        with socket.create_connection(("127.0.0.1", self.admin), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n")
            answer = s.recv(4096)
        self.assertTrue(answer.startswith(b"HTTP/1.1 400 "), answer)
        self.assertIn(b"HTTPS only", answer)

    def test_the_proxy_refuses_to_carry_requests_to_the_admin_listener(self):
        before = len(self.warden.log())
        plain = self.warden.curl("-o", "/dev/null", "-w", "%{http_code}",
                                 f"http://127.0.0.1:{self.admin}/metrics")
        self.assertEqual(plain.stdout, "508", plain.stderr)
        secured = self.warden.curl("--cacert", self.ca, "-H", f"Authorization: Bearer {self.token}",
                                   f"https://127.0.0.1:{self.admin}/metrics")
        self.assertNotIn("warden_requests_total", secured.stdout)
        entries = self.warden.wait_for_log(before + 2)
        refused = [e for e in entries if e.get("port") == self.admin]
        self.assertTrue(refused, entries)
        self.assertTrue(all(e.get("error") == "ERR_LOOP_DETECTED" for e in refused), refused)

    def test_the_ca_page_through_the_proxy_serves_the_school_ca_and_no_key(self):
        before = len(self.warden.log())
        page = self.warden.curl("-w", "\n%{http_code}", "http://warden.internal/")
        self.assertTrue(page.stdout.endswith("\n200"), page.stdout[-300:])
        fingerprint = subprocess.run(
            ["openssl", "x509", "-in", self.ca, "-noout", "-fingerprint", "-sha256"],
            capture_output=True, text=True, check=True).stdout.strip().split("=", 1)[1]
        self.assertIn(fingerprint, page.stdout)
        self.assertIn("Install the school", page.stdout)

        pem = os.path.join(self.dir, "got.pem")
        got = self.warden.curl("-o", pem, "http://warden.internal/ca.pem")
        self.assertEqual(got.returncode, 0, got.stderr)
        with open(pem, "rb") as a, open(self.ca, "rb") as b:
            self.assertEqual(a.read(), b.read())
        der = os.path.join(self.dir, "got.der")
        self.assertEqual(self.warden.curl("-o", der, "http://warden.internal/ca.crt").returncode, 0)
        expected = subprocess.run(["openssl", "x509", "-in", self.ca, "-outform", "DER"],
                                  capture_output=True, check=True).stdout
        with open(der, "rb") as f:
            self.assertEqual(f.read(), expected)

        for path in ("/ca.key", "/state/ca.key", "/../ca.key"):
            got = self.warden.curl("-w", "\n%{http_code}", "--path-as-is",
                                   "http://warden.internal" + path)
            self.assertTrue(got.stdout.endswith("\n404"), (path, got.stdout))
            self.assertNotIn("PRIVATE KEY", got.stdout)
        posted = self.warden.curl("-o", "/dev/null", "-w", "%{http_code}", "-d", "x=1",
                                  "http://warden.internal/")
        self.assertEqual(posted.stdout, "405")
        entries = self.warden.wait_for_log(before + 7)
        page_entries = [e for e in entries if e.get("host") == "warden.internal"]
        self.assertTrue(page_entries)
        self.assertTrue(all(e["rule"] == "ca_page" for e in page_entries), page_entries)

        # The admin listener serves the same page.
        status, body = self.admin_get("/ca.pem")
        self.assertEqual(status, 200)
        with open(self.ca, "rb") as f:
            self.assertEqual(body, f.read())

    def test_a_browser_that_does_not_trust_the_ca_yet_gets_it_from_the_ca_page(self):
        missing = [t for t in ("chromium", "certutil") if not shutil.which(t)]
        if missing:
            self.skipTest(f"{', '.join(missing)} not installed (scripts/install-deps.sh "
                          "installs chromium and libnss3-tools)")
        browser = cdp.Browser(tempfile.mkdtemp(prefix="browser-", dir=self.dir),
                              proxy_port=self.warden.port)
        try:
            browser.open("https://www.school-test.example/")  # HTTPS: not trusted yet
            self.assertIn("NET::ERR_CERT_AUTHORITY_INVALID", browser.text())
            browser.open("http://warden.internal/")
            self.assertIn("Install the school\u2019s certificate", browser.text())
            os.makedirs(ARTIFACTS, exist_ok=True)
            browser.screenshot(os.path.join(ARTIFACTS, "ca-page.png"))
            with open(self.ca, "rb") as f:
                self.assertEqual(browser.download("http://warden.internal/ca.pem"), f.read())
        finally:
            browser.close()

    def test_prometheus_scrapes_warden_with_the_token(self):
        if not shutil.which("prometheus"):
            self.skipTest("prometheus not installed (scripts/install-deps.sh installs it)")
        for _ in range(2):
            got = self.warden.curl("-o", "/dev/null", "-w", "%{http_code}",
                                   self.origin_url + "/prometheus-test")
            self.assertEqual(got.stdout, "200")
        wanted = sample(self.metrics(), "warden_requests_total", decision="allow",
                        capture="explicit")
        folder = tempfile.mkdtemp(prefix="prometheus-", dir=self.dir)
        # docs/prometheus/prometheus.yml as a school would adapt it: its files, its port.
        with open(os.path.join(DOCS, "prometheus.yml")) as f:
            example = f.read()
        for old, new in (("/etc/prometheus/warden-school-ca.pem", self.ca),
                         ("/etc/prometheus/warden-metrics.token", self.token_file),
                         ("127.0.0.1:9443", f"127.0.0.1:{self.admin}"),
                         ("scrape_interval: 15s", "scrape_interval: 1s"),
                         ("warden-alerts.yml", os.path.join(DOCS, "warden-alerts.yml"))):
            self.assertIn(old, example)
            example = example.replace(old, new)
        config = os.path.join(folder, "prometheus.yml")
        with open(config, "w") as f:
            f.write(example)
        checked = subprocess.run(["promtool", "check", "config", config], capture_output=True,
                                 text=True)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        port = harness.free_port()
        with open(os.path.join(folder, "log"), "w") as log_file:
            prometheus = subprocess.Popen(
                ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={folder}/data",
                 f"--web.listen-address=127.0.0.1:{port}"],
                stdout=subprocess.DEVNULL, stderr=log_file)
        try:
            query = 'sum(warden_requests_total{decision="allow",capture="explicit"})'
            url = (f"http://127.0.0.1:{port}/api/v1/query?" +
                   urllib.parse.urlencode({"query": query}))
            answer = {}

            def answered():
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        answer.update(json.load(r))
                except OSError:
                    return False
                result = answer.get("data", {}).get("result", [])
                return bool(result) and float(result[0]["value"][1]) >= wanted
            ok = wait_until(answered, timeout=90, interval=0.5)
            with open(os.path.join(folder, "log")) as f:
                log = f.read()
            self.assertTrue(ok, f"{answer}\n{log[-3000:]}")
        finally:
            prometheus.terminate()
            prometheus.wait(30)


if __name__ == "__main__":
    harness.main()
