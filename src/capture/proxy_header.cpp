#include "capture/proxy_header.hpp"

#include <array>
#include <cstring>

namespace warden::capture {
namespace {

using Status = ProxyParse::Status;

constexpr std::string_view kV1Start = "PROXY ";
constexpr std::size_t kMaxV1 = 107;  // the longest v1 line, CRLF included (the spec's bound)
constexpr std::array<unsigned char, 12> kV2Signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                        0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

ProxyParse invalid(std::string_view why) { return {Status::Invalid, {}, why}; }
ProxyParse incomplete() { return {Status::Incomplete, {}, {}}; }

// Whether `bytes` is a beginning of `whole` (as much of it as has come).
bool starts_like(std::string_view bytes, std::string_view whole) {
  const std::size_t n = std::min(bytes.size(), whole.size());
  return bytes.substr(0, n) == whole.substr(0, n);
}

std::string_view v2_signature() {
  return {reinterpret_cast<const char*>(kV2Signature.data()), kV2Signature.size()};
}

// A decimal of 1 to 5 digits without a leading zero, at most `max` (a port, an IPv4 part).
bool decimal(std::string_view s, std::uint32_t max, std::uint32_t& out) {
  if (s.empty() || s.size() > 5 || (s.size() > 1 && s[0] == '0')) return false;
  std::uint32_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(c - '0');
  }
  out = v;
  return v <= max;
}

bool parse_port(std::string_view s, std::uint16_t& port) {
  std::uint32_t v = 0;
  if (!decimal(s, 65535, v)) return false;
  port = static_cast<std::uint16_t>(v);
  return true;
}

// Four decimals from 0 to 255, without leading zeros (which some inet_pton, Windows', take).
bool dotted_quad(std::string_view s) {
  for (int part = 0; part < 4; ++part) {
    const std::size_t dot = s.find('.');
    if ((dot == std::string_view::npos) != (part == 3)) return false;
    std::uint32_t value = 0;
    if (!decimal(s.substr(0, dot), 255, value)) return false;
    s = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  }
  return true;
}

// An address of the family the line names, in its plain textual form (no zone, no brackets).
bool parse_address(std::string_view s, bool v6, net::asio::ip::address& out) {
  if (s.empty() || s.size() > 45 || s.find_first_of("%[]") != std::string_view::npos) return false;
  // (IPv4, and the IPv4 part an IPv6 address may end with: inet_pton's leniency differs)
  if (!v6 && !dotted_quad(s)) return false;
  if (v6 && s.find('.') != std::string_view::npos && !dotted_quad(s.substr(s.rfind(':') + 1)))
    return false;
  net::error_code ec;
  const std::string text(s);
  if (v6) {
    out = net::asio::ip::make_address_v6(text, ec);
  } else {
    out = net::asio::ip::make_address_v4(text, ec);
  }
  return !ec;
}

// "PROXY TCP4 192.0.2.1 198.18.0.5 51000 443\r\n", "PROXY UNKNOWN...\r\n".
ProxyParse parse_v1(std::string_view bytes) {
  // The line ends at its first LF, which must follow a CR (a bare LF inside the line, even an
  // UNKNOWN one, is refused: a shorter read of the same bytes would have refused it).
  const std::string_view window = bytes.substr(0, kMaxV1);
  const std::size_t lf = window.find('\n');
  if (lf == std::string_view::npos) {
    if (bytes.size() >= kMaxV1) return invalid("a PROXY v1 line longer than 107 bytes");
    return incomplete();
  }
  if (window[lf - 1] != '\r') return invalid("a PROXY v1 line ending without CR");
  const std::size_t end = lf - 1;
  ProxyParse p{Status::Done, {}, {}};
  p.header.length = end + 2;
  // Fields split at single spaces: one more than five (a sixth, or a trailing space) is wrong.
  std::string_view rest = bytes.substr(kV1Start.size(), end - kV1Start.size());
  std::array<std::string_view, 6> fields{};
  std::size_t count = 0;
  for (bool more = true; more && count < fields.size();) {
    const std::size_t space = rest.find(' ');
    fields[count++] = rest.substr(0, space);
    more = space != std::string_view::npos;
    rest = more ? rest.substr(space + 1) : std::string_view();
  }
  if (fields[0] == "UNKNOWN") {  // the rest of the line is to be ignored (the spec)
    p.header.kind = ProxyHeader::Kind::Unknown;
    return p;
  }
  const bool v6 = fields[0] == "TCP6";
  if (!v6 && fields[0] != "TCP4")
    return invalid("a PROXY v1 protocol other than TCP4, TCP6, UNKNOWN");
  if (count != 5) return invalid("a PROXY v1 line without exactly four fields after TCP4/6");
  net::asio::ip::address src;
  net::asio::ip::address dst;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  if (!parse_address(fields[1], v6, src) || !parse_address(fields[2], v6, dst))
    return invalid("a PROXY v1 address that is not one of its family");
  if (!parse_port(fields[3], sport) || !parse_port(fields[4], dport))
    return invalid("a PROXY v1 port that is not a decimal from 0 to 65535");
  p.header.kind = ProxyHeader::Kind::Proxied;
  p.header.source = {src, sport};
  p.header.destination = {dst, dport};
  return p;
}

std::uint16_t be16(const unsigned char* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// The v2 address block of an INET (Address = address_v4) or INET6 family: source, destination,
// source port, destination port.
template <class Address>
void v2_endpoints(const unsigned char* block, ProxyHeader& h) {
  typename Address::bytes_type src{};
  typename Address::bytes_type dst{};
  const std::size_t n = src.size();
  std::memcpy(src.data(), block, n);
  std::memcpy(dst.data(), block + n, n);
  h.source = {Address(src), be16(block + 2 * n)};
  h.destination = {Address(dst), be16(block + 2 * n + 2)};
}

// The signature, version and command, family and protocol, length, addresses, then TLVs
// (type, 16-bit length, value), which must fill the rest exactly.
ProxyParse parse_v2(std::string_view bytes) {
  if (bytes.size() < 16) return incomplete();
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  if ((b[12] >> 4) != 2) return invalid("a PROXY v2 header of another version");
  const unsigned command = b[12] & 0x0F;
  if (command > 1) return invalid("a PROXY v2 command other than LOCAL and PROXY");
  const unsigned family = b[13] >> 4;
  const unsigned protocol = b[13] & 0x0F;
  if (family > 3 || protocol > 2) return invalid("a PROXY v2 family or protocol that is not one");
  const std::size_t total = 16 + be16(b + 14);
  if (total > kMaxProxyHeader) return invalid("a PROXY v2 header longer than 1 KiB");
  if (bytes.size() < total) return incomplete();
  ProxyParse p{Status::Done, {}, {}};
  p.header.length = total;
  const unsigned char* body = b + 16;
  std::size_t size = total - 16;
  // The address block's size by family: UNSPEC, INET, INET6, UNIX.
  static constexpr std::array<std::size_t, 4> kAddresses = {0, 12, 36, 216};
  const std::size_t addresses = kAddresses[family];
  if (size < addresses) return invalid("a PROXY v2 header shorter than its addresses");
  // TLVs: each must fit; nothing may be left over.
  for (std::size_t at = addresses; at < size;) {
    if (size - at < 3) return invalid("a PROXY v2 TLV cut short");
    const std::size_t length = be16(body + at + 1);
    if (size - at - 3 < length) return invalid("a PROXY v2 TLV longer than the header");
    at += 3 + length;
  }
  if (command == 0) {
    p.header.kind = ProxyHeader::Kind::Local;
    return p;
  }
  if (family == 0 || family == 3) {
    p.header.kind = ProxyHeader::Kind::Unknown;
    return p;
  }
  if (protocol != 1) return invalid("a PROXY v2 connection that is not a stream (TCP)");
  p.header.kind = ProxyHeader::Kind::Proxied;
  if (family == 1)
    v2_endpoints<net::asio::ip::address_v4>(body, p.header);
  else
    v2_endpoints<net::asio::ip::address_v6>(body, p.header);
  return p;
}

}  // namespace

ProxyParse parse_proxy_header(std::string_view bytes) {
  if (bytes.empty()) return incomplete();
  if (starts_like(bytes, v2_signature()))
    return bytes.size() < kV2Signature.size() ? incomplete() : parse_v2(bytes);
  if (starts_like(bytes, kV1Start))
    return bytes.size() < kV1Start.size() ? incomplete() : parse_v1(bytes);
  return invalid("no PROXY header");
}

}  // namespace warden::capture
