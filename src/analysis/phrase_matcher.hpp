#pragma once
// The phrases of a policy's phrase rule, compiled once per policy snapshot into a Vectorscan
// streaming database (every distinct folded phrase one literal), and the scan of one page over
// it: a phrase cut across two pieces of a page (TCP reads, chunks, compressed blocks) still
// matches, since the stream keeps its state between them. Scores are e2guardian's "each phrase
// once" mode: a weighted entry counts once however often it appears.

#include "analysis/phrase_list.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

struct hs_database;
struct hs_stream;

namespace warden::analysis {

struct PageScore {
  int total = 0;           // the weighted entries found, each once
  bool banned = false;     // a banned entry was found
  bool exception = false;  // an exception entry was found: the page is allowed
  std::string category;    // the banned entry's category, else the one that weighed most
  std::string phrase;      // the entry that decided: banned, exception or the heaviest
  std::map<std::string, long long> by_category;  // positive weights per category
};

class PhraseMatcher {
 public:
  // Compiles `entries` (a rule's lists); an error says why Vectorscan refused them.
  static std::variant<std::shared_ptr<const PhraseMatcher>, std::string> compile(
      std::vector<PhraseEntry> entries);
  ~PhraseMatcher();
  PhraseMatcher(const PhraseMatcher&) = delete;
  PhraseMatcher& operator=(const PhraseMatcher&) = delete;

  // One page's scan. Feed it folded text (analysis/text_fold.hpp) in pieces; score() any time.
  class Scan {
   public:
    explicit Scan(std::shared_ptr<const PhraseMatcher> matcher);
    ~Scan();
    Scan(const Scan&) = delete;
    Scan& operator=(const Scan&) = delete;
    void feed(std::string_view folded);
    // The score so far; `limit` turns percent weights into points.
    [[nodiscard]] PageScore score(int limit) const;
    [[nodiscard]] std::uint64_t scanned() const { return scanned_; }

   private:
    friend class PhraseMatcher;
    std::shared_ptr<const PhraseMatcher> matcher_;
    void find_short(std::string_view folded);
    hs_stream* stream_ = nullptr;
    char last_ = 0;               // the last byte fed, for a short phrase cut across two pieces
    std::vector<bool> seen_;      // per phrase id
    std::vector<unsigned> hits_;  // the phrase ids seen, each once
    std::uint64_t scanned_ = 0;
  };

 private:
  PhraseMatcher() = default;
  std::vector<PhraseEntry> entries_;
  std::vector<std::vector<unsigned>> entry_phrases_;   // per entry: its parts' phrase ids
  std::vector<std::vector<unsigned>> phrase_entries_;  // per phrase id: the entries naming it
  std::size_t phrase_count_ = 0;
  // Phrases of one or two bytes ("n", "18") are looked for directly, not with Vectorscan: one
  // that is on nearly every page (a letter) reports at nearly every byte and cost the literal
  // matcher a third of its time.
  std::vector<std::pair<std::string, unsigned>> short_phrases_;
  hs_database* db_ = nullptr;
  std::uint64_t serial_ = 0;  // this database's number among all compiled
};

}  // namespace warden::analysis
