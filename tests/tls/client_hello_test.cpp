#include "tls/client_hello.hpp"

#include "hello_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace warden::tls {
namespace {

using test::Extension;

TEST(ClientHello, ReadsWhatOpenSslSends) {
  const std::string hello = test::openssl_client_hello("Www.Example.COM", {"h2", "http/1.1"});
  HelloResult r = parse_client_hello(hello);
  ASSERT_EQ(r.status, HelloStatus::Done) << r.reason;
  EXPECT_EQ(r.info.sni, "www.example.com");
  EXPECT_EQ(r.info.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_TRUE(r.info.offers_tls13());
  EXPECT_TRUE(r.info.offers("http/1.1"));
  EXPECT_FALSE(r.info.has_ech);
  EXPECT_EQ(r.info.bytes, hello.size());
}

TEST(ClientHello, NeedsMoreOnEveryPrefix) {
  const std::string hello = test::openssl_client_hello("a.test", {});
  for (std::size_t n = 0; n < hello.size(); ++n)
    ASSERT_EQ(parse_client_hello(hello.substr(0, n)).status, HelloStatus::NeedMore) << n;
  EXPECT_EQ(parse_client_hello(hello).status, HelloStatus::Done);
}

TEST(ClientHello, JoinsAHelloSplitAcrossRecords) {
  const std::string msg = test::hello_message(
      {{0, test::sni_extension("split.test")}, {16, test::alpn_extension({"http/1.1"})}});
  for (std::size_t record : {1u, 7u, 50u, 100u}) {
    const std::string bytes = test::in_records(msg, record);
    HelloResult r = parse_client_hello(bytes + "trailing application data");
    ASSERT_EQ(r.status, HelloStatus::Done) << record << ": " << r.reason;
    EXPECT_EQ(r.info.sni, "split.test");
    EXPECT_EQ(r.info.bytes, bytes.size());
    EXPECT_EQ(parse_client_hello(bytes.substr(0, bytes.size() - 1)).status, HelloStatus::NeedMore);
  }
}

TEST(ClientHello, IgnoresGrease) {
  const std::string msg = test::hello_message({
      {0x0a0a, ""},
      {0, test::sni_extension("grease.test")},
      {0x2b, test::versions_extension({0x7a7a, 0x0304, 0x0303})},
      {0x1a1a, "x"},
      {0xfafa, ""},
  });
  HelloResult r = parse_client_hello(test::in_records(msg));
  ASSERT_EQ(r.status, HelloStatus::Done) << r.reason;
  EXPECT_EQ(r.info.versions, (std::vector<std::uint16_t>{0x0304, 0x0303}));
  EXPECT_EQ(r.info.sni, "grease.test");
}

TEST(ClientHello, NoSniAndEchAreReported) {
  HelloResult r = parse_client_hello(test::in_records(test::hello_message({{0xfe0d, "ech"}})));
  ASSERT_EQ(r.status, HelloStatus::Done);
  EXPECT_EQ(r.info.sni, "");
  EXPECT_TRUE(r.info.has_ech);
  HelloResult none = parse_client_hello(test::openssl_client_hello("", {}));
  ASSERT_EQ(none.status, HelloStatus::Done);
  EXPECT_EQ(none.info.sni, "");
}

TEST(ClientHello, NotTls) {
  EXPECT_EQ(parse_client_hello("GET / HTTP/1.1\r\n").status, HelloStatus::NotTls);
  EXPECT_EQ(parse_client_hello(std::string("\x80\x2e\x01\x00\x02", 5)).status, HelloStatus::NotTls);
  EXPECT_EQ(parse_client_hello(std::string("\x16\x01\x00\x00\x10", 5)).status, HelloStatus::NotTls);
  EXPECT_EQ(parse_client_hello("SSH-2.0-OpenSSH_9.2\r\n").status, HelloStatus::NotTls);
}

TEST(ClientHello, RefusesMalformedHellos) {
  auto status = [](const std::vector<Extension>& e) {
    return parse_client_hello(test::in_records(test::hello_message(e))).status;
  };
  EXPECT_EQ(status({{0, test::sni_extension("a.test")}, {0, test::sni_extension("b.test")}}),
            HelloStatus::Invalid);  // duplicate extension
  EXPECT_EQ(status({{0, test::sni_extension(std::string("a.test\0.evil", 11))}}),
            HelloStatus::Invalid);
  EXPECT_EQ(status({{0, test::sni_extension("trailing.dot.")}}), HelloStatus::Invalid);
  EXPECT_EQ(status({{0, test::sni_extension("double..dot")}}), HelloStatus::Invalid);
  EXPECT_EQ(status({{0, "\x00"}}), HelloStatus::Invalid);  // truncated list
  EXPECT_EQ(status({{16, std::string("\x00\x02\x00\x00", 4)}}),
            HelloStatus::Invalid);  // empty proto
  // A record that is not a handshake in the middle of the hello.
  const std::string msg = test::hello_message({{0, test::sni_extension("a.test")}});
  std::string bytes = test::in_records(msg.substr(0, 10)) + std::string("\x17\x03\x03\x00\x01x", 6);
  EXPECT_EQ(parse_client_hello(bytes).status, HelloStatus::Invalid);
}

TEST(ClientHello, RefusesOversizedHellosEarly) {
  const std::string msg = test::hello_message({{0x1234, std::string(40000, 'p')}});
  const std::string bytes = test::in_records(msg);
  HelloResult r = parse_client_hello(bytes.substr(0, 200), 16 * 1024);
  EXPECT_EQ(r.status, HelloStatus::Invalid);  // refused from its header, not after 40 KB
  EXPECT_EQ(parse_client_hello(bytes).status, HelloStatus::Done);  // the default allows 64 KiB
}

TEST(ClientHello, SurvivesRandomBytes) {
  std::mt19937 rng(42);
  for (int i = 0; i < 20000; ++i) {
    std::string junk(rng() % 300, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    if (!junk.empty() && i % 2 == 0) junk[0] = '\x16';
    if (junk.size() > 1 && i % 4 == 0) junk[1] = '\x03';
    (void)parse_client_hello(junk);
  }
  SUCCEED();  // the assertion is "no crash, no sanitizer report"
}

}  // namespace
}  // namespace warden::tls
