#pragma once
// One response body, scanned for phrases as it streams: content decoding, charset to UTF-8,
// HTML to text, folding, and the phrase matcher, each a stream stage so a phrase split across
// TCP reads, chunks or compressed blocks still matches (docs/analysis.md, "Phrase scanning").

#include "analysis/charset.hpp"
#include "analysis/content_decoder.hpp"
#include "analysis/html_text.hpp"
#include "analysis/phrase_matcher.hpp"
#include "analysis/text_fold.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace warden::analysis {

// What a response's Content-Type says about scanning it.
enum class TextKind : std::uint8_t {
  None,    // not text a page shows (images, media, scripts, styles, event streams...)
  Markup,  // HTML or XML: tags stripped
  Plain,   // text/plain, JSON and other text as it is
  Sniff,   // no Content-Type (or an unknown one): HTML if it looks like HTML, else not scanned
};
[[nodiscard]] TextKind text_kind(std::string_view content_type);

class PageScanner {
 public:
  // Null when `kind` is None. `content_encoding`: every Content-Encoding line joined with
  // commas. `max_decoded`: decoded bytes scanned at most (a compression bomb costs no more).
  static std::unique_ptr<PageScanner> make(std::shared_ptr<const PhraseMatcher> matcher,
                                           TextKind kind, std::string_view content_type,
                                           std::string_view content_encoding,
                                           std::size_t max_decoded);

  // Body bytes as they arrived (content-coded, framing already removed).
  void feed(std::string_view body);
  void finish();
  [[nodiscard]] PageScore score(int limit) const { return scan_->score(limit); }
  [[nodiscard]] bool stopped() const { return stopped_; }  // sniffed as not HTML, or corrupt
  // The Content-Encoding proved corrupt: what decoded before that was scanned. How much that is
  // depends on where the stream was cut (brotli hands over what it holds when its input runs
  // out, not when it meets the error first), as it does for the browser.
  [[nodiscard]] bool corrupt() const { return decoder_.failed(); }
  // Decoded text past `max_decoded` was not scanned: the page was judged on its beginning.
  [[nodiscard]] bool capped() const { return decoder_.capped(); }
  [[nodiscard]] std::uint64_t text_bytes() const { return scan_->scanned(); }

 private:
  PageScanner(std::shared_ptr<const PhraseMatcher> matcher, TextKind kind, ContentDecoder decoder,
              std::string_view charset);
  void text_stage(std::string_view decoded, bool at_end);
  bool sniffed();  // decides Sniff from sniffed_: HTML (true), or stopped

  TextKind kind_;
  ContentDecoder decoder_;
  std::unique_ptr<CharsetDecoder> charset_;
  HtmlText html_;
  TextFolder folder_;
  std::unique_ptr<PhraseMatcher::Scan> scan_;
  std::string sniffed_;                         // Sniff: the first decoded bytes, until they tell
  std::string decoded_, utf8_, text_, folded_;  // reused between pieces
  bool stopped_ = false;
};

}  // namespace warden::analysis
