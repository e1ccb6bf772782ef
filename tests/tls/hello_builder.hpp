#pragma once
// Builds ClientHello bytes for tests: by hand (exact control over extensions, GREASE, framing)
// and from a real OpenSSL client (what browsers' libraries actually send).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace warden::tls::test {

using Extension = std::pair<std::uint16_t, std::string>;

std::string u16(std::uint32_t v);
std::string sni_extension(const std::string& host);
std::string alpn_extension(const std::vector<std::string>& protocols);
std::string versions_extension(const std::vector<std::uint16_t>& versions);

// The handshake message (type 1 + 24-bit length + body).
std::string hello_message(const std::vector<Extension>& extensions);
// The message framed in TLS records of at most `record_size` payload bytes.
std::string in_records(const std::string& message, std::size_t record_size = 16384);

// A ClientHello produced by OpenSSL for `sni` (empty: none) offering `alpn`.
std::string openssl_client_hello(const std::string& sni, const std::vector<std::string>& alpn);

}  // namespace warden::tls::test
