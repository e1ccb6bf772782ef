#!/usr/bin/env python3
"""`warden lists update` against a real HTTPS server this test starts (its own CA, given with
lists_update.ca): the first fetch installs a version; the next asks with If-None-Match and
If-Modified-Since and gets 304; a new archive is swapped in under load with zero failed requests
and the running Warden filters with it (policy watch); and every bad download leaves the lists
in use untouched: cut short, larger than allowed, inflating past the bound, a path climbing out,
a SHA-256 that does not match, lists the policy cannot load with, a plain-http URL. With
../shared/datasets/ut1, the real UT1 lists packed as UT1 ships them (blacklists/...) too.

As root it re-runs itself in a fresh network namespace (loopback only)."""

import hashlib
import http.server
import io
import os
import shutil
import socketserver
import ssl
import subprocess
import sys
import tarfile
import tempfile
import threading
import unittest

import harness
from harness import Warden, start_origin, wait_until

IN_NETNS = harness.enter_network_namespace()
harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
FIXTURE_LISTS = os.path.join(SOURCE, "tests", "policy", "lists")
UT1 = os.path.join(SOURCE, "..", "shared", "datasets", "ut1")
POLICY = """
[[rule]]
name = "no games"
action = "block"
categories = ["games"]
"""


def tarball(folder, top="blacklists", extra=None, skip=()):
    """`folder` packed as UT1 packs its lists (tar.gz, everything under `top`/)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name in sorted(os.listdir(folder)):
            if name not in skip and os.path.isdir(os.path.join(folder, name)):
                tar.add(os.path.join(folder, name), arcname=f"{top}/{name}")
        for path, data in (extra or {}).items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


class Server:
    """HTTPS with ETag and Last-Modified validators; `mode` bends the next answers."""

    def __init__(self, pki):
        self.body = b""
        self.mode = "ok"
        self.requests = []
        self.sha_text = None
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                outer.requests.append((self.path, dict(self.headers)))
                if self.path.endswith(".sha256"):
                    text = (outer.sha_text or hashlib.sha256(outer.body).hexdigest() +
                            "  blacklists.tar.gz\n").encode()
                    return self.answer(200, text)
                etag = '"' + hashlib.sha256(outer.body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self.answer(304, b"", etag)
                if outer.mode == "cut":  # says more than it sends, then hangs up
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(outer.body)))
                    self.end_headers()
                    self.wfile.write(outer.body[: len(outer.body) // 2])
                    self.close_connection = True
                    return
                if outer.mode == "cut-unframed":  # no length: the close looks like the end
                    self.send_response(200)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(outer.body[: len(outer.body) // 2])
                    self.close_connection = True
                    return
                self.answer(200, outer.body, etag)

            def answer(self, status, body, etag=None):
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", "Sun, 06 Dec 2026 02:00:00 GMT")
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        class Threading(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError)):
                    super().handle_error(request, client_address)  # a client hanging up is fine

        self.httpd = Threading(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(pki, "leaf.pem"), os.path.join(pki, "leaf.key"))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.url = f"https://localhost:{self.httpd.server_address[1]}/blacklists.tar.gz"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


class ListsUpdate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="warden-lists-update-")
        cls.pki = os.path.join(cls.dir, "pki")
        os.makedirs(cls.pki)
        harness.make_origin_pki(cls.pki, "localhost")
        cls.server = Server(cls.pki)
        cls.first = tarball(FIXTURE_LISTS)
        newer = os.path.join(cls.dir, "newer")
        shutil.copytree(FIXTURE_LISTS, newer)
        with open(os.path.join(newer, "games", "domains"), "a") as f:
            f.write("\nnewgame.test\n")
        cls.second = tarball(newer)

    @classmethod
    def tearDownClass(cls):
        cls.server.httpd.shutdown()
        cls.server.httpd.server_close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.work = tempfile.mkdtemp(dir=self.dir)
        self.lists = os.path.join(self.work, "lists")
        self.policy = os.path.join(self.work, "policy.toml")
        with open(self.policy, "w") as f:
            f.write(POLICY)
        self.server.mode = "ok"
        self.server.sha_text = None
        self.server.body = self.first
        self.config = self.write_config()

    def write_config(self, extra=""):
        path = os.path.join(self.work, "warden.toml")
        with open(path, "w") as f:
            f.write(f'[policy]\nfile = "{self.policy}"\nlists = "{self.lists}"\n'
                    f'[lists_update]\nurl = "{self.server.url}"\n'
                    f'ca = ["{os.path.join(self.pki, "root.pem")}"]\n{extra}')
        return path

    def update(self, *args, config=None):
        return subprocess.run(harness.command("lists", "update", "-c", config or self.config,
                                              *args), capture_output=True, text=True, timeout=120)

    def version(self):
        link = os.path.join(self.lists, "current")
        return os.readlink(link) if os.path.islink(link) else None

    def games(self):
        with open(os.path.join(self.lists, "current", "games", "domains")) as f:
            return f.read()

    def test_first_fetch_then_not_modified(self):
        out = self.update()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("Lists version", out.stdout)
        first = self.version()
        self.assertTrue(first and first.startswith(".versions/"), first)
        self.assertTrue(os.path.isdir(os.path.join(self.lists, "current", "gambling")))
        before = len(self.server.requests)
        out = self.update()
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("not modified", out.stdout)
        _, headers = self.server.requests[before]
        self.assertTrue(headers.get("If-None-Match", "").startswith('"'), headers)
        self.assertEqual(headers.get("If-Modified-Since"), "Sun, 06 Dec 2026 02:00:00 GMT")
        self.assertEqual(self.version(), first)
        # --force asks without validators, and a new archive is a new version.
        self.server.body = self.second
        out = self.update("--force")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertNotEqual(self.version(), first)
        self.assertIn("newgame.test", self.games())
        # The one before is kept to go back to; nothing half-made is left.
        versions = sorted(os.listdir(os.path.join(self.lists, ".versions")))
        self.assertEqual(len(versions), 2, versions)

    def assert_refused(self, says, config=None):
        out = self.update(config=config)
        self.assertNotEqual(out.returncode, 0, out.stdout)
        self.assertIn(says, out.stderr)
        self.assertIn("the lists in use stay", out.stderr)
        return out

    def test_every_bad_download_leaves_the_lists_in_use(self):
        self.assertEqual(self.update().returncode, 0)
        kept, games = self.version(), self.games()
        self.server.body = self.second
        self.server.mode = "cut"
        self.assert_refused("bytes remaining to read")  # less than its Content-Length arrived
        self.server.mode = "cut-unframed"
        self.assert_refused("damaged or cut short")
        self.server.mode = "ok"
        self.server.body = self.second + os.urandom(2 << 20)  # a 2 MB archive, 1 MB allowed
        self.assert_refused("larger than", config=self.write_config("max_download_mb = 1\n"))
        zeros = tarball(FIXTURE_LISTS, extra={"blacklists/games/huge": bytes(3 << 20)})
        self.server.body = zeros  # small, but unpacks past the bound
        self.assert_refused("unpacks to more than", config=self.write_config(
            "max_unpacked_mb = 2\n"))
        self.server.body = tarball(FIXTURE_LISTS, extra={"blacklists/../../escaped": b"x"})
        self.config = self.write_config()
        self.assert_refused("outside the lists folder")
        self.assertFalse(os.path.exists(os.path.join(self.work, "escaped")))
        self.server.body = tarball(FIXTURE_LISTS, skip=("games",))  # the policy names games
        self.assert_refused("the policy does not load with the new lists")
        self.server.body = self.second
        self.server.sha_text = "0" * 64 + "  blacklists.tar.gz\n"
        self.assert_refused("SHA-256", config=self.write_config(
            f'sha256_url = "{self.server.url}.sha256"\n'))
        out = self.update("--url", self.server.url.replace("https:", "http:"))
        self.assertIn("only https:// URLs", out.stderr)
        if os.geteuid() == 0:  # root by hand in a folder the service's account owns
            os.chown(self.lists, 65534, 65534)
            out = self.update()
            self.assertIn("belongs to another account", out.stderr)
            os.chown(self.lists, 0, 0)
        self.assertEqual((self.version(), self.games()), (kept, games))
        self.assertEqual([v for v in os.listdir(os.path.join(self.lists, ".versions"))
                          if v.endswith(".partial")], [])
        # With the right SHA-256 it goes through.
        self.server.sha_text = None
        out = self.update(config=self.write_config(f'sha256_url = "{self.server.url}.sha256"\n'))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("(checked)", out.stdout)

    def test_a_new_version_is_swapped_in_under_load_without_a_failed_request(self):
        self.assertEqual(self.update().returncode, 0)
        origin = start_origin()
        self.addCleanup(origin.shutdown)
        w = Warden(config=self.config)
        self.addCleanup(lambda: w.proc.poll() is None and w.stop())
        self.assertNotEqual(w.curl("-o", "/dev/null", "-w", "%{http_code}",
                                   "http://newgame.test/").stdout, "403")
        results = []
        stop = threading.Event()

        def load():
            while not stop.is_set():
                out = w.curl("-o", "/dev/null", "-w", "%{http_code}",
                              f"http://127.0.0.1:{origin.server_address[1]}/load")
                results.append(out.stdout)
        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        self.server.body = self.second
        out = self.update()
        self.assertEqual(out.returncode, 0, out.stderr)
        reloaded = wait_until(lambda: w.curl("-o", "/dev/null", "-w", "%{http_code}",
                                             "http://newgame.test/").stdout == "403", timeout=15)
        # (load goes on until enough requests ran across the swap, however slow the machine)
        wait_until(lambda: len(results) > 20, timeout=30)
        stop.set()
        for t in threads:
            t.join()
        self.assertTrue(reloaded, w.stderr_lines[-5:])
        self.assertGreater(len(results), 20)
        self.assertEqual(set(results), {"200"}, [r for r in results if r != "200"][:5])
        self.assertTrue(any("(version " in l for l in w.stderr_lines), w.stderr_lines[-5:])

    @unittest.skipUnless(os.path.isdir(UT1), "../shared/datasets/ut1 is not here (a user's "
                         "clone): the real UT1 lists are not tried")
    def test_the_real_ut1_lists_as_ut1_ships_them(self):
        with open(self.policy, "w") as f:
            f.write('[[rule]]\nname = "games"\naction = "block"\ncategories = ["games"]\n')
        self.server.body = tarball(UT1)
        out = self.update()
        self.assertEqual(out.returncode, 0, out.stderr)
        categories = [d for d in os.listdir(UT1) if os.path.isdir(os.path.join(UT1, d))]
        self.assertIn(f"{len(categories)} categories", out.stdout)
        check = subprocess.run(harness.command("check", "-c", self.config, "--group", "default",
                                               "http://" + self.first_games_domain()),
                               capture_output=True, text=True)
        self.assertIn(" block games games", check.stdout, check.stderr)

    def first_games_domain(self):
        with open(os.path.join(UT1, "games", "domains")) as f:
            return next(l.strip() for l in f if l.strip() and not l.startswith("#"))


if __name__ == "__main__":
    harness.main()
