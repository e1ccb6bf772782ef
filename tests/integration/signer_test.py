#!/usr/bin/env python3
"""The CA key out of the filtering process's reach (docs/tls.md), checked on the running binary
as an unprivileged user (nobody), as the package runs it: the key's bytes are in the signer's
memory and nowhere in Warden's; the signer is not dumpable (another process of the same user
cannot read its memory, while it can read Warden's: the control) and runs under its seccomp
filter; every thread of Warden has no_new_privs, which its Landlock wall needs; a killed signer
is started again and minting resumes; the signer ends with Warden. Needs root (to act as
nobody), skips saying so otherwise."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import Warden, wait_until

harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
NOBODY = 65534
# ASan reserves terabytes of readable address space (shadow, allocator): no memory scan there.
SANITIZED = harness.sanitized(WARDEN)


def children(pid):
    """The pids whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def comm(pid):
    """The process's name, or None once it has ended (a zombie too)."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            name = f.read().strip()
        return None if status_field(f"/proc/{pid}/status", "State") == "Z" else name
    except OSError:
        return None


def status_field(path, field):
    with open(path) as f:
        return re.search(rf"^{field}:\s*(\S+)", f.read(), re.M).group(1)


def signer_pids(warden_pid):
    """(supervisor, signer) under Warden, or None while the signer is (re)starting."""
    sups = [p for p in children(warden_pid) if comm(p) == "warden-signsup"]
    if len(sups) != 1:
        return None
    signers = [p for p in children(sups[0]) if comm(p) == "warden-signer"]
    return (sups[0], signers[0]) if len(signers) == 1 else None


def private_scalar(key_file):
    """The EC private key's scalar, big-endian, from the PEM file."""
    text = subprocess.run(["openssl", "pkey", "-in", key_file, "-noout", "-text"],
                          capture_output=True, text=True, check=True).stdout
    hexdigits = re.search(r"priv:\s*\n((?:\s+[0-9a-f:]+\n)+)", text).group(1)
    raw = bytes.fromhex(re.sub(r"[\s:]", "", hexdigits))
    return raw.lstrip(b"\0").rjust(32, b"\0")


def memory_holds(pid, needles):
    """Whether any of `needles` is in the process's readable memory (read as root)."""
    with open(f"/proc/{pid}/maps") as f:
        regions = [l.split() for l in f]
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for r in regions:
            start, end = (int(x, 16) for x in r[0].split("-"))
            if "r" not in r[1] or (len(r) > 5 and r[5] in ("[vvar]", "[vsyscall]")):
                continue
            overlap = max(len(n) for n in needles)
            pos, tail = start, b""
            while pos < end:
                try:
                    mem.seek(pos)
                    chunk = tail + mem.read(min(1 << 20, end - pos))
                except OSError:
                    break
                if any(n in chunk for n in needles):
                    return True
                tail = chunk[-overlap:]
                pos += 1 << 20
    return False


def can_read_memory_as(uid, pid):
    """Whether a process running as `uid` may open /proc/pid/mem and read one mapped byte."""
    with open(f"/proc/{pid}/maps") as f:
        start = int(f.readline().split("-")[0], 16)
    probe = (f"f = open('/proc/{pid}/mem', 'rb', buffering=0); f.seek({start}); "
             "print(len(f.read(1)))")
    out = subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                          sys.executable, "-c", probe], capture_output=True, text=True)
    return out.returncode == 0 and out.stdout.strip() == "1"


@unittest.skipUnless(os.geteuid() == 0, "needs root, to run Warden as nobody")
class SignerProcessTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="warden-origin-pki-")
        cls.origin = harness.start_tls_origin(cls.pki)
        os.chmod(cls.pki, 0o755)  # root.pem, for Warden as nobody
        cls.port = cls.origin.server_address[1]

    @classmethod
    def tearDownClass(cls):
        cls.origin.shutdown()
        cls.origin.server_close()

    def start(self):
        w = Warden("--upstream-ca", os.path.join(self.pki, "root.pem"), "--connect-port",
                   str(self.port), uid=NOBODY)
        self.addCleanup(w.stop)  # (a no-op signal once it is gone)
        self.assertTrue(wait_until(lambda: signer_pids(w.proc.pid)), "no signer under Warden")
        return w

    def https(self, w):
        return w.curl("--cacert", os.path.join(w.state, "ca.pem"),
                      f"https://localhost:{self.port}/")

    @unittest.skipIf(SANITIZED, "an ASan build: the memory scan runs on the release build")
    def test_the_key_is_in_the_signer_only_and_walled_off(self):
        w = self.start()
        got = self.https(w)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.stdout, "origin says hi")
        supervisor, signer = signer_pids(w.proc.pid)
        key = os.path.join(w.state, "ca.key")
        self.assertEqual(os.stat(key).st_uid, NOBODY)
        self.assertEqual(os.stat(key).st_mode & 0o777, 0o600)

        scalar = private_scalar(key)
        needles = [scalar, scalar[::-1]]  # OpenSSL's bignums hold it little-endian
        self.assertTrue(memory_holds(signer, needles), "the search does not find the key")
        self.assertFalse(memory_holds(w.proc.pid, needles), "the CA key is in Warden's memory")
        self.assertFalse(memory_holds(supervisor, needles), "the CA key is in the supervisor")

        self.assertTrue(can_read_memory_as(NOBODY, w.proc.pid))  # the control: same user
        self.assertFalse(can_read_memory_as(NOBODY, signer))
        self.assertFalse(can_read_memory_as(NOBODY, supervisor))
        self.assertEqual(status_field(f"/proc/{signer}/status", "Seccomp"), "2")
        self.assertEqual(status_field(f"/proc/{w.proc.pid}/status", "Seccomp"), "0")
        tasks = os.listdir(f"/proc/{w.proc.pid}/task")
        self.assertGreater(len(tasks), 2)  # the workers and the rest
        for t in tasks:
            self.assertEqual(status_field(f"/proc/{w.proc.pid}/task/{t}/status", "NoNewPrivs"),
                             "1", f"thread {t} started before the wall")
        self.assertNotIn("stays readable", "".join(w.stderr_lines))

    def test_a_killed_signer_is_started_again_and_minting_resumes(self):
        w = self.start()
        supervisor, signer = signer_pids(w.proc.pid)
        os.kill(signer, signal.SIGKILL)
        self.assertTrue(wait_until(lambda: (signer_pids(w.proc.pid) or (0, signer))[1] != signer))
        self.assertEqual(signer_pids(w.proc.pid)[0], supervisor)
        got = self.https(w)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertTrue(wait_until(lambda: any("signer was killed by signal 9" in l
                                               for l in w.stderr_lines)), w.stderr_lines)

    def test_the_signer_ends_with_warden(self):
        w = self.start()
        supervisor, signer = signer_pids(w.proc.pid)
        w.proc.kill()  # no clean shutdown: the channel's closing is what the signer sees
        w.proc.wait()
        self.assertTrue(wait_until(lambda: comm(signer) is None and comm(supervisor) is None),
                        "the signer outlived Warden")


if __name__ == "__main__":
    harness.main()
