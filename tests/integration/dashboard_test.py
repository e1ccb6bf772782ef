#!/usr/bin/env python3
"""The dashboard (docs/admin.md) as the school's staff use it, against the built binary.

In a real browser (headless Chromium over the DevTools protocol, the school CA trusted through
an NSS db): an administrator signs in, sees on Activity and in Reports the request the test
just had blocked through the proxy, sees the alert a pupil's search raised, uses "check a URL",
signs out; a viewer is refused the alerts page and sees no search terms. Each page's screenshot
is kept in $WARDEN_ARTIFACTS (look at them).

Without a browser: every page and export without a session redirects to sign-in (or 401); a
change without the CSRF token or from another origin is refused; the session cookie is
__Host-, HttpOnly, Secure, SameSite=Strict; five wrong passwords hold the sixth try; SQL
injection and markup typed into every filter field come back as text; the audit log has each
sign-in, failure, hold and sign-out. As root it runs in its own network namespace."""
import http.client
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

HERE = os.path.dirname(os.path.abspath(__file__))
ARTIFACTS = os.environ.get("WARDEN_ARTIFACTS", os.getcwd())
sys.path.insert(0, HERE)
import cdp  # noqa: E402
import harness  # noqa: E402
from harness import Warden, wait_until  # noqa: E402

harness.enter_network_namespace()
harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN

PASSWORDS = {"alice": "correct horse battery", "victor": "viewer password 1",
             "sam": "safeguarding pass 1", "tess": "throttled password"}
