#!/usr/bin/env python3
"""Phrase scanning of pages, end to end (docs/analysis.md, "Phrase scanning"): a policy with a
[[phrases]] rule, pages from an origin of the test's own, curl and headless Chromium through the
explicit proxy.

Asserted: a page whose phrases reach the limit is replaced by the block page (the rule and the
category named, never the phrases) whatever its Content-Encoding (identity, gzip, zlib and raw
deflate, br, zstd) and framing (length, chunked in pieces that cut the phrases, until close), over
plain HTTP and intercepted HTTPS with HTTP/1.1 and HTTP/2; a clean page arrives byte for byte; a
page longer than analysis.max_scan_bytes is judged on its first bytes and otherwise arrives whole;
images and event streams are not held; e2guardian's own lists (Debian's package, fetched into a
cache, never into the repository) load, lenient about their few bad lines and refused with
file:line without it; a reload with a broken list keeps the old lists; Chromium shows the block
page. No root needed."""
import glob
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import unittest
import zlib
import gzip as gzip_module

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Nginx, ThreadingServer, Warden, wait_until  # noqa: E402

harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
ARTIFACTS = os.environ.get("WARDEN_ARTIFACTS", os.getcwd())

# The project's own test list (not a real school list): two phrases and a combination.
WEIGHTED = """#listcategory: "Violence"
<gore><60>
< kill ><40>
<blood>,<bath><50>
#a good phrase lowers a page's score
<history lesson><-30>
"""
BANNED = """#listcategory: "Banned for the test"
<forbidden words here>
"""
BAD = ("<!DOCTYPE html><html><head><title>Horror</title><script>var gore = 'in a script, not "
       "counted';</script></head><body><p>So much G<b>ore</b>, and a blood&nbsp;bath.</p>"
       "<p>They kill.</p></body></html>")  # 60 + 50 + 40 = 150
GOOD = ("<!DOCTYPE html><html><head><title>Fractions</title></head><body><p>Today's lesson: "
        "adding fractions with different denominators. Skill, not luck.</p></body></html>")
LIMIT = 100


def compressed(data, encoding):
    if encoding == "identity":
        return data
    if encoding == "gzip":
        return gzip_module.compress(data)
    if encoding == "deflate":
        return zlib.compress(data)
    if encoding == "raw-deflate":  # sent as "deflate", as some servers do
        c = zlib.compressobj(wbits=-15)
        return c.compress(data) + c.flush()
    tool = {"br": ["brotli", "-c"], "zstd": ["zstd", "-q", "-c"]}[encoding]
    return subprocess.run(tool, input=data, capture_output=True, check=True).stdout


class Pages(http.server.BaseHTTPRequestHandler):
    """/<page>/<encoding>/<framing>[/<type>]: BAD, GOOD or a LONG page, compressed, framed as
    asked (chunked in 7-byte pieces: the phrases are cut across chunks)."""
    protocol_version = "HTTP/1.1"
    pages = {}

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        name, encoding, framing = parts[:3]
        content_type = "/".join(parts[3:5]) if len(parts) > 4 else "text/html; charset=utf-8"
        body = compressed(self.pages[name], encoding)
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if encoding != "identity":
            self.send_header("Content-Encoding", "deflate" if encoding == "raw-deflate"
                             else encoding)
        if framing == "length":
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 7):
                piece = body[i:i + 7]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:  # until close
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

    def log_message(self, *args):
        pass


