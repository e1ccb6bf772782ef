#!/usr/bin/env python3
"""Transparent capture end to end, through real kernel paths, in network namespaces this test
creates (198.18.0.0/15 and 2001:db8::/32 inside them only) and always removes:

  gateway:   client ns -> router ns (Warden: redirect, then tproxy) -> server ns
  on-device: device ns (Warden: local, and curl) -> web ns

The client is plain `curl` with no proxy settings, trusting the school CA; the names resolve
through /etc/netns/<ns>/hosts. Asserts the certificate curl saw was issued by the school CA,
the access log's capture mode and original destination, that the origin saw the request (and
from whom), IPv6, QUIC and DNS-over-TLS refused, a name dialled at another server's address
served from the name's own server, non-HTTP bytes reset, and fail-closed / fail-open stops.

Needs root and `ip netns`; skips (exit 77) saying why otherwise, except under CI=true as root,
where a skip is a failure."""

import http.server
import json
import os
import shutil
import signal
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Netns, WardenInNs, sh, wait_until  # noqa: E402

NAME = "www.school-test.example"  # the origin's name (TLS certificate and hosts files)
GAMES = "games.school-test.example"  # the same server under a name the test policy blocks
ROUTER = ("198.18.2.1", "2001:db8:2::1")  # the gateway's addresses on the server side
DEVICE = ("198.18.10.1", "2001:db8:10::1")


# ---- the origin, run inside the server namespace as `capture_test.py --origin ...` ----

class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    label = "origin"

    def do_GET(self):
        body = f"{self.label} path={self.path} peer={self.client_address[0]}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        # An HTTP/3 offer on another port, beside an h2 one (Warden removes the first).
        self.send_header("Alt-Svc", 'h3=":8443"; ma=3600, h2=":443"; ma=3600')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, handler)


# Web servers on ports other than 80 and 443 (3128 stands for an outside proxy).
OTHER_HTTP_PORTS = (8080, 8000, 3128, 45678)
OTHER_TLS_PORT = 8443


def run_origin(label, tls_dir, *binds):
    """Serves HTTP on port 80 and HTTPS on 443 of each address, and on the other web ports of
    the first; prints "ready" when listening."""
    Echo.label = label
    servers = []
    for i, address in enumerate(binds):
        ports = [(80, False), (443, True)]
        if i == 0:
            ports += [(p, False) for p in OTHER_HTTP_PORTS] + [(OTHER_TLS_PORT, True)]
        for port, secure in ports:
            server = Server((address, port), Echo)
            if secure:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(os.path.join(tls_dir, "leaf.pem"),
                                    os.path.join(tls_dir, "leaf.key"))
                server.socket = ctx.wrap_socket(server.socket, server_side=True)
            servers.append(server)
            threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()  # until killed


def run_banner(address, port, banner):
    """A server that speaks first (an SMTP or SSH banner), then answers each line with "250 "
    and the line."""
    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            self.wfile.write(banner.encode() + b"\r\n")
            while line := self.rfile.readline():
                self.wfile.write(b"250 " + line)

    class TcpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
    server = TcpServer((address, int(port)), Handler)
    print("ready", flush=True)
    server.serve_forever()


