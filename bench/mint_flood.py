#!/usr/bin/env python3
"""A flood of new names in SNI beside pupils (issue 20): does one client asking for thousands
of new certificates slow anyone else down?

Warden (one worker, the signer process, its defaults) blocks *.flood.test, so every connection
is intercepted and answered with the block page and no upstream is needed. Three clients on
loopback, each a process of its own:

- pupil B (127.0.0.1): new connections, as fast as it can, to 100 names minted before the
  measurement (the cache serves them): connections per second;
- pupil C (127.0.0.2): one name it never asked for before every 100 ms (a pupil browsing new
  sites): how many it was served;
- the flooder (127.0.0.3): a ClientHello with a random name, `--flood-rate` a second, hanging
  up as soon as Warden answers (one hello with its name rewritten: it costs the flooder no
  crypto, as it would cost an attacker none).

Phases of `-d` seconds: the pupils alone, then with the flood, with Warden's per-client budget
(tls.client_mint_burst 200, tls.client_mint_rate 10) and again with the budget lifted (as
before it existed). Prints B's rate as a ratio to B alone, C's served/asked, what the flooder
got, Warden's CPU and RSS. Usage: bench/mint_flood.py [-d 10] [--flood-rate 2000]
[--warden build/release/warden]"""

import argparse
import multiprocessing
import os
import random
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

NAMES_B = 100


def connect_through(port, name, source):
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    s.sendall(f"CONNECT {name}:443 HTTP/1.1\r\nHost: {name}:443\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        chunk = s.recv(4096)
        if not chunk:
            raise ConnectionError("closed during CONNECT")
        reply += chunk
    return s


def visit(port, ctx, name, source):
    """One intercepted connection and one request: True when the block page came back."""
    try:
        with connect_through(port, name, source) as raw, \
                ctx.wrap_socket(raw, server_hostname=name) as s:
            s.sendall(f"GET / HTTP/1.1\r\nHost: {name}\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            while s.recv(65536):
                pass
            return head.startswith(b"HTTP/1.1 403")
    except (OSError, ssl.SSLError):
        return False


def pupil_b(port, ca, until, out):
    ctx = ssl.create_default_context(cafile=ca)
    done = 0
    while time.monotonic() < until:
        done += visit(port, ctx, f"b{random.randrange(NAMES_B)}.flood.test", "127.0.0.1")
    out.put(("b", done))


def pupil_c(port, ca, until, out, tag):
    ctx = ssl.create_default_context(cafile=ca)
    asked = served = 0
    next_at = time.monotonic()
    while time.monotonic() < until:
        served += visit(port, ctx, f"c{tag}-{asked}.flood.test", "127.0.0.2")
        asked += 1
        next_at += 0.1
        time.sleep(max(0.0, next_at - time.monotonic()))
    out.put(("c", (asked, served)))


def client_hello_template():
    """A ClientHello for a 16-hex-digit name under flood.test, and where the name starts: the
    flooder writes another name of the same length there, so a hello costs it no crypto."""
    name = "0123456789abcdef.flood.test"
    ctx = ssl.create_default_context()
    outgoing = ssl.MemoryBIO()
    tls = ctx.wrap_bio(ssl.MemoryBIO(), outgoing, server_hostname=name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = bytearray(outgoing.read())
    return hello, hello.index(name.encode())


def flooder(port, rate, until, out):
    hello, at = client_hello_template()
    sent = answered = 0
    next_at = time.monotonic()
    while time.monotonic() < until:
        label = f"{random.getrandbits(64):016x}"
        hello[at:at + 16] = label.encode()
        try:
            with connect_through(port, f"{label}.flood.test", "127.0.0.3") as s:
                s.sendall(hello)
                sent += 1
                answered += bool(s.recv(1))  # the server's flight, or the close
        except OSError:
            pass
        next_at += 1 / rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    out.put(("flood", (sent, answered)))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) / 1024


class Warden:
    def __init__(self, binary, folder, config_text):
        policy = os.path.join(folder, "policy.toml")
        with open(policy, "w") as f:
            f.write('[[rule]]\nname = "flood"\naction = "block"\ndomains = ["flood.test"]\n')
        config = os.path.join(folder, "warden.toml")
        with open(config, "w") as f:
            f.write(config_text)
        self.state = tempfile.mkdtemp(dir=folder)
        self.proc = subprocess.Popen(
            [binary, "run", "-c", config, "--policy", policy, "--listen", "127.0.0.1:0",
             "--threads", "1", "--state-dir", self.state, "--access-log", os.devnull],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        for line in self.proc.stderr:
            m = re.search(r"explicit proxy on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        else:
            raise SystemExit("warden did not start")
        self.ca = os.path.join(self.state, "ca.pem")
        # The journal goes on being written: keep reading it so Warden never blocks on it.
        threading.Thread(target=lambda: [None for _ in self.proc.stderr], daemon=True).start()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def phase(w, seconds, flood_rate, tag):
    out = multiprocessing.Queue()
    until = time.monotonic() + seconds
    procs = [multiprocessing.Process(target=pupil_b, args=(w.port, w.ca, until, out)),
             multiprocessing.Process(target=pupil_c, args=(w.port, w.ca, until, out, tag))]
    if flood_rate:
        procs.append(multiprocessing.Process(target=flooder,
                                             args=(w.port, flood_rate, until, out)))
    cpu = cpu_seconds(w.proc.pid)
    for p in procs:
        p.start()
    got = dict(out.get(timeout=seconds + 60) for _ in procs)
    for p in procs:
        p.join()
    got["cpu"] = cpu_seconds(w.proc.pid) - cpu
    got["rss"] = rss_mib(w.proc.pid)
    return got


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-d", type=float, default=10, help="seconds per phase")
    ap.add_argument("--flood-rate", type=float, default=2000, help="new names a second")
    ap.add_argument("--warden", default="build/release/warden")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="warden-mint-flood-")
    budgets = {"budget": "", "no budget": "[tls]\nclient_mint_burst = 1000000\n"
                                           "client_mint_rate = 100000\n"}
    rows = []
    for label, config in budgets.items():
        w = Warden(args.warden, tempfile.mkdtemp(prefix=label.replace(" ", "-"), dir=folder), config)
        try:
            ctx = ssl.create_default_context(cafile=w.ca)
            for i in range(NAMES_B):  # B's names minted before the measurement
                visit(w.port, ctx, f"b{i}.flood.test", "127.0.0.1")
            for flood in (0, args.flood_rate):
                got = phase(w, args.d, flood, f"{len(rows)}")
                rows.append((label, flood, got))
        finally:
            w.stop()
    alone = rows[0][2]["b"]
    print(f"\n{args.d:g} s a phase, Warden one worker; B = pupil on 100 cached names, "
          "C = pupil on a new name every 100 ms\n")
    print("| Warden | flood (names/s asked) | B conn/s | B vs alone | C new names served/asked"
          " | flooder answered/sent | Warden CPU s | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|")
    for label, flood, got in rows:
        sent, answered = got.get("flood", (0, 0))
        asked, served = got["c"]
        print(f"| {label} | {flood:g} | {got['b'] / args.d:.0f} | {got['b'] / alone:.2f} | "
              f"{served}/{asked} | {answered}/{sent} | {got['cpu']:.1f} | {got['rss']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())
