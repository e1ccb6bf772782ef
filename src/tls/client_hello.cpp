#include "tls/client_hello.hpp"

#include <algorithm>

namespace warden::tls {
namespace {

constexpr std::uint8_t kHandshake = 22;
constexpr std::uint8_t kClientHello = 1;
constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kMaxRecord = 16384 + 256;  // TLSPlaintext limit, with slack for old stacks

// A bounds-checked reader: a read past the end yields zeros/empty and marks the reader failed,
// so parsing code checks ok() once per structure instead of before every field.
class Reader {
 public:
  explicit Reader(std::string_view s, bool ok = true) : s_(s), ok_(ok) {}
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool empty() const { return pos_ >= s_.size(); }
  std::uint32_t u8() { return take(1) ? static_cast<std::uint8_t>(s_[pos_ - 1]) : 0; }
  std::uint32_t u16() { return (u8() << 8) | u8(); }
  std::uint32_t u24() { return (u16() << 8) | u8(); }
  std::string_view bytes(std::size_t n) {
    return take(n) ? s_.substr(pos_ - n, n) : std::string_view{};
  }
  // The bytes of a vector with a `len_bytes`-byte length prefix.
  std::string_view vec(int len_bytes) {
    const std::uint32_t n = len_bytes == 1 ? u8() : len_bytes == 2 ? u16() : u24();
    return bytes(n);
  }

