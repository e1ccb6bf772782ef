#pragma once
// Sans-io decoder for the chunked transfer coding (RFC 9112 §7.1), strict: chunk sizes are
// 1*HEXDIG (no sign, prefix, or whitespace; at most 15 digits), every line ends in CRLF, chunk
// data is followed by CRLF, extensions are bounded and validated and then dropped, trailer
// fields are validated and those that would change framing, routing or security are dropped
// (RFC 9110 §6.5.1) — never merged into the head.
//
// Usage: call next() with unconsumed input until it returns Done or Invalid; each call consumes
// control bytes and at most one run of data, returned as a view into the input (zero copy).

#include "http/parse_result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::http {

struct ChunkedLimits {
  std::size_t extensions_max = 4 * 1024;  // all chunk extensions of one message
  std::size_t trailers_max = 16 * 1024;   // the trailer section
};

struct ChunkStep {
  ParseStatus status = ParseStatus::NeedMore;  // NeedMore: call again with more input
  std::size_t consumed = 0;                    // bytes of the input used by this step
  std::string_view data;                       // body bytes found (a view into the input)
  ParseError error{};
};

class ChunkedDecoder {
 public:
  explicit ChunkedDecoder(ChunkedLimits limits = {}) : limits_(limits) {}

  [[nodiscard]] ChunkStep next(std::string_view in);
  // Trailer field lines that may be forwarded, each "name: value\r\n"; valid after Done.
  [[nodiscard]] const std::string& trailers() const { return trailers_; }
  [[nodiscard]] bool done() const { return state_ == State::Done; }

 private:
  // Size -> (Ext) -> SizeLF -> Data -> DataCR -> DataLF -> Size ... ; a zero size goes
  // SizeLF -> Trailer (-> TrailerLF -> Trailer)* -> EndLF -> Done.
  enum class State { Size, Ext, SizeLF, Data, DataCR, DataLF, Trailer, TrailerLF, EndLF, Done };

  [[nodiscard]] bool accept_trailer_line();

  ChunkedLimits limits_;
  State state_ = State::Size;
  std::uint64_t size_ = 0;         // of the current chunk
  unsigned digits_ = 0;            // hex digits read for size_
  bool ext_need_name_ = false;     // right after ';' (and optional whitespace)
  std::size_t ext_bytes_ = 0;      // all extensions so far
  std::size_t trailer_bytes_ = 0;  // trailer section so far
  std::string line_;               // the trailer line being read
  std::string trailers_;           // accepted trailer lines
};

// Writes the chunk-size line for a chunk of n bytes ("1a2b\r\n") into out; returns its length.
std::size_t format_chunk_header(std::size_t n, char (&out)[20]);

inline constexpr std::string_view kChunkEnd = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n";

}  // namespace warden::http
