#pragma once
// The bookkeeping behind alerts, without threads or files (AlertCenter runs it): each pupil's
// recent searches (pages are not context), alerts waiting for their "after" context, and which
// alerts were already raised, so that a repeat inside the window is counted on the first instead of
// sent again. Time comes in from outside, so tests drive it.

#include "observe/alert.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace warden::observe {

struct AlertTiming {
  std::chrono::milliseconds before{10 * 60 * 1000};  // searches this long before are context
  std::chrono::milliseconds after{60 * 1000};        // ... and this long after; then it is out
  std::chrono::milliseconds repeat_window{24 * 60 * 60 * 1000};
};

class AlertBook {
 public:
  using Clock = std::chrono::system_clock;
  AlertBook(AlertTiming timing, std::uint32_t id_salt) : timing_(timing), salt_(id_salt) {}

  // A search a worker saw, or a page that matched. Repeats of raised alerts come back as
  // alert_repeat lines at once.
  [[nodiscard]] std::vector<std::string> add(AlertEvent e);
  // Alerts whose "after" context has closed by `now`, oldest first.
  [[nodiscard]] std::vector<Alert> due(Clock::time_point now);
  // Every alert still waiting, with the context it has (at shutdown).
  [[nodiscard]] std::vector<Alert> flush();
  // When the next waiting alert is due; nullopt: none waits.
  [[nodiscard]] std::optional<Clock::time_point> next_due() const;

 private:
  struct Raised {
    std::string id;
    Clock::time_point first;
    std::uint64_t count = 1;
  };
  [[nodiscard]] static std::string pupil_of(const AlertEvent& e) { return e.client + "/" + e.user; }
  void forget_old(Clock::time_point now);

  AlertTiming timing_;
  std::uint32_t salt_;
  std::uint64_t next_id_ = 1;
  std::map<std::string, std::deque<SearchSeen>> recent_;  // by pupil, oldest first
  std::deque<Alert> waiting_;                             // by time
  std::map<std::string, Raised> raised_;                  // by pupil and rule
};

}  // namespace warden::observe
