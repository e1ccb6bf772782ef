#include "http/chunked.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warden::http {
namespace {

struct Decoded {
  ParseStatus status = ParseStatus::NeedMore;
  std::string body;
  std::size_t consumed = 0;
  std::string trailers;
};

// Feeds `input` in pieces of `step` bytes, as a socket would deliver it.
Decoded decode(std::string_view input, std::size_t step = 1 << 20) {
  ChunkedDecoder d;
  Decoded out;
  std::string pending;
  std::size_t fed = 0;
  while (true) {
    if (pending.empty()) {
      if (fed == input.size()) break;
      const std::size_t n = std::min(step, input.size() - fed);
      pending.assign(input.substr(fed, n));
      fed += n;
    }
    ChunkStep s = d.next(pending);
    out.body.append(s.data);
    out.consumed += s.consumed;
    pending.erase(0, s.consumed);
    if (s.status != ParseStatus::NeedMore) {
      out.status = s.status;
      out.consumed = fed - pending.size();
      break;
    }
  }
  out.trailers = d.trailers();
  return out;
}

TEST(Chunked, DecodesChunksWithExtensionsAndTrailers) {
  const std::string in =
      "5\r\nhello\r\n6;name=value;flag\r\n world\r\n0\r\nX-Sum: 1\r\nContent-Length: 5\r\n\r\nNEXT";
  for (std::size_t step : {1u, 2u, 3u, 7u, 1000u}) {
    Decoded d = decode(in, step);
    ASSERT_EQ(d.status, ParseStatus::Done) << step;
    EXPECT_EQ(d.body, "hello world");
    EXPECT_EQ(d.consumed, in.size() - 4) << step;  // the next message is left alone
    EXPECT_EQ(d.trailers, "X-Sum: 1\r\n");         // S26: framing fields in trailers are dropped
  }
}

TEST(Chunked, UpperAndLowerHex) {
  Decoded d = decode("A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n");
  ASSERT_EQ(d.status, ParseStatus::Done);
  EXPECT_EQ(d.body.size(), 20u);
}

ParseStatus status_of(std::string_view in) { return decode(in).status; }

TEST(Chunked, RefusesMalformedSizes) {  // S20, S21
  for (std::string_view bad :
       {"0_2e\r\n", "0x5\r\n", "+5\r\n", "-0x0\r\n", "   0\r\n", "5 \r\n",
        "1these-bytes-never-get-validated\r\n", "\r\n", "ffffffffffffffffff1\r\n"}) {
    EXPECT_EQ(status_of(bad), ParseStatus::Invalid) << bad;
  }
}

TEST(Chunked, RefusesBadLineEndings) {  // S17, S22, S25
  EXPECT_EQ(status_of("0\n\r\n"), ParseStatus::Invalid);
  EXPECT_EQ(status_of("a\r\n0123456789\n0\r\n\r\n"), ParseStatus::Invalid);
  EXPECT_EQ(status_of("41;a=b\r\rXXXX"), ParseStatus::Invalid);
  EXPECT_EQ(status_of("2\r\r;a\r\n"), ParseStatus::Invalid);
  EXPECT_EQ(status_of("5\r\nhelloXX\r\n0\r\n\r\n"), ParseStatus::Invalid);
  EXPECT_EQ(status_of("0\r\nX:POST / HTTP/1.1\r\n\r\n"), ParseStatus::Done);  // a valid trailer
  EXPECT_EQ(status_of("0\r\nX POST / HTTP/1.1\r\n\r\n"), ParseStatus::Invalid);
}

TEST(Chunked, RefusesBadExtensions) {  // S23, S24
  EXPECT_EQ(status_of("5;\r\nhello\r\n0\r\n\r\n"), ParseStatus::Invalid);
  EXPECT_EQ(status_of(std::string("5;\0ext\r\nhello\r\n0\r\n\r\n", 21)), ParseStatus::Invalid);
  EXPECT_EQ(status_of("5;ext=" + std::string(65536, 'a') + "\r\nhello\r\n0\r\n\r\n"),
            ParseStatus::Invalid);
}

TEST(Chunked, BoundsTheTrailerSection) {
  std::string in = "0\r\n";
  for (int i = 0; i < 2000; ++i) in += "X-Long: aaaaaaaaaaaaaaaaaaaaaaaa\r\n";
  EXPECT_EQ(status_of(in + "\r\n"), ParseStatus::Invalid);
}

TEST(Chunked, FormatsChunkHeaders) {
  char buf[20];
  EXPECT_EQ(std::string_view(buf, format_chunk_header(0, buf)), "0\r\n");
  EXPECT_EQ(std::string_view(buf, format_chunk_header(0x1a2b, buf)), "1a2b\r\n");
  EXPECT_EQ(std::string_view(buf, format_chunk_header(SIZE_MAX, buf)), "ffffffffffffffff\r\n");
}

}  // namespace
}  // namespace warden::http