def e2guardian_lists():
    """Debian's e2guardian package unpacked into the cache (never the repository: its lists are
    GPL-2), once per version: the phraselists folder, or None with the reason."""
    if not shutil.which("apt-get") or not shutil.which("dpkg-deb"):
        return None, "apt-get and dpkg-deb are needed to fetch Debian's e2guardian package"
    version = subprocess.run(["apt-cache", "policy", "e2guardian"], capture_output=True,
                             text=True).stdout
    candidate = next((l.split()[1] for l in version.splitlines() if "Candidate:" in l), None)
    if not candidate or candidate == "(none)":
        return None, "Debian's e2guardian package is not known to apt here (apt-get update)"
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")),
                         "warden", f"e2guardian-{candidate}")
    lists = os.path.join(cache, "etc", "e2guardian", "lists", "phraselists")
    if not os.path.isdir(lists):
        work = tempfile.mkdtemp(prefix="e2guardian-")
        got = subprocess.run(["apt-get", "download", f"e2guardian={candidate}"], cwd=work,
                             capture_output=True, text=True)
        debs = glob.glob(os.path.join(work, "*.deb"))
        if got.returncode != 0 or not debs:
            return None, "apt-get download e2guardian failed: " + got.stderr[-300:]
        os.makedirs(cache, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", debs[0], cache], check=True)
        shutil.rmtree(work, ignore_errors=True)
    return lists, None


class PhraseScanning(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [t for t in ("curl", "brotli", "zstd", "nginx") if not shutil.which(t)]
        if missing:
            raise unittest.SkipTest(f"{', '.join(missing)} not installed "
                                    "(scripts/install-deps.sh installs them)")
        cls.dir = tempfile.mkdtemp(prefix="warden-phrases-")
        with open(os.path.join(cls.dir, "weighted"), "w") as f:
            f.write(WEIGHTED)
        with open(os.path.join(cls.dir, "banned"), "w") as f:
            f.write(BANNED)
        cls.policy = os.path.join(cls.dir, "policy.toml")
        with open(cls.policy, "w") as f:
            f.write(f'[[phrases]]\nname = "violent pages"\nweighted = ["weighted"]\n'
                    f'banned = ["banned"]\nlimit = {LIMIT}\n')
        long_clean = (GOOD[:-14] + "<p>" + "Plenty of harmless text. " * 4000 +
                      " gore blood bath kill </p></body></html>")
        # Past 8 KiB but within 8 times that (the decoded text scanned at most).
        long_alert = (GOOD[:-14] + "<p>" + "Plenty of harmless text. " * 1200 +
                      " gore blood bath kill </p></body></html>")
        # The same with text that compresses less: gzipped, still more than the 8 KiB held.
        varied = " ".join(f"w{i * 7919 % 100003}" for i in range(7000))
        long_alert_gzip = (GOOD[:-14] + "<p>" + varied + " gore blood bath kill </p></body></html>")
        Pages.pages = {"bad": BAD.encode(), "good": GOOD.encode(),
                       "banned": b"<p>some forbidden words here</p>",
                       "history": (BAD[:-14] + "<p>A history lesson.</p></body></html>").encode(),
                       "long-clean": long_clean.encode(), "long-alert": long_alert.encode(),
                       "long-alert-gzip": long_alert_gzip.encode(),
                       "long-bad": (BAD[:-14] + "<p>" + "x " * 60000 + "</p></body></html>")
                       .encode()}
        cls.origin = ThreadingServer(("127.0.0.1", 0), Pages)
        threading.Thread(target=cls.origin.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.origin.server_address[1]}"
        # HTTPS with HTTP/2 (nginx, gzip on), for the intercepted cases and the browser.
        harness.make_origin_pki(cls.dir)
        www = os.path.join(cls.dir, "www")
        os.makedirs(www)
        for name in ("bad", "good"):
            with open(os.path.join(www, f"{name}.html"), "wb") as f:
                f.write(Pages.pages[name])
        with open(os.path.join(www, "long-alert.txt"), "wb") as f:  # (text/plain: not gzipped)
            f.write(Pages.pages["long-alert"])
        cls.tls_port = harness.free_port()
        cls.nginx = Nginx(cls.dir, www, [(cls.tls_port, True, "gzip on; gzip_min_length 1;")])

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.origin.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start_warden(self, config_text=None, policy=None):
        config = None
        if config_text is not None:
            config = os.path.join(self.dir, f"{self.id().rsplit('.', 1)[1]}.toml")
            with open(config, "w") as f:
                f.write(config_text)
        warden = Warden("--policy", policy or self.policy, "--upstream-ca",
                        os.path.join(self.dir, "root.pem"), "--connect-port", str(self.tls_port),
                        config=config)
        self.addCleanup(warden.stop)
        return warden

    def get(self, warden, url, *args):
        """(status, body bytes) through `warden`, the body decoded as a browser would."""
        out = subprocess.run(["curl", "-sS", "--max-time", "20", "--noproxy", "", "-x",
                              f"http://127.0.0.1:{warden.port}", "--compressed", "--cacert",
                              os.path.join(warden.state, "ca.pem"), "-H", "Accept: text/html",
                              "-w", "\n%{http_code}", *args, url], capture_output=True)
        self.assertEqual(out.returncode, 0, out.stderr)
        body, _, status = out.stdout.rpartition(b"\n")
        return int(status), body

    def assert_blocked(self, status, body, category="Violence", rule="violent pages"):
        self.assertEqual(status, 403, body[:300])
        text = body.decode()
        self.assertIn(f'<dd id="category">{category}</dd>', text)
        self.assertIn(f'<dd id="rule">{rule}</dd>', text)
        for phrase in ("gore", "blood", "forbidden words"):
            self.assertNotIn(phrase, text.lower())  # the page names the rule, not the words

    def test_every_coding_and_framing(self):
        warden = self.start_warden()
        cases = [(e, f) for e in ("identity", "gzip", "deflate", "raw-deflate", "br", "zstd")
                 for f in ("length", "chunked", "close")]
        for encoding, framing in cases:
            with self.subTest(encoding=encoding, framing=framing):
                self.assert_blocked(*self.get(warden, f"{self.base}/bad/{encoding}/{framing}"))
                status, body = self.get(warden, f"{self.base}/good/{encoding}/{framing}")
                self.assertEqual((status, body), (200, Pages.pages["good"]))
        log = warden.wait_for_log(2 * len(cases))
        self.assertEqual(len(log), 2 * len(cases))
        blocked = [l for l in log if "/bad/" in l["path"]]
        self.assertTrue(all((l["decision"], l["rule"], l["category"], l["page_scan"],
                             l["page_score"], l["status"]) ==
                            ("block", "violent pages", "Violence", "complete", 150, 403)
                            for l in blocked), blocked)
        allowed = [l for l in log if "/good/" in l["path"]]
        self.assertTrue(all((l["decision"], l["page_scan"], l["page_score"], l["status"]) ==
                            ("allow", "complete", 0, 200) for l in allowed), allowed)

    def test_banned_phrases_and_good_phrases(self):
        warden = self.start_warden()
        self.assert_blocked(*self.get(warden, f"{self.base}/banned/gzip/chunked"),
                            category="Banned for the test")
        # 150 - 30: still over the limit, the good phrase only lowers the score.
        self.assert_blocked(*self.get(warden, f"{self.base}/history/identity/length"))
        log = warden.wait_for_log(2)
        self.assertEqual(sorted(l["page_score"] for l in log), [0, 120])

    def test_a_long_page_is_judged_on_its_first_bytes(self):
        warden = self.start_warden(config_text="[analysis]\nmax_scan_bytes = 8192\n")
        status, body = self.get(warden, f"{self.base}/long-clean/identity/chunked")
        self.assertEqual(status, 200)
        self.assertTrue(body == Pages.pages["long-clean"], len(body))  # whole, unchanged
        self.assert_blocked(*self.get(warden, f"{self.base}/long-bad/identity/close"))
        log = {l["path"].split("/")[1]: l for l in warden.wait_for_log(2)}
        self.assertEqual((log["long-clean"]["page_scan"], log["long-clean"]["page_score"]),
                         ("partial", 0))
        self.assertEqual(log["long-bad"]["page_scan"], "partial")

    def test_what_is_not_text_is_not_held(self):
        warden = self.start_warden()
        for kind in ("image/png", "text/event-stream", "text/css"):
            status, body = self.get(warden, f"{self.base}/bad/identity/chunked/{kind}")
            self.assertEqual((status, body), (200, Pages.pages["bad"]), kind)
        log = warden.wait_for_log(3)
        self.assertEqual([l.get("page_scan") for l in log], [None, None, None])

    def test_intercepted_https_over_http2_and_http1(self):
        warden = self.start_warden()
        base = f"https://localhost:{self.tls_port}"
        for version, proto in (("--http2", "h2"), ("--http1.1", None)):
            with self.subTest(version=version):
                self.assert_blocked(*self.get(warden, f"{base}/bad.html", version))
                self.assertEqual(self.get(warden, f"{base}/good.html", version),
                                 (200, Pages.pages["good"]))
        # (every curl is a CONNECT of its own too: wait for the four pages' lines)
        gets = lambda: [l for l in warden.wait_for_log(8) if l["method"] == "GET"]  # noqa: E731
        self.assertTrue(wait_until(lambda: len(gets()) == 4), warden.wait_for_log(8))
        pages = gets()
        self.assertEqual(sorted((l.get("proto", "h1"), l["path"], l["status"]) for l in pages),
                         [("h1", "/bad.html", 403), ("h1", "/good.html", 200),
                          ("h2", "/bad.html", 403), ("h2", "/good.html", 200)])
        # nginx compressed them (gzip on): scanned after decoding.
        self.assertEqual({l["page_score"] for l in pages if l["path"] == "/bad.html"}, {150})

    def test_pages_raise_alerts_over_http1_and_http2(self):
        policy = os.path.join(self.dir, "alerting.toml")
        with open(policy, "w") as f:  # scored for alerts, blocked only past 1000
            f.write('[[phrases]]\nname = "violent pages"\nweighted = ["weighted"]\n'
                    'limit = 1000\n\n[[alert]]\nname = "violent pages"\ncategory = "violence"\n'
                    'severity = "high"\npages = ["violence"]\npage_score = 100\n')
        warden = self.start_warden(config_text='[alerts]\ncontext_after = "1s"\n', policy=policy)
        base = f"https://localhost:{self.tls_port}"
        self.assertEqual(self.get(warden, f"{self.base}/good/gzip/length"),
                         (200, Pages.pages["good"]))
        self.assertEqual(self.get(warden, f"{self.base}/bad/gzip/chunked"),
                         (200, Pages.pages["bad"]))  # under the limit: sent, and an alert
        self.assertEqual(self.get(warden, f"{base}/bad.html", "--http2"),
                         (200, Pages.pages["bad"]))  # the same pupil and rule: a repeat
        alerts = warden.alert_log
        self.assertTrue(wait_until(lambda: len(alerts()) >= 2), warden.stderr_lines)
        # (a repeat is written when it happens, the alert once its context_after has passed)
        alert, repeat = sorted(alerts(), key=lambda a: a["event"])
        self.assertEqual({k: alert[k] for k in ("event", "rule", "category", "severity",
                                                "client", "decision", "matched")},
                         {"event": "alert", "rule": "violent pages", "category": "violence",
                          "severity": "high", "client": "127.0.0.1", "decision": "allow",
                          "matched": "page score 150 (Violence 150)"})
        self.assertEqual({k: alert["page"][k] for k in ("url", "score", "category")},
                         {"url": f"{self.base}/bad/gzip/chunked", "score": 150,
                          "category": "Violence"})
        self.assertNotIn("search", alert)
        self.assertEqual((repeat["event"], repeat["id"], repeat["count"],
                          repeat["page"]["url"]),
                         ("alert_repeat", alert["id"], 2, f"{base}/bad.html"))

    def test_the_rest_of_a_long_page_is_scanned_for_alerts(self):
        policy = os.path.join(self.dir, "alerting-long.toml")
        with open(policy, "w") as f:
            f.write(f'[[phrases]]\nname = "violent pages"\nweighted = ["weighted"]\n'
                    f'limit = 1000\n\n[[alert]]\ncategory = "violence"\npage_score = 100\n')
        warden = self.start_warden(policy=policy, config_text=(
            '[analysis]\nmax_scan_bytes = 8192\n[alerts]\ncontext_after = "1s"\n'))
        # The phrases are at the end, past the 8 KiB held: sent on whole, then an alert.
        for page, url, args in (
                ("long-alert", f"{self.base}/long-alert/identity/chunked", ()),
                ("long-alert-gzip", f"{self.base}/long-alert-gzip/gzip/length", ()),
                ("long-alert", f"https://localhost:{self.tls_port}/long-alert.txt", ("--http2",))):
            with self.subTest(url=url):
                status, body = self.get(warden, url, *args)
                self.assertEqual(status, 200)
                self.assertTrue(body == Pages.pages[page], len(body))
        alerts = warden.alert_log
        self.assertTrue(wait_until(lambda: len(alerts()) >= 3), (alerts(), warden.wait_for_log(4)))
        # (the same pupil and rule again: repeats. The gzipped page is scanned on from where the
        # hold stopped, not from its start again, which would break its decoding.)
        self.assertEqual(sorted((a["event"], a["page"]["url"].split(":")[0], a["page"]["score"])
                                for a in alerts()),
                         [("alert", "http", 150), ("alert_repeat", "http", 150),
                          ("alert_repeat", "https", 150)])
        self.assertEqual([a["decision"] for a in alerts() if a["event"] == "alert"], ["allow"])
        log = [l for l in warden.wait_for_log(4) if l["method"] == "GET"]
        self.assertEqual({(l["page_scan"], l["page_score"]) for l in log}, {("partial", 0)})

    def test_a_reload_with_a_broken_list_keeps_the_old_lists(self):
        folder = tempfile.mkdtemp(dir=self.dir)
        shutil.copy(os.path.join(self.dir, "weighted"), folder)
        policy = os.path.join(folder, "policy.toml")
        with open(policy, "w") as f:
            f.write(f'[[phrases]]\nname = "violent pages"\nweighted = ["weighted"]\n'
                    f'limit = {LIMIT}\n')
        warden = self.start_warden(policy=policy)
        with open(os.path.join(folder, "weighted"), "a") as f:
            f.write("<no weight here>\n")
        warden.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_until(lambda: any("weighted:7: expected a weight" in l
                                               for l in warden.stderr_lines)),
                        "".join(warden.stderr_lines))
        self.assert_blocked(*self.get(warden, f"{self.base}/bad/identity/length"))

    def test_e2guardians_own_lists(self):
        lists, why = e2guardian_lists()
        if lists is None:
            self.skipTest(why)
        weighted = sorted(glob.glob(os.path.join(lists, "*", "weighted*")))
        banned = sorted(glob.glob(os.path.join(lists, "*", "banned*")))
        exception = [os.path.join(lists, "goodphrases", "exception")]
        quoted = lambda files: ", ".join(f'"{f}"' for f in files)  # noqa: E731
        text = (f'[[phrases]]\nname = "e2guardian"\nweighted = [{quoted(weighted)}]\n'
                f'banned = [{quoted(banned)}]\nexception = [{quoted(exception)}]\nlimit = 160\n')
        strict = os.path.join(self.dir, "e2guardian-strict.toml")
        with open(strict, "w") as f:
            f.write(text)
        check = subprocess.run(harness.command("check", "--policy", strict, "http://x.test/"),
                               capture_output=True, text=True, timeout=120)
        self.assertNotEqual(check.returncode, 0)
        self.assertRegex(check.stderr, r"phraselists/[a-z]+/weighted[a-z_]*:\d+: expected a "
                                       r"weight")  # a line of Debian's own lists, by number
        lenient = os.path.join(self.dir, "e2guardian.toml")
        with open(lenient, "w") as f:
            f.write(text + "lenient = true\n")
        # A page made of the pornography list's own heaviest single phrases (read here, so the
        # repository holds none of them), and a page of ordinary school text.
        phrases = []
        with open(os.path.join(lists, "pornography", "weighted"), encoding="latin-1") as f:
            for line in f:
                m = re.match(r"<([a-z ]+)><(\d+)>", line)
                if m and int(m.group(2)) >= 60 and m.group(1).strip().isalpha():
                    phrases.append(m.group(1).strip())
        self.assertGreater(len(phrases), 3)
        Pages.pages["e2-bad"] = ("<html><body><p>" + " and ".join(phrases[:4]) +
                                 "</p></body></html>").encode()
        Pages.pages["e2-good"] = GOOD.encode()
        warden = self.start_warden(policy=lenient)
        self.assertTrue(wait_until(lambda: any("lines skipped (lenient)" in l
                                               for l in warden.banner.splitlines() +
                                               warden.stderr_lines)),
                        warden.banner)
        status, body = self.get(warden, f"{self.base}/e2-bad/gzip/chunked")
        self.assertEqual(status, 403, body[:200])
        self.assertIn('<dd id="rule">e2guardian</dd>', body.decode())
        self.assertEqual(self.get(warden, f"{self.base}/e2-good/br/length"),
                         (200, Pages.pages["e2-good"]))
        scores = {l["path"].split("/")[1]: l for l in warden.wait_for_log(2)}
        self.assertGreaterEqual(scores["e2-bad"]["page_score"], 160)
        self.assertEqual(scores["e2-bad"]["page_category"], "Pornography")
        self.assertLess(scores["e2-good"]["page_score"], 160)

    def test_the_page_corpus_with_e2guardians_default_lists(self):
        """tests/analysis/pages: each page decided as labels.tsv says, with e2guardian's lists as
        its package enables them (the top-level lists, their includes pointed at the cache)."""
        lists, why = e2guardian_lists()
        if lists is None:
            self.skipTest(why)
        top = os.path.dirname(lists)
        policy = os.path.join(self.dir, "e2guardian-default.toml")
        with open(policy, "w") as f:
            f.write('[[phrases]]\nname = "e2guardian"\nlimit = 160\nlenient = true\n')
            for kind in ("weighted", "banned", "exception"):
                with open(os.path.join(top, f"{kind}phraselist"), encoding="latin-1") as src:
                    text = src.read().replace("/etc/e2guardian/lists", top)
                mine = os.path.join(self.dir, f"{kind}phraselist")
                with open(mine, "w", encoding="latin-1") as dst:
                    dst.write(text)
                f.write(f'{kind} = ["{mine}"]\n')
        corpus = os.path.join(HERE, "..", "analysis", "pages")
        with open(os.path.join(corpus, "labels.tsv")) as f:
            labels = [l.rstrip("\n").split("\t") for l in f if not l.startswith("#")]
        self.assertGreater(len(labels), 20)
        warden = self.start_warden(policy=policy)
        for page, expected, why in labels:
            with open(os.path.join(corpus, page), "rb") as f:
                Pages.pages[page] = f.read()
            with self.subTest(page=page, why=why):
                status, body = self.get(warden, f"{self.base}/{page}/gzip/chunked/text/html")
                self.assertEqual("block" if status == 403 else "allow", expected, status)
                if expected == "allow":
                    self.assertEqual(body, Pages.pages[page])

    def test_chromium_shows_the_block_page(self):
        missing = [t for t in ("chromium", "certutil") if not shutil.which(t)]
        if missing:
            self.skipTest(f"{', '.join(missing)} not installed (scripts/install-deps.sh)")
        warden = self.start_warden()
        browser = harness.Chromium(tempfile.mkdtemp(dir=self.dir),
                                   os.path.join(warden.state, "ca.pem"), warden.port)
        url = f"https://localhost:{self.tls_port}/bad.html"
        out = browser.run(url, "--dump-dom")
        self.assertIn('<dd id="category">Violence</dd>', out.stdout, out.stderr[-2000:])
        self.assertIn("This page is blocked", out.stdout)
        good = browser.run(f"https://localhost:{self.tls_port}/good.html", "--dump-dom")
        self.assertIn("adding fractions", good.stdout, good.stderr[-2000:])
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "phrase-block-page.png")
        if os.path.exists(shot):
            os.unlink(shot)
        taken = browser.run(url, f"--screenshot={shot}", "--window-size=412,860",
                            "--hide-scrollbars")
        self.assertTrue(os.path.exists(shot) and os.path.getsize(shot) > 5000,
                        taken.stderr[-2000:])
        print(f"\nphrase-block-page.png: {shot}", file=sys.stderr)


if __name__ == "__main__":
    harness.main()
