#!/usr/bin/env python3
"""Sign-in against a school's directory (auth.method = "ldap", docs/identity.md): a real slapd
(Debian's OpenLDAP) started here over LDAPS with a test CA, people and groupOfNames groups.
The right password: the pupil's directory group chooses their policy group; a wrong one: 407;
StartTLS on ldap:// works; a directory whose certificate is not the configured CA's, and a
directory that is down, fail closed (503), while a sign-in already checked is taken from the
cache until auth.cache_ttl ends. Skips, saying why, without slapd."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

import harness
from harness import Warden, free_port, make_origin_pki, start_origin, wait_until

harness.WARDEN = WARDEN = sys.argv.pop(1) if len(sys.argv) > 1 else harness.WARDEN
SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=school,dc=test"
POLICY = harness.SIGN_IN_POLICY
LDIF = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Test School
dc: school

dn: ou=people,{SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: uid=ann,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: ann
cn: Ann Example
sn: Example
userPassword: ann-directory-pw

dn: uid=bob,ou=people,{SUFFIX}
objectClass: inetOrgPerson
uid: bob
cn: Bob Example
sn: Example
userPassword: bob-directory-pw

dn: cn=year7,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: year7
member: uid=ann,ou=people,{SUFFIX}

dn: cn=choir,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: choir
member: uid=ann,ou=people,{SUFFIX}
member: uid=bob,ou=people,{SUFFIX}

dn: cn=staff,ou=groups,{SUFFIX}
objectClass: groupOfNames
cn: staff
member: uid=bob,ou=people,{SUFFIX}
"""


