#include "http/head_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warden::http {
namespace {

ParseResult parse_request(std::string_view text, RequestHead* out = nullptr,
                          HeadLimits limits = {}) {
  RequestHeadParser p(limits);
  ParseResult r = p.parse(text);
  if (out != nullptr && r.status == ParseStatus::Done) *out = p.take();
  return r;
}

unsigned rejected_with(std::string_view text) {
  ParseResult r = parse_request(text);
  return r.status == ParseStatus::Invalid ? r.error.status : 0;
}

TEST(RequestHead, ParsesAbsoluteFormRequest) {
  RequestHead h;
  const std::string text =
      "GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\nX-A:  v1 \r\n\r\nBODY";
  ParseResult r = parse_request(text, &h);
  ASSERT_EQ(r.status, ParseStatus::Done);
  EXPECT_EQ(r.consumed, text.size() - 4);
  EXPECT_EQ(h.method(), "GET");
  EXPECT_EQ(h.target(), "http://example.com/a?b");
  EXPECT_EQ(h.version, Version::Http11);
  ASSERT_EQ(h.field_count(), 2u);
  EXPECT_EQ(h.field(1).name, "X-A");
  EXPECT_EQ(h.field(1).value, "v1");
  EXPECT_EQ(h.find("host"), "example.com");
  EXPECT_EQ(h.find("missing"), std::nullopt);
}

TEST(RequestHead, NeedsMoreUntilTheEmptyLineAndResumesByteByByte) {
  const std::string text = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  RequestHeadParser p;
  for (std::size_t n = 1; n < text.size(); ++n)
    ASSERT_EQ(p.parse(std::string_view(text).substr(0, n)).status, ParseStatus::NeedMore) << n;
  ParseResult r = p.parse(text);
  ASSERT_EQ(r.status, ParseStatus::Done);
  EXPECT_EQ(r.consumed, text.size());
}

TEST(RequestHead, IgnoresLeadingEmptyLines) {
  RequestHead h;
  ParseResult r = parse_request("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &h);
  ASSERT_EQ(r.status, ParseStatus::Done);
  EXPECT_EQ(h.method(), "GET");
}

TEST(RequestHead, AcceptsHttp10AndTreatsHigherMinorAs11) {
  RequestHead h;
  ASSERT_EQ(parse_request("GET / HTTP/1.0\r\n\r\n", &h).status, ParseStatus::Done);
  EXPECT_EQ(h.version, Version::Http10);
  ASSERT_EQ(parse_request("GET / HTTP/1.2\r\nHost: a\r\n\r\n", &h).status, ParseStatus::Done);
  EXPECT_EQ(h.version, Version::Http11);
}

// ../shared/SECURITY.md (b): each of these is refused, never "fixed".
TEST(RequestHead, RefusesMalformedRequestLines) {
  EXPECT_EQ(rejected_with("GET /\nHTTP/1.1\r\n\r\n"), 400u);                   // S28 bare LF
  EXPECT_EQ(rejected_with("GET / HTTP/1.32\r\n\r\n"), 400u);                   // S28
  EXPECT_EQ(rejected_with("GET / HTTP/4294967295.255\r\n\r\n"), 400u);         // S28
  EXPECT_EQ(rejected_with("GET / HTTP/\r\r1.1\r\n\r\n"), 400u);                // S28 bare CR
  EXPECT_EQ(rejected_with("G=\":<>(e),[T];?\" /get HTTP/1.1\r\n\r\n"), 400u);  // S28
  EXPECT_EQ(rejected_with("GET  /  HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);       // S28 double SP
  EXPECT_EQ(rejected_with(std::string("\0 / HTTP/1.1\r\n\r\n", 16)), 400u);
  EXPECT_EQ(rejected_with("GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);
  EXPECT_EQ(rejected_with("GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n"), 400u);
  EXPECT_EQ(rejected_with("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505u);
  EXPECT_EQ(rejected_with("GET / HTTP/0.9\r\n\r\n"), 505u);
  EXPECT_EQ(rejected_with("GET / http/1.1\r\nHost: a\r\n\r\n"), 400u);
}

TEST(RequestHead, RefusesBadLineEndings) {
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\nHost: a\nConnection: close\n\n"), 400u);  // S16
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nHost: a\r\nVisible: :/\rSmuggled: :)\r\n\r\n"),
            400u);  // S15
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nHost: a\r\nX: va\rlue\r\n\r\n"), 400u);
}

TEST(RequestHead, RefusesObsFoldAndLeadingWhitespace) {
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), 400u);  // S13
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\n\tContent-Length: 1\r\n\r\nX"), 400u);   // S14
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), 400u);               // S14
}

TEST(RequestHead, RefusesInvalidFieldNames) {
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n"), 400u);  // S12
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nHeader\x85: v\r\n\r\n"), 400u);                // S19
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\n\xef"
                          "oo: bar\r\n\r\n"),
            400u);
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\n: ignored\r\n\r\n"), 400u);
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nContent-Length 10\r\n\r\n"), 400u);
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nTransfer-\r\nEncoding: chunked\r\n\r\n"), 400u);
}

