#include "analysis/page_scan.hpp"

#include "analysis/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace warden::analysis {
namespace {

constexpr std::size_t kKeptBuffer = 64 * 1024;
constexpr std::size_t kSniffBytes = 1024;  // what Chromium reads before deciding (WHATWG: 1445)

std::string media_type(std::string_view content_type) {
  return ascii_lowered(trimmed(content_type.substr(0, content_type.find(';'))));
}

// HTML's signatures (WHATWG MIME Sniffing §7.1), after leading whitespace.
bool looks_like_html(std::string_view b) {
  while (!b.empty() && (b.front() == ' ' || b.front() == '\t' || b.front() == '\n' ||
                        b.front() == '\r' || b.front() == '\f'))
    b.remove_prefix(1);
  static constexpr std::array<std::string_view, 17> kSignatures = {"<!doctype html",
                                                                   "<html",
                                                                   "<head",
                                                                   "<script",
                                                                   "<iframe",
                                                                   "<h1",
                                                                   "<div",
                                                                   "<font",
                                                                   "<table",
                                                                   "<a",
                                                                   "<style",
                                                                   "<title",
                                                                   "<b",
                                                                   "<body",
                                                                   "<br",
                                                                   "<p",
                                                                   "<!--"};
  for (const auto sig : kSignatures) {
    if (b.size() <= sig.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < sig.size() && same; ++i)
      same = std::tolower(static_cast<unsigned char>(b[i])) == sig[i];
    const char after = b[sig.size()];
    if (same && (sig == "<!--" || after == ' ' || after == '>')) return true;
  }
  return false;
}

}  // namespace

TextKind text_kind(std::string_view content_type) {
  const std::string t = media_type(content_type);
  // Browsers sniff what has no type, an unknown one or one they cannot parse (WHATWG MIME
  // Sniffing §7.1).
  if (t.empty() || t == "unknown/unknown" || t == "application/unknown" || t == "*/*" ||
      t.find('/') == std::string::npos)
    return TextKind::Sniff;
  if (t == "text/html" || t == "application/xhtml+xml" || t == "text/xml" ||
      t == "application/xml" || t.ends_with("+xml"))
    return TextKind::Markup;  // (image/svg+xml too: opened as a page, its text is shown)
  if (t == "application/json" || t.ends_with("+json")) return TextKind::Plain;
  if (t == "text/css" || t == "text/javascript" || t == "text/event-stream" ||
      t == "text/ecmascript" || t == "text/x-javascript")
    return TextKind::None;
  if (t.starts_with("text/")) return TextKind::Plain;
  return TextKind::None;
}

std::unique_ptr<PageScanner> PageScanner::make(std::shared_ptr<const PhraseMatcher> matcher,
                                               TextKind kind, std::string_view content_type,
                                               std::string_view content_encoding,
                                               std::size_t max_decoded) {
  if (kind == TextKind::None || !matcher) return nullptr;
  return std::unique_ptr<PageScanner>(
      new PageScanner(std::move(matcher), kind, ContentDecoder::make(content_encoding, max_decoded),
                      content_type_charset(content_type)));
}

PageScanner::PageScanner(std::shared_ptr<const PhraseMatcher> matcher, TextKind kind,
                         ContentDecoder decoder, std::string_view charset)
    : kind_(kind),
      decoder_(std::move(decoder)),
      charset_(std::make_unique<CharsetDecoder>(charset, kind != TextKind::Plain)),
      scan_(std::make_unique<PhraseMatcher::Scan>(std::move(matcher))) {}

void PageScanner::feed(std::string_view body) {
  if (stopped_) return;
  decoded_.clear();
  const bool ok = decoder_.feed(body, decoded_);
  if (kind_ == TextKind::Sniff) {
    // The first kSniffBytes decoded bytes decide, as browsers sniff (not the first piece).
    sniffed_.append(decoded_);
    if (sniffed_.size() < kSniffBytes && ok) return;
    if (!sniffed()) return;
    decoded_ = std::exchange(sniffed_, {});
  }
  text_stage(decoded_, false);
  if (!ok) finish();  // corrupt from here on: what decoded is what a browser shows
  // A piece that decoded large leaves no large buffers behind: a page held while more of it
  // comes keeps only what is small.
  for (std::string* b : {&decoded_, &utf8_, &text_, &folded_})
    if (b->capacity() > kKeptBuffer) *b = {};
}

bool PageScanner::sniffed() {
  if (!looks_like_html(sniffed_)) {
    stopped_ = true;
    sniffed_ = {};
    return false;
  }
  kind_ = TextKind::Markup;
  return true;
}

void PageScanner::finish() {
  if (stopped_) return;
  if (kind_ == TextKind::Sniff) {  // a body shorter than the sniffing window
    if (!sniffed()) return;
    decoded_ = std::exchange(sniffed_, {});
    text_stage(decoded_, false);
  }
  text_stage({}, true);
  stopped_ = true;
}

void PageScanner::text_stage(std::string_view decoded, bool at_end) {
  utf8_.clear();
  text_.clear();
  folded_.clear();
  if (at_end)
    charset_->finish(utf8_);
  else
    charset_->feed(decoded, utf8_);
  if (kind_ == TextKind::Markup) {
    html_.feed(utf8_, text_);
    if (at_end) html_.finish(text_);
    folder_.feed(text_, folded_);
  } else {
    folder_.feed(utf8_, folded_);
  }
  if (at_end) folder_.finish(folded_);
  scan_->feed(folded_);
}

}  // namespace warden::analysis