class Slapd:
    """slapd on 127.0.0.1, LDAPS on `ldaps_port` and LDAP (StartTLS) on `ldap_port`, its
    certificate for "localhost" (and this machine's name) from a test root (`pki`/root.pem)."""

    def __init__(self, folder):
        self.folder = folder
        self.pki = os.path.join(folder, "pki")
        os.makedirs(self.pki)
        # libldap checks a "localhost" URL against this machine's own name instead: both.
        make_origin_pki(self.pki, sorted({"localhost", socket.gethostname(), socket.getfqdn()}))
        db = os.path.join(folder, "db")
        os.makedirs(db)
        self.conf = os.path.join(folder, "slapd.conf")
        with open(self.conf, "w") as f:
            f.write(f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
TLSCACertificateFile {self.pki}/root.pem
TLSCertificateFile {self.pki}/leaf.pem
TLSCertificateKeyFile {self.pki}/leaf.key
database mdb
suffix "{SUFFIX}"
rootdn "cn=admin,{SUFFIX}"
rootpw admin-secret
directory {db}
access to attrs=userPassword by anonymous auth by self read by * none
access to * by users read by * none
""")
        ldif = os.path.join(folder, "school.ldif")
        with open(ldif, "w") as f:
            f.write(LDIF)
        subprocess.run(["slapadd", "-f", self.conf, "-l", ldif], check=True, capture_output=True)
        self.ldaps_port, self.ldap_port = free_port(), free_port()
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [SLAPD, "-d", "0", "-f", self.conf, "-h",
             f"ldaps://127.0.0.1:{self.ldaps_port}/ ldap://127.0.0.1:{self.ldap_port}/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        env = {**os.environ, "LDAPTLS_CACERT": os.path.join(self.pki, "root.pem")}
        up = lambda: subprocess.run(
            ["ldapwhoami", "-x", "-H", f"ldaps://localhost:{self.ldaps_port}", "-D",
             f"uid=ann,ou=people,{SUFFIX}", "-w", "ann-directory-pw"],
            env=env, capture_output=True).returncode == 0
        assert wait_until(up, timeout=15), "slapd did not start: " + self.stop()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err or ""


class Ldap(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.exists(SLAPD) or not shutil.which("slapadd"):
            raise unittest.SkipTest("needs slapd and ldap-utils (scripts/install-deps.sh)")
        cls.dir = tempfile.mkdtemp(prefix="warden-ldap-")
        cls.slapd = Slapd(cls.dir)
        cls.policy = os.path.join(cls.dir, "policy.toml")
        with open(cls.policy, "w") as f:
            f.write(POLICY)
        cls.origin = start_origin()

    @classmethod
    def tearDownClass(cls):
        cls.slapd.stop()
        cls.origin.shutdown()

    def warden(self, url=None, ca=None, ttl="1m"):
        config = os.path.join(tempfile.mkdtemp(prefix="warden-ldap-cfg-"), "warden.toml")
        with open(config, "w") as f:
            f.write(f"""[auth]
method = "ldap"
ldap_url = "{url or f'ldaps://localhost:{self.slapd.ldaps_port}'}"
ldap_ca = "{ca or os.path.join(self.slapd.pki, 'root.pem')}"
ldap_bind_dn = "uid={{user}},ou=people,{SUFFIX}"
ldap_group_base = "ou=groups,{SUFFIX}"
ldap_timeout = "3s"
cache_ttl = "{ttl}"
""")
        w = Warden("--policy", self.policy, config=config)
        self.addCleanup(lambda: w.proc.poll() is None and w.stop())
        return w

    def get(self, w, user, url):
        args = ["-o", "/dev/null", "-w", "%{http_code}", "-H", "Accept: text/html"]
        if user:
            args += ["--proxy-user", user]
        return int(w.curl(*args, url).stdout or 0)

    def url(self, path):
        return f"http://127.0.0.1:{self.origin.server_address[1]}{path}"

    def test_the_directory_group_chooses_the_policy_group(self):
        w = self.warden()
        self.assertEqual(self.get(w, "ann:ann-directory-pw", self.url("/ann")), 200)
        line = w.log_line(path="/ann")
        self.assertEqual((line["user"], line["group"]), ("ann", "year7"))
        self.assertEqual(self.get(w, "Ann:ann-directory-pw", "http://games.example/"), 403)
        self.assertEqual(w.log_line(host="games.example")["rule"], "no games for year 7")
        # bob is in choir and staff; the policy's first group he is in is staff.
        self.assertEqual(self.get(w, "bob:bob-directory-pw", self.url("/bob")), 200)
        self.assertEqual(w.log_line(path="/bob")["group"], "staff")

    def test_wrong_passwords_and_names_are_asked_again(self):
        w = self.warden()
        for user in ("ann:bob-directory-pw", "nobody:ann-directory-pw", "ann:",
                     "ann*:ann-directory-pw", "uid=ann,ou=people:x"):
            self.assertEqual(self.get(w, user, self.url("/wrong")), 407, user)
        with open(w.access_log) as f:
            logged = f.read() + "".join(w.stderr_lines)
        self.assertNotIn("directory-pw", logged)

    def test_starttls_on_ldap_urls(self):
        w = self.warden(url=f"ldap://localhost:{self.slapd.ldap_port}")
        self.assertEqual(self.get(w, "ann:ann-directory-pw", self.url("/starttls")), 200)
        self.assertEqual(w.log_line(path="/starttls")["user"], "ann")

    def test_a_directory_with_another_certificate_fails_closed(self):
        other = os.path.join(self.dir, "other")
        os.makedirs(other, exist_ok=True)
        make_origin_pki(other, sorted({"localhost", socket.gethostname(), socket.getfqdn()}))
        w = self.warden(ca=os.path.join(other, "root.pem"))
        self.assertEqual(self.get(w, "ann:ann-directory-pw", self.url("/mitm")), 503)
        line = w.log_line(path="/mitm")
        self.assertEqual(line["error"], "ERR_SIGN_IN_UNAVAILABLE")
        # ... and by an address, whose name the certificate does not carry.
        w2 = self.warden(url=f"ldaps://127.0.0.1:{self.slapd.ldaps_port}")
        self.assertEqual(self.get(w2, "ann:ann-directory-pw", self.url("/by-ip")), 503)

    def test_a_directory_that_is_down_fails_closed_after_the_cache(self):
        w = self.warden(ttl="4s")
        self.assertEqual(self.get(w, "ann:ann-directory-pw", self.url("/before")), 200)
        self.slapd.stop()
        self.addCleanup(self.slapd.start)
        self.assertEqual(self.get(w, "ann:ann-directory-pw", self.url("/cached")), 200)
        self.assertEqual(self.get(w, "bob:bob-directory-pw", self.url("/uncached")), 503)
        self.assertTrue(wait_until(
            lambda: self.get(w, "ann:ann-directory-pw", self.url("/expired")) == 503, timeout=15))
        self.assertIn("auth: sign-in from 127.0.0.1 not checked", "".join(w.stderr_lines))


if __name__ == "__main__":
    harness.main()
