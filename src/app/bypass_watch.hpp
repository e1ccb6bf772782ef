#pragma once
// The running Warden's side of `warden bypass`: the control loop reads the bypass file
// (app/bypass_file.hpp) at start and every second after, puts a bypass in force, and ends it
// when it expires or its file goes. Start and end are `bypass_start` / `bypass_end` events in
// the access log and the journal. The end time is the file's, so a restart changes nothing: a
// bypass still running is resumed, one that expired meanwhile is logged as ended and removed.

#include "app/bypass_file.hpp"
#include "observe/access_log.hpp"
#include "policy/policy.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <optional>
#include <string>

namespace warden::app {

class BypassWatch {
 public:
  using Apply = std::function<void(std::optional<policy::Bypass>)>;
  // `apply` gets the bypass now in force (nullopt: none), on the control loop; `log` must
  // outlive this.
  BypassWatch(boost::asio::io_context& control, std::string state_dir, observe::AccessLog& log,
              Apply apply);
  // Reads the file now (a bypass that outlived a restart is in force before the first
  // connection), then every second.
  void start();
  void stop();
  [[nodiscard]] const std::optional<BypassGrant>& active() const { return active_; }

 private:
  void arm();
  void check(bool at_start);
  void read_changed_file(bool at_start, std::chrono::system_clock::time_point now);
  void begin(const BypassGrant& g, bool resumed);
  void end(BypassGrant g, std::string why);
  void remove_file();

  boost::asio::steady_timer timer_;
  std::string state_dir_;
  observe::AccessLog& log_;
  Apply apply_;
  std::optional<std::string> last_text_;  // the file as last read; nullopt: absent
  std::optional<BypassGrant> active_;
};

}  // namespace warden::app