TEST(RequestHead, RefusesControlBytesInValues) {
  EXPECT_EQ(rejected_with(std::string("GET / HTTP/1.1\r\nHost: good.test\0.evil.test\r\n\r\n", 46)),
            400u);  // S18: never truncated at NUL
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nTransfer-Encoding:\x0b"
                          "chunked\r\n\r\n"),
            400u);
  EXPECT_EQ(rejected_with("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n"), 400u);
}

TEST(RequestHead, EnforcesLimits) {
  HeadLimits limits;
  const std::string long_line = "GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n\r\n";
  EXPECT_EQ(parse_request(long_line, nullptr, limits).error.status, 414u);
  // A long request line is refused before its end arrives.
  EXPECT_EQ(parse_request("GET /" + std::string(9000, 'a'), nullptr, limits).error.status, 414u);

  std::string big_field = "GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(70000, 'b') + "\r\n\r\n";
  EXPECT_EQ(parse_request(big_field, nullptr, limits).error.status, 431u);
  EXPECT_EQ(parse_request(big_field.substr(0, 66000), nullptr, limits).error.status, 431u);

  std::string many = "GET / HTTP/1.1\r\n";
  for (int i = 0; i < 100; ++i) many += "X: 1\r\n";
  EXPECT_EQ(parse_request(many + "\r\n", nullptr, limits).status, ParseStatus::Done);
  EXPECT_EQ(parse_request(many + "Y: 2\r\n\r\n", nullptr, limits).error.status, 431u);
}

TEST(RequestHead, RefusesEndlessLeadingEmptyLines) {
  EXPECT_EQ(rejected_with("\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n"), 400u);
}

TEST(ResponseHead, ParsesStatusLineAndFields) {
  ResponseHeadParser p;
  ParseResult r = p.parse("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabc");
  ASSERT_EQ(r.status, ParseStatus::Done);
  ResponseHead h = p.take();
  EXPECT_EQ(h.status(), 404u);
  EXPECT_EQ(h.reason(), "Not Found");
  EXPECT_EQ(h.find("content-length"), "3");
}

TEST(ResponseHead, ToleratesAnEmptyReason) {
  ResponseHeadParser p;
  ASSERT_EQ(p.parse("HTTP/1.1 204\r\n\r\n").status, ParseStatus::Done);
  EXPECT_EQ(p.take().reason(), "");
}

TEST(ResponseHead, RefusesMalformedResponsesWith502) {
  for (std::string_view bad :
       {"HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/2 200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", "HTTP/1.1 099 x\r\n\r\n",
        "HTTP/1.1 200 OK\nX: a\n\n"}) {
    ResponseHeadParser p;
    ParseResult r = p.parse(bad);
    EXPECT_EQ(r.status, ParseStatus::Invalid) << bad;
    EXPECT_EQ(r.error.status, 502u) << bad;
  }
}

TEST(ResponseHead, ParserResetsForTheNextMessage) {
  ResponseHeadParser p;
  ASSERT_EQ(p.parse("HTTP/1.1 100 Continue\r\n\r\n").status, ParseStatus::Done);
  EXPECT_EQ(p.take().status(), 100u);
  p.reset();
  ASSERT_EQ(p.parse("HTTP/1.1 200 OK\r\n\r\n").status, ParseStatus::Done);
  EXPECT_EQ(p.take().status(), 200u);
}

}  // namespace
}  // namespace warden::http

namespace warden::http {
namespace {

TEST(RequestHead, RefusesNonHttpBytesAtTheFirstByte) {
  RequestHeadParser p;
  const ParseResult r = p.parse(std::string_view("\x16\x03\x01\x00", 4));  // a TLS record
  EXPECT_EQ(r.status, ParseStatus::Invalid);
  EXPECT_EQ(r.error.status, 400u);
}

}  // namespace
}  // namespace warden::http
