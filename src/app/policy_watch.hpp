#pragma once
// Reloads the policy when its file or a category list changes, as SIGHUP does. Linux: inotify
// watches the policy file's folder (editors save by writing a new file and renaming it over the
// old, so the file itself is not a stable thing to watch), the lists folder and each category
// folder in it (policy_watch.cpp). Elsewhere the same files are polled each second for size and
// modification time (policy_watch_polling.cpp). Changes arrive in bursts (a list update rewrites
// hundreds of files), so a reload runs once they have been quiet for `settle`.

#include "net/types.hpp"

#include <chrono>
#include <functional>
#include <memory>
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
  // gone. Returns false (and logs why) if the OS cannot watch them.
  bool watch(const std::string& policy_file, const std::string& lists_folder);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace warden::app
