#include "analysis/phrase_matcher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <hs/hs.h>
#include <unordered_map>

namespace warden::analysis {
namespace {

std::atomic<std::uint64_t> next_serial{1};

// One scratch per thread, grown to fit every database the thread scans with: a scan runs to its
// end inside one call, so coroutines sharing the thread never use it at the same time. Checking
// that a scratch fits a database (hs_alloc_scratch) costs about as much as scanning 30 KiB
// against e2guardian's lists, so each thread remembers the databases (by serial: an address can
// be reused by the next policy's) its scratch was last fitted to.
hs_scratch_t* thread_scratch(const hs_database_t* db, std::uint64_t serial) {
  thread_local struct Holder {
    hs_scratch_t* scratch = nullptr;
    std::vector<std::uint64_t> fitted;
    ~Holder() { hs_free_scratch(scratch); }
  } holder;
  if (std::find(holder.fitted.begin(), holder.fitted.end(), serial) != holder.fitted.end())
    return holder.scratch;
  if (hs_alloc_scratch(db, &holder.scratch) != HS_SUCCESS) return nullptr;
  if (holder.fitted.size() >= 8) holder.fitted.erase(holder.fitted.begin());  // (old policies)
  holder.fitted.push_back(serial);
  return holder.scratch;
}

struct Hits {
  std::vector<bool>& seen;
  std::vector<unsigned>& ids;
};

constexpr std::size_t kShortPhrase = 2;  // bytes: looked for without Vectorscan
// Whether `s` holds `pair` (two bytes). A block at a time without an early exit inside it, so
// the compiler vectorises it: memchr on the first byte stops at every "c" of a page for "cd".
bool holds_pair(std::string_view s, std::string_view pair) {
  constexpr std::size_t kBlock = 64;
  const char a = pair[0];
  const char b = pair[1];
  std::size_t i = 0;
  for (; i + kBlock < s.size(); i += kBlock) {
    unsigned found = 0;
    for (std::size_t j = i; j < i + kBlock; ++j)
      found |= static_cast<unsigned>(s[j] == a) & static_cast<unsigned>(s[j + 1] == b);
    if (found != 0) return true;
  }
  for (; i + 1 < s.size(); ++i)
    if (s[i] == a && s[i + 1] == b) return true;
  return false;
}

int on_match(unsigned id, unsigned long long /*from*/, unsigned long long /*to*/,
             unsigned /*flags*/, void* context) {
  auto& hits = *static_cast<Hits*>(context);
  if (id < hits.seen.size() && !hits.seen[id]) {  // (SINGLEMATCH: once per phrase anyway)
    hits.seen[id] = true;
    hits.ids.push_back(id);
  }
  return 0;
}

}  // namespace

std::variant<std::shared_ptr<const PhraseMatcher>, std::string> PhraseMatcher::compile(
    std::vector<PhraseEntry> entries) {
  std::shared_ptr<PhraseMatcher> m(new PhraseMatcher());
  std::unordered_map<std::string, unsigned> ids;
  std::vector<const char*> texts;
  std::vector<std::size_t> lengths;
  std::vector<unsigned> pattern_ids;
  m->entry_phrases_.reserve(entries.size());
  for (const auto& e : entries) {
    std::vector<unsigned> parts;
    for (const auto& p : e.parts) {
      auto [it, added] = ids.try_emplace(p, static_cast<unsigned>(ids.size()));
      if (added && p.size() <= kShortPhrase) {
        m->short_phrases_.emplace_back(p, it->second);
      } else if (added) {
        texts.push_back(it->first.c_str());  // node-based: the key stays put
        lengths.push_back(it->first.size());
        pattern_ids.push_back(it->second);
      }
      parts.push_back(it->second);
    }
    m->entry_phrases_.push_back(std::move(parts));
  }
  m->phrase_count_ = ids.size();
  m->phrase_entries_.resize(ids.size());
  for (unsigned e = 0; e < m->entry_phrases_.size(); ++e)
    for (const unsigned id : m->entry_phrases_[e])
      if (m->phrase_entries_[id].empty() || m->phrase_entries_[id].back() != e)
        m->phrase_entries_[id].push_back(e);
  m->entries_ = std::move(entries);
  m->serial_ = next_serial++;
  if (texts.empty()) return std::shared_ptr<const PhraseMatcher>(std::move(m));
  std::vector<unsigned> flags(texts.size(), HS_FLAG_SINGLEMATCH);
  hs_compile_error_t* error = nullptr;
  if (hs_compile_lit_multi(texts.data(), flags.data(), pattern_ids.data(), lengths.data(),
                           static_cast<unsigned>(texts.size()), HS_MODE_STREAM, nullptr, &m->db_,
                           &error) != HS_SUCCESS) {
    std::string why = fmt::format("the phrases could not be compiled: {}",
                                  error != nullptr ? error->message : "unknown error");
    hs_free_compile_error(error);
    return why;
  }
  if (thread_scratch(m->db_, m->serial_) == nullptr)
    return std::string("no memory for the phrase scanner");
  return std::shared_ptr<const PhraseMatcher>(std::move(m));
}

PhraseMatcher::~PhraseMatcher() { hs_free_database(db_); }

PhraseMatcher::Scan::Scan(std::shared_ptr<const PhraseMatcher> matcher)
    : matcher_(std::move(matcher)), seen_(matcher_->phrase_count_, false) {
  if (matcher_->db_ != nullptr && hs_open_stream(matcher_->db_, 0, &stream_) != HS_SUCCESS)
    stream_ = nullptr;
}

PhraseMatcher::Scan::~Scan() {
  // Literals report every match while scanning: nothing is due at the end, so no scratch.
  if (stream_ != nullptr) hs_close_stream(stream_, nullptr, nullptr, nullptr);
}

void PhraseMatcher::Scan::feed(std::string_view folded) {
  scanned_ += folded.size();
  if (folded.empty()) return;
  find_short(folded);
  if (stream_ == nullptr) return;
  hs_scratch_t* scratch = thread_scratch(matcher_->db_, matcher_->serial_);
  if (scratch == nullptr) return;
  Hits hits{seen_, hits_};
  hs_scan_stream(stream_, folded.data(), static_cast<unsigned>(folded.size()), 0, scratch, on_match,
                 &hits);
}

void PhraseMatcher::Scan::find_short(std::string_view folded) {
  for (const auto& [text, id] : matcher_->short_phrases_) {
    if (seen_[id]) continue;
    const bool across = text.size() == 2 && last_ == text[0] && folded.front() == text[1];
    const bool found = text.size() == 1 ? folded.find(text[0]) != std::string_view::npos
                                        : across || holds_pair(folded, text);
    if (found) {
      seen_[id] = true;
      hits_.push_back(id);
    }
  }
  last_ = folded.back();
}

PageScore PhraseMatcher::Scan::score(int limit) const {
  PageScore s;
  long long total = 0;
  int heaviest = 0;
  const PhraseEntry* banned = nullptr;
  const PhraseEntry* exception = nullptr;
  const PhraseEntry* heaviest_entry = nullptr;
  const auto& entries = matcher_->entries_;
  // Only entries that name a phrase seen can score: those, each once, in the lists' order.
  std::vector<unsigned> candidates;
  for (const unsigned id : hits_)
    candidates.insert(candidates.end(), matcher_->phrase_entries_[id].begin(),
                      matcher_->phrase_entries_[id].end());
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (const unsigned i : candidates) {
    const auto& parts = matcher_->entry_phrases_[i];
    if (!std::all_of(parts.begin(), parts.end(), [&](unsigned id) { return seen_[id]; })) continue;
    const PhraseEntry& e = entries[i];
    if (e.kind == PhraseKind::Exception && exception == nullptr) exception = &e;
    if (e.kind == PhraseKind::Banned && banned == nullptr) banned = &e;
    if (e.kind != PhraseKind::Weighted) continue;
    const int points =
        e.percent ? static_cast<int>(static_cast<long long>(limit) * e.weight / 100) : e.weight;
    total += points;
    if (points > 0) s.by_category[e.category] += points;
    if (points > heaviest) {
      heaviest = points;
      heaviest_entry = &e;
    }
  }
  s.total = static_cast<int>(std::clamp<long long>(total, -1'000'000'000, 1'000'000'000));
  s.banned = banned != nullptr;
  s.exception = exception != nullptr;
  const PhraseEntry* decided = exception ? exception : banned ? banned : heaviest_entry;
  if (decided != nullptr) {
    for (const auto& p : decided->parts) {
      if (!s.phrase.empty()) s.phrase += ',';
      s.phrase += '<' + p + '>';
    }
  }
  if (banned != nullptr) {
    s.category = banned->category;
  } else {
    long long best = 0;
    for (const auto& [category, points] : s.by_category)
      if (points > best) {
        best = points;
        s.category = category;
      }
  }
  return s;
}

}  // namespace warden::analysis
