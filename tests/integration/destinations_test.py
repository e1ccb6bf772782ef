#!/usr/bin/env python3
"""Destinations a pupil must not reach through the filter (proxy.deny_destinations): loopback,
::1, cloud metadata (169.254.169.254), the filter host's own address, a name that resolves to
127.0.0.1, an IPv4-mapped IPv6 literal and decimal/octal/hex IPv4 spellings are each refused
with 403 ERR_DESTINATION_DENIED and logged, and the origin behind them never sees a
connection; a private address is served; --allow-destination lets a refused range through.
(The transparent path's refusal is in capture_test.py.)

Runs as root in network namespaces it creates: this script's own (Warden, the client, origins
on loopback and on the host's address) and a "lan" namespace behind a veth (a private origin,
and 169.254.169.254). Skips saying why otherwise, except under CI=true as root."""

import http.server
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Netns, Warden, sh, wait_until  # noqa: E402

LAN_ORIGIN = len(sys.argv) > 1 and sys.argv[1] == "--lan"  # this script as the lan's origin
IN_NETNS = LAN_ORIGIN or harness.enter_network_namespace(private_mounts=True)

HOST = "198.18.20.1"  # this (Warden's) namespace's own address on the veth
LAN = "198.18.20.2"  # a private origin in the lan namespace
METADATA = "169.254.169.254"


class Counting(http.server.BaseHTTPRequestHandler):
    """Answers with its label; counts the connections it accepted."""
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.server.connections += 1
        super().setup()

    def do_GET(self):
        body = f"reached {self.server.label}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(harness.ThreadingServer):
    def __init__(self, address, label):
        self.address_family = socket.AF_INET6 if ":" in address else socket.AF_INET
        self.connections = 0
        self.label = label
        super().__init__((address, 0), Counting)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]


def serve_in_lan(*addresses):
    """Runs in the lan namespace: the same origin on port 80 of each address."""
    for a in addresses:
        s = harness.ThreadingServer((a, 80), Counting)
        s.connections, s.label = 0, a
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()


