// libFuzzer target: one response body through the page scanner (content decoding, charset,
// HTML to text, folding, Vectorscan), cut into pieces. Input: a byte choosing the
// Content-Encoding, one choosing the Content-Type, one the piece size, then the body.
// Invariants: no crash, no leak, bounded work (the decoded cap), and for a body that decodes,
// the same score whatever the pieces (a phrase split across pieces still matches; the charset
// and sniffing decide on the same first bytes).
#include "analysis/page_scan.hpp"
#include "base/assert.hpp"

#include <array>
#include <cstdint>
#include <string_view>

using namespace warden::analysis;

namespace {

const std::shared_ptr<const PhraseMatcher>& fuzz_matcher() {
  static const auto m = [] {
    std::vector<PhraseEntry> entries;
    const auto error = parse_phrase_list(
        "<gore><30>\n< kill ><40>\n<blood>,<bath><50>\n<caf\xC3\xA9><5>\n<\xD0\xBF\xD1\x80><7>\n"
        "<self harm><60>\n",
        "fuzz", PhraseKind::Weighted, entries);
    WARDEN_CHECK(!error);
    return std::get<0>(PhraseMatcher::compile(std::move(entries)));
  }();
  return m;
}

constexpr int kCorrupt = -2;

int scan(std::string_view encoding, std::string_view type, std::string_view body,
         std::size_t piece) {
  auto scanner = PageScanner::make(fuzz_matcher(), text_kind(type), type, encoding, 1 << 20);
  if (!scanner) return -1;
  for (std::size_t i = 0; i < body.size(); i += piece) scanner->feed(body.substr(i, piece));
  scanner->finish();
  WARDEN_CHECK(scanner->text_bytes() <= 4 * (1u << 20) + 8);
  if (scanner->corrupt()) return kCorrupt;
  return scanner->score(100).total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  static constexpr std::array<std::string_view, 7> kEncodings = {
      "", "gzip", "deflate", "br", "zstd", "gzip, br", "x-unknown"};
  static constexpr std::array<std::string_view, 7> kTypes = {
      "text/html",        "text/plain; charset=utf-8",    "text/html; charset=koi8-r", "",
      "application/json", "text/html; charset=shift_jis", "text/xml; charset=utf-16"};
  const std::string_view encoding = kEncodings[data[0] % kEncodings.size()];
  const std::string_view type = kTypes[data[1] % kTypes.size()];
  const std::size_t piece = 1 + data[2] % 64;
  const std::string_view body(reinterpret_cast<const char*>(data + 3), size - 3);
  const int whole = scan(encoding, type, body, body.size() + 1);
  // (A corrupt stream is scanned as far as it decoded, which depends on the cuts: see corrupt().)
  if (whole != kCorrupt) WARDEN_CHECK(scan(encoding, type, body, piece) == whole);
  return 0;
}
