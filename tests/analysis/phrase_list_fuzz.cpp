// libFuzzer target: a phrase list in e2guardian's format, parsed, compiled into a Vectorscan
// database and scanned over its own text. Input: a byte choosing the list kind, then the list.
// Invariants: no crash; an accepted list has no empty part and compiles; an error names the
// list and a line.
#include "analysis/phrase_list.hpp"
#include "analysis/phrase_matcher.hpp"
#include "analysis/text_fold.hpp"
#include "base/assert.hpp"

#include <cstdint>
#include <string_view>

using namespace warden::analysis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 64 * 1024) return 0;
  const auto kind = static_cast<PhraseKind>(data[0] % 3);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<PhraseEntry> entries;
  // Includes are read from disk: keep the fuzzer away from the filesystem's real files.
  if (text.find(".Include") != std::string_view::npos ||
      text.find(".include") != std::string_view::npos)
    return 0;
  if (const auto error = parse_phrase_list(text, "fuzz", kind, entries)) {
    WARDEN_CHECK(error->starts_with("fuzz:"));
    return 0;
  }
  for (const auto& e : entries)
    for (const auto& p : e.parts) WARDEN_CHECK(!p.empty());
  auto compiled = PhraseMatcher::compile(std::move(entries));
  auto* m = std::get_if<0>(&compiled);
  WARDEN_CHECK(m != nullptr);
  PhraseMatcher::Scan scan(*m);
  TextFolder folder;
  std::string folded;
  folder.feed(text, folded);
  folder.finish(folded);
  scan.feed(folded);
  (void)scan.score(100);
  return 0;
}
