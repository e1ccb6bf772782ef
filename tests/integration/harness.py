"""What the tests that drive the built `warden` binary share: a local origin (http.server) and
a running `warden run` whose port is read from its start banner. Standard library only."""

import http.server
import json
import os
import re
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest

# The binary under test; each test script sets it from its first argument. A list is a command
# that runs it (["wine", "warden.exe"]).
WARDEN = "build/release/warden"
# How long a start may take before its banner (Wine's first start in a fresh prefix is slow).
START_TIMEOUT = 10
# Flags that let Warden reach origins on loopback (refused by default: proxy.deny_destinations).
ALLOW_LOOPBACK = ["--allow-destination", "127.0.0.0/8", "--allow-destination", "::1/128"]


class Origin(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"origin says hi"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Ok(http.server.BaseHTTPRequestHandler):
    """A search engine's stand-in: "ok" to every GET and POST; the bodies POSTed are kept in
    `posted`, as they arrived."""
    protocol_version = "HTTP/1.1"
    posted = []

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def do_POST(self):
        Ok.posted.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.do_GET()

    def log_message(self, *args):
        pass


class ThreadingServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def games_policy(folder, more=""):
    """A lists folder with one category, games (games.test), and a policy blocking it by the
    rule "no games" (plus `more` policy text): (policy file, lists folder), in `folder`."""
    lists = os.path.join(folder, "lists")
    os.makedirs(os.path.join(lists, "games"))
    with open(os.path.join(lists, "games", "domains"), "w") as f:
        f.write("games.test\n")
    policy = os.path.join(folder, "policy.toml")
    with open(policy, "w") as f:
        f.write('[[rule]]\nname = "no games"\naction = "block"\ncategories = ["games"]\n\n'
                + more)
    return policy, lists


# Sign-in tests (docs/identity.md): a policy group per directory group, and a rule for one of
# them, so who signed in shows in the decision.
SIGN_IN_POLICY = """
[[group]]
name = "year7"

[[group]]
name = "staff"

[[rule]]
name = "no games for year 7"
action = "block"
domains = ["games.example"]
groups = ["year7"]
"""


def start_origin():
    server = ThreadingServer(("127.0.0.1", 0), Origin)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def command(*args):
    """The command line that runs the binary under test with `args`."""
    prefix = list(WARDEN) if isinstance(WARDEN, (list, tuple)) else [WARDEN]
    return prefix + list(args)


def json_lines(path):
    """The JSON lines of a log Warden writes (none while the file is not there yet)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


class Logs:
    """Reading a running Warden's access log (`access_log`) and alert log (in `state`)."""

    def log(self):
        return json_lines(self.access_log)

    def log_line(self, **want):
        """Waits for a log line with these fields (the log is written in batches)."""
        found = []

        def match():
            found[:] = [l for l in self.log() if all(l.get(k) == v for k, v in want.items())]
            return bool(found)
        assert wait_until(match, timeout=5), f"no log line with {want}: {self.log()}"
        return found[-1]

    def alert_log(self):
        return json_lines(os.path.join(self.state, "alerts", "alerts.log"))


class Warden(Logs):
    """A running `warden run`; the port is read from its start banner on stderr."""

    def __init__(self, *extra, config=None, allow_loopback=True, env=None, uid=None, state=None,
                 access_log=None, admin="127.0.0.1:0"):
        self.dir = tempfile.mkdtemp(prefix="warden-bin-")
        # Apart from the files it rereads: files made later beside the CA key or in a folder
        # above it are walled off with the key (docs/tls.md). `state`: an earlier one's, to
        # restart it.
        self.state = state or tempfile.mkdtemp(prefix="warden-state-")
        self.access_log = access_log or os.path.join(self.dir, "access.log")
        prefix = []
        if uid is not None:  # as that user (root only), its folders its own
            for folder in (self.dir, self.state):
                os.chown(folder, uid, uid)
            prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        args = prefix + command("run", "--listen", "127.0.0.1:0", "--state-dir",
                       self.state, "--access-log", self.access_log,
                       "--threads", "2")
        if allow_loopback:  # the test origins listen there, which Warden refuses by default
            args += ALLOW_LOOPBACK
        if config:
            args += ["-c", config]
        if admin:  # a port of its own (tests run side by side); None: the config's
            args += ["--admin-listen", admin]
        self.proc = subprocess.Popen(args + list(extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=None if env is None else {**os.environ, **env})
        self.banner = ""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.banner += line
            m = re.search(r"explicit proxy on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        else:
            raise AssertionError("no start banner: " + self.banner)
        if not hasattr(self, "port"):
            raise AssertionError("warden did not start: " + self.banner + self.proc.stderr.read())
        self.stderr_lines = []
        self.drainer = threading.Thread(target=self._drain_stderr, daemon=True)
        self.drainer.start()

    def _drain_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def admin_port(self, timeout=START_TIMEOUT):
        """The admin listener's port, from the banner's "Admin: https://..." line."""
        found = []
        def seen():
            text = self.banner + "".join(self.stderr_lines)
            found[:] = re.findall(r"Admin: https://[^ ]*:(\d+)/metrics", text)
            return bool(found)
        if not wait_until(seen, timeout):
            raise AssertionError("no admin line in the banner: " + self.banner)
        return int(found[0])

    def curl(self, *args):
        return subprocess.run(["curl", "-sS", "--max-time", "20", "--noproxy", "",
                               "-x", f"http://127.0.0.1:{self.port}", *args],
                              capture_output=True, text=True)

    def raw(self, data, timeout=5):
        with socket.create_connection(("127.0.0.1", self.port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(data)
            chunks = []
            while True:
                try:
                    b = s.recv(65536)
                except socket.timeout:
                    break
                if not b:
                    break
                chunks.append(b)
            return b"".join(chunks)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=30)
        self.drainer.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return rc

    def wait_for_log(self, count, timeout=5):
        """The access log once it has `count` lines (what it has after `timeout`)."""
        wait_until(lambda: len(self.log()) >= count, timeout)
        return self.log()


def main():
    """unittest.main, except that a run where a test was skipped (and none failed) exits 77,
    which ctest reports as skipped (SKIP_RETURN_CODE), not passed; the reason is in the output."""
    program = unittest.main(verbosity=2, exit=False)
    result = program.result
    if not result.wasSuccessful():
        raise SystemExit(1)
    raise SystemExit(77 if result.skipped else 0)


def enter_network_namespace(private_mounts=False):
    """As root, re-runs this script in a fresh network namespace with only loopback up, so
    nothing it starts can reach the internet (and, with `private_mounts`, a mount namespace of
    its own, so it may bind-mount over /etc/hosts). Returns True when running inside one."""
    if os.geteuid() == 0 and os.environ.get("WARDEN_NETNS") != "1" and shutil.which("unshare"):
        os.environ["WARDEN_NETNS"] = "1"
        flags = ["-n", "-m"] if private_mounts else ["-n"]
        os.execvp("unshare", ["unshare", *flags, "--", sys.executable, *sys.argv])
    inside = os.environ.get("WARDEN_NETNS") == "1"
    if inside:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    return inside


def haproxy_states(stats_socket, proxy):
    """Each server of HAProxy's `proxy` and its operational state ("2": up, "0": down), from
    its stats socket; {} while HAProxy does not answer."""
    try:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(stats_socket)
            s.sendall(f"show servers state {proxy}\n".encode())
            out = b""
            while chunk := s.recv(4096):
                out += chunk
    except OSError:
        return {}
    rows = [l.split() for l in out.decode().splitlines() if not l.startswith("#")]
    return {r[3]: r[5] for r in rows if len(r) > 5 and r[1] == proxy}


def require(*tools):
    """Skips the calling test class (raise it in setUpClass) when a tool is not installed."""
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        raise unittest.SkipTest(f"{', '.join(missing)} not installed "
                                "(scripts/install-deps.sh installs them)")


def wait_until(condition, timeout=10.0, interval=0.02):
    """Polls `condition` until it holds or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def make_origin_pki(folder, name="localhost"):
    """A root (root.pem) and a leaf for `name` (leaf.pem, leaf.key) in `folder`, as a school's
    intranet server might have. `name` may be a list: the leaf then carries every one."""
    names = [name] if isinstance(name, str) else list(name)
    name, san = names[0], ",".join(f"DNS:{n}" for n in names)
    subprocess.run(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
        "-subj '/CN=Intranet Test Root' -addext 'keyUsage=critical,keyCertSign,cRLSign' "
        "-keyout root.key -out root.pem && "
        f"openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN={name}' "
        "-keyout leaf.key -out leaf.csr && "
        f"printf 'subjectAltName={san}\\nbasicConstraints=critical,CA:FALSE\\n"
        "keyUsage=critical,digitalSignature\\nextendedKeyUsage=serverAuth\\n' > leaf.ext && "
        "openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -CAcreateserial -days 2 "
        "-sha256 -extfile leaf.ext -out leaf.pem",
        shell=True, cwd=folder, check=True, capture_output=True)


def start_tls_origin(pki):
    """An Origin over TLS on a loopback port, with a leaf for localhost made in `pki`
    (make_origin_pki: root.pem is what vouches for it)."""
    import ssl
    make_origin_pki(pki)
    server = ThreadingServer(("127.0.0.1", 0), Origin)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(pki, "leaf.pem"), os.path.join(pki, "leaf.key"))
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    """nginx from Debian as a TLS origin: `servers` is a list of (listen, http2, extra
    server-block text), listen being a loopback port or "address:port" (http2 None: plain HTTP
    there); files are served from
    `root`, with the leaf.pem/leaf.key in `folder`; `netns` runs it in that network namespace.
    Its access log records the protocol each request came in (`$server_protocol`), so a test
    can see what the origin saw."""

    def __init__(self, folder, root, servers, netns=None):
        self.folder = folder
        self.access_log = os.path.join(folder, "nginx-access.log")
        blocks = "".join(
            f"server {{ listen {_listen(port)}{_tls(h2)}; "
            f"ssl_certificate {folder}/leaf.pem; ssl_certificate_key {folder}/leaf.key; "
            f"root {root}; {extra} }}\n" for port, h2, extra in servers)
        tmp = os.path.join(folder, "nginx-tmp")
        os.makedirs(tmp, exist_ok=True)
        conf = os.path.join(folder, "nginx.conf")
        with open(conf, "w") as f:
            # (As root, workers would drop to nobody and not read a private temp folder.)
            f.write(("user root; " if os.geteuid() == 0 else "") +
                    f"worker_processes 1; daemon off; pid {folder}/nginx.pid; "
                    f"error_log {folder}/nginx-error.log;\nevents {{}}\n"
                    f"http {{ log_format p '$request_method $uri $server_protocol $status $connection'; "
                    f"access_log {self.access_log} p; client_max_body_size 64m; "
                    + " ".join(f"{t}_temp_path {tmp};" for t in
                               ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                    + f"\n{blocks}}}\n")
        prefix = ["ip", "netns", "exec", netns] if netns else []
        self.proc = subprocess.Popen(prefix + ["nginx", "-c", conf, "-p", folder],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # nginx writes its pid file once its sockets are bound.
        pid = os.path.join(folder, "nginx.pid")
        if not wait_until(lambda: os.path.exists(pid) or self.proc.poll() is not None, 10) or \
                self.proc.poll() is not None:
            raise AssertionError("nginx did not start: " + self.proc.stderr.read(2000).decode())

    def requests(self, with_connection=False):
        """The requests the origin saw: (method, path, protocol, status[, connection serial])."""
        if not os.path.exists(self.access_log):
            return []
        with open(self.access_log) as f:
            return [tuple(l.split()[:5 if with_connection else 4]) for l in f if l.strip()]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stderr.close()


def _tls(h2):
    """An Nginx server's TLS: h2 None is plain HTTP; otherwise TLS, with HTTP/2 when true."""
    return "" if h2 is None else f" ssl{' http2' if h2 else ''}"


def _listen(port):
    return port if isinstance(port, str) else f"127.0.0.1:{port}"


def sanitized(binary):
    """Whether `binary` was built with AddressSanitizer, whose allocator keeps freed memory in
    quarantine and reserves terabytes of address space: memory figures mean nothing there."""
    return b"libasan" in subprocess.run(["ldd", binary], capture_output=True).stdout


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Chromium:
    """Headless Chromium with Warden as its proxy for everything (loopback included), trusting
    `school_ca` through an NSS db in its own $HOME under `folder` (never the user's)."""

    def __init__(self, folder, school_ca, proxy_port):
        self.folder = folder
        self.proxy_port = proxy_port
        self.home = os.path.join(folder, "home")
        nssdb = os.path.join(self.home, ".pki", "nssdb")
        os.makedirs(nssdb)
        subprocess.run(["certutil", "-N", "-d", f"sql:{nssdb}", "--empty-password"], check=True)
        subprocess.run(["certutil", "-A", "-d", f"sql:{nssdb}", "-n", "School Web Filter CA",
                        "-t", "C,,", "-i", school_ca], check=True)

    def run(self, url, *extra):
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.folder)
        args = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                f"--proxy-server=http://127.0.0.1:{self.proxy_port}",
                "--proxy-bypass-list=<-loopback>", *extra, url]
        env = dict(os.environ, HOME=self.home)
        return subprocess.run(args, capture_output=True, text=True, timeout=120, env=env)


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, check=check, **kw)


class Netns:
    """Named network namespaces, veths and hosts files; everything removed by cleanup()."""

    def __init__(self):
        self.tag = f"w{os.getpid() % 100000}"
        self.names = []
        self.procs = []

    def ns(self, role):
        name = f"{self.tag}-{role}"
        sh("ip", "netns", "add", name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        self.names.append(name)
        return name

    def link(self, a, a_if, b, b_if):
        sh("ip", "link", "add", a_if, "netns", a, "type", "veth", "peer", "name", b_if, "netns", b)
        sh("ip", "-n", a, "link", "set", a_if, "up")
        sh("ip", "-n", b, "link", "set", b_if, "up")

    def addr(self, ns, dev, *addresses):
        for a in addresses:
            extra = ["nodad"] if ":" in a else []
            sh("ip", "-n", ns, "addr", "add", a, "dev", dev, *extra)

    def hosts(self, ns, lines):
        folder = f"/etc/netns/{ns}"
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "hosts"), "w") as f:
            f.write("127.0.0.1 localhost\n::1 localhost\n" + lines)

    def spawn(self, ns, *args, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", ns, *args], **kw)
        self.procs.append(p)
        return p

    def run(self, ns, *args, timeout=20):
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        return subprocess.run(["ip", "netns", "exec", ns, *args], capture_output=True, text=True,
                              timeout=timeout, env=env)

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for name in self.names:
            pids = sh("ip", "netns", "pids", name, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            sh("ip", "netns", "del", name, check=False)
            shutil.rmtree(f"/etc/netns/{name}", ignore_errors=True)


class WardenInNs(Logs):
    """`warden run` inside a namespace `ns` of `net` (a Netns), its files in `folder`, with the
    given flags (a capture mode...) and config text; started once its banner is out."""

    def __init__(self, net, ns, folder, *args, config=""):
        self.folder = folder
        self.state = tempfile.mkdtemp(prefix="warden-state-")  # apart, as Warden above
        self.access_log = os.path.join(folder, "access.log")
        cfg = os.path.join(folder, "warden.toml")
        with open(cfg, "w") as f:
            f.write(config)
        self.proc = net.spawn(
            ns, WARDEN, "run", "-c", cfg, "--listen", "127.0.0.1:3128", "--state-dir",
            self.state, "--access-log", self.access_log, "--threads", "2", *args,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.banner = ""
        while "Stop with Ctrl-C" not in self.banner:
            line = self.proc.stderr.readline()
            if not line:
                raise AssertionError("warden did not start:\n" + self.banner)
            self.banner += line
        self.ca = os.path.join(self.state, "ca.pem")
        self.stderr_lines = []
        self.drainer = threading.Thread(target=self._drain, daemon=True)
        self.drainer.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=30)
        self.drainer.join(timeout=5)
        return rc


def warden(*args):
    """`warden ARGS` run to its end: the CompletedProcess."""
    return subprocess.run(command(*args), capture_output=True, text=True, timeout=60)


class Bundles:
    """A school's side of the central policy (docs/fleet.md): a signing key made with `warden
    bundle keygen` in `folder`/keys, and bundles signed into `folder`/www/policy.bundle."""

    def __init__(self, folder):
        self.folder = folder
        self.keys = os.path.join(folder, "keys")
        got = warden("bundle", "keygen", self.keys)
        if got.returncode != 0:
            raise AssertionError(got.stderr)
        self.www = os.path.join(folder, "www")
        os.makedirs(self.www)
        self.served = os.path.join(self.www, "policy.bundle")

    def sign(self, version, policy, out=None):
        """Signs `policy` (the text of policy.toml, with a one-name games list) as `version`."""
        source = tempfile.mkdtemp(dir=self.folder)
        with open(os.path.join(source, "policy.toml"), "w") as f:
            f.write(policy)
        os.makedirs(os.path.join(source, "lists", "games"))
        with open(os.path.join(source, "lists", "games", "domains"), "w") as f:
            f.write("games.test\n")
        target = out or self.served
        got = warden("bundle", "sign", "--key", os.path.join(self.keys, "bundle.key"),
                     "--version", str(version), source, target + ".tmp")
        if got.returncode == 0:
            # nginx's ETag is the file's mtime (in seconds) and size: two bundles signed within
            # a second would look the same to If-None-Match, so each gets a time of its own.
            os.utime(target + ".tmp", (1_700_000_000 + version, 1_700_000_000 + version))
            os.replace(target + ".tmp", target)  # served whole or not at all
        return got


def blocking(path):
    """A policy blocking http://127.0.0.1:*/`path` by the rule "bundled rule"."""
    return ('[[rule]]\nname = "bundled rule"\naction = "block"\n'
            f'urls = ["127.0.0.1/{path}"]\n')
