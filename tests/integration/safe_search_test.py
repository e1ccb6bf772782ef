#!/usr/bin/env python3
"""Restricted modes and header rules, end to end (docs/policy.md, "Restricted modes and header
rules"). A device namespace runs Warden (explicit proxy on 127.0.0.1:3128 and local transparent
capture) and curl; a web namespace runs nginx as the origins, answering with what each received:
the address it was reached on, Host, the TLS name, the target, YouTube-Restrict and
X-GoogApps-Allowed-Domains. The device's hosts file puts the engines' own names on 198.18.10.2
and the providers' safe names on .3 (restrict.youtube.com and the rest) and .4
(restrictmoderate.youtube.com), as a test resolver would.

Asserted, explicit and transparent, HTTPS over HTTP/1.1 and h2 and plain HTTP: with no policy
file every engine's request reaches its safe address with the pupil's name kept (Host and TLS
name, the certificate verified for it); Google's other services do not; a group with the second
line gets `safe=active`/`adlt=strict`/`kp=1` and `YouTube-Restrict` with the pupil's own value
replaced, and a header rule's field replaces the pupil's; a reload switches a group's mode live;
`warden check` shows what a URL gets. Needs root (network namespaces, nftables); skips saying
why otherwise."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Netns, Nginx, WardenInNs, sh, wait_until  # noqa: E402

ENGINE, SAFE, MODERATE = "198.18.10.2", "198.18.10.3", "198.18.10.4"
ENGINE_NAMES = ["www.google.com", "www.google.co.uk", "mail.google.com", "www.youtube.com",
                "www.bing.com", "duckduckgo.com", "search.yahoo.com"]
SAFE_NAMES = ["forcesafesearch.google.com", "restrict.youtube.com", "strict.bing.com",
              "safe.duckduckgo.com"]
ECHO = ('location / { default_type text/plain; return 200 "addr=$server_addr host=$host '
        'sni=$ssl_server_name uri=$request_uri yt=$http_youtube_restrict '
        'apps=$http_x_googapps_allowed_domains"; }')


def said(body):
    """The origin's answer as a dict (addr, host, sni, uri, yt, apps)."""
    return dict(part.split("=", 1) for part in body.split(" "))


