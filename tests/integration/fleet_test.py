#!/usr/bin/env python3
"""A fleet (docs/fleet.md): HAProxy from Debian in TCP mode in front of three Warden instances,
sending PROXY v2 and checking each instance's health listener (GET /ready).

Asserted: the instances share one school CA (the files copied to each, as a school deploys
them), so HTTPS through any of them verifies against it, and one policy, a signed bundle served
by nginx over HTTPS: a newer bundle reaches all three within the poll interval, a tampered one
is refused by all three; each access log line names the pupil
behind HAProxy and the instance that served it; an instance killed under load costs no request
once HAProxy's checks have taken it out; a rolling restart (SIGTERM, drain, start again, one
instance after another) fails no request at all; /ready says "starting" while the policy loads
and "draining" after SIGTERM while the instance still serves. Loopback only."""
import http.client
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Bundles, Nginx, Ok, ThreadingServer, Warden, blocking, wait_until  # noqa: E402

harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN

PUPIL = "127.0.0.2"
# HAProxy checks every 200 ms and takes a server out after 2 failed checks; the notice is well
# above that, so no new connection is sent to an instance whose listeners are about to close.
CHECK = "inter 200ms fall 2 rise 2"
DRAIN_NOTICE = "1500ms"
POLL = "500ms"  # bundle.poll