 private:
  bool take(std::size_t n) {
    if (!ok_ || s_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::string_view s_;
  std::size_t pos_ = 0;
  bool ok_;
};

HelloResult fail(HelloStatus s, std::string_view why) { return {s, {}, why}; }

// RFC 6066: ASCII, no trailing dot. Empty labels are refused too, so the name policy judges is
// the name a browser would have resolved.
bool valid_host_name(std::string_view n) {
  if (n.empty() || n.size() > 253 || n.front() == '.' || n.back() == '.') return false;
  char prev = '.';
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

const char* parse_server_name(std::string_view data, ClientHelloInfo& info) {
  Reader r(data);
  Reader list(r.vec(2));
  if (!r.ok() || !r.empty()) return "malformed server_name extension";
  while (!list.empty()) {
    const std::uint32_t type = list.u8();
    const std::string_view name = list.vec(2);
    if (!list.ok()) return "malformed server_name extension";
    if (type != 0) continue;  // only host_name is defined
    if (!info.sni.empty()) return "more than one host_name";
    if (!valid_host_name(name)) return "invalid host_name";
    info.sni = lower(name);
  }
  return nullptr;
}

const char* parse_alpn(std::string_view data, ClientHelloInfo& info) {
  Reader r(data);
  Reader list(r.vec(2));
  if (!r.ok() || !r.empty()) return "malformed ALPN extension";
  while (!list.empty()) {
    const std::string_view proto = list.vec(1);
    if (!list.ok() || proto.empty()) return "malformed ALPN extension";
    info.alpn.emplace_back(proto);
  }
  return nullptr;
}

const char* parse_supported_versions(std::string_view data, ClientHelloInfo& info) {
  Reader r(data);
  Reader list(r.vec(1));
  if (!r.ok() || !r.empty()) return "malformed supported_versions extension";
  while (!list.empty()) {
    const auto v = static_cast<std::uint16_t>(list.u16());
    if (!list.ok()) return "malformed supported_versions extension";
    if (!is_grease(v)) info.versions.push_back(v);
  }
  return nullptr;
}

// The ClientHello body (after the 4-byte handshake header).
HelloResult parse_body(std::string_view body, std::size_t record_bytes) {
  HelloResult res{HelloStatus::Done, {}, {}};
  ClientHelloInfo& info = res.info;
  info.bytes = record_bytes;
  Reader r(body);
  info.legacy_version = static_cast<std::uint16_t>(r.u16());
  r.bytes(32);  // random
  const std::string_view session_id = r.vec(1);
  const std::string_view suites = r.vec(2);
  const std::string_view compression = r.vec(1);
  if (!r.ok() || session_id.size() > 32 || suites.size() < 2 || suites.size() % 2 != 0 ||
      compression.empty())
    return fail(HelloStatus::Invalid, "malformed ClientHello");
  if (info.legacy_version < 0x0300) return fail(HelloStatus::Invalid, "SSL 2 ClientHello version");
  if (r.empty()) return res;  // no extensions at all (very old clients)
  Reader exts(r.vec(2));
  if (!r.ok() || !r.empty()) return fail(HelloStatus::Invalid, "malformed extensions");
  std::vector<std::uint16_t> seen;
  while (!exts.empty()) {
    const auto type = static_cast<std::uint16_t>(exts.u16());
    const std::string_view data = exts.vec(2);
    if (!exts.ok()) return fail(HelloStatus::Invalid, "truncated extension");
    if (is_grease(type)) continue;
    if (std::find(seen.begin(), seen.end(), type) != seen.end())
      return fail(HelloStatus::Invalid, "duplicate extension");
    seen.push_back(type);
    const char* why = nullptr;
    switch (type) {
      case 0x0000:
        why = parse_server_name(data, info);
        break;
      case 0x0010:
        why = parse_alpn(data, info);
        break;
      case 0x002b:
        why = parse_supported_versions(data, info);
        break;
      case 0xfe0d:
        info.has_ech = true;
        break;
      case 0xffce:
        info.has_esni = true;
        break;
      default:
        break;
    }
    if (why != nullptr) return fail(HelloStatus::Invalid, why);
  }
  return res;
}

}  // namespace

bool ClientHelloInfo::offers(std::string_view protocol) const {
  return std::find(alpn.begin(), alpn.end(), protocol) != alpn.end();
}

bool ClientHelloInfo::offers_tls13() const {
  return std::find(versions.begin(), versions.end(), 0x0304) != versions.end();
}

HelloResult parse_client_hello(std::string_view bytes, std::size_t max_hello) {
  if (bytes.empty()) return {};
  const auto first = static_cast<std::uint8_t>(bytes[0]);
  if (first != kHandshake) {
    // An SSLv2-compatible hello starts with a 2-byte length with the top bit set, then 1.
    if ((first & 0x80) != 0 && bytes.size() >= 3 && bytes[2] == 1)
      return fail(HelloStatus::NotTls, "SSLv2-style ClientHello");
    return fail(HelloStatus::NotTls, "not a TLS handshake");
  }
  // Join the payloads of consecutive handshake records until the hello is complete.
  std::string joined;
  std::size_t pos = 0;
  std::size_t hello_len = 0;
  bool have_len = false;
  while (true) {
    if (bytes.size() - pos < kRecordHeader) return {};
    Reader hdr(bytes.substr(pos, kRecordHeader));
    const std::uint32_t type = hdr.u8();
    const std::uint32_t major = hdr.u8();
    hdr.u8();  // minor: any 3.x is accepted in a record header
    const std::uint32_t len = hdr.u16();
    if (type != kHandshake)
      return fail(HelloStatus::Invalid, "ClientHello interrupted by another record");
    if (major != 3) return fail(HelloStatus::NotTls, "not a TLS record");
    if (len == 0 || len > kMaxRecord) return fail(HelloStatus::Invalid, "bad record length");
    if (bytes.size() - pos - kRecordHeader < len) {
      // Incomplete record: if the handshake header is already visible, refuse now what can
      // never fit instead of waiting for it.
      const std::string_view partial = bytes.substr(pos + kRecordHeader);
      if (!have_len && joined.size() + partial.size() >= 4) {
        const std::string head = (joined + std::string(partial)).substr(0, 4);
        Reader h(head);
        if (h.u8() != kClientHello)
          return fail(HelloStatus::Invalid, "first handshake message is not a ClientHello");
        if (h.u24() + 4 > max_hello) return fail(HelloStatus::Invalid, "ClientHello too large");
      }
      return {};
    }
    joined.append(bytes.substr(pos + kRecordHeader, len));
    pos += kRecordHeader + len;
    if (!have_len && joined.size() >= 4) {
      Reader h(joined);
      if (h.u8() != kClientHello)
        return fail(HelloStatus::Invalid, "first handshake message is not a ClientHello");
      hello_len = h.u24();
      have_len = true;
      if (hello_len + 4 > max_hello) return fail(HelloStatus::Invalid, "ClientHello too large");
    }
    if (have_len && joined.size() >= hello_len + 4)
      return parse_body(std::string_view(joined).substr(4, hello_len), pos);
  }
}

}  // namespace warden::tls
