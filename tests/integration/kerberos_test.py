#!/usr/bin/env python3
"""Kerberos single sign-on on the explicit proxy (auth.negotiate_keytab, docs/identity.md): an
MIT KDC (Debian krb5-kdc) started here with a realm of its own, the proxy's service key in a
keytab, and pupils' tickets got from their keytabs (kinit -kt), as a domain-joined device has
them. curl --proxy-negotiate then browses as the principal without a password: the 407 offers
Negotiate before Basic, the user's group comes from the users file, a principal the file does
not know is judged by address, a token that is not a ticket is refused, Basic still works, and
a missing keytab refuses the start. Skips, saying why, without the KDC's tools."""

import base64
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

import harness
from harness import Warden, free_port, start_origin, wait_until

harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
REALM = "SCHOOL.TEST"
TOOLS = ["krb5kdc", "kdb5_util", "kadmin.local", "kinit"]
POLICY = harness.SIGN_IN_POLICY


class Kdc:
    """A KDC for SCHOOL.TEST on 127.0.0.1 (UDP and TCP), its files in `folder`; `env` points
    Kerberos at them."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        conf = os.path.join(folder, "krb5.conf")
        with open(conf, "w") as f:
            f.write(f"""[libdefaults]
  default_realm = {REALM}
  dns_lookup_kdc = false
  dns_lookup_realm = false
  rdns = false
  dns_canonicalize_hostname = false
[realms]
  {REALM} = {{
    kdc = 127.0.0.1:{self.port}
  }}
[domain_realm]
  localhost = {REALM}
""")
        kdc_conf = os.path.join(folder, "kdc.conf")
        with open(kdc_conf, "w") as f:
            f.write(f"""[kdcdefaults]
  kdc_ports = {self.port}
  kdc_tcp_ports = {self.port}
[realms]
  {REALM} = {{
    database_name = {folder}/principal
    key_stash_file = {folder}/stash
    acl_file = {folder}/kadm5.acl
    supported_enctypes = aes256-cts-hmac-sha1-96:normal
  }}
[logging]
  kdc = FILE:{folder}/kdc.log
""")
        self.env = {**os.environ, "KRB5_CONFIG": conf, "KRB5_KDC_PROFILE": kdc_conf,
                    "KRB5RCACHEDIR": folder}
        self.run("kdb5_util", "create", "-s", "-r", REALM, "-P", "kdc-master-password")
        self.proc = subprocess.Popen(["krb5kdc", "-n"], env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.service_keytab = self.principal("HTTP/localhost")

    def run(self, *args):
        out = subprocess.run(list(args), env=self.env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, f"{args}: {out.stdout}{out.stderr}"
        return out

    def principal(self, name):
        """Adds `name` with a random key; the keytab holding it."""
        keytab = os.path.join(self.folder, name.replace("/", "_") + ".keytab")
        self.run("kadmin.local", "-q", f"addprinc -randkey {name}")
        self.run("kadmin.local", "-q", f"ktadd -k {keytab} {name}")
        return keytab

    def ticket(self, name):
        """A credential cache holding `name`'s ticket-granting ticket (from its keytab)."""
        cache = os.path.join(self.folder, name + ".cc")
        keytab = self.principal(name)
        env = {**self.env, "KRB5CCNAME": f"FILE:{cache}"}
        assert wait_until(lambda: subprocess.run(["kinit", "-kt", keytab, name], env=env,
                                                 capture_output=True).returncode == 0,
                          timeout=10), "kinit failed (is the KDC up?)"
        return env

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=15)


