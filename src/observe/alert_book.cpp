#include "observe/alert_book.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace warden::observe {
namespace {
constexpr std::size_t kMaxRecent = 50;  // per pupil, and after an alert: context, not a history
}  // namespace

std::vector<std::string> AlertBook::add(AlertEvent e) {
  const Clock::time_point now = e.ts();
  const std::string pupil = pupil_of(e);
  // A search is context for this pupil's alerts still gathering what came after.
  if (const SearchSeen* search = e.search())
    for (Alert& a : waiting_)
      if (a.after.size() < kMaxRecent && now > a.event.ts() &&
          now <= a.event.ts() + timing_.after && pupil_of(a.event) == pupil)
        a.after.push_back(*search);

  std::vector<std::string> lines;
  for (const AlertMatch& m : e.matches) {
    const std::string key = pupil + "\n" + m.rule;
    auto found = raised_.find(key);
    if (found != raised_.end() && found->second.first + timing_.repeat_window <= now) {
      raised_.erase(found);  // its window has passed: this one is a new alert
      found = raised_.end();
    }
    if (found != raised_.end()) {
      lines.push_back(alert_repeat_line(found->second.id, e, m, ++found->second.count));
      continue;
    }
    Alert a;
    a.id = fmt::format("{:08x}-{}", salt_, next_id_++);
    a.event = e;
    a.match = m;
    if (const auto history = recent_.find(pupil); history != recent_.end())
      for (const SearchSeen& s : history->second)
        if (s.ts + timing_.before >= now) a.before.push_back(s);
    raised_.emplace(key, Raised{a.id, now});
    // In time order: a long page's alert is stamped when the page ended, after searches made
    // while it came.
    const auto later = std::find_if(waiting_.begin(), waiting_.end(),
                                    [&](const Alert& w) { return w.event.ts() > now; });
    waiting_.insert(later, std::move(a));
  }
  if (SearchSeen* search = std::get_if<SearchSeen>(&e.seen)) {
    auto& history = recent_[pupil];
    history.push_back(std::move(*search));
    if (history.size() > kMaxRecent) history.pop_front();
  }
  return lines;
}

std::vector<Alert> AlertBook::due(Clock::time_point now) {
  std::vector<Alert> out;
  while (!waiting_.empty() && waiting_.front().event.ts() + timing_.after <= now) {
    out.push_back(std::move(waiting_.front()));
    waiting_.pop_front();
  }
  forget_old(now);
  return out;
}

std::vector<Alert> AlertBook::flush() {
  std::vector<Alert> out(std::make_move_iterator(waiting_.begin()),
                         std::make_move_iterator(waiting_.end()));
  waiting_.clear();
  return out;
}

std::optional<AlertBook::Clock::time_point> AlertBook::next_due() const {
  if (waiting_.empty()) return std::nullopt;
  return waiting_.front().event.ts() + timing_.after;
}

void AlertBook::forget_old(Clock::time_point now) {
  std::erase_if(raised_,
                [&](const auto& r) { return r.second.first + timing_.repeat_window <= now; });
  for (auto it = recent_.begin(); it != recent_.end();) {
    auto& history = it->second;
    while (!history.empty() && history.front().ts + timing_.before < now) history.pop_front();
    it = history.empty() ? recent_.erase(it) : std::next(it);
  }
}

}  // namespace warden::observe
