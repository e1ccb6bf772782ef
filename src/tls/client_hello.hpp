#pragma once
// Sans-io ClientHello reader (RFC 8446 §4.1.2, RFC 6066 §3, RFC 7301): looks at the first
// bytes a client sends on a TLS connection without consuming them, so the same bytes can be
// handed to the TLS handshake (bump) or to the upstream (splice) afterwards.
//
// Handles a hello split across TCP segments (call again with more bytes) and across TLS
// records (fragments are joined), GREASE values (ignored), no SNI, and refuses what is not TLS
// (plain HTTP, SSLv2-style hellos, junk) or is malformed (bad lengths, duplicate extensions, an
// invalid host name) — never a crash, never an unbounded wait: a hello larger than
// `max_hello` is refused.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warden::tls {

struct ClientHelloInfo {
  std::string sni;                      // host_name, lower case; empty when absent
  std::vector<std::string> alpn;        // protocols offered, in order
  std::vector<std::uint16_t> versions;  // supported_versions without GREASE; empty if absent
  std::uint16_t legacy_version = 0;
  bool has_ech = false;   // encrypted_client_hello (0xfe0d)
  bool has_esni = false;  // the pre-standard ESNI extension (0xffce)
  std::size_t bytes = 0;  // bytes of the TLS records that carried the hello

  [[nodiscard]] bool offers(std::string_view protocol) const;
  [[nodiscard]] bool offers_tls13() const;
};

enum class HelloStatus {
  NeedMore,  // a valid prefix: read more bytes and call again
  Done,      // `info` is complete
  NotTls,    // the bytes are not a TLS handshake (HTTP, SSLv2 hello, junk)
  Invalid,   // TLS, but a malformed or oversized ClientHello
};

struct HelloResult {
  HelloStatus status = HelloStatus::NeedMore;
  ClientHelloInfo info;
  std::string_view reason;  // static text for NotTls/Invalid
};

[[nodiscard]] HelloResult parse_client_hello(std::string_view bytes,
                                             std::size_t max_hello = 64 * 1024);

[[nodiscard]] constexpr bool is_grease(std::uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

}  // namespace warden::tls