ROLES = {"alice": "admin", "victor": "viewer", "sam": "safeguarding", "tess": "viewer"}
PROBES = ["<script>alert(1)</script>", "' OR 1=1 --", "\"><img src=x onerror=alert(1)>",
          "%27%22", "games.test'); DROP TABLE requests; --"]


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="warden-dashboard-")
        cls.origin = harness.start_origin()
        cls.origin_url = f"http://127.0.0.1:{cls.origin.server_address[1]}"
        policy, lists = harness.games_policy(
            cls.dir, '[[alert]]\nname = "self-harm searches"\ncategory = "self-harm"\n'
                     'severity = "high"\nsearches = ["hurt myself"]\n')
        config = os.path.join(cls.dir, "warden.toml")
        with open(config, "w") as f:
            f.write('[alerts]\ncontext_before = "1s"\ncontext_after = "1s"\n')
        cls.state = tempfile.mkdtemp(prefix="warden-state-")
        for name, password in PASSWORDS.items():
            added = subprocess.run([harness.WARDEN, "admin", "add", name, "--role", ROLES[name],
                                    "--state-dir", cls.state], input=password + "\n",
                                   capture_output=True, text=True)
            assert added.returncode == 0, added.stderr
        cls.admin = harness.free_port()
        cls.warden = Warden("--policy", policy, "--lists", lists, config=config,
                            state=cls.state, admin=f"127.0.0.1:{cls.admin}")
        cls.ca = os.path.join(cls.state, "ca.pem")
        cls.base = f"https://127.0.0.1:{cls.admin}"
        # What the staff will look for: a blocked site, an allowed one, a worrying search.
        assert cls.warden.curl("-o", "/dev/null", "http://games.test/play").returncode == 0
        assert cls.warden.curl("-o", "/dev/null", cls.origin_url + "/lesson").returncode == 0
        cls.warden.curl("-o", "/dev/null", "--max-time", "5",
                        "http://www.google.com/search?q=how+to+hurt+myself")
        alerts = os.path.join(cls.state, "alerts", "alerts.log")
        assert wait_until(lambda: os.path.exists(alerts) and os.path.getsize(alerts) > 0, 15), \
            "no alert was written"

    @classmethod
    def tearDownClass(cls):
        cls.warden.stop()
        cls.origin.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)

    # ---- raw HTTPS, as a script or an attacker would ----

    def request(self, method, path, body=None, cookie=None, headers=None, source="127.0.0.1"):
        context = ssl.create_default_context(cafile=self.ca)
        conn = http.client.HTTPSConnection("127.0.0.1", self.admin, context=context,
                                           timeout=20, source_address=(source, 0))
        h = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        if cookie:
            h["Cookie"] = f"__Host-warden_session={cookie}"
        h.update(headers or {})
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        answer = (r.status, dict(r.getheaders()), r.read().decode(errors="replace"))
        conn.close()
        return answer

    def sign_in(self, name, source="127.0.0.1"):
        status, headers, _ = self.request(
            "POST", "/login", urllib.parse.urlencode({"user": name, "password": PASSWORDS[name]}),
            source=source)
        self.assertEqual(status, 303)
        cookie = headers["Set-Cookie"]
        return re.search(r"__Host-warden_session=([0-9a-f]+)", cookie).group(1), cookie

    def csrf_of(self, cookie):
        _, _, page = self.request("GET", "/", cookie=cookie)
        return re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)

    def test_no_session_means_sign_in_first_everywhere(self):
        for path in ("/", "/activity", "/why?url=http://a/", "/reports", "/alerts", "/policy",
                     "/activity?client=10.0.0.1"):
            status, headers, _ = self.request("GET", path)
            self.assertEqual((status, headers.get("Location")), (303, "/login"), path)
        self.assertEqual(self.request("GET", "/reports.csv?kind=blocked_hosts")[0], 401)
        self.assertEqual(self.request("POST", "/alerts/note", "id=x&state=noted")[0], 401)
        self.assertEqual(self.request("GET", "/", cookie="0" * 64)[0], 303)  # a made-up id

    def test_the_session_cookie_and_changes_are_guarded(self):
        session, cookie = self.sign_in("alice")
        for flag in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/"):
            self.assertIn(flag, cookie)
        self.assertNotIn("Domain", cookie)
        status, headers, _ = self.request("GET", "/", cookie=session)
        self.assertEqual(status, 200)
        self.assertIn("frame-ancestors 'none'", headers["Content-Security-Policy"])
        self.assertNotIn("script-src", headers["Content-Security-Policy"])
        # A change without the token, with a wrong one, or from another site: refused.
        self.assertEqual(self.request("POST", "/logout", "", cookie=session)[0], 403)
        self.assertEqual(self.request("POST", "/logout", "csrf=" + "1" * 64, cookie=session)[0],
                         403)
        csrf = self.csrf_of(session)
        self.assertEqual(self.request("POST", "/logout", f"csrf={csrf}", cookie=session,
                                      headers={"Origin": "https://evil.example"})[0], 403)
        # The real thing signs out, and the session is gone.
        status, headers, _ = self.request("POST", "/logout", f"csrf={csrf}", cookie=session)
        self.assertEqual((status, headers["Location"]), (303, "/login"))
        self.assertIn("Max-Age=0", headers["Set-Cookie"])
        self.assertEqual(self.request("GET", "/", cookie=session)[0], 303)

    def test_five_wrong_passwords_hold_the_sixth_try(self):
        source = "127.0.0.3"  # its own address: the hold is per account and per address
        for _ in range(5):
            status, _, page = self.request("POST", "/login", "user=tess&password=wrong",
                                           source=source)
            self.assertEqual(status, 401)
            self.assertIn("Wrong name or password", page)
        status, _, page = self.request(
            "POST", "/login", urllib.parse.urlencode({"user": "tess",
                                                      "password": PASSWORDS["tess"]}),
            source=source)
        self.assertEqual(status, 429, page)
        self.assertIn("wait 15 minutes", page)
        with open(os.path.join(self.state, "admin", "audit.log")) as f:
            events = [json.loads(line) for line in f]
        mine = [e["event"] for e in events if e.get("user") == "tess"]
        self.assertEqual(mine.count("sign_in_failed"), 5, events)
        self.assertIn("sign_in_held", mine)

    def test_probes_in_every_filter_come_back_as_text(self):
        session, _ = self.sign_in("alice")
        for field in ("client", "group", "host", "category", "rule", "status", "decision",
                      "period", "page"):
            for probe in PROBES:
                path = "/activity?" + urllib.parse.urlencode({field: probe})
                status, _, page = self.request("GET", path, cookie=session)
                self.assertEqual(status, 200, (field, probe, page[-500:]))
                self.assertNotIn("<script>alert", page)
                self.assertNotIn("<img src=x", page)
                self.assertNotIn("SQLite", page)
        for field in ("group", "client", "period"):
            for probe in PROBES:
                status, _, page = self.request(
                    "GET", "/reports?" + urllib.parse.urlencode({field: probe}), cookie=session)
                self.assertEqual(status, 200, (field, probe))
                self.assertNotIn("<script>alert", page)
        status, _, page = self.request(
            "GET", "/activity?" + urllib.parse.urlencode({"host": PROBES[0]}), cookie=session)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
        # The SQL probe matched nothing and destroyed nothing: the blocked request is still there.
        _, _, page = self.request("GET", "/activity?host=games.test", cookie=session)
        self.assertIn("games.test", page)
        status, headers, csv = self.request("GET", "/reports.csv?kind=blocked_hosts",
                                            cookie=session)
        self.assertEqual(status, 200)
        self.assertIn("text/csv", headers["Content-Type"])
        self.assertIn("games.test,", csv)

    def test_a_viewer_sees_no_alerts_and_no_search_terms(self):
        session, _ = self.sign_in("victor")
        status, _, page = self.request("GET", "/alerts", cookie=session)
        self.assertEqual(status, 403)
        status, _, page = self.request("GET", "/activity", cookie=session)
        self.assertEqual(status, 200)
        self.assertNotIn("hurt", page)
        self.assertNotIn("<th>Search</th>", page)
        _, _, page = self.request("GET", "/reports", cookie=session)
        self.assertNotIn("hurt", page)
        self.assertEqual(self.request("GET", "/reports.csv?kind=searches", cookie=session)[0],
                         403)
        session, _ = self.sign_in("sam")
        status, _, page = self.request("GET", "/alerts", cookie=session)
        self.assertEqual(status, 200)
        self.assertIn("self-harm searches", page)

    # ---- a real browser ----

    def test_a_browser_signs_in_finds_the_block_checks_a_url_and_signs_out(self):
        missing = [t for t in ("chromium", "certutil") if not shutil.which(t)]
        if missing:
            self.skipTest(f"{', '.join(missing)} not installed (scripts/install-deps.sh "
                          "installs chromium and libnss3-tools)")
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = lambda name: browser.screenshot(os.path.join(ARTIFACTS, f"dashboard-{name}.png"))
        browser = cdp.Browser(tempfile.mkdtemp(prefix="browser-", dir=self.dir), self.ca)
        try:
            browser.open(self.base + "/")
            self.assertTrue(browser.url().endswith("/login"), browser.url())
            shot("sign-in")
            browser.submit("form[action='/login']",
                           {"user": "alice", "password": PASSWORDS["alice"]})
            self.assertEqual(browser.url(), self.base + "/", browser.text())
            self.assertIn("requests/s", browser.text())
            shot("now")

            browser.open(self.base + "/activity?host=games.test")
            text = browser.text()
            self.assertIn("games.test", text)
            self.assertIn("no games", text)
            shot("activity")
            browser.open(self.base + "/reports?period=hour")
            text = browser.text()
            self.assertIn("Most blocked sites", text)
            self.assertRegex(text, r"games\.test\s+1 request\b")
            shot("reports")
            browser.open(self.base + "/alerts")
            self.assertIn("self-harm searches", browser.text())
            self.assertIn("hurt myself", browser.text())
            shot("alerts")
            browser.submit("form[action='/alerts/note']", {"note": "spoke with the pupil"},
                           button="button[value=acknowledged]")
            self.assertIn("acknowledged by alice", browser.text())
            self.assertIn("spoke with the pupil", browser.text())
            browser.open(self.base + "/")
            self.assertRegex(browser.text(), r"\b0\s+alerts to look at")

            browser.open(self.base + "/policy")
            browser.submit("form.f", {"check": "http://games.test/play", "client": "10.0.0.9"})
            self.assertIn("http://games.test/play block no games games", browser.text())
            shot("policy")
            browser.open(self.base + "/activity?host=games.test")
            browser.click("a[href^='/why']")
            self.assertIn("block no games games", browser.text())
            shot("why")

            browser.submit("form[action='/logout']", {})
            self.assertTrue(browser.url().endswith("/login"), browser.url())
            browser.open(self.base + "/activity")
            self.assertTrue(browser.url().endswith("/login"), browser.url())

            browser.submit("form[action='/login']",
                           {"user": "victor", "password": PASSWORDS["victor"]})
            self.assertNotIn("Alerts", browser.run(
                "[...document.querySelectorAll('header a')].map(a => a.textContent).join(' ')"))
            browser.open(self.base + "/alerts")
            self.assertIn("Alerts are for safeguarding staff", browser.text())
            shot("viewer-alerts")
        finally:
            browser.close()


if __name__ == "__main__":
    harness.main()
