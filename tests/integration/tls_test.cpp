// TLS interception through the in-process engine: CONNECT, ClientHello peek, upstream leg
// verified like a browser, minted certificates from a school CA made for the test, and every
// bad upstream of ../shared/SECURITY.md (a.4, a.5) refused with Warden's own page.
#include "app/tls_setup.hpp"
#include "proxy_fixture.hpp"
#include "raw_socket.hpp"
#include "test_origin.hpp"
#include "tls/openssl_macros.hpp"
#include "tls_fixture.hpp"
#include "tls_origin.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <utility>

namespace warden::test {
namespace {

using namespace std::chrono_literals;

TEST_F(Tls, GoodUpstreamIsBumpedWithAMintedCertificate) {
  auto good = origin("good");
  start_intercepting();
  Seen s = fetch_through(port(), good->port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.issuer.find("Web Filter CA"), std::string::npos) << s.issuer;
  EXPECT_EQ(s.san, "good.test");
  EXPECT_NE(s.response.find("HTTP/1.1 200"), std::string::npos) << s.response;
  EXPECT_NE(s.response.find(kToken), std::string::npos);
  EXPECT_NE(s.response.find("Via: 1.1 warden"), std::string::npos);
  const auto lines = access_log_lines(2);
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[0].find("\"method\":\"CONNECT\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("\"end\":\"bumped\""), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("\"scheme\":\"https\""), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("\"host\":\"good.test\""), std::string::npos) << lines[1];
}

TEST_F(Tls, EccUpstreamAndRepeatedConnectionsHitTheCertificateCache) {
  auto ecc = origin("ecc");
  start_intercepting();
  for (int i = 0; i < 3; ++i) {
    Seen s = fetch_through(port(), ecc->port(), "good.test", school_ca_);
    ASSERT_TRUE(s.handshake) << s.error;
    EXPECT_NE(s.response.find(kToken), std::string::npos);
  }
  EXPECT_EQ(runtime_->certs->mints(), 1u);
}

struct BadCase {
  const char* files;
  const char* sni;
  const char* code;
  int max_version = 0;  // the origin's, where its key cannot sign TLS 1.3's RSA-PSS
};

class BadUpstream : public Tls, public ::testing::WithParamInterface<BadCase> {};

TEST_P(BadUpstream, IsRefusedWithItsOwnErrorAndNoUpstreamByte) {
  const BadCase& c = GetParam();
  TlsOriginOptions o;
  o.max_version = c.max_version;
  auto bad = origin(c.files, o);
  start_intercepting();
  Seen s = fetch_through(port(), bad->port(), c.sni, school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;  // the page comes over a handshake with our certificate
  EXPECT_NE(s.issuer.find("Web Filter CA"), std::string::npos);
  EXPECT_NE(s.response.find("HTTP/1.1 502"), std::string::npos) << s.response;
  EXPECT_NE(s.response.find(c.code), std::string::npos) << s.response;
  EXPECT_NE(s.response.find(c.sni), std::string::npos);  // names the host
  EXPECT_EQ(s.response.find(kToken), std::string::npos) << "upstream content leaked";
  EXPECT_EQ(bad->requests(), 0u);
  const auto lines = access_log_lines(2);
  EXPECT_NE(lines.back().find(std::string("\"error\":\"") + c.code), std::string::npos)
      << lines.back();
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, BadUpstream,
    ::testing::Values(BadCase{"expired", "good.test", "ERR_CERT_EXPIRED"},
                      BadCase{"notyet", "good.test", "ERR_CERT_NOT_YET_VALID"},
                      BadCase{"wronghost", "good.test", "ERR_CERT_NAME_MISMATCH"},
                      BadCase{"cn_only", "good.test", "ERR_CERT_NAME_MISMATCH"},
                      BadCase{"wildcard", "a.b.good.test", "ERR_CERT_NAME_MISMATCH"},
                      BadCase{"selfsigned", "good.test", "ERR_CERT_SELF_SIGNED"},
                      BadCase{"untrusted", "good.test", "ERR_CERT_UNTRUSTED"},
                      BadCase{"incomplete", "good.test", "ERR_CERT_UNTRUSTED"},
                      BadCase{"sha1", "good.test", "ERR_CERT_WEAK_SIGNATURE"},
                      BadCase{"weakkey", "good.test", "ERR_CERT_WEAK_KEY"},
                      BadCase{"clientauth", "good.test", "ERR_CERT_PURPOSE"},
                      BadCase{"critical", "good.test", "ERR_CERT_INVALID"},
                      BadCase{"pathlen", "good.test", "ERR_CERT_INVALID"},
                      BadCase{"constrained", "good.test", "ERR_CERT_INVALID"},
                      BadCase{"sha1int", "good.test", "ERR_CERT_WEAK_SIGNATURE"},
                      BadCase{"md5", "good.test", "ERR_CERT_WEAK_SIGNATURE"},
                      BadCase{"rsa512", "good.test", "ERR_CERT_WEAK_KEY", TLS1_2_VERSION},
                      BadCase{"nulsan", "good.test", "ERR_CERT_NAME_MISMATCH"},
                      BadCase{"explicit", "good.test", "ERR_CERT_INVALID"},
                      BadCase{"revoked", "good.test", "ERR_CERT_REVOKED"},
                      BadCase{"badstaple", "good.test", "ERR_CERT_INVALID"}),
    [](const auto& test) { return std::string(test.param.files); });

TEST_F(Tls, UnusualButValidChainsPass) {
  // C26 extra certificate, C27 1000 names, C24's good twin: a valid stapled OCSP response, C02
  // P-384 with SHA-384 and RSA-4096 with SHA-512.
  for (const char* files : {"extra", "manysans", "stapled", "ecc384", "rsa4096"}) {
    auto ok = origin(files);
    start_intercepting();
    Seen s = fetch_through(port(), ok->port(), "good.test", school_ca_);
    ASSERT_TRUE(s.handshake) << files << ": " << s.error;
    EXPECT_EQ(s.san, "good.test") << files;  // never a copy of the upstream's names
    EXPECT_NE(s.response.find(kToken), std::string::npos) << files << ": " << s.response;
    ASSERT_TRUE(engine_->shutdown(2s));
    engine_.reset();
  }
}

TEST_F(Tls, SessionsResumeTowardsClientsAndUpstreams) {
  auto good = origin("good");
  config.upstream_pool_per_host = 0;  // every client connection opens its own upstream leg
  start_intercepting();
  SSL_SESSION* session = nullptr;
  Seen first = fetch_through(port(), good->port(), "good.test", school_ca_, "/", &session);
  ASSERT_TRUE(first.handshake) << first.error;
  EXPECT_FALSE(first.resumed);
  ASSERT_NE(session, nullptr) << "the client got no ticket";
  Seen second = fetch_through(port(), good->port(), "good.test", school_ca_, "/", &session);
  SSL_SESSION_free(session);
  ASSERT_TRUE(second.handshake) << second.error;
  EXPECT_TRUE(second.resumed) << "no ticket resumption towards the client";
  EXPECT_NE(second.response.find(kToken), std::string::npos);
  EXPECT_EQ(good->handshakes(), 2u);
  EXPECT_EQ(good->resumed(), 1u) << "the upstream session cache was not used";
}

TEST_F(Tls, Tls11OnlyUpstreamIsRefused) {
  TlsOriginOptions o;
  o.min_version = TLS1_1_VERSION;
  o.max_version = TLS1_1_VERSION;
  o.security_level = 0;
  o.ciphers = "DEFAULT@SECLEVEL=0";
  auto old = origin("good", o);
  start_intercepting();
  Seen s = fetch_through(port(), old->port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.response.find("ERR_TLS_VERSION"), std::string::npos) << s.response;
}

TEST_F(Tls, WildcardCoversOneLabel) {
  auto wild = origin("wildcard");
  start_intercepting();
  Seen s = fetch_through(port(), wild->port(), "a.good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.response.find(kToken), std::string::npos) << s.response;
}

TEST_F(Tls, Tls10OnlyUpstreamIsRefused) {
  TlsOriginOptions o;
  o.min_version = TLS1_VERSION;
  o.max_version = TLS1_VERSION;
  o.security_level = 0;
  o.ciphers = "DEFAULT@SECLEVEL=0";
  auto old = origin("good", o);
  start_intercepting();
  Seen s = fetch_through(port(), old->port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.response.find("ERR_TLS_VERSION"), std::string::npos) << s.response;
  EXPECT_EQ(s.response.find(kToken), std::string::npos);
}

TEST_F(Tls, VerifyExceptionLetsAnAdminListedHostThrough) {
  auto self = origin("selfsigned");
  start_intercepting({}, {"good.test"});
  Seen s = fetch_through(port(), self->port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.response.find(kToken), std::string::npos) << s.response;
}

TEST_F(Tls, DistrustedRootIsRefusedEvenWhenTrusted) {
  // The test root stands in for a leaked interception root (C28): trusted by configuration,
  // refused by fingerprint.
  FILE* f = std::fopen(Pki::file("root.pem").c_str(), "r");
  ASSERT_NE(f, nullptr);
  X509* root = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  ASSERT_NE(root, nullptr);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  X509_digest(root, EVP_sha256(), md, &n);
  X509_free(root);
  std::string fingerprint;
  for (unsigned i = 0; i < n; ++i) fingerprint += fmt::format("{}{:02x}", i ? ":" : "", md[i]);
  // TLS 1.2, where the client keeps a session at the end of the handshake, and no pooling: the
  // second connection must not resume its way past the check.
  TlsOriginOptions o;
  o.max_version = TLS1_2_VERSION;
  auto good = origin("good", o);
  config.upstream_pool_per_host = 0;
  start_intercepting({}, {}, {fingerprint});
  for (int i = 0; i < 2; ++i) {
    Seen s = fetch_through(port(), good->port(), "good.test", school_ca_);
    ASSERT_TRUE(s.handshake) << s.error;
    EXPECT_NE(s.response.find("ERR_CERT_UNTRUSTED"), std::string::npos) << i << s.response;
    EXPECT_NE(s.response.find("distrusted root"), std::string::npos) << s.response;
    EXPECT_EQ(s.response.find(kToken), std::string::npos) << i;
  }
  EXPECT_EQ(good->resumed(), 0u);
}

TEST_F(Tls, WithoutSniTheAddressIsVerified) {
  // C10/T11: a client that sends no SNI gets the upstream checked against the address it asked
  // for (an IP SAN), never against a guessed name.
  auto named = origin("good");
  auto addressed = origin("ipsan");
  start_intercepting();
  Seen refused = fetch_through(port(), named->port(), "", school_ca_);
  ASSERT_TRUE(refused.handshake) << refused.error;
  EXPECT_NE(refused.response.find("ERR_CERT_NAME_MISMATCH"), std::string::npos) << refused.response;
  EXPECT_EQ(refused.response.find(kToken), std::string::npos);
  Seen served = fetch_through(port(), addressed->port(), "", school_ca_);
  ASSERT_TRUE(served.handshake) << served.error;
  EXPECT_NE(served.response.find(kToken), std::string::npos) << served.response;
}

TEST_F(Tls, UpstreamCipherSuitesAreForwardSecretOnly) {
  // T04 NULL, T05 finite-field DHE (dh1024 and kin), T06 static RSA: Warden offers none of them,
  // so a server that has nothing better cannot complete a handshake. T07 ECDHE with CBC is
  // offered last, as browsers do, and served.
  struct Case {
    const char* ciphers;
    bool served;
  };
  for (const Case c : {Case{"NULL-SHA256", false}, Case{"DHE-RSA-AES128-GCM-SHA256", false},
                       Case{"AES128-GCM-SHA256", false}, Case{"ECDHE-RSA-AES128-SHA", true}}) {
    TlsOriginOptions o;
    o.max_version = TLS1_2_VERSION;
    o.ciphers = std::string(c.ciphers) + "@SECLEVEL=0";
    auto server = origin("good", o);
    start_intercepting();
    Seen s = fetch_through(port(), server->port(), "good.test", school_ca_);
    ASSERT_TRUE(s.handshake) << c.ciphers << ": " << s.error;
    if (c.served) {
      EXPECT_NE(s.response.find(kToken), std::string::npos) << c.ciphers << s.response;
    } else {
      EXPECT_NE(s.response.find("ERR_TLS_HANDSHAKE"), std::string::npos) << c.ciphers << s.response;
      EXPECT_EQ(s.response.find(kToken), std::string::npos) << c.ciphers;
      EXPECT_EQ(server->handshakes(), 0u) << c.ciphers;
    }
    ASSERT_TRUE(engine_->shutdown(2s));
    engine_.reset();
  }
}

TEST_F(Tls, NoSilentUpgradeOverAnOlderUpstream) {
  // SECURITY.md a.2 #5: a TLS 1.2 upstream gives the client TLS 1.2 at most, never TLS 1.3.
  TlsOriginOptions o;
  o.max_version = TLS1_2_VERSION;
  auto older = origin("good", o);
  auto newer = origin("good");
  start_intercepting();
  Seen s = fetch_through(port(), older->port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_EQ(s.version, TLS1_2_VERSION);
  EXPECT_NE(s.response.find(kToken), std::string::npos);
  Seen t = fetch_through(port(), newer->port(), "good.test", school_ca_);
  ASSERT_TRUE(t.handshake) << t.error;
  EXPECT_EQ(t.version, TLS1_3_VERSION);
}

TEST_F(Tls, ClientFacingSideSpeaksOnlyModernTls) {
  // T12: towards pupils, TLS >= 1.2 with forward-secret AEAD suites only.
  auto good = origin("good");
  start_intercepting();
  struct Offer {
    const char* what;
    std::function<void(SSL_CTX*)> configure;
  };
  const Offer refused[] = {
      {"TLS 1.1",
       [](SSL_CTX* c) {
         SSL_CTX_set_security_level(c, 0);  // (OpenSSL's client refuses TLS 1.1 by itself)
         SSL_CTX_set_max_proto_version(c, TLS1_1_VERSION);
       }},
      {"TLS 1.2 CBC",
       [](SSL_CTX* c) {
         SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
         SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384");
       }},
      {"TLS 1.2 static RSA",
       [](SSL_CTX* c) {
         SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
         SSL_CTX_set_cipher_list(c, "AES128-GCM-SHA256:AES256-GCM-SHA384");
       }},
  };
  for (const Offer& o : refused) {
    Seen s =
        fetch_through(port(), good->port(), "good.test", school_ca_, "/", nullptr, o.configure);
    EXPECT_FALSE(s.handshake) << o.what;
    // Refused by Warden with an alert, not by the client's own configuration.
    EXPECT_NE(s.error.find("alert"), std::string::npos) << o.what << ": " << s.error;
    EXPECT_EQ(s.response.find(kToken), std::string::npos) << o.what;
  }
  Seen ok = fetch_through(port(), good->port(), "good.test", school_ca_, "/", nullptr,
                          [](SSL_CTX* c) { SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION); });
  ASSERT_TRUE(ok.handshake) << ok.error;
  EXPECT_EQ(ok.version, TLS1_2_VERSION);
  EXPECT_NE(ok.response.find(kToken), std::string::npos);
}

TEST_F(Tls, EchHelloIsInterceptedOnItsOuterName) {
  // T15: a ClientHello carrying encrypted_client_hello (what Warden cannot read) is not spliced
  // blind: it is bumped on its outer SNI like any other (a browser then retries without ECH).
  auto good = origin("good");
  start_intercepting();
  int ech_sent = 0;
  Seen s = fetch_through(
      port(), good->port(), "good.test", school_ca_, "/", nullptr, [&ech_sent](SSL_CTX* c) {
        ASSERT_EQ(SSL_CTX_add_custom_ext(
                      c, 0xfe0d, SSL_EXT_CLIENT_HELLO,
                      [](SSL*, unsigned, unsigned, const unsigned char** out, std::size_t* len,
                         X509*, std::size_t, int*, void* sent) {
                        static const unsigned char kEch[] = {0, 0, 1, 0, 1, 7, 0, 0};
                        *out = kEch;
                        *len = sizeof kEch;
                        ++*static_cast<int*>(sent);
                        return 1;
                      },
                      nullptr, &ech_sent, nullptr, nullptr),
                  1);
      });
  EXPECT_EQ(ech_sent, 1) << "the hello carried no encrypted_client_hello";
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.issuer.find("Web Filter CA"), std::string::npos) << s.issuer;
  EXPECT_NE(s.response.find(kToken), std::string::npos);
}

TEST_F(Tls, AnUpstreamThatResetsTheHelloGetsNoDowngradedRetry) {
  // T09: no POODLE-style fallback. An upstream that resets the first ClientHello is refused; it
  // never sees a second hello with a lower version.
  ScriptedOrigin resetting([](const std::string& got) -> std::optional<ScriptedOrigin::Reply> {
    if (got.size() < 5) return std::nullopt;
    return ScriptedOrigin::Reply{"", true, true};
  });
  config.connect_ports.push_back(resetting.port());
  start_intercepting();
  Seen s = fetch_through(port(), resetting.port(), "good.test", school_ca_);
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.response.find("HTTP/1.1 502"), std::string::npos) << s.response;
  EXPECT_EQ(resetting.connections(), 1u);
  EXPECT_EQ(resetting.received().substr(0, 3), std::string("\x16\x03\x01", 3));
}

TEST_F(Tls, NoDecryptHostKeepsItsOwnCertificate) {
  auto good = origin("good");
  start_intercepting({"good.test"});
  Seen s = fetch_through(port(), good->port(), "good.test", Pki::file("root.pem"));
  ASSERT_TRUE(s.handshake) << s.error;
  EXPECT_NE(s.issuer.find("Test Intermediate CA"), std::string::npos) << s.issuer;
  EXPECT_NE(s.response.find(kToken), std::string::npos);
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("\"scheme\":\"splice\""), std::string::npos) << lines.back();
}