class Destinations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not IN_NETNS:
            why = "needs root and unshare (a network namespace of its own)"
            if os.environ.get("CI") == "true":
                raise AssertionError("CI=true, but: " + why)
            raise unittest.SkipTest(why)
        cls.net = Netns()
        try:
            lan = cls.net.ns("lan")
            sh("ip", "link", "add", "up0", "type", "veth", "peer", "name", "lan0", "netns", lan)
            sh("ip", "link", "set", "up0", "up")
            sh("ip", "addr", "add", f"{HOST}/24", "dev", "up0")
            sh("ip", "-n", lan, "link", "set", "lan0", "up")
            cls.net.addr(lan, "lan0", f"{LAN}/24")
            cls.net.addr(lan, "lo", f"{METADATA}/32")
            sh("ip", "route", "add", f"{METADATA}/32", "via", LAN)
            p = cls.net.spawn(lan, sys.executable, os.path.abspath(__file__), "--lan", LAN,
                              METADATA, stdout=subprocess.PIPE, text=True)
            assert p.stdout.readline().strip() == "ready"
        except Exception:
            cls.net.cleanup()
            raise
        # A name that resolves to loopback, in this mount namespace's /etc/hosts only.
        cls.hosts = os.path.join(cls.net_dir(), "hosts")
        with open(cls.hosts, "w") as f:
            f.write("127.0.0.1 localhost sneaky.example\n::1 localhost\n")
        sh("mount", "--bind", cls.hosts, "/etc/hosts")
        cls.loopback = Server("127.0.0.1", "loopback")
        cls.loopback6 = Server("::1", "loopback6")
        cls.own = Server(HOST, "own")

    @classmethod
    def net_dir(cls):
        cls.dir = getattr(cls, "dir", None) or tempfile.mkdtemp(prefix="warden-dest-")
        return cls.dir

    @classmethod
    def tearDownClass(cls):
        sh("umount", "/etc/hosts", check=False)
        cls.net.cleanup()
        shutil.rmtree(cls.net_dir(), ignore_errors=True)

    def setUp(self):
        self.warden = Warden(allow_loopback=False)
        self.addCleanup(self.warden.stop)

    def request(self, url, warden=None):
        """An absolute-form GET through the explicit proxy, spelled exactly as given (curl would
        normalise "0x7f.0.0.1"); returns (status, body)."""
        host = url.split("://", 1)[1].split("/", 1)[0]
        w = warden or self.warden
        raw = w.raw(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        head, _, body = raw.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
        return status, body.decode(errors="replace")

    def assert_refused(self, url, origin):
        before = origin.connections
        status, body = self.request(url)
        self.assertEqual(status, 403, (url, body))
        self.assertIn("ERR_DESTINATION_DENIED", body)
        self.assertNotIn("reached", body)
        self.assertEqual(origin.connections, before, f"{url} reached the origin")
        path = "/" + url.split("://", 1)[1].split("/", 1)[1]
        def logged():
            return any(l.get("path") == path and l.get("error") == "ERR_DESTINATION_DENIED"
                       for l in self.warden.wait_for_log(1, timeout=0.1))
        self.assertTrue(wait_until(logged, timeout=5), self.warden.wait_for_log(1))

    def test_loopback_in_every_spelling_is_refused(self):
        p = self.loopback.port
        for url in (f"http://127.0.0.1:{p}/v4", f"http://[::ffff:127.0.0.1]:{p}/mapped",
                    f"http://2130706433:{p}/decimal", f"http://0177.0.0.1:{p}/octal",
                    f"http://0x7f.0.0.1:{p}/hex", f"http://127.1:{p}/short"):
            with self.subTest(url=url):
                self.assert_refused(url, self.loopback)
        self.assert_refused(f"http://[::1]:{self.loopback6.port}/v6", self.loopback6)

    def test_a_name_resolving_to_loopback_is_refused(self):
        self.assert_refused(f"http://sneaky.example:{self.loopback.port}/name", self.loopback)

    def test_the_hosts_own_address_and_cloud_metadata_are_refused(self):
        self.assert_refused(f"http://{HOST}:{self.own.port}/own", self.own)
        status, body = self.request(f"http://{METADATA}/latest/meta-data/")
        self.assertEqual(status, 403, body)
        self.assertIn("ERR_DESTINATION_DENIED", body)
        # (Without Warden the metadata address answers: the refusal is Warden's.)
        direct = subprocess.run(["curl", "-sS", "--noproxy", "*", "--max-time", "5",
                                 f"http://{METADATA}/"], capture_output=True, text=True)
        self.assertEqual(direct.stdout, f"reached {METADATA}", direct.stderr)

    def test_connect_to_a_denied_address_is_refused(self):
        w = Warden("--connect-port", str(self.loopback.port), allow_loopback=False)
        self.addCleanup(w.stop)
        # Intercepted: the refusal is Warden's own page inside the bumped connection.
        before = self.loopback.connections
        out = w.curl("-k", "-w", "\n%{http_code}", f"https://127.0.0.1:{self.loopback.port}/t")
        self.assertIn("ERR_DESTINATION_DENIED", out.stdout, out.stderr)
        self.assertTrue(out.stdout.endswith("\n403"), out.stdout[-200:])
        # Relayed (tls.intercept = false): the CONNECT itself is refused.
        cfg = os.path.join(self.net_dir(), "relay.toml")
        with open(cfg, "w") as f:
            f.write("[tls]\nintercept = false\n")
        relay = Warden("--connect-port", str(self.loopback.port), config=cfg,
                       allow_loopback=False)
        self.addCleanup(relay.stop)
        raw = relay.raw(f"CONNECT 127.0.0.1:{self.loopback.port} HTTP/1.1\r\n"
                        f"Host: 127.0.0.1:{self.loopback.port}\r\n\r\n".encode())
        self.assertTrue(raw.startswith(b"HTTP/1.1 403"), raw[:200])
        self.assertIn(b"ERR_DESTINATION_DENIED", raw)
        self.assertEqual(self.loopback.connections, before)

    def test_a_private_address_is_served(self):
        status, body = self.request(f"http://{LAN}/intranet")
        self.assertEqual((status, body), (200, f"reached {LAN}"))

    def test_allow_destination_lets_a_range_through(self):
        w = Warden("--allow-destination", "127.0.0.0/8", allow_loopback=False)
        self.addCleanup(w.stop)
        status, body = self.request(f"http://127.0.0.1:{self.loopback.port}/lab", warden=w)
        self.assertEqual((status, body), (200, "reached loopback"))
        status, _ = self.request(f"http://[::1]:{self.loopback6.port}/lab6", warden=w)
        self.assertEqual(status, 403)  # only what was allowed


if __name__ == "__main__":
    if LAN_ORIGIN:
        serve_in_lan(*sys.argv[2:])
    harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
    harness.main()
