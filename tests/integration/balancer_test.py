#!/usr/bin/env python3
"""Warden behind a load balancer (docs/fleet.md): HAProxy from Debian in TCP mode in front of
Warden's balancer listener, sending the PROXY header (v2, and v1 on a second frontend).

Asserted: the client Warden logs and judges is the pupil behind HAProxy (curl bound to
127.0.0.2), not HAProxy (127.0.0.1): a group by that address gets its rule; a connection
straight to the balancer listener without a header, with a malformed header, or from an address
that is not a configured balancer (even with a well-formed header) is closed unanswered and
reaches no origin; HAProxy's LOCAL health checks are taken. Loopback only."""
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
from harness import Ok, ThreadingServer, Warden, wait_until  # noqa: E402

harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class Counting(Ok):
    seen = []

    def do_GET(self):
        Counting.seen.append(self.path)
        super().do_GET()


class Balancer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [t for t in ("haproxy", "curl") if not shutil.which(t)]
        if missing:
            raise unittest.SkipTest(f"{', '.join(missing)} not installed "
                                    "(scripts/install-deps.sh installs them)")
        cls.dir = tempfile.mkdtemp(prefix="warden-balancer-")
        cls.origin = ThreadingServer(("127.0.0.1", 0), Counting)
        threading.Thread(target=cls.origin.serve_forever, daemon=True).start()
        cls.origin_url = f"http://127.0.0.1:{cls.origin.server_address[1]}"
        cls.balanced, cls.captured = harness.free_port(), harness.free_port()
        policy = os.path.join(cls.dir, "policy.toml")
        with open(policy, "w") as f:
            f.write('[[group]]\nname = "pupils"\nsources = ["127.0.0.2"]\n\n'
                    '[[rule]]\nname = "no games for pupils"\ngroups = ["pupils"]\n'
                    'action = "block"\nurls = ["127.0.0.1/games"]\n')
        config = os.path.join(cls.dir, "warden.toml")
        with open(config, "w") as f:
            f.write(f'[balancer]\nlisten = ["127.0.0.1:{cls.balanced}"]\n'
                    f'transparent_listen = ["127.0.0.1:{cls.captured}"]\nfrom = ["127.0.0.1"]\n')
        cls.warden = Warden("--policy", policy, config=config)
        cls.v2_port, cls.v1_port = harness.free_port(), harness.free_port()
        cfg = os.path.join(cls.dir, "haproxy.cfg")
        cls.stats = os.path.join(cls.dir, "haproxy.sock")
        # The v2 frontend's server is health-checked through Warden (a LOCAL header, then an
        # HTTP request for the origin), as a fleet's balancer would.
        with open(cfg, "w") as f:
            f.write(f"global\n  stats socket {cls.stats} level admin\n"
                    "defaults\n  mode tcp\n"
                    "  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
                    f"listen v2\n  bind 127.0.0.1:{cls.v2_port}\n  option httpchk\n"
                    f"  http-check send meth GET uri {cls.origin_url}/health ver HTTP/1.1 "
                    f"hdr Host 127.0.0.1:{cls.origin.server_address[1]}\n"
                    f"  server warden 127.0.0.1:{cls.balanced} send-proxy-v2 check "
                    "check-send-proxy inter 200ms\n"
                    f"listen v1\n  bind 127.0.0.1:{cls.v1_port}\n"
                    f"  server warden 127.0.0.1:{cls.balanced} send-proxy\n")
        cls.haproxy = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        if not wait_until(lambda: port_open(cls.v2_port) and port_open(cls.v1_port)):
            raise AssertionError("haproxy did not start")

    @classmethod
    def tearDownClass(cls):
        cls.haproxy.terminate()
        cls.haproxy.wait(10)
        cls.warden.stop()
        cls.origin.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def fetch(self, port, path, interface="127.0.0.2"):
        out = subprocess.run(["curl", "-sS", "--max-time", "10", "--noproxy", "", "--interface",
                              interface, "-x", f"http://127.0.0.1:{port}", "-o", "/dev/null",
                              "-w", "%{http_code}", self.origin_url + path],
                             capture_output=True, text=True)
        return out.stdout

    def test_the_client_behind_the_balancer_is_seen_and_judged(self):
        for port, name in ((self.v2_port, "v2"), (self.v1_port, "v1")):
            with self.subTest(header=name):
                self.assertEqual(self.fetch(port, f"/hello-{name}"), "200")
                line = self.warden.log_line(path=f"/hello-{name}")
                self.assertEqual((line["client"], line["group"]), ("127.0.0.2", "pupils"), line)
                self.assertEqual(self.fetch(port, f"/games-{name}"), "403")
                line = self.warden.log_line(path=f"/games-{name}")
                self.assertEqual((line["client"], line["decision"], line["rule"]),
                                 ("127.0.0.2", "block", "no games for pupils"), line)
        # Another client behind the same balancer is another pupil.
        self.assertEqual(self.fetch(self.v2_port, "/games-staff", "127.0.0.3"), "200")
        line = self.warden.log_line(path="/games-staff")
        self.assertEqual((line["client"], line["group"]), ("127.0.0.3", "default"), line)

    def raw(self, data, source="127.0.0.1", port=None, request=None):
        """Sends `data` then a request to a balancer listener from `source`: what comes back."""
        s = socket.create_connection(("127.0.0.1", port or self.balanced), timeout=10,
                                     source_address=(source, 0))
        request = request or f"GET {self.origin_url}/raw HTTP/1.1\r\nHost: x\r\n\r\n"
        with s:
            s.sendall(data + request.encode())
            try:
                return s.recv(1000)
            except ConnectionResetError:
                return b""

    def test_no_header_a_bad_header_or_a_stranger_is_closed(self):
        before = len(Counting.seen)
        good = b"PROXY TCP4 127.0.0.2 127.0.0.1 5000 3128\r\n"
        self.assertEqual(self.raw(b""), b"")                                   # no header
        self.assertEqual(self.raw(b"PROXY TCP4 127.0.0.2 127.0.0.1 05000 3128\r\n"), b"")
        self.assertEqual(self.raw(good, source="127.0.0.4"), b"")              # not a balancer
        self.assertEqual(len(Counting.seen), before)  # nothing reached the origin
        self.assertTrue(self.raw(good).startswith(b"HTTP/1.1 200"))            # the real thing
        self.assertTrue(any("PROXY v1 port" in l for l in self.warden.stderr_lines),
                        self.warden.stderr_lines)

    def test_captured_traffic_goes_where_the_header_says(self):
        port = self.origin.server_address[1]
        v6_to_v4 = (b"\r\n\r\n\x00\r\nQUIT\n\x21\x21\x00\x24" +
                    socket.inet_pton(socket.AF_INET6, "2001:db8::7") +
                    socket.inet_pton(socket.AF_INET6, "::ffff:127.0.0.1") +
                    (51000).to_bytes(2, "big") + port.to_bytes(2, "big"))
        for name, header in (("v1", f"PROXY TCP4 127.0.0.2 127.0.0.1 5000 {port}\r\n".encode()),
                             ("v2", v6_to_v4)):
            with self.subTest(header=name):
                got = self.raw(header, port=self.captured, request=(
                    f"GET /captured-{name} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"))
                self.assertTrue(got.startswith(b"HTTP/1.1 200"), got)
                line = self.warden.log_line(path=f"/captured-{name}")
                self.assertEqual((line["capture"], line["orig_dst"], line["client"]),
                                 ("balancer", f"127.0.0.1:{port}",
                                  "127.0.0.2" if name == "v1" else "2001:db8::7"), line)
        # The destination rules hold (link-local is refused by default), and a header with no
        # destination (a LOCAL health check) has nowhere to go.
        got = self.raw(b"PROXY TCP4 127.0.0.2 169.254.169.254 5000 80\r\n", port=self.captured,
                       request="GET /metadata HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 403"), got)
        self.assertEqual(self.raw(b"\r\n\r\n\x00\r\nQUIT\n\x20\x00\x00\x00", port=self.captured), b"")

    def server_state(self):
        """The v2 server's operational state in HAProxy (2: up)."""
        return harness.haproxy_states(self.stats, "v2").get("warden")

    def test_health_checks_are_taken(self):
        # HAProxy's checks come with a LOCAL header (no client): the balancer itself asks.
        self.assertTrue(wait_until(lambda: self.server_state() == "2"), self.server_state())
        line = self.warden.log_line(path="/health")
        self.assertEqual((line["client"], line["status"]), ("127.0.0.1", 200), line)


if __name__ == "__main__":
    harness.main()