class Kerberos(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [t for t in TOOLS if not shutil.which(t) and
                   not os.path.exists(os.path.join("/usr/sbin", t))]
        if missing:
            raise unittest.SkipTest(f"needs {', '.join(missing)} (krb5-kdc, krb5-admin-server, "
                                    "krb5-user: scripts/install-deps.sh)")
        os.environ["PATH"] += ":/usr/sbin"
        cls.dir = tempfile.mkdtemp(prefix="warden-kerberos-")
        cls.kdc = Kdc(cls.dir)
        cls.ann = cls.kdc.ticket("ann")
        cls.bob = cls.kdc.ticket("bob")
        cls.state = tempfile.mkdtemp(prefix="warden-state-")
        added = subprocess.run(harness.command("users", "add", "--state-dir", cls.state, "ann",
                                               "year7"),
                               input="ann-password-1\n", capture_output=True, text=True)
        assert added.returncode == 0, added.stderr
        policy = os.path.join(cls.dir, "policy.toml")
        with open(policy, "w") as f:
            f.write(POLICY)
        config = os.path.join(cls.dir, "warden.toml")
        with open(config, "w") as f:
            f.write(f'[auth]\nmethod = "local"\nnegotiate_keytab = "{cls.kdc.service_keytab}"\n')
        cls.origin = start_origin()
        cls.warden = Warden("--policy", policy, config=config, state=cls.state, env=cls.kdc.env)

    @classmethod
    def tearDownClass(cls):
        rc = cls.warden.stop()
        cls.kdc.stop()
        cls.origin.shutdown()
        assert rc == 0, f"warden exited {rc}"

    def curl(self, env, *args):
        """curl through Warden as a domain-joined browser: the proxy by its Kerberos name."""
        out = subprocess.run(["curl", "-sS", "--max-time", "20", "--noproxy", "", "-x",
                              f"http://localhost:{self.warden.port}", "--proxy-negotiate",
                              "-U", ":", "-o", "/dev/null", "-w", "%{http_code}", *args],
                             env=env, capture_output=True, text=True)
        return int(out.stdout or 0)

    def url(self, path):
        return f"http://127.0.0.1:{self.origin.server_address[1]}{path}"

    def test_a_ticket_signs_in_as_the_principal_without_a_password(self):
        self.assertEqual(self.curl(self.ann, self.url("/ticket")), 200)
        line = self.warden.log_line(path="/ticket", status=200)
        self.assertEqual((line["user"], line["group"]), ("ann", "year7"))
        self.assertEqual(self.curl(self.ann, "-H", "Accept: text/html", "http://games.example/"),
                         403)
        self.assertEqual(self.warden.log_line(host="games.example")["user"], "ann")

    def test_a_principal_the_users_file_does_not_know_is_judged_by_address(self):
        self.assertEqual(self.curl(self.bob, self.url("/bob")), 200)
        line = self.warden.log_line(path="/bob", status=200)
        self.assertEqual((line["user"], line["group"]), ("bob", "default"))

    def test_the_challenge_offers_negotiate_first_and_basic_still_works(self):
        head = self.warden.curl("-s", "-D", "-", "-o", "/dev/null", self.url("/challenge")).stdout
        self.assertIn("407", head.splitlines()[0])
        offers = [l.split(":", 1)[1].strip().split()[0] for l in head.splitlines()
                  if l.lower().startswith("proxy-authenticate:")]
        self.assertEqual(offers, ["Negotiate", "Basic"])
        ok = self.warden.curl("-s", "-o", "/dev/null", "-w", "%{http_code}", "--proxy-user",
                              "ann:ann-password-1", self.url("/basic"))
        self.assertEqual(ok.stdout, "200")

    def test_a_token_that_is_not_a_good_ticket_is_refused(self):
        # Base64 that reaches GSSAPI: a truncated SPNEGO header, an empty one, random bytes.
        tokens = [base64.b64encode(b).decode() for b in
                  (b"\x60\x82", b"\x60\x00", os.urandom(200))]
        for token in tokens + ["!!"]:
            reply = self.warden.raw(
                f"GET {self.url('/forged')} HTTP/1.1\r\nHost: x\r\nProxy-Authorization: "
                f"Negotiate {token}\r\nConnection: close\r\n\r\n".encode())
            self.assertTrue(reply.startswith(b"HTTP/1.1 407"), reply[:200])
            self.assertIn(b"ERR_SIGN_IN_FAILED", reply)

    def test_a_missing_keytab_refuses_the_start(self):
        config = os.path.join(self.dir, "missing.toml")
        with open(config, "w") as f:
            f.write(f'[auth]\nmethod = "local"\nnegotiate_keytab = "{self.dir}/none.keytab"\n')
        out = subprocess.run(harness.command("run", "-c", config, "--state-dir", self.state,
                                             "--listen", "127.0.0.1:0", "--admin-listen", "off"),
                             capture_output=True, text=True, timeout=30, env=self.kdc.env)
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertIn("auth.negotiate_keytab", out.stderr)


if __name__ == "__main__":
    harness.main()
