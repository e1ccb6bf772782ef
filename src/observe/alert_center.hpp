#pragma once
// Where alerts are made and written (docs/analysis.md, "Safeguarding alerts"): workers submit
// every search they see while the policy has [[alert]] rules, and every scanned page that
// matched one; one thread of its own keeps the book (observe/alert_book.hpp), writes each alert
// to the alert log once its "after" context has closed, and spools it for the webhook
// (observe/alert_spool.hpp, sent by app/alert_webhook). Nothing here waits for a worker or
// makes one wait: a full queue drops events (counted).

#include "base/result.hpp"
#include "observe/alert_book.hpp"
#include "observe/alert_spool.hpp"
#include "platform/files.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::observe {

struct AlertSettings {
  std::string log_path;  // the alert log (JSON lines)
  AlertTiming timing;
};

class AlertCenter {
 public:
  // Opens the log and starts the thread. With a `spool` (which must outlive this), each alert is
  // also spooled for the webhook, and `spooled` called (on that thread) after each.
  [[nodiscard]] static base::Result<std::unique_ptr<AlertCenter>> open(
      AlertSettings settings, AlertSpool* spool = nullptr, std::function<void()> spooled = {});
  ~AlertCenter();
  AlertCenter(const AlertCenter&) = delete;
  AlertCenter& operator=(const AlertCenter&) = delete;

  // From any thread.
  void submit(AlertEvent e);
  // Writes out the alerts still waiting (with the context they have) and ends the thread.
  void stop();

 private:
  static constexpr std::size_t kMaxQueued = 10'000;
  AlertCenter(AlertSettings s, platform::AppendFile log, AlertSpool* spool,
              std::function<void()> spooled);
  void run();
  void write(const std::string& line);
  void raise(std::vector<Alert> alerts);

  AlertSettings settings_;
  platform::AppendFile log_;
  AlertSpool* spool_;
  std::function<void()> spooled_;
  AlertBook book_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<AlertEvent> queue_;
  std::uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace warden::observe
