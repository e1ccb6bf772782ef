#include "app/policy_watch.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace warden::app {

namespace {
constexpr std::uint32_t kChanges =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF;
}

PolicyWatch::PolicyWatch(net::asio::io_context& io, std::function<void()> on_change,
                         std::chrono::milliseconds settle)
    : on_change_(std::move(on_change)), settle_(settle), fd_(io), debounce_(io) {}

PolicyWatch::~PolicyWatch() { stop(); }

void PolicyWatch::stop() {
  net::error_code ignored;
  debounce_.cancel();
  if (fd_.is_open()) fd_.close(ignored);  // closing the inotify fd drops every watch
  only_name_.clear();
  pending_ = false;
}

bool PolicyWatch::watch(const std::string& policy_file, const std::string& lists_folder) {
  stop();
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("policy watch unavailable ({}); reload with SIGHUP", std::strerror(errno));
    return false;
  }
  fd_.assign(fd);
  if (!policy_file.empty()) {
    const std::size_t slash = policy_file.rfind('/');
    add(slash == std::string::npos ? "." : policy_file.substr(0, slash + 1),
        slash == std::string::npos ? policy_file : policy_file.substr(slash + 1));
  }
  if (!lists_folder.empty()) {
    add(lists_folder, "");
    if (DIR* dir = ::opendir(lists_folder.c_str())) {
      while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        const std::string sub = lists_folder + "/" + e->d_name;
        if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) add(sub, "");
      }
      ::closedir(dir);
    }
  }
  read_events();
  return true;
}

void PolicyWatch::add(const std::string& folder, std::string only_name) {
  const int wd = ::inotify_add_watch(fd_.native_handle(), folder.c_str(), kChanges | IN_ONLYDIR);
  if (wd < 0) {
    if (errno != ENOTDIR)
      spdlog::warn("cannot watch {} ({}); reload with SIGHUP", folder, std::strerror(errno));
    return;
  }
  only_name_[wd] = std::move(only_name);
}

void PolicyWatch::read_events() {
  fd_.async_read_some(net::asio::buffer(buffer_), [this](const net::error_code& ec, std::size_t n) {
    if (ec) return;  // closed by stop()
    bool relevant = false;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
      inotify_event e{};
      std::memcpy(&e, buffer_.data() + at, sizeof e);
      const std::string_view name(buffer_.data() + at + sizeof e,
                                  ::strnlen(buffer_.data() + at + sizeof e, e.len));
      at += sizeof e + e.len;
      if ((e.mask & IN_Q_OVERFLOW) != 0) {
        relevant = true;
        continue;
      }
      const auto it = only_name_.find(e.wd);
      if (it == only_name_.end()) continue;
      if (it->second.empty() || it->second == name) relevant = true;
    }
    if (relevant) {
      // Every further change restarts the wait: reload once the burst has settled.
      pending_ = true;
      debounce_.expires_after(settle_);
      debounce_.async_wait([this](const net::error_code& wait_ec) {
        if (wait_ec || !pending_) return;
        pending_ = false;
        on_change_();
      });
    }
    read_events();
  });
}

}  // namespace warden::app
