#!/usr/bin/env python3
"""Search terms in the access log, end to end (docs/analysis.md): curl through the explicit
proxy to the engines' own names, which this test's mount namespace resolves to loopback, where
a plain HTTP origin (port 80) and nginx with HTTP/2 (port 443, a leaf for every engine's name)
answer. Over plain HTTP, over HTTPS intercepted with HTTP/1.1 and with HTTP/2, every listed
engine's search appears decoded in `search` (non-ASCII included), autocomplete as "partial";
a policy rule's `searches` blocks by words, with a page naming the rule (and `warden check`
agrees); with log.search = "off" no term reaches the log, not even in `path`; with "hash" the
log has the terms' HMAC under the installation's key (checked against the key file), the same
for the same words in any ASCII case, on any engine, and after a restart.
Needs root (a network and mount namespace of its own, ports 80 and 443, /etc/hosts bound over);
skips saying why otherwise."""
import hashlib
import hmac
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Nginx, Ok, ThreadingServer, Warden  # noqa: E402

IN_NETNS = harness.enter_network_namespace(private_mounts=True)
harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN

ENGINE_HOSTS = ["www.google.com", "www.google.co.uk", "www.youtube.com", "www.bing.com",
                "duckduckgo.com", "search.yahoo.com", "www.ecosia.org", "en.wikipedia.org",
                "search.brave.com", "www.qwant.com", "www.startpage.com", "html.duckduckgo.com"]

SAFE_HOSTS = ["forcesafesearch.google.com", "restrict.youtube.com", "strict.bing.com",
              "safe.duckduckgo.com"]

# (URL path and query, engine, kind, terms as logged)
SEARCHES = [
    ("www.google.com", "/search?q=caf%C3%A9+cr%C3%A8me&hl=fr", "google", "submitted",
     "caf\u00e9 cr\u00e8me"),
    ("www.google.co.uk", "/complete/search?q=how+to+dr&client=gws-wiz", "google", "partial",
     "how to dr"),
    ("www.youtube.com", "/results?search_query=minecraft+tutorial", "youtube", "submitted",
     "minecraft tutorial"),
    ("www.bing.com", "/search?q=%E4%B8%AD%E6%96%87", "bing", "submitted", "\u4e2d\u6587"),
    ("duckduckgo.com", "/?q=%F0%9F%90%B1+cats", "duckduckgo", "submitted", "\U0001f431 cats"),
    ("search.yahoo.com", "/search?p=football+results", "yahoo", "submitted", "football results"),
    ("www.ecosia.org", "/search?q=trees", "ecosia", "submitted", "trees"),
    ("en.wikipedia.org", "/w/index.php?search=photosynthesis", "wikipedia", "submitted",
     "photosynthesis"),
    ("search.brave.com", "/search?q=stars", "brave", "submitted", "stars"),
    ("www.qwant.com", "/?q=r%C3%A9vision", "qwant", "submitted", "r\u00e9vision"),
    ("www.startpage.com", "/sp/search?query=maths", "startpage", "submitted", "maths"),
]


def h2_frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + \
        payload


