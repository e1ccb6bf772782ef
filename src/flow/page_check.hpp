#pragma once
// The phrase check of one response (docs/analysis.md, "Phrase scanning"): the client's group's
// [[phrases]] rule, and a page scanner over the body as it arrives; at the end (or at the
// hold limit) the verdict. HTTP/1.1 (page_hold) and HTTP/2 (H2Bridge) hold the response while
// it runs. In a build without phrase scanning (Windows) start() never starts one.

#include "observe/access_record.hpp"
#include "policy/policy.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::analysis {
class PageScanner;
}

namespace warden::flow {

// One worker's flows hold at most this many times max_scan_bytes of responses together; past
// it a response goes on judged on its first kMinHold bytes (one buffer block, held whatever
// the budget): memory stays bounded whatever pupils load, and no page goes unscanned.
inline constexpr std::size_t kHeldScansPerWorker = 32;
inline constexpr std::size_t kMinHold = 16 * 1024;

// The held bytes of one worker, and what they may reach.
struct HoldBudget {
  std::size_t& used;
  std::size_t limit;
  // A worker's budget: `used` is its WorkerContext::held_for_scanning.
  static HoldBudget of_worker(std::size_t& used, std::size_t max_scan_bytes) {
    return {used, kHeldScansPerWorker * max_scan_bytes};
  }
  [[nodiscard]] bool spent() const { return used >= limit; }
};

struct ResponseFacts {
  std::string_view method;  // the request's
  unsigned status = 0;
  std::string_view content_type;
  std::string content_encoding;  // every Content-Encoding line, joined with commas
  bool has_body = true;  // framing says a body follows (not a HEAD, not Content-Length: 0...)
  // One Content-Encoding field line's value (a browser applies every line).
  void add_content_encoding(std::string_view value) {
    content_encoding.append(content_encoding.empty() ? "" : ",").append(value);
  }
};

// What the check found: the block page instead of the response, or nullopt to send it on; and
// the [[alert]] rules the page matched (docs/analysis.md, "Safeguarding alerts").
struct PageVerdict {
  std::optional<policy::Decision> block;
  std::vector<policy::AlertMatch> alerts;
  int score = 0;
  std::string category;  // the category that weighed most
  std::string phrase;    // the entry that weighed most
};

class PageCheck {
 public:
  // A check when `group` has a [[phrases]] rule and the response is text with a body; null
  // otherwise (and for a bypass, a HEAD, a 204/206/304).
  static std::unique_ptr<PageCheck> start(policy::PolicyPtr policy, std::string_view group,
                                          bool bypassed, const ResponseFacts& response,
                                          std::size_t max_scan_bytes);
  ~PageCheck();
  PageCheck(const PageCheck&) = delete;
  PageCheck& operator=(const PageCheck&) = delete;

  // Body bytes as they came (content-coded, framing removed).
  void feed(std::string_view body);
  // Body bytes starting `offset` bytes into the body, when the body is relayed from its start
  // after a hold: what the check already had is skipped, the rest fed.
  void feed_from(std::uint64_t offset, std::string_view body);
  // The verdict once the body ended (`complete`) or the hold limit was reached; the score
  // goes into `record`. A long page sent on before its end is scanned on as it streams, for
  // alerts only: its alerts come from verdict_at_end(), not here.
  [[nodiscard]] PageVerdict verdict(observe::AccessRecord& record, bool complete);
  // After a verdict that sent a long page on (not complete, not blocked) and the rest of its
  // body fed: the alerts the whole page raises (up to the decoded cap).
  [[nodiscard]] PageVerdict verdict_at_end();

 private:
  PageCheck(policy::PolicyPtr policy, const policy::PhraseRule& rule,
            std::unique_ptr<analysis::PageScanner> scanner);
  [[nodiscard]] PageVerdict judge(std::string_view group) const;
  policy::PolicyPtr policy_;  // keeps the rule alive across a reload
  const policy::PhraseRule& rule_;
  std::unique_ptr<analysis::PageScanner> scanner_;
  std::string group_;      // the client's, for the alert rules at the end
  std::uint64_t fed_ = 0;  // body bytes fed so far
};

}  // namespace warden::flow