TEST_F(Tls, ClientThatDoesNotTrustTheSchoolCaIsLogged) {
  auto good = origin("good");
  start_intercepting();
  Seen s = fetch_through(port(), good->port(), "good.test", Pki::file("root.pem"));
  EXPECT_FALSE(s.handshake);
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("ERR_TLS_HANDSHAKE"), std::string::npos) << lines.back();
  EXPECT_EQ(good->requests(), 0u);
}

// ../shared/SECURITY.md T13: client-initiated renegotiation (CVE-2011-1473) is refused, and the
// connection it was tried on serves nothing more.
TEST_F(Tls, ClientInitiatedRenegotiationIsRefused) {
  auto good = origin("good");
  start_intercepting();
  RawClient c(port());
  const std::string target = "127.0.0.1:" + std::to_string(good->port());
  c.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
  auto r = read_response(c, 5s, /*head_request=*/true);
  ASSERT_TRUE(r && r->status == 200);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);  // TLS 1.3 has no renegotiation
  SSL_CTX_load_verify_locations(ctx, school_ca_.c_str(), nullptr);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, c.fd());
  tls::ossl::set_sni(ssl, "good.test");
  timeval tv{5, 0};
  ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ASSERT_EQ(SSL_connect(ssl), 1);
  EXPECT_EQ(SSL_version(ssl), TLS1_2_VERSION);
  ASSERT_EQ(SSL_renegotiate(ssl), 1);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_NE(SSL_do_handshake(ssl), 1) << "the proxy renegotiated";
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);  // refused at once, not timed out
  const char* reason = ERR_reason_error_string(ERR_peek_last_error());
  EXPECT_NE(std::string(reason != nullptr ? reason : "").find("no renegotiation"),
            std::string::npos)
      << (reason != nullptr ? reason : "no reason");
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

