#!/usr/bin/env python3
"""A real browser through Warden: headless Chromium (Debian `chromium`), the school CA trusted
through an NSS db in $HOME/.pki/nssdb (certutil), Warden as its proxy for everything including
loopback. It loads an allowed local HTTPS page (the origin's content arrives, re-encrypted
under the school CA), a blocked one (the block page's DOM names the category) and one whose
server's certificate is self-signed (Warden's page names the failed check); the pages'
screenshots are kept in $WARDEN_ARTIFACTS (the build folder's artifacts/).

As root it runs in its own network namespace (loopback only). Skips (exit 77) saying why when
chromium or certutil is missing."""

import http.server
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
FIXTURE_LISTS = os.path.join(SOURCE, "tests", "policy", "lists")
ARTIFACTS = os.environ.get("WARDEN_ARTIFACTS", os.getcwd())

sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import ThreadingServer, Warden, wait_until  # noqa: E402

harness.enter_network_namespace()
harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN

LESSON = b"<!DOCTYPE html><title>Lesson</title><h1 id=greeting>Today's lesson: fractions</h1>"


class Lesson(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(LESSON)))
        self.end_headers()
        self.wfile.write(LESSON)

    def log_message(self, *args):
        pass


def lesson_server(folder, name):
    """The lesson over HTTPS on a loopback port, with NAME.pem / NAME.key from `folder`."""
    server = ThreadingServer(("127.0.0.1", 0), Lesson)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(folder, f"{name}.pem"), os.path.join(folder, f"{name}.key"))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Browser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [t for t in ("chromium", "certutil") if not shutil.which(t)]
        if missing:
            raise unittest.SkipTest(f"{', '.join(missing)} not installed "
                                    "(scripts/install-deps.sh installs chromium, libnss3-tools)")
        cls.dir = tempfile.mkdtemp(prefix="warden-browser-")
        harness.make_origin_pki(cls.dir)
        cls.origin = lesson_server(cls.dir, "leaf")
        cls.origin_port = cls.origin.server_address[1]
        # A second server whose certificate is its own (self-signed): Warden refuses it.
        subprocess.run(
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
            "-subj /CN=localhost -addext subjectAltName=DNS:localhost "
            "-keyout self.key -out self.pem", shell=True, cwd=cls.dir, check=True,
            capture_output=True)
        cls.selfsigned = lesson_server(cls.dir, "self")
        cls.selfsigned_port = cls.selfsigned.server_address[1]
        cls.warden = Warden("--lists", FIXTURE_LISTS, "--upstream-ca",
                            os.path.join(cls.dir, "root.pem"), "--connect-port",
                            str(cls.origin_port), "--connect-port", str(cls.selfsigned_port))
        cls.browser = harness.Chromium(cls.dir, os.path.join(cls.warden.state, "ca.pem"),
                                       cls.warden.port)

    @classmethod
    def tearDownClass(cls):
        rc = cls.warden.stop()
        cls.origin.shutdown()
        cls.selfsigned.shutdown()
        assert rc == 0, f"warden exited {rc}"

    def chromium(self, url, *extra):
        return self.browser.run(url, *extra)

    def test_allowed_https_page_arrives_under_the_school_ca(self):
        out = self.chromium(f"https://localhost:{self.origin_port}/lesson", "--dump-dom")
        self.assertIn('<h1 id="greeting">Today\'s lesson: fractions</h1>', out.stdout,
                      out.stderr[-2000:])
        # (Chromium's own background requests are in the log too: look for ours.)
        def lesson_logged():
            log = self.warden.wait_for_log(1, timeout=0.5)
            return any(l.get("host") == "localhost" and l.get("path") == "/lesson" and
                       l.get("status") == 200 for l in log)
        self.assertTrue(wait_until(lesson_logged), self.warden.wait_for_log(1))

    def test_refused_upstream_shows_a_page_naming_the_failed_check(self):
        url = f"https://localhost:{self.selfsigned_port}/lesson"
        out = self.chromium(url, "--dump-dom")
        self.assertIn('<dd id="error">ERR_CERT_SELF_SIGNED</dd>', out.stdout, out.stderr[-2000:])
        self.assertIn("This site's security could not be verified", out.stdout)
        self.assertIn("The certificate of localhost", out.stdout)
        self.assertNotIn("Today's lesson", out.stdout)  # not a byte of the server's page
        self.screenshot(url, "upstream-refused-page.png")

    def screenshot(self, url, name):
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, name)
        if os.path.exists(shot):
            os.unlink(shot)
        taken = self.chromium(url, f"--screenshot={shot}", "--window-size=412,860",
                              "--hide-scrollbars")
        self.assertTrue(os.path.getsize(shot) > 5000 if os.path.exists(shot) else False,
                        taken.stderr[-2000:])
        print(f"\n{name}: {shot}", file=sys.stderr)

    def test_blocked_page_names_the_category(self):
        out = self.chromium("https://www.casino.test/roulette?bet=red", "--dump-dom")
        self.assertIn('<dd id="category">gambling</dd>', out.stdout, out.stderr[-2000:])
        self.assertIn("https://www.casino.test/roulette?bet=red", out.stdout)
        self.screenshot("https://www.casino.test/roulette?bet=red", "block-page.png")


if __name__ == "__main__":
    harness.main()
