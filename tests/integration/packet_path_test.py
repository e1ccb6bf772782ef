#!/usr/bin/env python3
"""The packet path end to end (capture.mode = "tun"): Warden itself creates the TUN device,
and captured IP packets become its connections by NAT reflection into the kernel's own TCP
stack (../shared/PACKET-PATH-NOTES.md). Topology, in namespaces this test creates and always
removes (198.18.0.0/15 and 2001:db8::/32 only):

  dev (curl, Warden, TUN warden0) --veth-- web (origins on 198.19.5.5 and 2001:db8:99::5)

The client is plain curl with no proxy settings. Asserts the access log's `capture` "tun" and
exact `orig_dst`, the school CA's leaf on HTTPS, IPv4 and IPv6, other ports, a blocked
category's page, h2 with nghttp, a 200 MiB download's SHA-256, 20 parallel downloads, a
download with 1 % of the TUN's packets dropped (nftables numgen: this kernel has no netem), Warden's own upstream leg reaching the origin directly,
UDP 443 refused, a direct connection to the tun listener not followed; and the negative
controls: with Warden stopped nothing reaches the origin (fail closed), and strict rp_filter
is named at start.

Needs root, `ip netns` and /dev/net/tun; skips saying why otherwise, except under CI=true as
root, where a skip is a failure."""

import hashlib
import http.server
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
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Netns, WardenInNs, sh, wait_until  # noqa: E402

NAME = "www.tun-test.example"
CASINO = "casino.tun-test.example"  # in the test's gambling list
SERVER = ("198.19.5.5", "2001:db8:99::5")
DEVICE = "198.18.1.1"  # the device's real address: what origins see of Warden
BLOCK = bytes(range(256)) * 4096  # 1 MiB pattern: /bytes/N serves it repeated


class Origin(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path.startswith("/bytes/"):
            n = int(self.path.split("/")[2].split("?")[0])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            while n > 0:
                chunk = BLOCK[:min(n, len(BLOCK))]
                self.wfile.write(chunk)
                n -= len(chunk)
            return
        body = f"origin path={self.path} peer={self.client_address[0]}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(harness.ThreadingServer):
    allow_reuse_address = True

    def __init__(self, address):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, Origin)

    def server_bind(self):
        # (HTTPServer's own looks its name up in DNS, which this namespace cannot reach.)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "origin", self.server_address[1]


def run_origin(pki):
    """In the web namespace: HTTP on 80 and 8080, HTTPS on 443 and 8443, both addresses."""
    for address in SERVER:
        for port, secure in ((80, False), (8080, False), (443, True), (8443, True)):
            server = Server((address, port))
            if secure:
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                ctx.load_cert_chain(os.path.join(pki, "leaf.pem"), os.path.join(pki, "leaf.key"))
                server.socket = ctx.wrap_socket(server.socket, server_side=True)
            threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


def expected_sha256(n):
    h = hashlib.sha256()
    while n > 0:
        h.update(BLOCK[:min(n, len(BLOCK))])
        n -= min(n, len(BLOCK))
    return h.hexdigest()


