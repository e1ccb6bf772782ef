#pragma once
// Tamper evidence for the capture rules: every capture.check_interval the control loop reads
// Warden's nftables table (and, with tproxy or tun, its policy routing) back from the kernel and
// compares it with what it read right after installing it. A removed or altered table or
// routing is put back whole (the same atomic load as at start) and a `tamper` event goes to the
// access log and the journal, saying what was found.
// Someone with root can still stop Warden; what they cannot do is quietly switch capture off
// underneath a running one.

#include "base/result.hpp"
#include "capture/capture_settings.hpp"
#include "observe/access_log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <optional>
#include <string>

namespace warden::app {

class CaptureGuard {
 public:
  // `log` must outlive this.
  CaptureGuard(boost::asio::io_context& control, capture::CaptureSettings settings,
               observe::AccessLog& log);
  // Reads the table as installed and starts checking; does nothing without an nftables table.
  void start();
  void stop();

 private:
  // What the kernel holds of Warden's rules.
  struct Installed {
    std::optional<std::string> table;  // nftables; nullopt: gone (or a mode without a table)
    std::string routing;               // tproxy's or tun's policy routing; "" without them
  };
  [[nodiscard]] base::Result<Installed> read() const;
  void arm();
  void check();
  void restore(const std::string& what);

  boost::asio::steady_timer timer_;
  capture::CaptureSettings settings_;
  observe::AccessLog& log_;
  Installed expected_;        // as read right after install
  bool cannot_read_ = false;  // said once that the rules cannot be read, not every check
};

}  // namespace warden::app