def run_udp_echo(address, *ports):
    """UDP echo on each port: what QUIC or DNS would reach."""
    for port in ports:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((address, int(port)))

        def serve(s=sock):
            while True:
                data, peer = s.recvfrom(2048)
                s.sendto(data, peer)
        threading.Thread(target=serve, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


def run_echo(address, port):
    """A TCP echo server: stands for a protocol Warden cannot read (SSH, a VPN)."""
    class Handler(socketserver.BaseRequestHandler):
        def handle(self):
            while data := self.request.recv(4096):
                self.request.sendall(data)

    class TcpServer(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True
    server = TcpServer((address, int(port)), Handler)
    print("ready", flush=True)
    server.serve_forever()


def curl(net, ns, *args):
    return net.run(ns, "curl", "-sS", "-v", "--max-time", "8", *args)


def issuer(out):
    for line in out.stderr.splitlines():
        if line.strip().startswith("*  issuer:"):
            return line.split("issuer:", 1)[1].strip()
    return ""


# ---- the tests ----

class Capture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = None
        if os.geteuid() != 0:
            why = "needs root (network namespaces, nftables)"
        elif not shutil.which("nft"):
            why = "nftables is not installed (scripts/install-deps.sh installs it)"
        elif sh("ip", "netns", "list", check=False).returncode != 0:
            why = "`ip netns` does not work here"
        if why:
            if os.environ.get("CI") == "true" and os.geteuid() == 0:
                raise AssertionError("CI=true as root, but: " + why)
            raise unittest.SkipTest(why)
        cls.dir = tempfile.mkdtemp(prefix="warden-capture-")
        os.makedirs(os.path.join(cls.dir, "pki"))
        harness.make_origin_pki(os.path.join(cls.dir, "pki"), NAME)
        cls.net = Netns()
        try:
            cls.build_topology()
        except Exception:
            cls.net.cleanup()
            raise

    @classmethod
    def build_topology(cls):
        n = cls.net
        cls.cli, cls.rtr, cls.srv = n.ns("cli"), n.ns("rtr"), n.ns("srv")
        cls.dev, cls.web = n.ns("dev"), n.ns("web")
        t = n.tag
        # gateway
        n.link(cls.cli, "cli0", cls.rtr, f"{t}c")
        n.link(cls.srv, "srv0", cls.rtr, f"{t}s")
        n.addr(cls.cli, "cli0", "198.18.1.2/24", "2001:db8:1::2/64")
        n.addr(cls.rtr, f"{t}c", "198.18.1.1/24", "2001:db8:1::1/64")
        n.addr(cls.rtr, f"{t}s", "198.18.2.1/24", "2001:db8:2::1/64")
        n.addr(cls.srv, "srv0", "198.18.2.2/24", "198.18.2.3/24", "2001:db8:2::2/64")
        n.addr(cls.srv, "lo", "169.254.169.254/32")  # a cloud metadata service behind the gateway
        sh("ip", "-n", cls.rtr, "route", "add", "169.254.169.254/32", "via", "198.18.2.2")
        sh("ip", "-n", cls.cli, "route", "add", "default", "via", "198.18.1.1")
        sh("ip", "-n", cls.cli, "-6", "route", "add", "default", "via", "2001:db8:1::1")
        sh("ip", "-n", cls.srv, "route", "add", "default", "via", "198.18.2.1")
        sh("ip", "-n", cls.srv, "-6", "route", "add", "default", "via", "2001:db8:2::1")
        sh("ip", "netns", "exec", cls.rtr, "sysctl", "-qw", "net.ipv4.ip_forward=1",
           "net.ipv6.conf.all.forwarding=1")
        for ns in (cls.cli, cls.rtr):
            n.hosts(ns, f"198.18.2.2 {NAME} {GAMES}\n2001:db8:2::2 {NAME}\n")
        # on-device
        n.link(cls.dev, "dev0", cls.web, "web0")
        n.addr(cls.dev, "dev0", "198.18.10.1/24", "2001:db8:10::1/64")
        n.addr(cls.web, "web0", "198.18.10.2/24", "2001:db8:10::2/64")
        sh("ip", "-n", cls.dev, "route", "add", "default", "via", "198.18.10.2")
        sh("ip", "-n", cls.dev, "-6", "route", "add", "default", "via", "2001:db8:10::2")
        n.hosts(cls.dev, f"198.18.10.2 {NAME} {GAMES}\n2001:db8:10::2 {NAME}\n")
        # origins: the real server, a second ("other") one, and the web for the device
        pki = os.path.join(cls.dir, "pki")
        me = os.path.abspath(__file__)
        for args in (("--echo", "198.18.2.3", "2222"),
                     ("--banner", "198.18.2.2", "2525", "220 mail.school-test.example ESMTP"),
                     ("--banner", "198.18.2.2", "2626", "Welcome to the games server"),
                     ("--banner", "198.18.2.2", "22", "SSH-2.0-TestServer"),
                     ("--udp-echo", "198.18.2.2", "53", "8443")):
            p = n.spawn(cls.srv, sys.executable, me, *args, stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"
        for ns, label, binds in ((cls.srv, "origin", ["198.18.2.2", "2001:db8:2::2",
                                                      "169.254.169.254"]),
                                 (cls.srv, "other", ["198.18.2.3"]),
                                 (cls.web, "origin", ["198.18.10.2", "2001:db8:10::2"])):
            p = n.spawn(ns, sys.executable, me, "--origin", label, pki, *binds,
                        stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"

    @classmethod
    def tearDownClass(cls):
        cls.net.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def warden(self, ns, *args, config=""):
        folder = tempfile.mkdtemp(dir=self.dir)
        w = WardenInNs(self.net, ns, folder, "--upstream-ca",
                       os.path.join(self.dir, "pki", "root.pem"), *args, config=config)
        self.addCleanup(lambda: w.proc.poll() is None and w.stop())
        self.addCleanup(lambda: self.net.run(ns, "nft", "delete", "table", "inet", "warden"))
        return w

    def assert_intercepted(self, w, ns, url, mode, orig_dst, peer, *curl_args):
        out = curl(self.net, ns, "--cacert", w.ca, *curl_args, url)
        self.assertEqual(out.returncode, 0, out.stderr[-1500:])
        self.assertIn(f"origin path=/", out.stdout)
        # The origin saw Warden, not the client (either family: a pooled upstream connection
        # to the same name may serve the next request).
        self.assertTrue(any(f"peer={p}" in out.stdout for p in peer), (peer, out.stdout))
        if url.startswith("https"):
            self.assertIn("Web Filter CA", issuer(out), out.stderr[-1500:])
        path = "/" + url.split("/", 3)[3]
        line = w.log_line(path=path)
        self.assertEqual(line["capture"], mode, line)
        self.assertEqual(line["orig_dst"], orig_dst, line)
        self.assertEqual(line["status"], 200, line)

    def test_gateway_redirect_v4_v6_http_https(self):
        w = self.warden(self.rtr, "--capture", "redirect")
        self.assertIn("Transparent capture (redirect)", w.banner)
        self.assert_intercepted(w, self.cli, f"http://{NAME}/r4", "redirect", "198.18.2.2:80",
                                ROUTER, "-4")
        self.assert_intercepted(w, self.cli, f"https://{NAME}/r4s", "redirect",
                                "198.18.2.2:443", ROUTER, "-4")
        self.assert_intercepted(w, self.cli, f"http://{NAME}/r6", "redirect",
                                "[2001:db8:2::2]:80", ROUTER, "-6")
        self.assert_intercepted(w, self.cli, f"https://{NAME}/r6s", "redirect",
                                "[2001:db8:2::2]:443", ROUTER, "-6")

    def test_the_ca_page_is_served_on_the_transparent_path(self):
        """A pupil's device that does not trust the school CA yet fetches it over plain HTTP by
        the CA page's name, which the school's DNS points anywhere through the gateway (here an
        address no server has): Warden answers it, nothing is forwarded."""
        w = self.warden(self.rtr, "--capture", "redirect")
        nowhere = ("--resolve", "warden.internal:80:198.18.2.99")
        page = curl(self.net, self.cli, *nowhere, "http://warden.internal/")
        self.assertEqual(page.returncode, 0, page.stderr[-800:])
        self.assertIn("Install the school", page.stdout)
        pem = curl(self.net, self.cli, *nowhere, "http://warden.internal/ca.pem")
        with open(w.ca) as f:
            self.assertEqual(pem.stdout, f.read())
        line = w.log_line(path="/ca.pem")
        self.assertEqual((line["capture"], line["rule"], line["status"]),
                         ("redirect", "ca_page", 200), line)
        self.assertEqual(line["orig_dst"], "198.18.2.99:80", line)

    def test_gateway_tproxy_v4_v6(self):
        w = self.warden(self.rtr, "--capture", "tproxy")
        self.assert_intercepted(w, self.cli, f"https://{NAME}/t4s", "tproxy", "198.18.2.2:443",
                                ROUTER, "-4")
        self.assert_intercepted(w, self.cli, f"http://{NAME}/t6", "tproxy", "[2001:db8:2::2]:80",
                                ROUTER, "-6")

    def test_on_device_local_v4_v6_without_a_loop(self):
        w = self.warden(self.dev, "--capture", "local")
        self.assert_intercepted(w, self.dev, f"https://{NAME}/l4s", "local", "198.18.10.2:443",
                                DEVICE, "-4")
        self.assert_intercepted(w, self.dev, f"http://{NAME}/l6", "local",
                                "[2001:db8:10::2]:80", DEVICE, "-6")
        # No loop: Warden's own upstream connections were not captured again (one line per
        # request, each from the device's curl).
        lines = [l for l in w.log() if l.get("path") in ("/l4s", "/l6")]
        self.assertEqual(len(lines), 2, w.log())
        self.assertFalse(any(l.get("error") == "ERR_LOOP_DETECTED" for l in w.log()), w.log())

    def test_quic_and_dot_are_refused(self):
        probe = ("import socket,sys\n"
                 "fam=socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET\n"
                 "u=socket.socket(fam,socket.SOCK_DGRAM);u.settimeout(3)\n"
                 "try:\n u.connect((sys.argv[1],443));u.send(b'quic');u.recv(10);print('udp-open')\n"
                 "except OSError as e: print('udp', e.errno)\n"
                 "t=socket.socket(fam,socket.SOCK_STREAM);t.settimeout(3)\n"
                 "try:\n t.connect((sys.argv[1],853));print('dot-open')\n"
                 "except OSError as e: print('dot', e.errno)\n")
        w = self.warden(self.rtr, "--capture", "redirect")
        for addr in ("198.18.2.2", "2001:db8:2::2"):
            out = self.net.run(self.cli, sys.executable, "-c", probe, addr)
            self.assertEqual(out.stdout.split("\n")[:2], ["udp 111", "dot 111"],
                             (addr, out.stdout, out.stderr))  # ECONNREFUSED, at once
        w.stop()
        w2 = self.warden(self.dev, "--capture", "local")
        out = self.net.run(self.dev, sys.executable, "-c", probe, "198.18.10.2")
        self.assertEqual(out.stdout.split("\n")[0], "udp 1", out.stdout)  # EPERM on the device
        w2.stop()

    def test_nghttp_through_the_transparent_path_gets_h2_and_trailers(self):
        if not (shutil.which("nghttp") and shutil.which("nginx")):
            self.skipTest("nghttp or nginx missing (scripts/install-deps.sh installs them)")
        pki = os.path.join(self.dir, "pki")
        www = tempfile.mkdtemp(dir=self.dir)
        with open(os.path.join(www, "index.html"), "w") as f:
            f.write("h2 through capture\n")
        trailer = 'location /t { add_trailer x-sum abc; return 200 "t\\n"; }'
        origin = harness.Nginx(pki, www, [("198.18.2.2:8444", True, trailer),
                                          ("[2001:db8:2::2]:8444", True, trailer)],
                               netns=self.srv)
        self.addCleanup(origin.stop)
        w = self.warden(self.rtr, "--capture", "redirect",
                        config="[capture]\nports = [80, 443, 8444]\n")
        # (nghttp verifies nothing; the access log and the origin's log say who spoke what.)
        out = self.net.run(self.cli, "nghttp", "-v", "-t", "8", f"https://{NAME}:8444/t",
                           f"https://{NAME}:8444/index.html")
        self.assertEqual(out.returncode, 0, out.stdout[-2000:] + out.stderr[-1000:])
        self.assertIn("h2 through capture", out.stdout, (out.stdout, w.log(), w.stderr_lines))
        self.assertIn("x-sum: abc", out.stdout)  # the trailer, after the body
        t = w.log_line(path="/t")
        index = w.log_line(path="/index.html")
        for line in (t, index):
            self.assertEqual((line["proto"], line["capture"], line["status"]),
                             ("h2", "redirect", 200), line)
            self.assertIn(line["orig_dst"], ("198.18.2.2:8444", "[2001:db8:2::2]:8444"), line)
        self.assertEqual(t["conn"], index["conn"])
        self.assertIn(("GET", "/t", "HTTP/2.0", "200"), origin.requests())

    def test_pages_are_scanned_and_raise_alerts_on_the_transparent_path(self):
        if not shutil.which("nginx"):
            self.skipTest("nginx missing (scripts/install-deps.sh installs it)")
        pki = os.path.join(self.dir, "pki")
        www = tempfile.mkdtemp(dir=self.dir)
        with open(os.path.join(www, "bad.html"), "w") as f:
            f.write("<html><body><p>So much g<b>ore</b> and a blood bath.</p></body></html>")
        with open(os.path.join(www, "good.html"), "w") as f:
            f.write("<html><body><p>Adding fractions.</p></body></html>")
        origin = harness.Nginx(pki, www, [("198.18.2.2:8444", True, "gzip on;"),
                                          ("[2001:db8:2::2]:8444", True, "gzip on;"),
                                          ("198.18.2.2:8081", None, "gzip on;"),
                                          ("[2001:db8:2::2]:8081", None, "gzip on;")],
                               netns=self.srv)
        self.addCleanup(origin.stop)
        folder = tempfile.mkdtemp(dir=self.dir)
        with open(os.path.join(folder, "violence"), "w") as f:
            f.write('#listcategory: "Violence"\n<gore><60>\n<blood>,<bath><50>\n')
        policy = os.path.join(folder, "policy.toml")
        with open(policy, "w") as f:
            f.write('[[phrases]]\nname = "violent pages"\nweighted = ["violence"]\n'
                    'limit = 100\n\n[[alert]]\nname = "violence seen"\ncategory = "violence"\n'
                    'page_score = 100\n')
        w = self.warden(self.rtr, "--capture", "redirect", "--policy", policy,
                        config='[capture]\nports = [80, 443, 8081, 8444]\n'
                               '[alerts]\ncontext_after = "1s"\n')
        for url, args in ((f"http://{NAME}:8081/bad.html", ()),
                          (f"https://{NAME}:8444/bad.html", ("--http2",)),
                          (f"https://{NAME}:8444/bad.html", ("--http1.1",))):
            with self.subTest(url=url, args=args):
                out = curl(self.net, self.cli, "--cacert", w.ca, "--compressed", "-H",
                           "Accept: text/html", *args, url)
                self.assertIn('<dd id="rule">violent pages</dd>', out.stdout, out.stderr[-800:])
        out = curl(self.net, self.cli, "--cacert", w.ca, "--compressed",
                   f"https://{NAME}:8444/good.html")
        self.assertIn("Adding fractions.", out.stdout, out.stderr[-800:])
        pages = lambda: [l for l in w.log() if l.get("page_scan")]  # noqa: E731
        self.assertTrue(wait_until(lambda: len(pages()) == 4), w.log())
        pages = pages()
        self.assertEqual(sorted((l["capture"], l["path"], l["status"], l["page_score"])
                                for l in pages),
                         [("redirect", "/bad.html", 403, 110)] * 3 +
                         [("redirect", "/good.html", 200, 0)], pages)
        alerts = w.alert_log
        self.assertTrue(wait_until(lambda: any(a["event"] == "alert" for a in alerts())),
                        alerts())
        alert = next(a for a in alerts() if a["event"] == "alert")
        self.assertEqual((alert["rule"], alert["decision"], alert["page"]["score"]),
                         ("violence seen", "block", 110))
        self.assertIn(alert["client"], ("198.18.1.2", "2001:db8:1::2"))  # the pupil, not Warden

    def test_a_name_dialled_at_another_server_is_served_by_its_own(self):
        w = self.warden(self.rtr, "--capture", "redirect")
        for url in (f"http://{NAME}/mismatch", f"https://{NAME}/mismatch-tls"):
            port = 443 if url.startswith("https") else 80
            out = curl(self.net, self.cli, "--cacert", w.ca, "--resolve",
                       f"{NAME}:{port}:198.18.2.3", url)
            self.assertEqual(out.returncode, 0, out.stderr[-1500:])
            self.assertTrue(out.stdout.startswith("origin path="), out.stdout)  # never "other"
            # (For TLS the connection's line, method "TLS", carries it.)
            want = {"method": "TLS"} if port == 443 else {"path": "/mismatch"}
            line = w.log_line(orig_dst=f"198.18.2.3:{port}", **want)
            self.assertEqual(line.get("error"), "ERR_DEST_MISMATCH", line)

    def test_a_host_naming_another_port_is_refused(self):
        # Port 8080 is not captured (and could be closed by egress.deny_other): a Host header
        # must not open it through Warden.
        w = self.warden(self.rtr, "--capture", "redirect")
        out = curl(self.net, self.cli, "-4", "-H", f"Host: {NAME}:8080", f"http://{NAME}/port",
                   "-o", "/dev/null", "-w", "%{http_code}")
        self.assertEqual(out.stdout, "421", out.stderr[-800:])
        line = w.log_line(status=421)
        self.assertEqual(line["orig_dst"], "198.18.2.2:80")

    def test_a_denied_destination_is_refused_on_the_transparent_path(self):
        url = "http://169.254.169.254/latest/meta-data/"
        # Without Warden the gateway routes to it.
        self.assertTrue(self.reaches_origin(self.cli, url))
        w = self.warden(self.rtr, "--capture", "redirect")
        out = curl(self.net, self.cli, "-w", "\n%{http_code}", url)
        self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
        self.assertIn("ERR_DESTINATION_DENIED", out.stdout)
        self.assertNotIn("origin path=", out.stdout)
        line = w.log_line(path="/latest/meta-data/")
        self.assertEqual((line["orig_dst"], line["error"], line["status"]),
                         ("169.254.169.254:80", "ERR_DESTINATION_DENIED", 403), line)

    # ---- every port (issue 18) ----

    POLICY = ('[[rule]]\nname = "no games"\naction = "block"\n'
              f'domains = ["{GAMES}"]\n\n'
              '[[rule]]\nname = "no games server"\naction = "block"\nprotocol = "other"\n'
              'ports = [2626]\n')

    def warden_with_policy(self, config="", ns=None, mode="redirect"):
        policy = os.path.join(self.dir, "ports-policy.toml")
        with open(policy, "w") as f:
            f.write(self.POLICY)
        return self.warden(ns or self.rtr, "--capture", mode, "--policy", policy, config=config)

    def test_on_the_device_every_port_is_judged_too(self):
        w = self.warden_with_policy(ns=self.dev, mode="local")
        out = curl(self.net, self.dev, "-4", "-w", "\n%{http_code}", f"http://{GAMES}:8080/d")
        self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
        line = w.log_line(path="/d")
        self.assertEqual((line["capture"], line["rule"], line["orig_dst"]),
                         ("local", "no games", "198.18.10.2:8080"), line)
        out = curl(self.net, self.dev, "-4", f"http://{NAME}:45678/d-ok")
        self.assertIn("origin path=/d-ok", out.stdout, out.stderr)
        self.assertEqual(w.log_line(path="/d-ok")["orig_dst"], "198.18.10.2:45678")

    def test_a_blocked_host_is_blocked_on_every_port(self):
        w = self.warden_with_policy()
        self.assertIn("every TCP port", w.banner)
        for port in OTHER_HTTP_PORTS:
            with self.subTest(port=port):
                out = curl(self.net, self.cli, "-4", "-w", "\n%{http_code}",
                           f"http://{GAMES}:{port}/p{port}")
                self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
                self.assertNotIn("origin path=", out.stdout)
                line = w.log_line(path=f"/p{port}")
                self.assertEqual((line["decision"], line["rule"], line["orig_dst"]),
                                 ("block", "no games", f"198.18.2.2:{port}"), line)
        # TLS on another port: the block page inside the bump (the school CA's certificate).
        out = curl(self.net, self.cli, "-4", "--cacert", w.ca, "-w", "\n%{http_code}",
                   f"https://{GAMES}:{OTHER_TLS_PORT}/tls")
        self.assertTrue(out.stdout.endswith("\n403"), (out.stdout[-300:], out.stderr[-500:]))
        self.assertIn("Web Filter CA", issuer(out))
        self.assertNotIn("origin path=", out.stdout)

    def test_an_allowed_host_works_on_every_port_without_http3_offers(self):
        w = self.warden_with_policy()
        for port in (8080, 8000, 45678):
            out = curl(self.net, self.cli, "-4", "-D", "-", f"http://{NAME}:{port}/ok{port}")
            self.assertIn(f"origin path=/ok{port} peer=198.18.2.1", out.stdout, out.stderr)
            # The h3 offer is gone, the h2 one kept.
            self.assertIn('Alt-Svc: h2=":443"; ma=3600\n', out.stdout)
            self.assertNotIn("h3", out.stdout)
            self.assertEqual(w.log_line(path=f"/ok{port}")["orig_dst"], f"198.18.2.2:{port}")
        out = curl(self.net, self.cli, "-4", "-D", "-", "--cacert", w.ca,
                   f"https://{NAME}:{OTHER_TLS_PORT}/oktls")
        self.assertIn("origin path=/oktls peer=198.18.2.1", out.stdout, out.stderr[-800:])
        self.assertIn("Web Filter CA", issuer(out))
        self.assertNotIn("h3", out.stdout)

    def test_an_outside_proxy_is_refused(self):
        w = self.warden_with_policy()
        proxy = ["-x", "http://198.18.2.2:3128"]
        out = curl(self.net, self.cli, *proxy, "-w", "\n%{http_code}", f"http://{NAME}/via")
        self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
        self.assertIn("ERR_UPSTREAM_PROXY", out.stdout)
        line = w.log_line(path="/via")
        self.assertEqual((line["error"], line["orig_dst"]),
                         ("ERR_UPSTREAM_PROXY", "198.18.2.2:3128"), line)
        # A blocked site through it gets its block page (judged by its target).
        out = curl(self.net, self.cli, *proxy, "-w", "\n%{http_code}", f"http://{GAMES}/via")
        self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
        self.assertEqual(w.log_line(host=GAMES, path="/via")["rule"], "no games")
        # CONNECT through it: refused, no tunnel.
        out = curl(self.net, self.cli, *proxy, "-k", f"https://{NAME}/tunnel")
        self.assertNotEqual(out.returncode, 0)
        self.assertIn("403", out.stderr)
        line = w.log_line(method="CONNECT")
        self.assertEqual(line["error"], "ERR_UPSTREAM_PROXY", line)

    def talk(self, port, send_first=None):
        """A client of a line protocol on 198.18.2.2:`port`: optionally speaks first, then
        reads the server's banner, says one line and reads the answer."""
        script = ("import socket,sys\n"
                  "s=socket.create_connection(('198.18.2.2',int(sys.argv[1])),timeout=5)\n"
                  "f=s.makefile('rb')\n"
                  "try:\n"
                  " if len(sys.argv)>2: s.sendall(sys.argv[2].encode()+b'\\r\\n')\n"
                  " print(f.readline().decode().strip())\n"
                  " s.sendall(b'EHLO pupil\\r\\n')\n"
                  " print(f.readline().decode().strip())\n"
                  "except OSError as e: print('error', e.errno)\n")
        args = [str(port)] + ([send_first] if send_first else [])
        return self.net.run(self.cli, sys.executable, "-c", script, *args).stdout.split("\n")

    def test_server_first_and_other_protocols_are_relayed_and_logged(self):
        w = self.warden_with_policy()
        # SMTP-like: the client waits for the banner.
        self.assertEqual(self.talk(2525)[:2],
                         ["220 mail.school-test.example ESMTP", "250 EHLO pupil"])
        line = w.log_line(orig_dst="198.18.2.2:2525")
        self.assertEqual((line["scheme"], line["decision"], line["capture"]),
                         ("relay", "allow", "redirect"), line)
        # SSH-like: both sides speak at once.
        self.assertEqual(self.talk(22, "SSH-2.0-OpenSSH_9.2")[:2],
                         ["SSH-2.0-TestServer", "250 SSH-2.0-OpenSSH_9.2"])
        self.assertEqual(w.log_line(orig_dst="198.18.2.2:22")["scheme"], "relay")
        # Through the relay, the server saw Warden (the gateway), not the pupil.

    def test_policy_blocks_other_traffic_to_a_port(self):
        w = self.warden_with_policy()
        out = self.talk(2626)
        self.assertTrue(out[0].startswith("error") or out[0] == "", out)  # reset, no banner
        line = w.log_line(orig_dst="198.18.2.2:2626")
        self.assertEqual((line["decision"], line["rule"], line["end"]),
                         ("block", "no games server", "blocked"), line)

    def test_a_late_client_hello_is_still_filtered(self):
        # A client that waits past server_first_wait before its ClientHello is not relayed
        # blindly: its first bytes are sniffed when they come, and the TLS is bumped.
        w = self.warden_with_policy()
        script = ("import socket,ssl,sys,time\n"
                  "raw=socket.create_connection(('198.18.2.2',8443),timeout=8)\n"
                  "time.sleep(0.8)\n"
                  "ctx=ssl.create_default_context(cafile=sys.argv[1])\n"
                  "t=ctx.wrap_socket(raw,server_hostname=sys.argv[2])\n"
                  "print(t.getpeercert()['issuer'])\n"
                  "t.sendall(b'GET /late HTTP/1.1\\r\\nHost: '+sys.argv[2].encode()+"
                  "b'\\r\\nConnection: close\\r\\n\\r\\n')\n"
                  "print(t.recv(100).split(b'\\r\\n')[0].decode())\n")
        out = self.net.run(self.cli, sys.executable, "-c", script, w.ca, GAMES)
        self.assertIn("Web Filter CA", out.stdout, out.stderr[-800:])
        self.assertIn("HTTP/1.1 403", out.stdout)
        self.assertEqual(w.log_line(path="/late")["rule"], "no games")

    def test_exempt_destinations_are_not_captured(self):
        w = self.warden(self.rtr, "--capture", "redirect",
                        config='[capture]\nexempt = ["198.18.2.3"]\n')
        out = curl(self.net, self.cli, "-4", "http://198.18.2.3/exempt")
        self.assertIn("peer=198.18.1.2", out.stdout, out.stderr)  # the pupil's own address
        self.assertIn("peer=198.18.2.1", curl(self.net, self.cli, "-4",
                                              f"http://{NAME}/captured").stdout)
        self.assertFalse(any(l.get("path") == "/exempt" for l in w.log()), w.log())

    def udp_probe(self, port):
        probe = ("import socket,sys\n"
                 "u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);u.settimeout(3)\n"
                 "try:\n u.connect(('198.18.2.2',int(sys.argv[1])));u.send(b'q');u.recv(10);"
                 "print('open')\n"
                 "except OSError as e: print(e.errno)\n")
        return self.net.run(self.cli, sys.executable, "-c", probe, str(port)).stdout.strip()

    def test_quic_block_all_refuses_udp_but_dns(self):
        w = self.warden(self.rtr, "--capture", "redirect")
        self.assertEqual(self.udp_probe(OTHER_TLS_PORT), "open")  # by default only 443 is
        w.stop()
        self.warden(self.rtr, "--capture", "redirect", config='[egress]\nquic = "block-all"\n')
        self.assertEqual(self.udp_probe(OTHER_TLS_PORT), "111")  # ECONNREFUSED, at once
        self.assertEqual(self.udp_probe(53), "open")

    def test_what_is_neither_http_nor_tls_is_reset(self):
        w = self.warden(self.rtr, "--capture", "redirect")
        talk = ("import socket\n"
                "s=socket.create_connection(('198.18.2.2',443),timeout=5)\n"
                "s.sendall(b'SSH-2.0-OpenSSH_9.2\\r\\n')\n"
                "try:\n print('read', s.recv(100))\n"
                "except OSError as e: print('reset', e.errno)\n")
        out = self.net.run(self.cli, sys.executable, "-c", talk)
        self.assertIn("reset 104", out.stdout, out.stderr)  # ECONNRESET
        line = w.log_line(error="ERR_UNKNOWN_PROTOCOL")
        self.assertEqual(line["orig_dst"], "198.18.2.2:443")

    def reaches_origin(self, ns, url, *args):
        out = curl(self.net, ns, "--max-time", "3", *args, url)
        return out.returncode == 0 and out.stdout.startswith("origin path=")

    def test_fail_closed_after_sigkill_and_sigterm_then_restart(self):
        url = f"http://{NAME}/closed"
        for sig in (signal.SIGKILL, signal.SIGTERM):
            w = self.warden(self.rtr, "--capture", "redirect")
            self.assertTrue(self.reaches_origin(self.cli, url))
            w.stop(sig)
            self.assertFalse(self.reaches_origin(self.cli, url), f"open after {sig.name}")
            self.assertFalse(self.reaches_origin(self.cli, f"https://{NAME}/closed", "-k"),
                             f"443 open after {sig.name}")
            udp = ("import socket\nu=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                   "u.settimeout(3);u.connect(('198.18.2.2',443));u.send(b'quic')\n"
                   "try:\n u.recv(10);print('open')\nexcept OSError as e: print(e.errno)\n")
            self.assertEqual(self.net.run(self.cli, sys.executable, "-c", udp).stdout.strip(),
                             "111", f"UDP 443 open after {sig.name}")
            self.assertIn("table inet warden", self.net.run(self.rtr, "nft", "list",
                                                            "tables").stdout)
        w = self.warden(self.rtr, "--capture", "redirect")  # restart restores service
        self.assertTrue(self.reaches_origin(self.cli, url))
        w.stop()
        w = self.warden(self.rtr, "--capture", "tproxy")  # tproxy drops without Warden too
        w.stop(signal.SIGKILL)
        self.assertFalse(self.reaches_origin(self.cli, url), "tproxy open after SIGKILL")

    def test_fail_open_removes_the_rules_on_a_clean_stop(self):
        url = f"http://{NAME}/open"
        w = self.warden(self.rtr, "--capture", "redirect", config='[capture]\nfail = "open"\n')
        out = curl(self.net, self.cli, "-4", url)
        self.assertIn("peer=198.18.2.1", out.stdout)  # through Warden
        self.assertEqual(w.stop(), 0)
        out = curl(self.net, self.cli, "-4", url)
        self.assertIn("peer=198.18.1.2", out.stdout, out.stderr)  # directly, uncaptured
        w = self.warden(self.rtr, "--capture", "redirect", config='[capture]\nfail = "open"\n')
        self.assertIn("peer=198.18.2.1", curl(self.net, self.cli, "-4", url).stdout)

    def test_a_removed_or_altered_table_is_put_back_and_logged(self):
        url = f"http://{NAME}/tamper"
        w = self.warden(self.rtr, "--capture", "redirect",
                        config='[capture]\ncheck_interval = "300ms"\n')

        def through_warden():
            return "peer=198.18.2.1" in curl(self.net, self.cli, "-4", "--max-time", "3",
                                             url).stdout
        self.assertTrue(through_warden())
        # Removed: the table is back within the interval, and the access log says so.
        self.net.run(self.rtr, "nft", "delete", "table", "inet", "warden")
        line = w.log_line(event="tamper", what="table inet warden was removed")
        self.assertEqual(line["action"], "restored", line)
        self.assertIn("table inet warden", self.net.run(self.rtr, "nft", "list", "tables").stdout)
        self.assertTrue(through_warden())
        # Altered: a rule that would let one client past capture is found and undone.
        self.net.run(self.rtr, "nft", "insert", "rule", "inet", "warden", "capture_redirect",
                     "ip", "saddr", "198.18.1.2", "return")
        self.assertTrue(wait_until(lambda: any(
            "ip saddr 198.18.1.2 return" in l.get("what", "") for l in w.log()), timeout=5),
            w.log())
        self.assertNotIn("198.18.1.2", self.net.run(self.rtr, "nft", "list", "table", "inet",
                                                    "warden").stdout)
        self.assertTrue(through_warden())
        self.assertTrue(wait_until(lambda: any("tamper: table inet warden was removed" in l
                                               for l in w.stderr_lines)), w.stderr_lines[-5:])

    def test_tproxys_removed_policy_routing_is_put_back_and_logged(self):
        # Without its fwmark rule, tproxied packets would be forwarded past Warden.
        w = self.warden(self.rtr, "--capture", "tproxy",
                        config='[capture]\ncheck_interval = "300ms"\n')
        url = f"http://{NAME}/tamper"
        self.assertIn("peer=198.18.2.1", curl(self.net, self.cli, "-4", url).stdout)
        self.net.run(self.rtr, "ip", "-4", "rule", "del", "fwmark", "0x5745", "lookup", "5745")
        self.assertTrue(wait_until(lambda: any(
            l.get("event") == "tamper" and "tproxy's policy routing" in l.get("what", "")
            and "fwmark 0x5745" in l["what"] and l.get("action") == "restored"
            for l in w.log()), timeout=5), w.log())
        self.assertIn("fwmark 0x5745", self.net.run(self.rtr, "ip", "-4", "rule", "show").stdout)
        self.assertIn("peer=198.18.2.1", curl(self.net, self.cli, "-4", url).stdout)

    def test_a_relay_exception_carries_what_warden_cannot_read(self):
        # (2222 as a web port: elsewhere what Warden cannot read is relayed anyway.)
        w = self.warden(self.rtr, "--capture", "redirect",
                        config='[capture]\nweb_ports = [80, 443, 2222]\n'
                               'relay_untouched = ["198.18.2.3:2222"]\n')
        talk = ("import socket,sys\n"
                "s=socket.create_connection((sys.argv[1],2222),timeout=5)\n"
                "s.sendall(b'SSH-2.0-test\\r\\n')\n"
                "try:\n print('echo', s.recv(100))\n"
                "except OSError as e: print('reset', e.errno)\n")
        out = self.net.run(self.cli, sys.executable, "-c", talk, "198.18.2.3")
        self.assertIn("echo b'SSH-2.0-test\\r\\n'", out.stdout, out.stderr)
        line = w.log_line(scheme="relay")
        self.assertEqual(line["orig_dst"], "198.18.2.3:2222")
        self.assertEqual(line["capture"], "redirect")
        # Another destination on the same port is not an exception: reset.
        out = self.net.run(self.cli, sys.executable, "-c", talk, "198.18.2.2")
        self.assertIn("reset 104", out.stdout, out.stderr)

    def test_a_direct_connection_to_a_transparent_port_is_not_followed(self):
        w = self.warden(self.rtr, "--capture", "redirect")
        talk = ("import socket\n"
                "s=socket.create_connection(('198.18.1.1',3129),timeout=5)\n"
                "s.sendall(b'GET / HTTP/1.1\\r\\nHost: 198.18.1.1:3129\\r\\n\\r\\n')\n"
                "try:\n print('got', len(s.recv(100)))\n"
                "except ConnectionResetError: print('got 0')\n")
        out = self.net.run(self.cli, sys.executable, "-c", talk)
        # Closed (or reset: the request was unread), nothing answered or followed.
        self.assertIn("got 0", out.stdout, out.stderr)
        self.assertTrue(self.reaches_origin(self.cli, f"http://{NAME}/after-direct"))

    def test_deny_other_leaves_only_the_allowed_ports(self):
        # (With every port captured, TCP never reaches deny_other: it applies to listed ports.)
        w = self.warden(self.rtr, "--capture", "redirect",
                        config="[capture]\nports = [80, 443]\n"
                               "[egress]\ndeny_other = true\nallow = [53]\n")
        self.assertTrue(self.reaches_origin(self.cli, f"http://{NAME}/allowed-port"))
        probe = ("import socket\n"
                 "try:\n socket.create_connection(('198.18.2.2',8080),timeout=3);print('open')\n"
                 "except OSError as e: print('refused', e.errno)\n")
        out = self.net.run(self.cli, sys.executable, "-c", probe)
        self.assertEqual(out.stdout.strip(), "refused 111", out.stderr)
        w.stop()

    def test_exempt_users_are_not_captured_on_the_device(self):
        w = self.warden(self.dev, "--capture", "local",
                        config="[capture]\nexempt_uids = [65534]\n")
        out = self.net.run(self.dev, "setpriv", "--reuid=65534", "--regid=65534",
                           "--clear-groups", "curl", "-sS", "-4", "--max-time", "5",
                           f"http://{NAME}/exempt")
        self.assertIn("peer=198.18.10.1", out.stdout, out.stderr)
        self.assertTrue(self.reaches_origin(self.dev, f"http://{NAME}/captured"))
        w.log_line(path="/captured")
        self.assertFalse(any(l.get("path") == "/exempt" for l in w.log()), w.log())

    def test_policy_groups_know_the_local_user(self):
        policy = os.path.join(self.dir, "users-policy.toml")
        with open(policy, "w") as f:
            f.write('[[group]]\nname = "pupils"\nusers = ["nobody"]\n\n'
                    f'[[rule]]\nname = "not for pupils"\naction = "block"\n'
                    f'groups = ["pupils"]\nurls = ["{NAME}/games/"]\n')
        w = self.warden(self.dev, "--capture", "local", "--policy", policy)
        url = f"http://{NAME}/games/level1"
        out = self.net.run(self.dev, "setpriv", "--reuid=65534", "--regid=65534",
                           "--clear-groups", "curl", "-sS", "-4", "--max-time", "5", "-w",
                           "%{http_code}", "-o", "/dev/null", url)
        self.assertEqual(out.stdout, "403", out.stderr)
        line = w.log_line(path="/games/level1", status=403)
        self.assertEqual((line["group"], line["rule"]), ("pupils", "not for pupils"))
        self.assertTrue(self.reaches_origin(self.dev, url))  # root is not a pupil
        check = self.net.run(self.dev, harness.WARDEN, "check", "--policy", policy, "--user",
                             "nobody", url)
        self.assertEqual(check.stdout, f"{url} block not for pupils -\n", check.stderr)

    def test_without_cap_net_admin_the_start_says_what_is_missing(self):
        state = tempfile.mkdtemp(dir=self.dir)
        os.chmod(self.dir, 0o755)
        shutil.chown(state, user=65534, group=65534)
        out = self.net.run(self.rtr, "setpriv", "--reuid=65534", "--regid=65534",
                           "--clear-groups", harness.WARDEN, "run", "--capture", "redirect",
                           "--listen", "127.0.0.1:3128", "--state-dir", state, "--access-log",
                           "off")
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("transparent capture cannot start", out.stderr)
        self.assertIn("CAP_NET_ADMIN", out.stderr)

    def test_capture_commands(self):
        show = self.net.run(self.rtr, harness.WARDEN, "capture", "show")
        self.assertIn("not installed", show.stdout)
        planned = self.net.run(self.rtr, harness.WARDEN, "capture", "show", "--planned",
                               "--capture", "tproxy")
        self.assertIn("tproxy to :3130", planned.stdout)
        self.assertIn("# and: ip -4 rule add fwmark", planned.stdout)
        installed = self.net.run(self.rtr, harness.WARDEN, "capture", "install", "--capture",
                                 "redirect")
        self.assertEqual(installed.returncode, 0, installed.stderr)
        self.assertIn("redirect to :3129", self.net.run(self.rtr, harness.WARDEN, "capture",
                                                        "show").stdout)
        removed = self.net.run(self.rtr, harness.WARDEN, "capture", "remove")
        self.assertEqual(removed.returncode, 0, removed.stderr)
        self.assertIn("not installed",
                      self.net.run(self.rtr, harness.WARDEN, "capture", "show").stdout)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--echo":
        run_echo(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--banner":
        run_banner(sys.argv[2], sys.argv[3], sys.argv[4])
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--udp-echo":
        run_udp_echo(sys.argv[2], *sys.argv[3:])
        sys.exit(0)
    if len(sys.argv) > 1 and sys.argv[1] == "--origin":
        run_origin(sys.argv[2], sys.argv[3], *sys.argv[4:])
        sys.exit(0)
    harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
    harness.main()
