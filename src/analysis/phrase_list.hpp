#pragma once
// Phrase lists in e2guardian's (and DansGuardian's) format, so a school leaving either keeps its
// lists (docs/analysis.md, "Phrase scanning"):
//   <phrase><weight>          weighted: the page scores `weight` when the phrase is on it
//   <a>,<b><weight>           a combination: scores when every part is on the page
//   <phrase><-30>             a negative weight: a good phrase lowers the score
//   <phrase><10%>             a share of the group's limit
//   <phrase> or <a>,<b>       in a banned list: blocks; in an exception list: allows the page
//   < word >, < pre>, <suf >  spaces inside the brackets mark word boundaries
//   .Include</path/to/list>   another list, read in its place (relative paths: to this file)
//   #listcategory: "Name"     the category the file's phrases report (else its folder's name)
// Blank lines and other lines starting with '#' are comments; text after the last '>' is too.
// Files that are not UTF-8 are read as Windows-1252 (the old Western European lists).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::analysis {

enum class PhraseKind : std::uint8_t { Weighted, Banned, Exception };

struct PhraseEntry {
  PhraseKind kind = PhraseKind::Weighted;
  std::vector<std::string> parts;  // folded (analysis/text_fold.hpp); all must be on the page
  int weight = 0;                  // Weighted: points, or percent of the limit
  bool percent = false;
  std::string category;
  std::string where;  // "file:line" it was read from
};

struct PhraseLimits {
  std::size_t max_file_bytes = 16u << 20;
  std::size_t max_entries = 200'000;
  int max_include_depth = 8;
  // Lines that cannot be read are skipped (and counted) rather than refusing the list: for
  // lists kept from e2guardian, whose own lists have a few ("<disk jockey>" with no weight).
  // A missing file or an include loop is still refused.
  bool lenient = false;
};

struct PhraseListReport {
  std::size_t skipped = 0;    // lenient: lines skipped
  std::string first_skipped;  // "file:line: why" of the first
};

// Reads `path` (and what it includes) as a list of `kind`, appending to `out`. Returns the error
// ("file:line: why"), or nullopt.
[[nodiscard]] std::optional<std::string> read_phrase_list(const std::string& path, PhraseKind kind,
                                                          std::vector<PhraseEntry>& out,
                                                          const PhraseLimits& limits = {},
                                                          PhraseListReport* report = nullptr);

// The same over text already in memory (`name` is used in errors and as the default category's
// folder); includes are read from disk, relative to `name`'s folder.
[[nodiscard]] std::optional<std::string> parse_phrase_list(std::string_view text,
                                                           const std::string& name, PhraseKind kind,
                                                           std::vector<PhraseEntry>& out,
                                                           const PhraseLimits& limits = {},
                                                           PhraseListReport* report = nullptr);

}  // namespace warden::analysis
