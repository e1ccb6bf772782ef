#include "hello_builder.hpp"

#include "tls/openssl_macros.hpp"

#include <openssl/ssl.h>

#include <memory>

namespace warden::tls::test {

std::string u16(std::uint32_t v) {
  return {static_cast<char>((v >> 8) & 0xff), static_cast<char>(v & 0xff)};
}

std::string sni_extension(const std::string& host) {
  const std::string entry =
      std::string(1, '\0') + u16(static_cast<std::uint32_t>(host.size())) + host;
  return u16(static_cast<std::uint32_t>(entry.size())) + entry;
}

std::string alpn_extension(const std::vector<std::string>& protocols) {
  std::string list;
  for (const auto& p : protocols) list += static_cast<char>(p.size()) + p;
  return u16(static_cast<std::uint32_t>(list.size())) + list;
}

std::string versions_extension(const std::vector<std::uint16_t>& versions) {
  std::string list;
  for (auto v : versions) list += u16(v);
  return std::string(1, static_cast<char>(list.size())) + list;
}

std::string hello_message(const std::vector<Extension>& extensions) {
  std::string body = u16(0x0303) + std::string(32, 'r');  // legacy_version, random
  body += std::string(1, '\x20') + std::string(32, 's');  // session id
  body += u16(4) + u16(0x1301) + u16(0xc02f);             // cipher suites
  body += std::string("\x01\x00", 2);                     // compression: null
  std::string exts;
  for (const auto& [type, data] : extensions)
    exts += u16(type) + u16(static_cast<std::uint32_t>(data.size())) + data;
  body += u16(static_cast<std::uint32_t>(exts.size())) + exts;
  const auto n = static_cast<std::uint32_t>(body.size());
  return std::string(1, '\x01') + static_cast<char>(n >> 16) + u16(n & 0xffff) + body;
}

std::string in_records(const std::string& message, std::size_t record_size) {
  std::string out;
  for (std::size_t off = 0; off < message.size(); off += record_size) {
    const std::string piece = message.substr(off, record_size);
    out += std::string("\x16\x03\x01", 3) + u16(static_cast<std::uint32_t>(piece.size())) + piece;
  }
  return out;
}

std::string openssl_client_hello(const std::string& sni, const std::vector<std::string>& alpn) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), SSL_free);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  SSL_set_bio(ssl.get(), in, out);  // ssl owns both
  if (!sni.empty()) tls::ossl::set_sni(ssl.get(), sni.c_str());
  std::string wire;
  for (const auto& p : alpn) wire += static_cast<char>(p.size()) + p;
  if (!wire.empty())
    SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                        static_cast<unsigned>(wire.size()));
  SSL_set_connect_state(ssl.get());
  (void)SSL_do_handshake(ssl.get());  // writes the ClientHello, then wants to read
  return std::string(tls::ossl::mem_data(out));
}

}  // namespace warden::tls::test