class PacketPath(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = None
        if os.geteuid() != 0:
            why = "needs root (network namespaces, a TUN device)"
        elif not os.path.exists("/dev/net/tun"):
            why = "/dev/net/tun is missing (no TUN support in this kernel)"
        elif sh("ip", "netns", "list", check=False).returncode != 0:
            why = "`ip netns` does not work here"
        if why:
            if os.environ.get("CI") == "true" and os.geteuid() == 0:
                raise AssertionError("CI=true as root, but: " + why)
            raise unittest.SkipTest(why)
        cls.dir = tempfile.mkdtemp(prefix="warden-tun-")
        cls.pki = os.path.join(cls.dir, "pki")
        os.makedirs(cls.pki)
        harness.make_origin_pki(cls.pki, NAME)
        lists = os.path.join(cls.dir, "lists", "gambling")
        os.makedirs(lists)
        with open(os.path.join(lists, "domains"), "w") as f:
            f.write(CASINO + "\n")
        cls.net = Netns()
        try:
            n = cls.net
            cls.dev, cls.web = n.ns("dev"), n.ns("web")
            n.link(cls.dev, "dev0", cls.web, "web0")
            n.addr(cls.dev, "dev0", f"{DEVICE}/30", "2001:db8:1::1/64")
            n.addr(cls.web, "web0", "198.18.1.2/30", "2001:db8:1::2/64")
            n.addr(cls.web, "lo", "198.19.5.5/32", "2001:db8:99::5/128")
            sh("ip", "-n", cls.dev, "route", "add", "default", "via", "198.18.1.2")
            sh("ip", "-n", cls.dev, "-6", "route", "add", "default", "via", "2001:db8:1::2")
            sh("ip", "-n", cls.web, "route", "add", "default", "via", DEVICE)
            sh("ip", "-n", cls.web, "-6", "route", "add", "default", "via", "2001:db8:1::1")
            n.hosts(cls.dev, f"198.19.5.5 {NAME} {CASINO}\n2001:db8:99::5 {NAME}\n")
            p = n.spawn(cls.web, sys.executable, os.path.abspath(__file__), "--origin", cls.pki,
                        stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"
            cls.warden = cls.start_warden()
        except Exception:
            cls.net.cleanup()
            raise

    @classmethod
    def start_warden(cls, *extra):
        folder = tempfile.mkdtemp(dir=cls.dir)
        return WardenInNs(cls.net, cls.dev, folder, "--capture", "tun", "--upstream-ca",
                          os.path.join(cls.pki, "root.pem"), "--lists",
                          os.path.join(cls.dir, "lists"), *extra)

    @classmethod
    def tearDownClass(cls):
        if cls.warden.proc.poll() is None:
            cls.warden.stop()
        cls.net.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def curl(self, *args, timeout=60):
        return self.net.run(self.dev, "curl", "-sS", "-v", "--max-time", str(timeout), *args,
                            timeout=timeout + 10)

    def assert_through_tun(self, url, orig_dst, *args):
        out = self.curl("--cacert", self.warden.ca, *args, url)
        self.assertEqual(out.returncode, 0, out.stderr[-1500:])
        path = "/" + url.split("/", 3)[3]
        # The origin saw Warden's own upstream leg from the device's real address: no loop.
        self.assertIn(f"origin path={path} peer=", out.stdout)
        self.assertTrue(out.stdout.endswith(DEVICE) or out.stdout.endswith("2001:db8:1::1"),
                        out.stdout)
        if url.startswith("https"):
            self.assertIn("Web Filter CA", out.stderr)  # curl -v prints the issuer
        line = self.warden.log_line(path=path)
        self.assertEqual((line["capture"], line["orig_dst"], line["status"]),
                         ("tun", orig_dst, 200), line)
        self.assertIn(line["client"], ("100.127.83.1", "fd77:6172:6465:6e00::1"), line)
        return line

    def test_http_and_https_v4_v6_and_other_ports(self):
        self.assertIn("Transparent capture (tun)", self.warden.banner)
        self.assert_through_tun(f"http://{NAME}/h4", "198.19.5.5:80", "-4")
        self.assert_through_tun(f"https://{NAME}/s4", "198.19.5.5:443", "-4")
        self.assert_through_tun(f"http://{NAME}/h6", "[2001:db8:99::5]:80", "-6")
        self.assert_through_tun(f"https://{NAME}/s6", "[2001:db8:99::5]:443", "-6")
        self.assert_through_tun(f"http://{NAME}:8080/h8080", "198.19.5.5:8080", "-4")
        self.assert_through_tun(f"https://{NAME}:8443/s8443", "[2001:db8:99::5]:8443", "-6")
        # One line per request: Warden's upstream connections were not captured again.
        self.assertEqual(len([l for l in self.warden.log() if l.get("path") == "/h4"]), 1)

    def test_removed_tun_routing_is_put_back_and_logged(self):
        # Without the rule that sends TCP to the TUN, connections would go out uncaptured.
        out = self.net.run(self.dev, "ip", "-4", "rule", "show")
        tcp = [l for l in out.stdout.splitlines() if "ipproto tcp lookup" in l]
        self.assertTrue(tcp, out.stdout)
        pref = tcp[0].split(":")[0]
        self.net.run(self.dev, "ip", "-4", "rule", "del", "pref", pref, "ipproto", "tcp")
        self.assertTrue(wait_until(lambda: any(
            l.get("event") == "tamper" and "the tun mode's policy routing was altered" in
            l.get("what", "") and "ipproto tcp" in l["what"] and l.get("action") == "restored"
            for l in self.warden.log()), timeout=12), self.warden.log()[-3:])
        self.assertIn("ipproto tcp lookup",
                      self.net.run(self.dev, "ip", "-4", "rule", "show").stdout)
        self.assert_through_tun(f"http://{NAME}/after-tamper", "198.19.5.5:80", "-4")

    def test_a_blocked_category_gets_the_block_page(self):
        out = self.curl("-4", "-w", "\n%{http_code}", f"http://{CASINO}/bet")
        self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-300:])
        self.assertNotIn("origin path=", out.stdout)
        line = self.warden.log_line(path="/bet")
        self.assertEqual((line["category"], line["capture"]), ("gambling", "tun"), line)

    def download(self, url, size, *args):
        """Downloads `url` (N bytes of the origin's pattern) and checks its SHA-256."""
        target = os.path.join(tempfile.mkdtemp(dir=self.dir), "download")
        out = self.curl("-4", "-o", target, *args, url, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr[-800:])
        with open(target, "rb") as f:
            self.assertEqual(hashlib.file_digest(f, "sha256").hexdigest(), expected_sha256(size))
        os.remove(target)

    def test_a_200_mib_download_arrives_whole(self):
        size = 200 * 1024 * 1024
        self.download(f"http://{NAME}/bytes/{size}", size)

    def test_twenty_parallel_downloads(self):
        size = 5 * 1024 * 1024
        folder = tempfile.mkdtemp(dir=self.dir)
        urls = []
        for i in range(20):
            urls += ["-o", os.path.join(folder, str(i)), f"http://{NAME}/bytes/{size}?p={i}"]
        out = self.curl("-4", "--parallel", "--parallel-max", "20", *urls, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr[-800:])
        want = expected_sha256(size)
        for i in range(20):
            with open(os.path.join(folder, str(i)), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), want, i)

    def test_one_percent_loss_on_the_tun_path_still_completes(self):
        # 1 % of the packets into and out of the TUN dropped at random (this kernel has no
        # netem: nftables' numgen does it), counted to prove the loss happened.
        loss = ("table inet tunloss {\n chain out { type filter hook output priority 0;\n"
                '  oifname "warden0" numgen random mod 100 < 1 counter drop\n }\n'
                " chain in { type filter hook prerouting priority 0;\n"
                '  iifname "warden0" numgen random mod 100 < 1 counter drop\n }\n}\n')
        sh("ip", "netns", "exec", self.dev, "nft", "-f", "-", input=loss)
        try:
            size = 50 * 1024 * 1024
            self.download(f"https://{NAME}/bytes/{size}", size, "--cacert", self.warden.ca)
            counters = sh("ip", "netns", "exec", self.dev, "nft", "list", "table", "inet",
                          "tunloss").stdout
            dropped = [int(w.split()[0]) for w in counters.split("counter packets")[1:]]
            self.assertGreater(sum(dropped), 5, counters)
        finally:
            sh("ip", "netns", "exec", self.dev, "nft", "delete", "table", "inet", "tunloss",
               check=False)

    def test_nghttp_gets_h2_through_the_tun(self):
        if not (shutil.which("nghttp") and shutil.which("nginx")):
            self.skipTest("nghttp or nginx missing (scripts/install-deps.sh installs them)")
        www = tempfile.mkdtemp(dir=self.dir)
        with open(os.path.join(www, "index.html"), "w") as f:
            f.write("h2 through the tun\n")
        origin = harness.Nginx(self.pki, www, [("198.19.5.5:9443", True, ""),
                                               ("[2001:db8:99::5]:9443", True, "")],
                               netns=self.web)
        self.addCleanup(origin.stop)
        out = self.net.run(self.dev, "nghttp", "-v", "-t", "10", f"https://{NAME}:9443/index.html")
        self.assertIn("h2 through the tun", out.stdout, (out.stderr, self.warden.log()[-3:]))
        line = self.warden.log_line(path="/index.html", proto="h2")
        self.assertEqual(line["capture"], "tun", line)
        self.assertIn(line["orig_dst"], ("198.19.5.5:9443", "[2001:db8:99::5]:9443"), line)
        self.assertIn(("GET", "/index.html", "HTTP/2.0", "200"), origin.requests())

    def udp_probe(self, address, port):
        probe = ("import socket,sys\n"
                 "fam=socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET\n"
                 "u=socket.socket(fam,socket.SOCK_DGRAM);u.settimeout(3)\n"
                 "try:\n u.connect((sys.argv[1],int(sys.argv[2])));u.send(b'q');u.recv(10);"
                 "print('open')\n"
                 "except OSError as e: print(e.errno)\n")
        return self.net.run(self.dev, sys.executable, "-c", probe, address, str(port)).stdout

    def test_quic_is_refused(self):
        for address in SERVER:
            self.assertEqual(self.udp_probe(address, 443).strip(), "111", address)  # ECONNREFUSED

    def test_a_direct_connection_to_the_tun_listener_is_not_followed(self):
        talk = ("import socket\n"
                "s=socket.create_connection(('100.127.83.1',3132),timeout=5)\n"
                "s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
                "try:\n print('got', len(s.recv(100)))\n"
                "except ConnectionResetError: print('got 0')\n")
        out = self.net.run(self.dev, sys.executable, "-c", talk)
        self.assertIn("got 0", out.stdout, out.stderr)

    def reaches(self, url):
        out = self.curl("-k", "--max-time", "3", url, timeout=3)
        return out.returncode == 0 and "origin path=" in out.stdout

    def test_zz_fail_closed_and_strict_rp_filter(self):
        # (zz: runs last; it stops the class's Warden.)
        self.assertTrue(self.reaches(f"https://{NAME}/before"))
        self.warden.stop(signal.SIGKILL)
        for url in (f"https://{NAME}/after-kill", f"http://{NAME}/after-kill"):
            out = self.curl("-4", "-k", "--max-time", "3", url, timeout=3)
            self.assertNotEqual(out.returncode, 0, out.stdout)
            self.assertNotIn("origin path=", out.stdout)
        # Refused at once (the prohibit route), not left to time out.
        self.assertIn("Permission denied", out.stderr + out.stdout)
        # Strict rp_filter is named at start, and nothing is set up.
        sh("ip", "netns", "exec", self.dev, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1")
        try:
            folder = tempfile.mkdtemp(dir=self.dir)
            out = self.net.run(self.dev, harness.WARDEN, "run", "--capture", "tun", "--listen",
                               "127.0.0.1:3128", "--state-dir", os.path.join(folder, "s"),
                               "--access-log", "off")
            self.assertEqual(out.returncode, 1, out.stderr)
            self.assertIn("rp_filter = 1 on dev0", out.stderr)
            self.assertIn("sysctl -w net.ipv4.conf.all.rp_filter=2", out.stderr)
        finally:
            sh("ip", "netns", "exec", self.dev, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0")
        # A restart restores service; `warden capture remove` opens the way.
        type(self).warden = self.start_warden()
        self.assertTrue(self.reaches(f"https://{NAME}/restarted"))
        self.warden.stop()
        self.assertFalse(self.reaches(f"http://{NAME}/stopped"))
        removed = self.net.run(self.dev, harness.WARDEN, "capture", "remove", "--capture", "tun")
        self.assertEqual(removed.returncode, 0, removed.stderr)
        out = self.curl("-4", f"http://{NAME}/uncaptured")
        self.assertIn(f"peer={DEVICE}", out.stdout, out.stderr)  # directly now


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--origin":
        run_origin(sys.argv[2])
        sys.exit(0)
    harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
    harness.main()
