#!/usr/bin/env python3
"""Safeguarding alerts, end to end (docs/analysis.md, "Safeguarding alerts"): searches through
the explicit proxy to Google's own name (which this test's mount namespace resolves to a plain
HTTP origin on loopback), a policy with [[alert]] rules, and a real HTTPS webhook server started
by the test (its certificate from a test root given as alerts.webhook_ca).

Asserted: an alert reaches the webhook and the alert log, naming the rule, category, severity,
client and group, the search and the same pupil's searches just before and after it; a repeat is
counted in the log (alert_repeat) and not sent again; alerts raised while the webhook is down
wait in the spool, survive a restart of Warden, and are delivered when it is back, in order,
none lost and none twice. Needs root (a network and mount namespace of its own, port 80, /etc/hosts
bound over); skips saying why otherwise."""
import http.server
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Ok, ThreadingServer, Warden, wait_until  # noqa: E402

IN_NETNS = harness.enter_network_namespace(private_mounts=True)
harness.WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN

POLICY = """
[[alert]]
name = "self-harm searches"
category = "self-harm"
severity = "high"
searches = ["hurt myself"]

[[alert]]
name = "bullying searches"
category = "bullying"
searches = ["everyone hates me"]
"""


class Hook(http.server.BaseHTTPRequestHandler):
    """The school's webhook: records every POSTed alert, answers 204."""
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.headers["Content-Type"], json.loads(body)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Alerts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not IN_NETNS:
            raise unittest.SkipTest("needs root: Google's name is pointed at loopback through "
                                    "/etc/hosts in a mount namespace of the test's own")
        if not shutil.which("curl"):
            raise unittest.SkipTest("curl not installed (scripts/install-deps.sh installs it)")
        cls.dir = tempfile.mkdtemp(prefix="warden-alerts-")
        hosts = os.path.join(cls.dir, "hosts")
        with open(hosts, "w") as f:  # (Google's safe address too: restricted modes are on)
            f.write("127.0.0.1 localhost www.google.com forcesafesearch.google.com\n")
        subprocess.run(["mount", "--bind", hosts, "/etc/hosts"], check=True)
        harness.make_origin_pki(cls.dir, "localhost")
        cls.plain = ThreadingServer(("127.0.0.1", 80), Ok)
        threading.Thread(target=cls.plain.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.plain.shutdown()
        subprocess.run(["umount", "/etc/hosts"], check=False)
        shutil.rmtree(cls.dir, ignore_errors=True)

    def hook(self, port=0):
        server = ThreadingServer(("127.0.0.1", port), Hook)
        server.received = []
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.dir, "leaf.pem"), os.path.join(self.dir, "leaf.key"))
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server

    def start_warden(self, port, state=None):
        name = self.id().rsplit(".", 1)[1]
        config = os.path.join(self.dir, f"{name}.toml")
        with open(config, "w") as f:
            f.write(f'[alerts]\nwebhook = "https://localhost:{port}/hook"\n'
                    f'webhook_ca = ["{self.dir}/root.pem"]\ncontext_after = "3s"\n')
        policy = os.path.join(self.dir, f"{name}-policy.toml")
        with open(policy, "w") as f:
            f.write(POLICY)
        warden = Warden("--policy", policy, config=config, state=state)
        self.addCleanup(lambda: warden.proc.poll() is None and warden.stop())
        return warden

    def search(self, warden, words):
        out = warden.curl("-o", "/dev/null", "-w", "%{http_code}",
                          "http://www.google.com/search?q=" + words.replace(" ", "+"))
        self.assertEqual(out.stdout, "200", out.stderr)

    def test_an_alert_with_its_context_reaches_the_webhook_once(self):
        hook = self.hook()
        warden = self.start_warden(hook.server_address[1])
        for words in ("maths homework", "how to hurt myself", "samaritans helpline"):
            self.search(warden, words)
        self.assertTrue(wait_until(lambda: len(hook.received) >= 1), warden.stderr_lines)
        content_type, alert = hook.received[0]
        self.assertEqual(content_type, "application/json")
        self.assertEqual(
            {k: alert[k] for k in ("event", "rule", "category", "severity", "client", "group",
                                   "matched", "decision")},
            {"event": "alert", "rule": "self-harm searches", "category": "self-harm",
             "severity": "high", "client": "127.0.0.1", "group": "default",
             "matched": "hurt myself", "decision": "allow"})
        self.assertEqual(alert["search"]["terms"], "how to hurt myself")
        self.assertEqual(alert["search"]["url"],
                         "http://www.google.com/search?q=how+to+hurt+myself")
        self.assertEqual([s["terms"] for s in alert["before"]], ["maths homework"])
        self.assertEqual([s["terms"] for s in alert["after"]], ["samaritans helpline"])
        self.assertEqual(warden.alert_log(), [alert])  # the log has it, the same

        # A repeat is counted in the log, not sent; the next alert shows nothing came between.
        self.search(warden, "hurt myself again")
        self.assertTrue(wait_until(lambda: len(warden.alert_log()) >= 2))
        repeat = warden.alert_log()[1]
        self.assertEqual((repeat["event"], repeat["id"], repeat["count"]),
                         ("alert_repeat", alert["id"], 2))
        self.search(warden, "everyone hates me")
        self.assertTrue(wait_until(lambda: len(hook.received) >= 2))
        self.assertEqual([a["rule"] for _, a in hook.received],
                         ["self-harm searches", "bullying searches"])

    def test_alerts_wait_while_the_webhook_is_down_and_survive_a_restart(self):
        port = harness.free_port()  # nothing listens there yet
        warden = self.start_warden(port)
        spool = os.path.join(warden.state, "alerts", "spool")
        self.search(warden, "hurt myself")
        self.search(warden, "everyone hates me")
        self.assertTrue(wait_until(lambda: len(os.listdir(spool)) == 2), os.listdir(spool))
        self.assertTrue(wait_until(lambda: any("alerts webhook" in l
                                               for l in warden.stderr_lines)))
        self.assertEqual(warden.stop(), 0)
        ids = [a["id"] for a in warden.alert_log()]
        self.assertEqual(len(ids), 2)

        again = self.start_warden(port, state=warden.state)
        hook = self.hook(port)
        self.assertTrue(wait_until(lambda: len(hook.received) >= 2, timeout=30),
                        again.stderr_lines)
        self.assertEqual([a["id"] for _, a in hook.received], ids)  # in order, each once
        # (removed once the answer is in, just after the hook recorded the body)
        self.assertTrue(wait_until(lambda: os.listdir(spool) == []), os.listdir(spool))


if __name__ == "__main__":
    harness.main()
