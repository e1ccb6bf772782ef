#!/usr/bin/env python3
"""Warden under a service manager's eyes: systemd's notify protocol spoken to a real
NOTIFY_SOCKET this test listens on, as systemd would (READY=1 once serving, RELOADING=1 and
READY=1 around SIGHUP, STOPPING=1 on SIGTERM), and the watchdog: WATCHDOG=1 only while every
worker's event loop turns, so a frozen worker (the test-only hook WARDEN_DEBUG_HOOKS=1 and
SIGUSR2) stops the pings that keep systemd from restarting Warden.

Usage: service_notify_test.py path/to/warden"""

import os
import signal
import socket
import sys
import tempfile
import time
import unittest

import harness
from harness import Warden

# A short watchdog, so a missing ping shows within a second: checked every 100 ms.
WATCHDOG_USEC = 300_000


class NotifySocket:
    """A datagram socket bound where NOTIFY_SOCKET says (a path, or "@name": abstract)."""

    def __init__(self, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = f"warden-notify-test-{os.getpid()}-{time.monotonic_ns()}"
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.dir = tempfile.mkdtemp(prefix="warden-notify-")
            self.address = os.path.join(self.dir, "notify")
            self.sock.bind(self.address)

    def next(self, timeout=10.0):
        """The next message as a dict of its lines, or None when none came in `timeout`."""
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096)
        except socket.timeout:
            return None
        return dict(line.split("=", 1) for line in data.decode().splitlines())

    def wait_for(self, key, timeout=10.0):
        """Reads until a message with `key` comes; returns it and what came before it."""
        seen = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.next(max(0.01, deadline - time.monotonic()))
            if m is None:
                break
            if key in m:
                return m, seen
            seen.append(m)
        raise AssertionError(f"no {key} within {timeout} s; saw {seen}")

    def close(self):
        self.sock.close()


class ServiceNotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.origin = harness.start_origin()
        cls.origin_port = cls.origin.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.origin.shutdown()

    def start(self, notify, extra_env=None, config=None):
        env = {"NOTIFY_SOCKET": notify.address, "WATCHDOG_USEC": str(WATCHDOG_USEC)}
        env.update(extra_env or {})
        return Warden(config=config, env=env)

    def test_ready_reload_and_stopping(self):
        notify = NotifySocket()
        cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
        cfg.write('[proxy]\nvia = "school-filter"\n')
        cfg.close()
        w = self.start(notify, config=cfg.name)
        try:
            ready, before = notify.wait_for("READY")
            self.assertEqual(ready["READY"], "1")
            self.assertIn(f"explicit proxy on 127.0.0.1:{w.port}", ready["STATUS"])
            self.assertEqual([m for m in before if "WATCHDOG" not in m], [])
            # Ready means serving: a request goes through at once.
            got = w.curl(f"http://127.0.0.1:{self.origin_port}/")
            self.assertEqual(got.returncode, 0, got.stderr)

            w.proc.send_signal(signal.SIGHUP)
            reloading, _ = notify.wait_for("RELOADING")
            self.assertEqual(reloading["RELOADING"], "1")
            self.assertEqual(notify.wait_for("READY")[0]["READY"], "1")

            # A broken config on reload: refused, the old one runs on, still READY again.
            with open(cfg.name, "w") as f:
                f.write("[proxy]\nvia = 42\n")
            w.proc.send_signal(signal.SIGHUP)
            notify.wait_for("RELOADING")
            notify.wait_for("READY")
            self.assertIsNone(w.proc.poll())
            # (stderr is read by another thread: the line may trail the READY message.)
            self.assertTrue(harness.wait_until(lambda: any(
                "reload refused" in l and "proxy.via" in l for l in w.stderr_lines)),
                w.stderr_lines)
            got = w.curl("-D", "-", f"http://127.0.0.1:{self.origin_port}/")
            self.assertIn("Via: 1.1 school-filter", got.stdout)

            w.proc.send_signal(signal.SIGTERM)
            self.assertEqual(notify.wait_for("STOPPING")[0]["STOPPING"], "1")
        finally:
            self.assertEqual(w.stop(), 0)
            notify.close()
            os.unlink(cfg.name)

    def test_watchdog_pings_stop_when_a_worker_freezes(self):
        notify = NotifySocket(abstract=True)
        w = self.start(notify, {"WARDEN_DEBUG_HOOKS": "1"})
        try:
            notify.wait_for("READY")
            pings = 0
            deadline = time.monotonic() + 1.0
            while time.monotonic() < deadline:
                m = notify.next(0.5)
                if m and m.get("WATCHDOG") == "1":
                    pings += 1
            # Every 100 ms: about ten in a second; a loaded machine may delay a few.
            self.assertGreaterEqual(pings, 4)

            w.proc.send_signal(signal.SIGUSR2)
            self.assertTrue(harness.wait_until(
                lambda: any("not turning: worker 0" in l for l in w.stderr_lines)), w.stderr_lines)
            # Once that is said no ping follows, though the other worker still serves.
            while (m := notify.next(0.05)) is not None:
                pass  # pings sent before the check that found worker 0 stuck
            self.assertIsNone(notify.next(3 * WATCHDOG_USEC / 1e6))
            self.assertIsNone(w.proc.poll())
        finally:
            w.proc.kill()  # worker 0 never returns: what systemd's watchdog would do
            w.stop(signal.SIGKILL)
            notify.close()

    def test_no_pings_for_another_process_or_without_a_watchdog(self):
        for env in ({"WATCHDOG_PID": "1"}, {"WATCHDOG_USEC": "0"}):
            notify = NotifySocket()
            w = self.start(notify, env)
            try:
                notify.wait_for("READY")
                self.assertIsNone(notify.next(3 * WATCHDOG_USEC / 1e6), env)
            finally:
                self.assertEqual(w.stop(), 0)
                notify.close()

    def test_outside_systemd_nothing_is_sent_and_nothing_breaks(self):
        w = Warden(env={"NOTIFY_SOCKET": "", "WATCHDOG_USEC": str(WATCHDOG_USEC)})
        try:
            got = w.curl(f"http://127.0.0.1:{self.origin_port}/")
            self.assertEqual(got.returncode, 0, got.stderr)
        finally:
            self.assertEqual(w.stop(), 0)


if __name__ == "__main__":
    harness.WARDEN = sys.argv.pop(1)
    harness.main()