def read_h2_frame(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            more = sock.recv(n - len(data))
            if not more:
                raise AssertionError("the connection ended")
            data += more
        return data
    head = exactly(9)
    length = int.from_bytes(head[:3], "big")
    return head[3], head[4], int.from_bytes(head[5:9], "big") & 0x7fffffff, exactly(length)


class SearchTerms(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not IN_NETNS:
            raise unittest.SkipTest("needs root: the engines' names are pointed at loopback "
                                    "through /etc/hosts in a mount namespace of the test's own")
        missing = [t for t in ("nginx", "curl") if not shutil.which(t)]
        if missing:
            raise unittest.SkipTest(f"{', '.join(missing)} not installed "
                                    "(scripts/install-deps.sh installs them)")
        cls.dir = tempfile.mkdtemp(prefix="warden-search-")
        hosts = os.path.join(cls.dir, "hosts")
        with open(hosts, "w") as f:
            # (with the providers' safe addresses, where restricted modes send the engines)
            f.write("127.0.0.1 localhost " + " ".join(ENGINE_HOSTS + SAFE_HOSTS) + "\n")
        subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True)
        harness.make_origin_pki(cls.dir, ENGINE_HOSTS)
        www = os.path.join(cls.dir, "www")
        os.makedirs(www)
        # (YouTube's in-app search goes on to the plain origin, which keeps the bodies it gets)
        cls.nginx = Nginx(cls.dir, www, [("127.0.0.1:443", True,
                                          "location / { return 200 'ok'; } location /youtubei/ "
                                          "{ proxy_pass http://127.0.0.1:80; }")])
        cls.plain = ThreadingServer(("127.0.0.1", 80), Ok)
        threading.Thread(target=cls.plain.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.plain.shutdown()
        subprocess.run(["umount", "/etc/hosts"], check=False)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def start_warden(self, config_text="", *args, state=None):
        config = os.path.join(self.dir, f"warden-{self.id().rsplit('.', 1)[1]}.toml")
        with open(config, "w") as f:
            f.write(config_text)
        warden = Warden("--upstream-ca", os.path.join(self.dir, "root.pem"), *args,
                        config=config, state=state)
        self.addCleanup(warden.stop)
        return warden

    def fetch(self, warden, url, *args):
        out = warden.curl("--cacert", os.path.join(warden.state, "ca.pem"), "-o", "/dev/null",
                          "-w", "%{http_code} %{http_version}", *args, url)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout.split()

    def test_every_engine_over_plain_http(self):
        warden = self.start_warden()
        for host, target, *_ in SEARCHES:
            self.assertEqual(self.fetch(warden, f"http://{host}{target}")[0], "200")
        lines = warden.wait_for_log(len(SEARCHES))
        self.assertEqual(len(lines), len(SEARCHES))
        by_host = {l["host"]: l for l in lines}
        for host, target, engine, kind, terms in SEARCHES:
            line = by_host[host]
            self.assertEqual((line.get("search"), line.get("search_engine"),
                              line.get("search_kind")), (terms, engine, kind), line)
            self.assertEqual(line["path"], target)  # sent and logged as the pupil asked

    def test_intercepted_https_over_http1_and_http2(self):
        warden = self.start_warden()
        self.assertEqual(self.fetch(warden, "https://www.youtube.com/results?search_query=lofi",
                                    "--http2"), ["200", "2"])
        self.assertEqual(self.fetch(warden, "https://www.google.com/search?q=%C3%BCbung",
                                    "--http1.1"), ["200", "1.1"])
        lines = [l for l in warden.wait_for_log(4) if l["method"] == "GET"]
        h2 = next(l for l in lines if l["host"] == "www.youtube.com")
        h1 = next(l for l in lines if l["host"] == "www.google.com")
        self.assertEqual(h2.get("proto"), "h2")
        self.assertEqual((h2["scheme"], h2.get("search"), h2.get("search_kind")),
                         ("https", "lofi", "submitted"))
        self.assertEqual((h1["scheme"], h1.get("search"), h1.get("search_engine")),
                         ("https", "\u00fcbung", "google"))

    def test_a_policy_rule_blocks_searches_by_their_words(self):
        policy = os.path.join(self.dir, "policy.toml")
        with open(policy, "w") as f:
            f.write('[[rule]]\nname = "weapons searches"\naction = "block"\n'
                    'searches = ["make bomb"]\n')
        warden = self.start_warden("", "--policy", policy)
        ca = os.path.join(warden.state, "ca.pem")
        for url, extra in (("http://www.bing.com/search?q=how+to+MAKE+a+bomb", ()),
                           ("https://www.google.com/complete/search?q=bomb+make", ("--http2",))):
            out = warden.curl("--cacert", ca, "-H", "Accept: text/html", "-w", "\n%{http_code}",
                              *extra, url)
            self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
            self.assertIn("weapons searches", out.stdout)  # the rule, never the words
            self.assertNotIn("bomb", out.stdout.lower())
        self.assertEqual(self.fetch(warden, "http://www.bing.com/search?q=bombastic+make")[0],
                         "200")
        lines = [l for l in warden.wait_for_log(4) if l["method"] == "GET"]
        # (each curl is its own connection: the two workers' lines may come in either order)
        self.assertEqual(sorted((l.get("decision"), l.get("rule"), l.get("search")) for l in lines),
                         [("allow", "default", "bombastic make"),
                          ("block", "weapons searches", "bomb make"),
                          ("block", "weapons searches", "how to MAKE a bomb")])
        check = subprocess.run(harness.command("check", "--policy", policy,
                                               "https://www.google.com/search?q=make+a+bomb",
                                               "https://www.google.com/search?q=make+a+cake"),
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(check.stdout.splitlines(), [
            "https://www.google.com/search?q=make+a+bomb block weapons searches -",
            "https://www.google.com/search?q=make+a+cake allow default -",
            "  connects to forcesafesearch.google.com (the name kept)"])

    def test_searches_posted_in_the_body_are_read_judged_and_passed_on_whole(self):
        policy = os.path.join(self.dir, "policy-posted.toml")
        with open(policy, "w") as f:
            f.write('[[rule]]\nname = "weapons searches"\naction = "block"\n'
                    'searches = ["make bomb"]\n')
        warden = self.start_warden("", "--policy", policy)
        form = "q=caf%C3%A9+cr%C3%A8me&b=&kl=uk-en"
        Ok.posted.clear()
        self.assertEqual(self.fetch(warden, "http://html.duckduckgo.com/html/", "--data", form)[0],
                         "200")
        self.assertEqual(Ok.posted, [form.encode()])  # the body went on as it was sent
        youtube = ('{"context":{"client":{"clientName":"WEB","hl":"en"}},'
                   '"query":"minecraft \\u00e9 tutorial","params":"EgIQAQ%3D%3D"}')
        for version in ("--http2", "--http1.1"):
            self.assertEqual(self.fetch(warden, "https://www.youtube.com/youtubei/v1/search?key=k",
                                        version, "-H", "Content-Type: application/json",
                                        "--data", youtube)[0], "200")
        self.assertEqual(Ok.posted[1:], [youtube.encode()] * 2)  # held over h2, then sent whole
        self.assertEqual(self.fetch(warden, "https://www.startpage.com/sp/search", "--http2",
                                    "--data", "query=how+to+make+a+bomb&cat=web")[0], "403")
        # (seven lines: the four POSTs and the three intercepted tunnels' own)
        lines = [l for l in warden.wait_for_log(7) if l["method"] == "POST"]
        self.assertEqual(sorted((l["host"], l.get("proto", "http/1.1"), l.get("search"),
                                 l.get("search_engine"), l["decision"]) for l in lines), [
            ("html.duckduckgo.com", "http/1.1", "caf\u00e9 cr\u00e8me", "duckduckgo", "allow"),
            ("www.startpage.com", "h2", "how to make a bomb", "startpage", "block"),
            ("www.youtube.com", "h2", "minecraft \u00e9 tutorial", "youtube", "allow"),
            ("www.youtube.com", "http/1.1", "minecraft \u00e9 tutorial", "youtube", "allow")])

    def test_a_posted_search_that_cannot_be_read_whole_is_refused_not_passed_unseen(self):
        warden = self.start_warden()
        ddg = "http://html.duckduckgo.com/html/"
        # Expect: 100-continue is answered, then the body read and judged as usual.
        Ok.posted.clear()
        self.assertEqual(self.fetch(warden, ddg, "-H", "Expect: 100-continue",
                                    "--data", "q=expect+continue")[0], "200")
        self.assertEqual(Ok.posted, [b"q=expect+continue"])
        for extra in (["-H", "Transfer-Encoding: chunked", "--data", "q=chunked+words"],
                      ["-H", "Content-Encoding: gzip", "--data", "q=gzip+words"],
                      ["--data", "q=" + "a" * (64 * 1024)]):
            self.assertEqual(self.fetch(warden, ddg, *extra)[0], "413", extra[:2])
        self.assertEqual(self.fetch(warden, "https://www.youtube.com/youtubei/v1/search",
                                    "--http2", "-H", "Content-Type: application/json",
                                    "--data", '{"query":"' + "a" * (64 * 1024) + '"}')[0], "413")
        self.assertEqual(len(Ok.posted), 1)  # none of them reached the origin
        lines = [l for l in warden.wait_for_log(6) if l["method"] == "POST"]
        self.assertEqual(sorted(l["status"] for l in lines), [200, 413, 413, 413, 413])
        self.assertEqual([l.get("search") for l in lines if l["status"] == 200],
                         ["expect continue"])

    def test_a_posted_search_whose_body_never_comes_is_answered_in_time(self):
        warden = self.start_warden('[timeouts]\nbody_idle = "1s"\n')
        # An HTTP/2 POST to YouTube's search whose head comes and whose body never does: the
        # held stream must be answered (408) rather than wait for ever. (curl cannot be made to
        # stop half-way: it reads a body from a pipe before it reads any answer.)
        with socket.create_connection(("127.0.0.1", warden.port), timeout=10) as raw:
            raw.sendall(b"CONNECT www.youtube.com:443 HTTP/1.1\r\nHost: www.youtube.com:443\r\n\r\n")
            self.assertIn(b" 200 ", raw.recv(1024))
            ctx = ssl.create_default_context(cafile=os.path.join(warden.state, "ca.pem"))
            ctx.set_alpn_protocols(["h2"])
            with ctx.wrap_socket(raw, server_hostname="www.youtube.com") as tls:
                self.assertEqual(tls.selected_alpn_protocol(), "h2")
                fields = [(":method", "POST"), (":scheme", "https"),
                          (":authority", "www.youtube.com"), (":path", "/youtubei/v1/search"),
                          ("content-type", "application/json")]
                block = b"".join(b"\x00" + bytes([len(n)]) + n.encode() + bytes([len(v)]) +
                                 v.encode() for n, v in fields)  # HPACK literals, not indexed
                tls.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2_frame(4, 0, 0, b"") +
                            h2_frame(1, 0x4, 1, block))  # SETTINGS; HEADERS, no END_STREAM
                answered = False
                while not answered:  # (the socket's 10 s timeout bounds this)
                    kind, flags, stream, payload = read_h2_frame(tls)
                    if kind == 4 and not flags & 1:
                        tls.sendall(h2_frame(4, 1, 0, b""))  # SETTINGS ACK
                    answered = kind == 1 and stream == 1
        line = next(l for l in warden.wait_for_log(2) if l["method"] == "POST")
        self.assertEqual((line["status"], line.get("error")), (408, "ERR_BODY_TIMEOUT"))

    def test_off_keeps_terms_out_of_the_log_entirely_and_still_judges_them(self):
        policy = os.path.join(self.dir, "policy-off.toml")
        with open(policy, "w") as f:
            f.write('[[rule]]\nname = "no"\naction = "block"\nsearches = ["forbidden thing"]\n')
        warden = self.start_warden('[log]\nsearch = "off"\n', "--policy", policy)
        self.assertEqual(self.fetch(warden, "http://www.google.com/search?hl=en&q=secret+words")[0],
                         "200")
        self.assertEqual(self.fetch(warden, "http://www.google.com/maps?q=london")[0], "200")
        self.assertEqual(self.fetch(warden, "http://www.google.com/search?q=forbidden+thing")[0],
                         "403")
        lines = warden.wait_for_log(3)
        with open(warden.access_log) as f:
            raw = f.read()
        for word in ("secret", "forbidden", "search_"):
            self.assertNotIn(word, raw)
        self.assertEqual(sorted((l["path"], l["decision"]) for l in lines),
                         [("/maps?q=london", "allow"),  # not a search: the query as it was
                          ("/search?hl=en&q=-", "allow"), ("/search?q=-", "block")])
    def test_hash_logs_a_keyed_hash_the_same_for_the_same_words(self):
        warden = self.start_warden('[log]\nsearch = "hash"\n')
        with open(os.path.join(warden.state, "search-hash.key")) as f:
            key = bytes.fromhex(f.read().strip())
        self.assertEqual(len(key), 32)
        self.assertEqual(os.stat(os.path.join(warden.state, "search-hash.key")).st_mode & 0o077, 0)
        for url in ("http://www.google.com/search?hl=en&q=Secret+Words",
                    "https://www.bing.com/search?q=secret+words",
                    "http://www.google.com/search?q=other"):
            self.assertEqual(self.fetch(warden, url)[0], "200")
        lines = [l for l in warden.wait_for_log(4) if l["method"] == "GET"]  # and one CONNECT
        with open(warden.access_log) as f:
            raw = f.read()
        for word in ("Secret", "secret", "other", '"search"'):
            self.assertNotIn(word, raw)
        expected = {t: hmac.new(key, t.encode(), hashlib.sha256).hexdigest()[:32]
                    for t in ("secret words", "other")}
        self.assertEqual(
            sorted((l["host"], l["path"], l["search_hash"], l["search_engine"]) for l in lines),
            sorted([("www.google.com", "/search?hl=en&q=-", expected["secret words"], "google"),
                    ("www.bing.com", "/search?q=-", expected["secret words"], "bing"),
                    ("www.google.com", "/search?q=-", expected["other"], "google")]))
        warden.stop()
        again = self.start_warden('[log]\nsearch = "hash"\n', state=warden.state)
        self.assertEqual(self.fetch(again, "http://www.google.com/search?q=SECRET+words")[0], "200")
        self.assertEqual(again.wait_for_log(1)[0]["search_hash"], expected["secret words"])

if __name__ == "__main__":
    harness.main()