def get(port, path, source="127.0.0.1", timeout=5):
    """A GET on /path of the health listener at `port`: (status, body) or (None, error)."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                       source_address=(source, 0))
        c.request("GET", path)
        r = c.getresponse()
        return r.status, r.read().decode().strip()
    except OSError as e:
        return None, str(e)


class Load:
    """Pupils browsing through the balancer: `threads` loops, each request on a connection of
    its own, until stopped. Every failure is kept with when it happened."""

    def __init__(self, balancer_port, url, threads=4):
        self.port, self.url = balancer_port, url
        self.ok, self.failures = 0, []
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def loop(self):
        while self.running:
            began = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10,
                                               source_address=(PUPIL, 0))
                c.request("GET", self.url)
                r = c.getresponse()
                body = r.read()
                c.close()
                failed = None if r.status == 200 and body == b"ok" else f"{r.status} {body[:80]}"
            except (OSError, http.client.HTTPException) as e:
                failed = repr(e)
            with self.lock:
                if failed:
                    self.failures.append((began, failed))
                else:
                    self.ok += 1

    def count(self):
        with self.lock:
            return self.ok

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(15)


class Instance:
    """One Warden of the fleet: its ports stay across restarts, as on a real host."""

    def __init__(self, folder, name, args, bundle, ca_from=None):
        self.name, self.args = name, args
        self.balanced, self.health = harness.free_port(), harness.free_port()
        # Apart from the config: files beside the CA key or above it are walled off with it.
        self.state = tempfile.mkdtemp(prefix=f"warden-{name}-")
        if ca_from:  # the school's CA, deployed to every instance
            for f in ("ca.pem", "ca.key"):
                shutil.copy2(os.path.join(ca_from, f), os.path.join(self.state, f))
        self.config = os.path.join(folder, f"{name}.toml")
        with open(self.config, "w") as f:
            f.write(f'[balancer]\nlisten = ["127.0.0.1:{self.balanced}"]\nfrom = ["127.0.0.1"]\n'
                    f'health_listen = "127.0.0.1:{self.health}"\n'
                    f'drain_notice = "{DRAIN_NOTICE}"\n'
                    f'[log]\ninstance = "{name}"\n[proxy]\nshutdown_grace = "5s"\n' + bundle)
        self.access_log = os.path.join(folder, f"{name}.log")
        self.start()

    def start(self):
        self.warden = Warden(*self.args, config=self.config, state=self.state,
                             access_log=self.access_log, admin="off")

    def stop(self, sig=signal.SIGTERM):
        return self.warden.stop(sig)


class Fleet(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        harness.require(*("haproxy", "curl", "openssl"))
        cls.dir = tempfile.mkdtemp(prefix="warden-fleet-")
        cls.origin = ThreadingServer(("127.0.0.1", 0), Ok)
        threading.Thread(target=cls.origin.serve_forever, daemon=True).start()
        cls.origin_url = f"http://127.0.0.1:{cls.origin.server_address[1]}"
        cls.pki = os.path.join(cls.dir, "pki")
        os.mkdir(cls.pki)
        cls.tls_origin = harness.start_tls_origin(cls.pki)
        cls.tls_port = cls.tls_origin.server_address[1]
        # One policy for all: a signed bundle, served over HTTPS (the pki's leaf is localhost's).
        cls.bundles = Bundles(cls.dir)
        os.chmod(cls.dir, 0o755)  # nginx's workers read the bundle
        cls.assert_signed(cls.bundles.sign(1, cls.policy_text()))
        bundle_port = harness.free_port()
        cls.nginx = Nginx(cls.pki, cls.bundles.www, [(bundle_port, False, "")])
        bundle = (f'[bundle]\nurl = "https://localhost:{bundle_port}/policy.bundle"\n'
                  f'public_key = "{cls.bundles.keys}/bundle.pub"\npoll = "{POLL}"\n'
                  f'ca = ["{cls.pki}/root.pem"]\n')
        args = ["--upstream-ca", os.path.join(cls.pki, "root.pem"),
                "--connect-port", str(cls.tls_port)]
        cls.instances = []
        try:
            cls.instances.append(Instance(cls.dir, "w1", args, bundle))
            for n in ("w2", "w3"):
                cls.instances.append(Instance(cls.dir, n, args, bundle,
                                              ca_from=cls.instances[0].state))
        except BaseException:
            cls.tearDownClass()  # (not called when setUpClass fails: no Warden left running)
            raise
        cls.port = harness.free_port()
        cls.stats = os.path.join(cls.dir, "haproxy.sock")
        servers = "".join(f"  server {i.name} 127.0.0.1:{i.balanced} check port {i.health}\n"
                          for i in cls.instances)
        # No retries: a connection HAProxy sent to a listener that has closed would fail, so
        # only the drain notice (HAProxy taking the instance out first) keeps pupils from it.
        cfg = os.path.join(cls.dir, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write(f"global\n  stats socket {cls.stats} level admin\n"
                    "defaults\n  mode tcp\n  retries 0\n"
                    "  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n"
                    f"listen wardens\n  bind 127.0.0.1:{cls.port}\n  balance roundrobin\n"
                    "  option httpchk GET /ready\n  http-check expect status 200\n"
                    f"  default-server send-proxy-v2 {CHECK}\n" + servers)
        cls.haproxy = subprocess.Popen(["haproxy", "-db", "-f", cfg], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        if not wait_until(lambda: cls.states() == {"w1": "2", "w2": "2", "w3": "2"}):
            states = cls.states()
            cls.tearDownClass()
            raise AssertionError(f"the fleet did not come up in HAProxy: {states}")

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "haproxy"):
            cls.haproxy.terminate()
            cls.haproxy.wait(10)
        for i in cls.instances:
            if i.warden.proc.poll() is None:
                i.stop()
            shutil.rmtree(i.state, ignore_errors=True)
        cls.nginx.stop()
        cls.origin.shutdown()
        cls.tls_origin.shutdown()
        shutil.rmtree(cls.dir, ignore_errors=True)

    @staticmethod
    def policy_text(more=""):
        return '[[group]]\nname = "pupils"\nsources = ["127.0.0.2"]\n\n' + more

    @staticmethod
    def assert_signed(got):
        if got.returncode != 0:
            raise AssertionError(got.stderr)

    @classmethod
    def states(cls):
        """Each server's operational state in HAProxy (2: up, 0: down)."""
        return harness.haproxy_states(cls.stats, "wardens")

    def curl(self, *args):
        return subprocess.run(["curl", "-sS", "--max-time", "10", "--noproxy", "", "--interface",
                               PUPIL, "-x", f"http://127.0.0.1:{self.port}", "-o", "/dev/null",
                               "-w", "%{http_code}", *args], capture_output=True, text=True)

    def test_1_one_ca_and_the_real_client_on_every_instance(self):
        ca = os.path.join(self.instances[0].state, "ca.pem")
        for n in range(6):  # round robin: each instance twice
            got = self.curl("--cacert", ca, f"https://localhost:{self.tls_port}/tls-{n}")
            self.assertEqual(got.stdout, "200", got.stderr)
        for i in self.instances:
            lines = [l for l in i.warden.wait_for_log(2) if l.get("path", "").startswith("/tls-")]
            self.assertTrue(lines, f"{i.name} served none")
            for line in lines:
                self.assertEqual((line["instance"], line["client"], line["group"], line["scheme"]),
                                 (i.name, PUPIL, "pupils", "https"), line)

    def test_2_a_killed_instance_costs_nothing_once_checked_out(self):
        load = Load(self.port, self.origin_url + "/load")
        try:
            self.assertTrue(wait_until(lambda: load.count() > 50), "no load went through")
            victim = self.instances[2]
            victim.stop(signal.SIGKILL)
            self.assertTrue(wait_until(lambda: self.states().get("w3") == "0"), self.states())
            out_at, served = time.monotonic(), load.count()
            self.assertTrue(wait_until(lambda: load.count() > served + 200, 30), "load stalled")
            late = [f for f in load.failures if f[0] >= out_at]
            self.assertEqual(late, [], "requests failed after the check took w3 out")
            victim.start()  # the same ports and CA
            self.assertTrue(wait_until(lambda: self.states().get("w3") == "2"), self.states())
        finally:
            load.stop()

    def test_3_a_rolling_restart_fails_no_request(self):
        load = Load(self.port, self.origin_url + "/rolling")
        try:
            self.assertTrue(wait_until(lambda: load.count() > 50), "no load went through")
            for i in self.instances:
                self.assertEqual(i.stop(), 0, f"{i.name} did not drain cleanly")
                # Down for a while, as during an upgrade: HAProxy has taken it out by now.
                self.assertTrue(wait_until(lambda: self.states().get(i.name) == "0"),
                                f"{i.name} still in: {self.states()}")
                i.start()
                self.assertTrue(wait_until(lambda: self.states().get(i.name) == "2"),
                                f"{i.name} did not come back: {self.states()}")
                served = load.count()
                self.assertTrue(wait_until(lambda: load.count() > served + 50, 30), "load stalled")
        finally:
            load.stop()
        self.assertEqual(load.failures, [], f"of {load.ok} requests")
        for i in self.instances:  # each one served again after its restart
            self.assertTrue(wait_until(lambda: any(l["path"] == "/rolling" and l["instance"] == i.name
                                                   for l in i.warden.log())),
                            f"{i.name} served nothing after its restart")

    def test_4_ready_says_draining_while_it_still_serves(self):
        i = self.instances[1]
        self.assertEqual(get(i.health, "/ready"), (200, "ready"))
        i.warden.proc.send_signal(signal.SIGTERM)
        self.assertTrue(wait_until(lambda: get(i.health, "/ready") == (503, "draining")))
        self.assertEqual(get(i.health, "/live"), (200, "alive"))
        # Straight to the instance (its own proxy listener): still served during the notice.
        got = i.warden.curl("-o", "/dev/null", "-w", "%{http_code}", self.origin_url + "/notice")
        self.assertEqual(got.stdout, "200", got.stderr)
        self.assertEqual(i.stop(), 0)
        i.start()
        self.assertTrue(wait_until(lambda: self.states().get(i.name) == "2"), self.states())


    def test_5_one_policy_for_all_from_a_signed_bundle(self):
        def blocked_everywhere():
            return all(i.warden.curl("-o", "/dev/null", "-w", "%{http_code}",
                                     self.origin_url + "/bundled").stdout == "403"
                       for i in self.instances)
        self.assertFalse(blocked_everywhere())
        self.assert_signed(self.bundles.sign(2, self.policy_text(blocking("bundled"))))
        began = time.monotonic()
        self.assertTrue(wait_until(blocked_everywhere, 10), "not every instance took version 2")
        # Within the poll interval (500 ms) and the time a reload takes, with room for a busy CI.
        self.assertLess(time.monotonic() - began, 5)
        for i in self.instances:
            line = i.warden.log_line(path="/bundled", status=403)
            self.assertEqual((line["rule"], line["instance"]), ("bundled rule", i.name), line)
        # Tampered with on the server: every instance refuses it and keeps version 2.
        # (Changed before it is served: a good version 3 fetched first would be what runs.)
        tampered = os.path.join(self.dir, "tampered.bundle")
        self.assert_signed(self.bundles.sign(3, self.policy_text(), out=tampered))
        with open(tampered, "r+b") as f:
            f.seek(-10, os.SEEK_END)
            byte = f.read(1)
            f.seek(-10, os.SEEK_END)
            f.write(bytes([byte[0] ^ 1]))
        os.replace(tampered, self.bundles.served)
        for i in self.instances:
            self.assertTrue(wait_until(lambda: any("the signature does not verify" in l
                                                   for l in i.warden.stderr_lines)),
                            f"{i.name} did not refuse it")
        self.assertTrue(blocked_everywhere())


