#!/usr/bin/env python3
"""A soak (issue 20): mixed load through one Warden for a long time, then whether it kept its
memory, gave back its descriptors and connections, and met no error the load did not cause.

Runs as root in network and mount namespaces of its own (only loopback; an /etc/hosts of its
own names *.soak.test as 127.0.0.1). An nginx origin over TLS (h2 and HTTP/1.1 by ALPN), a
plain HTTP origin and a WebSocket echo origin; Warden (2 workers, the signer process, a policy
file and an access log on disk) as the explicit proxy. Clients, each a thread looping until the
end:

- h1: keep-alive HTTPS through CONNECT, bumped (school CA verified), /1k and /100k;
- h2: curl --http2, ten requests on one bumped connection, every half second;
- spliced: HTTPS to a no_decrypt name, the origin's own certificate verified end to end;
- blocked: HTTPS to a blocked name: the block page, 403;
- http: absolute-form GETs to the plain origin;
- websocket: an upgrade through the proxy, twenty echoed messages, a close;
- slow: a request head sent a byte every 20 ms, and /100k read 4 KiB every 20 ms;
- reload: the policy file rewritten and SIGHUP every minute (the blocked name alternates
  between two, and the blocked client checks the one in force).

Samples Warden's RSS (its own and its signer's), open descriptors and client connections
every 10 s. Passes when RSS after warm-up (the first 5 minutes, or a sixth of a shorter run)
grows < 5 %, descriptors and connections return to their baseline within 30 s of the load
stopping, and no client saw an unexpected answer and Warden logged no error.
Usage: bench/soak.py [-d 1800] [--warden build/release/warden] [--json FILE]"""

import argparse
import base64
import http.client
import json
import os
import random
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import harness  # noqa: E402

NAMES = ["www.soak.test", "private.soak.test", "blocked-a.soak.test", "blocked-b.soak.test",
         "ws.soak.test"]
SAMPLE_EVERY = 10