TEST_F(Tls, NonTlsBytesInATunnelAreNotCarried) {
  EchoServer echo;
  config.connect_ports.push_back(echo.port());
  start_intercepting();
  RawClient c(port());
  c.send("CONNECT 127.0.0.1:" + std::to_string(echo.port()) + " HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(read_response(c, 5s, true));
  c.send("SSH-2.0-OpenSSH_9.2\r\n");
  EXPECT_TRUE(c.closed_by_peer(3s));
  const auto lines = access_log_lines(1);
  EXPECT_NE(lines.back().find("ERR_NOT_TLS"), std::string::npos) << lines.back();
}

TEST_F(Tls, HostMustMatchTheTlsName) {
  auto good = origin("good");
  start_intercepting();
  // A request for another host inside good.test's tunnel is refused (RFC 9110: 421).
  Seen s = fetch_through(port(), good->port(), "good.test", school_ca_, "http://evil.test/");
  EXPECT_NE(s.response.find("HTTP/1.1 421"), std::string::npos) << s.response;
  EXPECT_EQ(s.response.find(kToken), std::string::npos);
}

TEST_F(Tls, CurlAndOpensslThroughTheProxy) {
  auto good = origin("good");
  start_intercepting();
  const std::string hostport = "good.test:" + std::to_string(good->port());
  int rc = -1;
  const std::string body =
      curl("--cacert " + school_ca_ + " --connect-to " + hostport +
               ":127.0.0.1:" + std::to_string(good->port()) + " https://" + hostport + "/",
           &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(body, kToken);
  const std::string cmd =
      "echo | openssl s_client -proxy 127.0.0.1:" + std::to_string(port()) +
      " -connect 127.0.0.1:" + std::to_string(good->port()) + " -servername good.test -CAfile " +
      school_ca_ + " -verify_return_error 2>/dev/null | openssl x509 -noout -ext subjectAltName";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  EXPECT_NE(out.find("DNS:good.test"), std::string::npos) << out;
}

}  // namespace
}  // namespace warden::test
