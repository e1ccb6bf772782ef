// The PROXY protocol header (capture/proxy_header.hpp): versions 1 and 2 as HAProxy sends them,
// byte by byte as they may arrive, and every kind of malformed header refused.
#include "capture/proxy_header.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warden::capture {
namespace {

using Status = ProxyParse::Status;
using namespace std::string_literals;

const std::string kSig = "\r\n\r\n\0\r\nQUIT\n"s;

std::string v2(unsigned char ver_cmd, unsigned char fam, const std::string& body) {
  std::string h = kSig;
  h.push_back(static_cast<char>(ver_cmd));
  h.push_back(static_cast<char>(fam));
  h.push_back(static_cast<char>(body.size() >> 8));
  h.push_back(static_cast<char>(body.size() & 0xFF));
  return h + body;
}

// 192.0.2.7:51000 -> 198.18.0.5:443
const std::string kInet = "\xC0\x00\x02\x07\xC6\x12\x00\x05\xC7\x38\x01\xBB"s;

// Every strict beginning of a header is Incomplete, the whole one Done with the same result
// whatever follows it.
ProxyParse parse_whole(const std::string& header) {
  for (std::size_t n = 0; n < header.size(); ++n)
    EXPECT_EQ(parse_proxy_header(header.substr(0, n)).status, Status::Incomplete)
        << n << " bytes of " << header.size();
  const ProxyParse p = parse_proxy_header(header + "GET / HTTP/1.1\r\n");
  EXPECT_EQ(p.status, Status::Done) << p.error;
  EXPECT_EQ(p.header.length, header.size());
  return p;
}

TEST(ProxyHeader, Version1) {
  auto p = parse_whole("PROXY TCP4 192.0.2.7 198.18.0.5 51000 443\r\n");
  EXPECT_EQ(p.header.kind, ProxyHeader::Kind::Proxied);
  EXPECT_EQ(p.header.source, net::tcp::endpoint(net::asio::ip::make_address("192.0.2.7"), 51000));
  EXPECT_EQ(p.header.destination,
            net::tcp::endpoint(net::asio::ip::make_address("198.18.0.5"), 443));
  p = parse_whole("PROXY TCP6 2001:db8::7 2001:db8::1 0 65535\r\n");
  EXPECT_EQ(p.header.source.address().to_string(), "2001:db8::7");
  EXPECT_EQ(p.header.destination.port(), 65535);
  EXPECT_EQ(parse_whole("PROXY UNKNOWN\r\n").header.kind, ProxyHeader::Kind::Unknown);
  EXPECT_EQ(parse_whole("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n").header.kind,
            ProxyHeader::Kind::Unknown);  // (the rest of an UNKNOWN line is ignored)
}

TEST(ProxyHeader, Version2) {
  auto p = parse_whole(v2(0x21, 0x11, kInet));
  EXPECT_EQ(p.header.kind, ProxyHeader::Kind::Proxied);
  EXPECT_EQ(p.header.source, net::tcp::endpoint(net::asio::ip::make_address("192.0.2.7"), 51000));
  EXPECT_EQ(p.header.destination,
            net::tcp::endpoint(net::asio::ip::make_address("198.18.0.5"), 443));
  const std::string inet6 =
      std::string(15, '\0') + "\x07"s + std::string(15, '\0') + "\x01"s + "\x01\x02\x01\xBB"s;
  p = parse_whole(v2(0x21, 0x21, inet6));
  EXPECT_EQ(p.header.source, net::tcp::endpoint(net::asio::ip::make_address("::7"), 258));
  // TLVs (an authority, a unique id) are read past; LOCAL (a health check) has no addresses.
  p = parse_whole(v2(0x21, 0x11, kInet + "\x02\x00\x06school"s + "\x05\x00\x01x"s));
  EXPECT_EQ(p.header.kind, ProxyHeader::Kind::Proxied);
  EXPECT_EQ(parse_whole(v2(0x20, 0x00, "")).header.kind, ProxyHeader::Kind::Local);
  EXPECT_EQ(parse_whole(v2(0x20, 0x11, kInet)).header.kind, ProxyHeader::Kind::Local);
  EXPECT_EQ(parse_whole(v2(0x21, 0x00, "")).header.kind, ProxyHeader::Kind::Unknown);
}

TEST(ProxyHeader, MalformedOrMissingIsRefused) {
  const std::string cases[] = {
      "GET / HTTP/1.1\r\n",                                // no header
      "\x16\x03\x01\x02\x00",                              // TLS, no header
      "proxy TCP4 192.0.2.7 198.18.0.5 1 2\r\n",           // case matters
      "PROXY TCP4 192.0.2.7 198.18.0.5 1 2\n",             // LF without CR
      "PROXY UNKNOWN x\ny\r\n",                            // a bare LF inside (found by fuzzing)
      "PROXY TCP5 192.0.2.7 198.18.0.5 1 2\r\n",           // no such protocol
      "PROXY TCP4 192.0.2.7  198.18.0.5 1 2\r\n",          // two spaces
      "PROXY TCP4 192.0.2.7 198.18.0.5 1 2 \r\n",          // a trailing space
      "PROXY TCP4 192.0.2.7 198.18.0.5 1\r\n",             // a field missing
      "PROXY TCP4 192.0.2.7 198.18.0.5 1 2 3\r\n",         // a field too many
      "PROXY TCP4 2001:db8::7 198.18.0.5 1 2\r\n",         // the wrong family
      "PROXY TCP6 192.0.2.7 2001:db8::1 1 2\r\n",          // the wrong family
      "PROXY TCP6 fe80::1%eth0 2001:db8::1 1 2\r\n",       // a zone
      "PROXY TCP4 192.0.2.07 198.18.0.5 1 2\r\n",          // a leading zero
      "PROXY TCP4 192.0.2 198.18.0.5 1 2\r\n",             // three parts
      "PROXY TCP4 192.0.2.256 198.18.0.5 1 2\r\n",         // a part over 255
      "PROXY TCP6 ::ffff:192.0.2.07 2001:db8::1 1 2\r\n",  // the same inside IPv6
      "PROXY TCP4 192.0.2.7 198.18.0.5 01 2\r\n",          // a port's leading zero
      "PROXY TCP4 192.0.2.7 198.18.0.5 65536 2\r\n",       // a port too big
      "PROXY TCP4 192.0.2.7 198.18.0.5 -1 2\r\n",          // not a decimal
      "PROXY TCP4 " + std::string(100, '1') + "\r\n",      // longer than 107 bytes
      v2(0x11, 0x11, kInet),                               // version 1 in a v2 header
      v2(0x22, 0x11, kInet),                               // no such command
      v2(0x21, 0x41, kInet),                               // no such family
      v2(0x21, 0x12, kInet),                               // UDP
      v2(0x21, 0x11, kInet.substr(0, 11)),                 // addresses cut short
      v2(0x21, 0x21, kInet),                               // too short for IPv6
      v2(0x21, 0x11, kInet + "\x02\x00"s),                 // a TLV cut short
      v2(0x21, 0x11, kInet + "\x02\x00\x09school"s),       // a TLV longer than the rest
      v2(0x21, 0x11, kInet + std::string(1100, '\0')),     // longer than 1 KiB
  };
  for (const auto& c : cases) {
    const ProxyParse p = parse_proxy_header(c);
    EXPECT_EQ(p.status, Status::Invalid) << '"' << c << '"';
    EXPECT_FALSE(p.error.empty());
  }
}

}  // namespace
}  // namespace warden::capture
