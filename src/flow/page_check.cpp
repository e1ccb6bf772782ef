#include "flow/page_check.hpp"

#ifdef WARDEN_PAGE_SCAN
#include "analysis/page_scan.hpp"
#endif

namespace warden::flow {

#ifdef WARDEN_PAGE_SCAN

namespace {

// A compressed body is scanned up to this many times max_scan_bytes once decoded.
constexpr std::size_t kMaxExpansion = 8;

}  // namespace

std::unique_ptr<PageCheck> PageCheck::start(policy::PolicyPtr policy, std::string_view group,
                                            bool bypassed, const ResponseFacts& r,
                                            std::size_t max_scan_bytes) {
  const policy::PhraseRule* rule = policy->phrase_rule(group);
  if (rule == nullptr || bypassed || !r.has_body) return nullptr;
  if (r.method == "HEAD") return nullptr;
  if (r.status == 204 || r.status == 206 || r.status == 304 || r.status < 200) return nullptr;
  auto scanner = analysis::PageScanner::make(rule->matcher, analysis::text_kind(r.content_type),
                                             r.content_type, r.content_encoding,
                                             kMaxExpansion * max_scan_bytes);
  if (!scanner) return nullptr;
  return std::unique_ptr<PageCheck>(new PageCheck(std::move(policy), *rule, std::move(scanner)));
}

PageCheck::PageCheck(policy::PolicyPtr policy, const policy::PhraseRule& rule,
                     std::unique_ptr<analysis::PageScanner> scanner)
    : policy_(std::move(policy)), rule_(rule), scanner_(std::move(scanner)) {}

PageCheck::~PageCheck() = default;

void PageCheck::feed(std::string_view body) {
  fed_ += body.size();
  scanner_->feed(body);
}

void PageCheck::feed_from(std::uint64_t offset, std::string_view body) {
  if (offset + body.size() <= fed_) return;
  if (offset < fed_) body.remove_prefix(static_cast<std::size_t>(fed_ - offset));
  feed(body);
}

PageVerdict PageCheck::verdict(observe::AccessRecord& record, bool complete) {
  if (complete) scanner_->finish();
  group_ = record.group;
  PageVerdict v = judge(record.group);
  // (a body that decoded past the cap was judged on its beginning too)
  record.page_scan = complete && !scanner_->capped() ? "complete" : "partial";
  record.page_score = v.score;
  record.page_category = v.category;
  if (!complete && !v.block) v.alerts.clear();  // the rest streams through feed() first
  return v;
}

PageVerdict PageCheck::verdict_at_end() {
  scanner_->finish();
  PageVerdict v = judge(group_);
  v.block.reset();  // (sent already)
  return v;
}

PageVerdict PageCheck::judge(std::string_view group) const {
  analysis::PageScore score = scanner_->score(rule_.limit);
  PageVerdict v;
  // An exception phrase allows the page; what it says may still concern a pupil's safety.
  v.alerts = policy_->page_alerts_for(
      group, {score.by_category, score.banned ? score.category : std::string_view()});
  v.score = score.total;
  v.category = score.category;
  v.phrase = std::move(score.phrase);
  const bool over = score.banned || (rule_.limit > 0 && score.total >= rule_.limit);
  if (score.exception || !over) return v;
  policy::Decision& d = v.block.emplace();
  d.action = policy::Action::Block;
  d.rule = rule_.name;
  d.category = score.category;
  d.group = std::string(group);
  return v;
}

#else  // no phrase scanning in this build: the policy refuses [[phrases]], nothing is held

}  // namespace warden::flow

namespace warden::analysis {
class PageScanner {};  // (never made in this build)
}  // namespace warden::analysis

namespace warden::flow {

std::unique_ptr<PageCheck> PageCheck::start(policy::PolicyPtr, std::string_view, bool,
                                            const ResponseFacts&, std::size_t) {
  return nullptr;
}
PageCheck::~PageCheck() = default;
void PageCheck::feed(std::string_view) {}
void PageCheck::feed_from(std::uint64_t, std::string_view) {}
PageVerdict PageCheck::verdict(observe::AccessRecord&, bool) { return {}; }
PageVerdict PageCheck::verdict_at_end() { return {}; }

#endif

}  // namespace warden::flow
