#!/usr/bin/env python3
"""A flood of new names in SNI (issue 20, "certificate-mint flood"): a client asking for more
new certificates than its budget (tls.client_mint_burst at once, tls.client_mint_rate a second
after that) has its new connections closed and logged as ERR_MINT_LIMIT; another client's new
names, and the names the flooder already had minted, are served as before; the journal is not
flooded. The names are blocked by the policy, so minting them needs no upstream."""

import os
import socket
import ssl
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Warden, wait_until  # noqa: E402

harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
BURST = 20
RATE = 1  # a second


def handshake(warden, ca, name, source="127.0.0.1"):
    """CONNECT name:443 through Warden from `source`, then TLS to it trusting only the school
    CA: True when Warden presented a certificate for the name, False when it closed instead."""
    with socket.create_connection(("127.0.0.1", warden.port), timeout=10,
                                  source_address=(source, 0)) as s:
        s.sendall(f"CONNECT {name}:443 HTTP/1.1\r\nHost: {name}:443\r\n\r\n".encode())
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                raise AssertionError(f"CONNECT {name}: closed after {reply!r}")
            reply += chunk
        if not reply.startswith(b"HTTP/1.1 200"):
            raise AssertionError(f"CONNECT {name}: {reply!r}")
        ctx = ssl.create_default_context(cafile=ca)
        try:
            with ctx.wrap_socket(s, server_hostname=name):
                return True
        except (ssl.SSLError, ConnectionError):
            return False


class MintBudget(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="warden-flood-")
        policy = os.path.join(self.dir, "policy.toml")
        with open(policy, "w") as f:
            f.write('[[rule]]\nname = "flood"\naction = "block"\ndomains = ["flood.test"]\n')
        config = os.path.join(self.dir, "warden.toml")
        with open(config, "w") as f:
            f.write(f"[tls]\nclient_mint_burst = {BURST}\nclient_mint_rate = {RATE}\n")
        self.warden = Warden("--policy", policy, config=config)
        self.ca = os.path.join(self.warden.state, "ca.pem")

    def tearDown(self):
        self.assertEqual(self.warden.stop(), 0)

    def test_a_flood_of_new_names_is_held_to_the_budget_and_no_one_else_is(self):
        started = time.monotonic()
        served = [handshake(self.warden, self.ca, f"n{i}.flood.test") for i in range(2 * BURST)]
        elapsed = time.monotonic() - started
        self.assertTrue(all(served[:BURST]), served)
        self.assertGreaterEqual(served.count(False), BURST - 1 - int(elapsed * RATE), served)
        self.assertFalse(handshake(self.warden, self.ca, "one-more.flood.test"))

        # Another pupil's new names, and a name the flooder already had minted.
        self.assertTrue(all(handshake(self.warden, self.ca, f"p{i}.flood.test", "127.0.0.2")
                            for i in range(BURST // 2)))
        self.assertTrue(handshake(self.warden, self.ca, "n0.flood.test"))

        def refused():
            return [l for l in self.warden.wait_for_log(0) if l.get("error") == "ERR_MINT_LIMIT"]
        self.assertTrue(wait_until(lambda: len(refused()) == served.count(False) + 1),
                        refused())
        refused = refused()
        self.assertEqual({(l.get("client"), l.get("end")) for l in refused},
                         {("127.0.0.1", "error")}, refused[:2])
        self.assertFalse([l for l in self.warden.stderr_lines if "mint" in l.lower()],
                         "a refused mint is the access log's, not the journal's")


if __name__ == "__main__":
    harness.main()
