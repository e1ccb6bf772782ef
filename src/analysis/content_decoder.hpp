#pragma once
// Content-Encoding undone in a stream (RFC 9110 §8.4): gzip, deflate (zlib, or raw as some
// servers send it), br and zstd, and a list of them ("gzip, br": applied in that order, undone
// in reverse); other codings are passed over, as browsers do. zstd's window is capped at 8 MiB as
// Chrome caps it; all output is capped at `max_output` bytes in all, so a small compressed bomb
// costs a bounded amount of work. A corrupt stream stops decoding: what came out before it is what
// a browser could show too.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace warden::analysis {

class ContentDecoder {
 public:
  class Stage {
   public:
    virtual ~Stage() = default;
    // Decodes `in`, appending to `out` at most `room` bytes; false on corrupt input.
    virtual bool feed(std::string_view in, std::string& out, std::size_t room) = 0;
  };

  // `content_encoding`: every Content-Encoding line of the response joined with commas. A coding
  // it does not know is passed over, as Chromium passes the body through raw for one; past
  // kMaxCodings the rest are too.
  static ContentDecoder make(std::string_view content_encoding, std::size_t max_output);
  static constexpr std::size_t kMaxCodings = 8;

  // Appends the decoded form of `in` to `out`; false once the stream proved corrupt (later
  // calls do nothing).
  bool feed(std::string_view in, std::string& out);
  [[nodiscard]] bool failed() const { return failed_; }
  // Decoded bytes were dropped at the cap.
  [[nodiscard]] bool capped() const { return produced_ >= max_output_; }

 private:
  std::vector<std::unique_ptr<Stage>> stages_;  // in decoding order
  std::size_t max_output_ = 0;
  std::size_t produced_ = 0;
  bool failed_ = false;
};

}  // namespace warden::analysis