class Starting(unittest.TestCase):
    def test_ready_says_starting_while_the_policy_loads(self):
        folder = tempfile.mkdtemp(prefix="warden-starting-")
        try:
            # A category list big enough that loading it takes a while (UT1's take ~0.4 s).
            os.makedirs(os.path.join(folder, "lists", "big"))
            with open(os.path.join(folder, "lists", "big", "domains"), "w") as f:
                f.writelines(f"site{n}.example\n" for n in range(1_500_000))
            health = harness.free_port()
            proc = subprocess.Popen(
                harness.command("run", "--listen", "127.0.0.1:0", "--state-dir",
                                os.path.join(folder, "state"), "--access-log", "off",
                                "--admin-listen", "off", "--lists",
                                os.path.join(folder, "lists"), "-c", self.config(folder, health)),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                seen = []
                def answered():
                    got = get(health, "/ready", timeout=1)
                    if got[0] is not None and (not seen or seen[-1] != got):
                        seen.append(got)
                    return got == (200, "ready")
                self.assertTrue(wait_until(answered, 60, interval=0.005), seen)
                self.assertEqual(seen, [(503, "starting"), (200, "ready")])
            finally:
                proc.send_signal(signal.SIGTERM)  # (a short notice, then the drain)
                self.assertEqual(proc.wait(30), 0)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @staticmethod
    def config(folder, health):
        path = os.path.join(folder, "warden.toml")
        with open(path, "w") as f:
            f.write(f'[balancer]\nhealth_listen = "127.0.0.1:{health}"\ndrain_notice = "200ms"\n')
        return path


if __name__ == "__main__":
    harness.main()
