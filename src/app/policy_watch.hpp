#pragma once
// Reloads the policy when its file or a category list changes, as SIGHUP does. inotify watches
// the policy file's folder (editors save by writing a new file and renaming it over the old, so
// the file itself is not a stable thing to watch), the lists folder and each category folder
// in it. Changes arrive in bursts (a list update rewrites hundreds of files), so a reload runs
// once the folder has been quiet for `settle`.

#include "net/types.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <functional>
#include <map>
#include <string>

namespace warden::app {

class PolicyWatch {
 public:
  // `policy_file` may be empty (built-in policy: only the lists are watched); `lists_folder`
  // may be empty (no lists).
  PolicyWatch(net::asio::io_context& io, std::function<void()> on_change,
              std::chrono::milliseconds settle = std::chrono::milliseconds(300));
  ~PolicyWatch();
  PolicyWatch(const PolicyWatch&) = delete;
  PolicyWatch& operator=(const PolicyWatch&) = delete;

  // (Re)starts watching these; call again after a reload, as category folders may have come or
  // gone. Returns false (and logs why) if inotify is unavailable.
  bool watch(const std::string& policy_file, const std::string& lists_folder);
  void stop();

 private:
  void add(const std::string& folder, std::string only_name);
  void read_events();

  std::function<void()> on_change_;
  std::chrono::milliseconds settle_;
  net::asio::posix::stream_descriptor fd_;
  net::asio::steady_timer debounce_;
  std::map<int, std::string> only_name_;  // watch descriptor -> the one name that counts ("" all)
  std::array<char, 16 * 1024> buffer_{};
  bool pending_ = false;
};

}  // namespace warden::app
