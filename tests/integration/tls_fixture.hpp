#pragma once
// What the TLS integration tests share: the test PKI (../shared/SECURITY.md a.3, made once per
// run), a TLS client that goes through the proxy with CONNECT, and a fixture that starts the
// engine intercepting with a school CA made for the test.
#include "app/tls_setup.hpp"
#include "proxy_fixture.hpp"
#include "tls_origin.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace warden::test {

inline const std::string kToken = "upstream-token-7f3c91";

// The PKI of ../shared/SECURITY.md a.3, made once per run by the fixture script.
class Pki {
 public:
  static const std::string& dir();
  static std::string file(const std::string& name) { return dir() + "/" + name; }
};

// What a TLS client saw through the proxy.
struct Seen {
  bool handshake = false;
  bool resumed = false;  // the client's handshake resumed a session (ticket)
  int version = 0;       // the TLS version the client negotiated
  std::string issuer;
  std::string san;
  std::string response;  // everything read after sending the request
  std::string error;
};

// CONNECT to 127.0.0.1:port through the proxy, TLS with SNI `sni` (none if empty) trusting
// `ca_file`, one GET. `configure` may restrict the client (versions, suites, extensions).
Seen fetch_through(std::uint16_t proxy, std::uint16_t port, const std::string& sni,
                   const std::string& ca_file, const std::string& path = "/",
                   SSL_SESSION** session = nullptr,
                   const std::function<void(SSL_CTX*)>& configure = {});

class Tls : public ProxyFixture {
 protected:
  void start_intercepting(std::vector<std::string> no_decrypt = {},
                          std::vector<std::string> exceptions = {},
                          std::vector<std::string> distrusted = {}) {
    app::Config c;
    c.state_dir = (dir_ / "state").string();
    std::filesystem::create_directories(c.state_dir);
    c.tls.upstream_ca = {Pki::file("root.pem")};
    c.tls.no_decrypt = std::move(no_decrypt);
    c.tls.verify_exceptions = std::move(exceptions);
    c.tls.distrusted_roots = std::move(distrusted);
    // In process: a signer would run this test binary again, and the wall around the key would
    // stay on this process for every later test (the binary tests run the signer).
    c.tls.signer_process = false;
    auto rt = app::start_tls(c);
    ASSERT_TRUE(rt) << rt.error().context;
    runtime_ = std::move(*rt);
    tls = &runtime_->services;
    school_ca_ = c.state_dir + "/ca.pem";
    start();
  }
  std::unique_ptr<TlsOrigin> origin(const std::string& name, TlsOriginOptions o = {}) {
    o.cert_chain = Pki::file(name + ".pem");
    o.key = Pki::file(name + ".key");
    o.body = kToken;
    if (std::filesystem::exists(Pki::file(name + ".ocsp")))
      o.ocsp_staple = Pki::file(name + ".ocsp");
    if (o.security_level < 0) o.security_level = 0;  // a hostile upstream serves what it likes
    auto origin = std::make_unique<TlsOrigin>(o);
    EXPECT_TRUE(origin->ok()) << name;
    config.connect_ports.push_back(origin->port());
    return origin;
  }
  std::unique_ptr<app::TlsRuntime> runtime_;
  std::string school_ca_;
};

}  // namespace warden::test