class SafeSearch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = None
        if os.geteuid() != 0:
            why = "needs root (network namespaces, nftables)"
        elif not all(shutil.which(t) for t in ("nft", "nginx", "curl")):
            why = "nft, nginx or curl is not installed (scripts/install-deps.sh installs them)"
        if why:
            if os.environ.get("CI") == "true" and os.geteuid() == 0:
                raise AssertionError("CI=true as root, but: " + why)
            raise unittest.SkipTest(why)
        cls.dir = tempfile.mkdtemp(prefix="warden-safesearch-")
        harness.make_origin_pki(cls.dir, ENGINE_NAMES + SAFE_NAMES +
                                ["restrictmoderate.youtube.com"])
        cls.net = Netns()
        try:
            n = cls.net
            cls.dev, cls.web = n.ns("dev"), n.ns("web")
            n.link(cls.dev, "dev0", cls.web, "web0")
            n.addr(cls.dev, "dev0", "198.18.10.1/24")
            n.addr(cls.web, "web0", f"{ENGINE}/24", f"{SAFE}/24", f"{MODERATE}/24")
            sh("ip", "-n", cls.dev, "route", "add", "default", "via", ENGINE)
            n.hosts(cls.dev, f"{ENGINE} {' '.join(ENGINE_NAMES)}\n{SAFE} {' '.join(SAFE_NAMES)}\n"
                             f"{MODERATE} restrictmoderate.youtube.com\n")
            www = os.path.join(cls.dir, "www")
            os.makedirs(www)
            servers = [(f"{a}:443", True, ECHO) for a in (ENGINE, SAFE, MODERATE)]
            servers += [(f"{a}:80", None, ECHO) for a in (ENGINE, SAFE)]
            cls.nginx = Nginx(cls.dir, www, servers, netns=cls.web)
        except Exception:
            cls.net.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.net.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def warden(self, policy_text=None, config=""):
        folder = tempfile.mkdtemp(dir=self.dir)
        args = ["--upstream-ca", os.path.join(self.dir, "root.pem"), "--capture", "local"]
        if policy_text is not None:
            self.policy = os.path.join(folder, "policy.toml")
            with open(self.policy, "w") as f:
                f.write(policy_text)
            args += ["--policy", self.policy]
        w = WardenInNs(self.net, self.dev, folder, *args, config=config)
        self.addCleanup(lambda: w.proc.poll() is None and w.stop())
        self.addCleanup(lambda: self.net.run(self.dev, "nft", "delete", "table", "inet", "warden"))
        return w

    def get(self, w, url, *args, proxy=True):
        """What the origin said it received, and the HTTP version curl spoke to Warden."""
        via = ["-x", "http://127.0.0.1:3128"] if proxy else []
        out = self.net.run(self.dev, "curl", "-sS", "--max-time", "8", "--cacert", w.ca,
                           "-w", " %{http_version}", *via, *args, url)
        self.assertEqual(out.returncode, 0, (url, out.stderr))
        body, version = out.stdout.rsplit(" ", 1)
        return said(body), version

    def test_without_a_policy_every_engine_reaches_its_safe_address_by_its_own_name(self):
        w = self.warden()
        cases = [  # (URL, curl options, where it must land)
            ("https://www.google.com/search?q=cats", ["--http2"], SAFE),
            ("https://www.google.co.uk/search?q=cats", ["--http1.1"], SAFE),
            ("https://www.youtube.com/results?search_query=cats", ["--http2"], SAFE),
            ("https://www.bing.com/search?q=cats", ["--http1.1"], SAFE),
            ("https://duckduckgo.com/?q=cats", ["--http2"], SAFE),
            ("http://www.google.com/search?q=cats", [], SAFE),
            # Google's other services and engines without a safe address: their own server.
            ("https://mail.google.com/mail/", [], ENGINE),
            ("https://search.yahoo.com/search?p=cats", [], ENGINE),
            ("http://search.yahoo.com/search?p=cats", [], ENGINE),
        ]
        for proxy in (True, False):  # the explicit proxy, then transparent (local) capture
            for url, opts, where in cases:
                with self.subTest(url=url, proxy=proxy):
                    got, version = self.get(w, url, *opts, proxy=proxy)
                    host = url.split("/")[2]
                    self.assertEqual(got["addr"], where, got)
                    self.assertEqual(got["host"], host, got)  # the pupil's name is kept
                    if url.startswith("https"):
                        self.assertEqual(got["sni"], host, got)
                    self.assertEqual(got["uri"], "/" + url.split("/", 3)[3], got)  # untouched
                    self.assertEqual(got["yt"], "", got)  # the address alone by default
                    if "--http2" in opts:
                        self.assertEqual(version, "2", url)
        self.assertEqual(w.log_line(host="www.youtube.com", proto="h2")["capture"], "local")

    def test_the_second_line_and_header_rules_replace_what_the_pupil_sent(self):
        w = self.warden(
            '[[safe_search]]\nmethod = "both"\nyoutube = "moderate"\n\n'
            '[[header]]\nname = "school accounts only"\ndomains = ["google.com"]\n'
            'set = { "X-GoogApps-Allowed-Domains" = "school.example" }\n')
        for proxy in (True, False):
            with self.subTest(proxy=proxy):
                got, _ = self.get(w, "https://www.google.com/search?q=cats&safe=off", "--http2",
                                  "-H", "X-GoogApps-Allowed-Domains: gmail.com", proxy=proxy)
                self.assertEqual((got["addr"], got["uri"], got["apps"]),
                                 (SAFE, "/search?q=cats&safe=active", "school.example"))
                got, _ = self.get(w, "https://www.youtube.com/watch?v=1", "--http1.1",
                                  "-H", "YouTube-Restrict: Off", proxy=proxy)
                self.assertEqual((got["addr"], got["yt"]), (MODERATE, "Moderate"))
                got, _ = self.get(w, "https://www.youtube.com/watch?v=2", "--http2",
                                  "-H", "youtube-restrict: none", proxy=proxy)
                self.assertEqual((got["addr"], got["yt"]), (MODERATE, "Moderate"))
                got, _ = self.get(w, "http://www.bing.com/search?q=cats&adlt=off", proxy=proxy)
                self.assertEqual(got["uri"], "/search?q=cats&adlt=strict")
                got, _ = self.get(w, "https://duckduckgo.com/?q=cats&kp=-2", proxy=proxy)
                self.assertEqual(got["uri"], "/?q=cats&kp=1")
                got, _ = self.get(w, "https://search.yahoo.com/search?p=cats", proxy=proxy)
                self.assertEqual((got["addr"], got["uri"]), (ENGINE, "/search?p=cats&vm=r"))
        # The access log keeps what the pupil asked for.
        self.assertTrue(w.log_line(path="/search?q=cats&safe=off"))

    def test_a_page_a_url_rule_allows_on_a_blocked_host_comes_from_the_safe_address(self):
        w = self.warden('[[rule]]\naction = "block"\ndomains = ["youtube.com"]\n\n'
                        '[[rule]]\naction = "allow"\nurls = ["www.youtube.com/watch?v=lesson"]\n')
        for proxy in (True, False):
            with self.subTest(proxy=proxy):
                got, _ = self.get(w, "https://www.youtube.com/watch?v=lesson", proxy=proxy)
                self.assertEqual((got["addr"], got["sni"]), (SAFE, "www.youtube.com"))
                blocked = self.net.run(self.dev, "curl", "-sS", "--cacert", w.ca, "-o",
                                       "/dev/null", "-w", "%{http_code}",
                                       *(["-x", "http://127.0.0.1:3128"] if proxy else []),
                                       "https://www.youtube.com/watch?v=other")
                self.assertEqual(blocked.stdout, "403", blocked.stderr)

    def test_a_connection_left_encrypted_still_goes_to_the_safe_address(self):
        w = self.warden(config='[tls]\nno_decrypt = ["youtube.com"]\n')
        for proxy in (True, False):
            with self.subTest(proxy=proxy):
                via = ["-x", "http://127.0.0.1:3128"] if proxy else []
                # Spliced: the origin's own certificate (the test root), not the school CA's.
                out = self.net.run(self.dev, "curl", "-sS", "--max-time", "8", "--cacert",
                                   os.path.join(self.dir, "root.pem"), *via,
                                   "https://www.youtube.com/results?search_query=cats")
                self.assertEqual(out.returncode, 0, out.stderr)
                got = said(out.stdout)
                self.assertEqual((got["addr"], got["sni"]), (SAFE, "www.youtube.com"))
        self.assertEqual(w.log_line(host="www.youtube.com", scheme="splice")["decision"], "allow")

    def test_a_reload_switches_a_groups_mode_live(self):
        w = self.warden('[[safe_search]]\nmethod = "address"\n')
        self.assertEqual(self.get(w, "https://www.google.com/search?q=a")[0]["addr"], SAFE)
        with open(self.policy, "w") as f:
            f.write('[[safe_search]]\nmethod = "off"\n')
        w.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_until(lambda: any("policy reloaded" in l for l in w.stderr_lines)),
                        w.stderr_lines)
        self.assertEqual(self.get(w, "https://www.google.com/search?q=b")[0]["addr"], ENGINE)
        self.assertEqual(self.get(w, "https://www.google.com/search?q=c",
                                  proxy=False)[0]["addr"], ENGINE)

    def test_check_shows_what_a_url_gets(self):
        policy = os.path.join(self.dir, "check-policy.toml")
        with open(policy, "w") as f:
            f.write('[[safe_search]]\nmethod = "both"\n\n[[header]]\ndomains = ["google.com"]\n'
                    'set = { "X-GoogApps-Allowed-Domains" = "school.example" }\n')
        out = subprocess.run(harness.command("check", "--policy", policy,
                                             "https://www.google.com/search?q=cats",
                                             "https://www.youtube.com/", "https://example.com/"),
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.splitlines(), [
            "https://www.google.com/search?q=cats allow default -",
            "  connects to forcesafesearch.google.com (the name kept)",
            "  sends /search?q=cats&safe=active",
            "  sets x-googapps-allowed-domains: school.example",
            "https://www.youtube.com/ allow default -",
            "  connects to restrict.youtube.com (the name kept)",
            "  sets youtube-restrict: Strict",
            "https://example.com/ allow default -"])


if __name__ == "__main__":
    harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
    harness.main()