class Tally:
    """Outcomes per client: counts of ok and of each unexpected answer (first few kept)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ok = {}
        self.bad = {}
        self.examples = []

    def good(self, client, n=1):
        with self.lock:
            self.ok[client] = self.ok.get(client, 0) + n

    def fail(self, client, what):
        with self.lock:
            self.bad[client] = self.bad.get(client, 0) + 1
            if len(self.examples) < 20:
                self.examples.append(f"{client}: {what}")


class Soak:
    def __init__(self, args, folder):
        self.args = args
        self.dir = folder
        self.stop = threading.Event()
        self.tally = Tally()
        self.blocked_name = NAMES[2]
        self.policy_lock = threading.Lock()

    # -- origins -------------------------------------------------------------------------
    def start_origins(self):
        pki = os.path.join(self.dir, "origin")
        os.makedirs(pki)
        harness.make_origin_pki(pki, NAMES)
        www = os.path.join(self.dir, "www")
        os.makedirs(www)
        for name, size in (("1k", 1024), ("100k", 100 * 1024)):
            with open(os.path.join(www, name), "wb") as f:
                f.write(os.urandom(size))
        self.sizes = {"/1k": 1024, "/100k": 100 * 1024}
        self.tls_port = harness.free_port()
        self.nginx = harness.Nginx(pki, www, [(self.tls_port, True, "keepalive_requests 1000;")])
        self.origin_ca = os.path.join(pki, "root.pem")
        self.http_origin = harness.start_origin()
        self.ws_origin = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._ws_accept, daemon=True).start()

    def _ws_accept(self):
        while True:
            conn, _ = self.ws_origin.accept()
            threading.Thread(target=self._ws_echo, args=(conn,), daemon=True).start()

    def _ws_echo(self, conn):
        """RFC 6455 server side, enough to echo: answers the upgrade, then sends back every
        message unmasked until a close frame."""
        import hashlib
        with conn:
            conn.settimeout(60)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                head += chunk
            key = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n")
                   if l.lower().startswith(b"sec-websocket-key:")][0]
            accept = base64.b64encode(hashlib.sha1(
                key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            reader = conn.makefile("rb")
            while True:
                opcode, payload = read_frame(reader)
                if opcode is None:
                    return
                conn.sendall(frame(opcode, payload, mask=False))
                if opcode == 8:
                    return

    # -- Warden --------------------------------------------------------------------------
    def write_policy(self, blocked):
        path = os.path.join(self.dir, "policy.toml")
        with open(path + ".new", "w") as f:
            f.write(f'[[rule]]\nname = "soak blocked"\naction = "block"\ndomains = ["{blocked}"]\n'
                    f'[[rule]]\nname = "soak private"\naction = "no_decrypt"\n'
                    f'domains = ["private.soak.test"]\n')
        os.replace(path + ".new", path)
        return path

    def start_warden(self):
        policy = self.write_policy(self.blocked_name)
        config = os.path.join(self.dir, "warden.toml")
        with open(config, "w") as f:
            f.write(f"[proxy]\nconnect_ports = [443, {self.tls_port}]\n"
                    f'[timeouts]\nupstream_idle = "10s"\n'
                    f'[policy]\nfile = "{policy}"\nwatch = false\n')
        self.warden = harness.Warden("--upstream-ca", self.origin_ca, config=config,
                                     access_log=os.path.join(self.dir, "access.log"))
        self.proxy = ("127.0.0.1", self.warden.port)
        self.school_ca = os.path.join(self.dir, "school-ca.pem")
        with open(self.school_ca, "w") as f:
            f.write(subprocess.run(harness.command("ca", "export", "--state-dir",
                                                   self.warden.state),
                                   check=True, capture_output=True, text=True).stdout)
        self.bumped = ssl.create_default_context(cafile=self.school_ca)
        self.direct = ssl.create_default_context(cafile=self.origin_ca)

    # -- clients -------------------------------------------------------------------------
    def tunnel(self, name, ctx, port=None):
        c = http.client.HTTPSConnection(*self.proxy, timeout=30, context=ctx)
        c.set_tunnel(name, port or self.tls_port)
        return c

    def loop(self, client, body):
        while not self.stop.is_set():
            try:
                body()
            except Exception as e:  # an unexpected answer or a broken connection
                self.tally.fail(client, f"{type(e).__name__}: {e}")
                self.stop.wait(0.2)

    def expect(self, client, conn, path, status=200, size=None):
        conn.request("GET", path, headers={"Host": f"{NAMES[0]}:{self.tls_port}"})
        r = conn.getresponse()
        data = r.read()
        if r.status != status or (size is not None and len(data) != size):
            raise AssertionError(f"{path}: {r.status}, {len(data)} bytes")
        self.tally.good(client)

    def h1(self):
        conn = self.tunnel(NAMES[0], self.bumped)
        try:
            for i in range(50):
                if self.stop.is_set():
                    break
                path = "/100k" if i % 5 == 0 else "/1k"
                self.expect("h1", conn, path, 200, self.sizes[path])
        finally:
            conn.close()

    def h2(self):
        url = f"https://{NAMES[0]}:{self.tls_port}/1k"
        r = subprocess.run(["curl", "-sS", "--http2", "-x", f"http://127.0.0.1:{self.proxy[1]}",
                            "--cacert", self.school_ca, "-w", "%{http_version} %{http_code}\\n",
                            *[arg for _ in range(10) for arg in (url, "-o", "/dev/null")]],
                           capture_output=True, text=True, timeout=60)
        lines = r.stdout.split()
        if r.returncode != 0 or lines != ["2", "200"] * 10:
            raise AssertionError(f"curl {r.returncode}: {r.stdout!r} {r.stderr.strip()!r}")
        self.tally.good("h2", 10)
        self.stop.wait(0.5)

    def spliced(self):
        conn = self.tunnel(NAMES[1], self.direct)
        try:
            for _ in range(10):
                self.expect("spliced", conn, "/1k", 200, 1024)
        finally:
            conn.close()

    def blocked(self):
        with self.policy_lock:
            name = self.blocked_name
            conn = self.tunnel(name, self.bumped)
            try:
                conn.request("GET", "/", headers={"Host": name})
                r = conn.getresponse()
                r.read()
            finally:
                conn.close()
        if r.status != 403:
            raise AssertionError(f"{name}: {r.status}, not the block page")
        self.tally.good("blocked")
        self.stop.wait(0.05)

    def http(self):
        conn = http.client.HTTPConnection(*self.proxy, timeout=30)
        try:
            url = f"http://{NAMES[0]}:{self.http_origin.server_address[1]}/"
            for _ in range(20):
                conn.request("GET", url)
                r = conn.getresponse()
                if r.status != 200 or r.read() != b"origin says hi":
                    raise AssertionError(f"{url}: {r.status}")
                self.tally.good("http")
        finally:
            conn.close()

    def websocket(self):
        port = self.ws_origin.getsockname()[1]
        with socket.create_connection(self.proxy, timeout=30) as s:
            key = base64.b64encode(os.urandom(16)).decode()
            s.sendall(f"GET http://{NAMES[4]}:{port}/echo HTTP/1.1\r\nHost: {NAMES[4]}:{port}\r\n"
                      f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                      f"Sec-WebSocket-Version: 13\r\n\r\n".encode())
            reader = s.makefile("rb")
            status = reader.readline()
            if b" 101 " not in status:
                raise AssertionError(f"upgrade answered {status!r}")
            while reader.readline() not in (b"\r\n", b""):
                pass
            for i in range(20):
                message = f"message {i} {random.random()}".encode()
                s.sendall(frame(1, message, mask=True))
                opcode, payload = read_frame(reader)
                if payload != message:
                    raise AssertionError(f"echo {opcode} {payload!r}")
            s.sendall(frame(8, b"\x03\xe8", mask=True))
            read_frame(reader)
        self.tally.good("websocket")
        self.stop.wait(0.2)

    def slow(self):
        with socket.create_connection(self.proxy, timeout=30) as s:
            url = f"http://{NAMES[0]}:{self.http_origin.server_address[1]}/"
            for b in f"GET {url} HTTP/1.1\r\nHost: {NAMES[0]}\r\n\r\n".encode():
                s.sendall(bytes([b]))
                if self.stop.wait(0.02):
                    return
            reply = s.recv(4096)
            if not reply.startswith(b"HTTP/1.1 200"):
                raise AssertionError(f"slow sender got {reply[:40]!r}")
        conn = self.tunnel(NAMES[0], self.bumped)
        try:
            conn.request("GET", "/100k", headers={"Host": NAMES[0]})
            r = conn.getresponse()
            got = 0
            while chunk := r.read(4096):
                got += len(chunk)
                self.stop.wait(0.02)
            if r.status != 200 or got != self.sizes["/100k"]:
                raise AssertionError(f"slow reader: {r.status}, {got} bytes")
        finally:
            conn.close()
        self.tally.good("slow")

    def reloader(self):
        while not self.stop.wait(60):
            with self.policy_lock:
                self.blocked_name = NAMES[3] if self.blocked_name == NAMES[2] else NAMES[2]
                self.write_policy(self.blocked_name)
                before = len(self.warden.stderr_lines)
                self.warden.proc.send_signal(signal.SIGHUP)
                if not harness.wait_until(lambda: any(
                        "reload" in l for l in self.warden.stderr_lines[before:]), 10):
                    self.tally.fail("reload", "no reload logged within 10 s of SIGHUP")
                    continue
            self.tally.good("reload")

    # -- measurement ---------------------------------------------------------------------
    def sample(self):
        pid = self.warden.proc.pid
        signers = [int(p) for p in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,
                                                  text=True).stdout.split()]
        conns = subprocess.run(["ss", "-Htn", "state", "established",
                                f"( sport = :{self.proxy[1]} )"],
                               capture_output=True, text=True).stdout.count("\n")
        return {"t": round(time.monotonic() - self.t0, 1), "rss_kib": harness.rss_kib(pid),
                "signer_rss_kib": sum(harness.rss_kib(p) for p in signers),
                "fds": len(os.listdir(f"/proc/{pid}/fd")), "client_conns": conns}

    def run(self):
        self.start_origins()
        self.start_warden()
        self.t0 = time.monotonic()
        baseline = self.sample()
        clients = {"h1": (self.h1, 3), "h2": (self.h2, 1), "spliced": (self.spliced, 1),
                   "blocked": (self.blocked, 1), "http": (self.http, 2),
                   "websocket": (self.websocket, 2), "slow": (self.slow, 4)}
        threads = [threading.Thread(target=self.loop, args=(name, body), daemon=True)
                   for name, (body, count) in clients.items() for _ in range(count)]
        threads.append(threading.Thread(target=self.reloader, daemon=True))
        for t in threads:
            t.start()
        samples = [baseline]
        end = self.t0 + self.args.duration
        while time.monotonic() < end and self.warden.proc.poll() is None:
            time.sleep(min(SAMPLE_EVERY, max(0.0, end - time.monotonic())))
            samples.append(self.sample())
            s = samples[-1]
            print(f"{s['t']:7.0f}s rss {s['rss_kib']} KiB signer {s['signer_rss_kib']} KiB "
                  f"fds {s['fds']} conns {s['client_conns']} ok {sum(self.tally.ok.values())} "
                  f"bad {sum(self.tally.bad.values())}", flush=True)
        self.stop.set()
        for t in threads:
            t.join(timeout=90)
        alive = self.warden.proc.poll() is None
        settled = None
        if alive:
            def back():
                nonlocal settled
                settled = self.sample()
                return settled["fds"] <= baseline["fds"] and settled["client_conns"] <= \
                    baseline["client_conns"]
            harness.wait_until(back, 30, 0.5)
        return self.report(baseline, samples, settled, alive)

    def report(self, baseline, samples, settled, alive):
        warm = min(300.0, self.args.duration / 6)
        window = max(60.0, 3 * SAMPLE_EVERY)
        after_warm = [s["rss_kib"] for s in samples if warm - window <= s["t"] <= warm]
        last = [s["rss_kib"] for s in samples if s["t"] >= samples[-1]["t"] - window]
        growth = max(last) / max(after_warm) - 1 if after_warm and last else None
        errors = [l.rstrip() for l in self.warden.stderr_lines if "[error]" in l
                  or "[critical]" in l]
        warnings = [l.rstrip() for l in self.warden.stderr_lines if "[warning]" in l]
        result = {
            "duration_s": self.args.duration, "warm_up_s": warm, "alive": alive,
            "ok": self.tally.ok, "unexpected": self.tally.bad,
            "unexpected_examples": self.tally.examples,
            "rss_kib_after_warm_up": max(after_warm) if after_warm else None,
            "rss_kib_at_end": max(last) if last else None,
            "rss_growth": None if growth is None else round(growth, 4),
            "rss_kib_median": statistics.median(s["rss_kib"] for s in samples),
            "baseline": baseline, "settled": settled,
            "warden_errors": errors[:20], "warden_warnings": len(warnings),
            "access_log_lines": sum(1 for _ in open(self.warden.access_log)),
        }
        checks = {
            "warden ran to the end": alive,
            "RSS after warm-up grew < 5 %": growth is not None and growth < 0.05,
            "descriptors back to baseline": bool(settled) and settled["fds"] <= baseline["fds"],
            "connections back to baseline": bool(settled) and
            settled["client_conns"] <= baseline["client_conns"],
            "no unexpected answer": not self.tally.bad,
            "no error logged": not errors,
        }
        result["checks"] = checks
        return result


def frame(opcode, payload, mask):
    head = bytes([0x80 | opcode])
    bit = 0x80 if mask else 0
    if len(payload) < 126:
        head += bytes([bit | len(payload)])
    else:
        head += bytes([bit | 126]) + len(payload).to_bytes(2, "big")
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def read_frame(reader):
    """One frame from a file-like reader: (opcode, unmasked payload), (None, b"") at EOF."""
    head = reader.read(2)
    if len(head) < 2:
        return None, b""
    n = head[1] & 0x7F
    if n == 126:
        n = int.from_bytes(reader.read(2), "big")
    elif n == 127:
        n = int.from_bytes(reader.read(8), "big")
    key = reader.read(4) if head[1] & 0x80 else None
    payload = reader.read(n)
    if key:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return head[0] & 0x0F, payload


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-d", "--duration", type=float, default=1800)
    p.add_argument("--warden", default=os.path.join(ROOT, "build/release/warden"))
    p.add_argument("--json", help="write the result here too")
    args = p.parse_args()
    if os.geteuid() != 0:
        sys.exit("soak.py needs root: it runs in network and mount namespaces of its own")
    harness.WARDEN = os.path.abspath(args.warden)
    if not harness.enter_network_namespace(private_mounts=True):
        sys.exit("soak.py: could not enter a network namespace (unshare)")
    folder = tempfile.mkdtemp(prefix="warden-soak-")
    hosts = os.path.join(folder, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost " + " ".join(NAMES) + "\n::1 localhost\n")
    subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True)
    soak = Soak(args, folder)
    try:
        result = soak.run()
    finally:
        if hasattr(soak, "warden") and soak.warden.proc.poll() is None:
            soak.warden.stop()
        if hasattr(soak, "nginx"):
            soak.nginx.stop()
    print(json.dumps(result, indent=2))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    for name, ok in result["checks"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if all(result["checks"].values()) else 1)


if __name__ == "__main__":
    main()
