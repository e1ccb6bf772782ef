#include "tls_fixture.hpp"

#include "raw_socket.hpp"
#include "tls/openssl_macros.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace warden::test {

using namespace std::chrono_literals;

// ctest runs every test in its own process and the PKI takes seconds to make, so one is shared
// by the processes of a day and a version of the script: made aside, then renamed into place.
const std::string& Pki::dir() {
  static const std::string d = [] {
    const std::string script =
        std::string(WARDEN_SOURCE_DIR) + "/tests/integration/pki/make_pki.sh";
    struct stat st {};
    ::stat(script.c_str(), &st);
    const std::time_t now = std::time(nullptr);
    char day[16];
    std::strftime(day, sizeof day, "%Y%m%d", std::gmtime(&now));
    const std::string out =
        fmt::format("{}/warden-pki-{}-{}-{}", ::testing::TempDir(), day, st.st_mtime, st.st_size);
    if (std::filesystem::exists(out + "/done")) return out;
    const std::string aside = out + ".making-" + std::to_string(::getpid());
    const std::string cmd = script + " " + aside + " && touch " + aside + "/done";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "see " << aside << "/openssl.log";
    if (::rename(aside.c_str(), out.c_str()) != 0)
      std::filesystem::remove_all(aside);  // lost a race
    return out;
  }();
  return d;
}

// CONNECT to 127.0.0.1:port through the proxy, TLS with SNI `sni` trusting `ca_file`, one GET.
Seen fetch_through(std::uint16_t proxy, std::uint16_t port, const std::string& sni,
                   const std::string& ca_file, const std::string& path, SSL_SESSION** session,
                   const std::function<void(SSL_CTX*)>& configure) {
  Seen seen;
  RawClient c(proxy);
  c.send("CONNECT 127.0.0.1:" + std::to_string(port) +
         " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n");
  auto r = read_response(c, 5s, /*head_request=*/true);
  if (!r || r->status != 200) {
    seen.error = "CONNECT failed";
    return seen;
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  if (configure) configure(ctx);
  // TLS 1.3 tickets arrive after the handshake: take them from the new-session callback
  // (SSL_get1_session may return the handshake's own, unresumable session).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, [](SSL* s, SSL_SESSION* sess) {
    auto** out = static_cast<SSL_SESSION**>(SSL_get_app_data(s));
    if (out == nullptr) return 0;
    if (*out != nullptr) SSL_SESSION_free(*out);
    *out = sess;
    return 1;
  });
  SSL* ssl = SSL_new(ctx);
  SSL_SESSION* ticket = nullptr;
  SSL_set_app_data(ssl, &ticket);
  SSL_set_fd(ssl, c.fd());
  if (!sni.empty()) {
    tls::ossl::set_sni(ssl, sni.c_str());
    SSL_set1_host(ssl, sni.c_str());
  }
  timeval tv{5, 0};
  ::setsockopt(c.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (session != nullptr && *session != nullptr) SSL_set_session(ssl, *session);
  if (SSL_connect(ssl) == 1) {
    seen.handshake = true;
    seen.resumed = SSL_session_reused(ssl) == 1;
    seen.version = SSL_version(ssl);
    X509* peer = SSL_get0_peer_certificate(ssl);
    char buf[512];
    X509_NAME_oneline(X509_get_issuer_name(peer), buf, sizeof buf);
    seen.issuer = buf;
    auto* names =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(peer, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
      GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
      if (n->type == GEN_DNS)
        seen.san += std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)));
    }
    GENERAL_NAMES_free(names);
    const std::string req = "GET " + path +
                            " HTTP/1.1\r\nHost: " + (sni.empty() ? "127.0.0.1" : sni) +
                            "\r\nConnection: close\r\n\r\n";
    SSL_write(ssl, req.data(), static_cast<int>(req.size()));
    char rb[16384];
    for (int n; (n = SSL_read(ssl, rb, sizeof rb)) > 0;)
      seen.response.append(rb, static_cast<std::size_t>(n));
    if (session != nullptr && ticket != nullptr) {
      if (*session != nullptr) SSL_SESSION_free(*session);
      *session = std::exchange(ticket, nullptr);
    }
  } else {
    // The reason names a TLS alert the proxy sent ("sslv3 alert handshake failure").
    const char* reason = ERR_reason_error_string(ERR_peek_last_error());
    seen.error = std::string("handshake failed: ") + (reason != nullptr ? reason : "no reason");
  }
  if (ticket != nullptr) SSL_SESSION_free(ticket);
  if (seen.handshake) (void)SSL_shutdown(ssl);  // a clean close keeps the session resumable
  ERR_clear_error();
  SSL_free(ssl);
  SSL_CTX_free(ctx);
  return seen;
}

}  // namespace warden::test
