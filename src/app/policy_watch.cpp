#include "app/policy_watch.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <map>
#include <sys/inotify.h>
#include <unistd.h>

namespace warden::app {

namespace {
constexpr std::uint32_t kChanges =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF;
}

struct PolicyWatch::Impl {
  Impl(net::asio::io_context& io, std::function<void()> change, std::chrono::milliseconds wait)
      : on_change(std::move(change)), settle(wait), fd(io), debounce(io) {}

  void add(const std::string& folder, std::string only);
  void read_events();

  std::function<void()> on_change;
  std::chrono::milliseconds settle;
  net::asio::posix::stream_descriptor fd;
  net::asio::steady_timer debounce;
  std::map<int, std::string> only_name;  // watch descriptor -> the one name that counts ("" all)
  std::array<char, 16 * 1024> buffer{};
  bool pending = false;
};

PolicyWatch::PolicyWatch(net::asio::io_context& io, std::function<void()> on_change,
                         std::chrono::milliseconds settle)
    : impl_(std::make_unique<Impl>(io, std::move(on_change), settle)) {}

PolicyWatch::~PolicyWatch() { stop(); }

void PolicyWatch::stop() {
  net::error_code ignored;
  impl_->debounce.cancel();
  if (impl_->fd.is_open()) impl_->fd.close(ignored);  // closing the inotify fd drops every watch
  impl_->only_name.clear();
  impl_->pending = false;
}

bool PolicyWatch::watch(const std::string& policy_file, const std::string& lists_folder) {
  stop();
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    spdlog::warn("policy watch unavailable ({}); reload with SIGHUP", std::strerror(errno));
    return false;
  }
  impl_->fd.assign(fd);
  if (!policy_file.empty()) {
    const std::size_t slash = policy_file.rfind('/');
    impl_->add(slash == std::string::npos ? "." : policy_file.substr(0, slash + 1),
               slash == std::string::npos ? policy_file : policy_file.substr(slash + 1));
  }
  if (!lists_folder.empty()) {
    impl_->add(lists_folder, "");
    if (DIR* dir = ::opendir(lists_folder.c_str())) {
      while (const dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        const std::string sub = lists_folder + "/" + e->d_name;
        if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) impl_->add(sub, "");
      }
      ::closedir(dir);
    }
  }
  impl_->read_events();
  return true;
}

void PolicyWatch::Impl::add(const std::string& folder, std::string only) {
  const int wd = ::inotify_add_watch(fd.native_handle(), folder.c_str(), kChanges | IN_ONLYDIR);
  if (wd < 0) {
    if (errno != ENOTDIR)
      spdlog::warn("cannot watch {} ({}); reload with SIGHUP", folder, std::strerror(errno));
    return;
  }
  only_name[wd] = std::move(only);
}

void PolicyWatch::Impl::read_events() {
  fd.async_read_some(net::asio::buffer(buffer), [this](const net::error_code& ec, std::size_t n) {
    if (ec) return;  // closed by stop()
    bool relevant = false;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
      inotify_event e{};
      std::memcpy(&e, buffer.data() + at, sizeof e);
      const std::string_view name(buffer.data() + at + sizeof e,
                                  ::strnlen(buffer.data() + at + sizeof e, e.len));
      at += sizeof e + e.len;
      if ((e.mask & IN_Q_OVERFLOW) != 0) {
        relevant = true;
        continue;
      }
      const auto it = only_name.find(e.wd);
      if (it == only_name.end()) continue;
      // In a lists folder, dot names are `warden lists update`'s workings (.versions/, its state
      // file, the next `current` link); the change that counts is `current` itself.
      if (it->second.empty() ? !name.starts_with('.') : it->second == name) relevant = true;
    }
    if (relevant) {
      // Every further change restarts the wait: reload once the burst has settled.
      pending = true;
      debounce.expires_after(settle);
      debounce.async_wait([this](const net::error_code& wait_ec) {
        if (wait_ec || !pending) return;
        pending = false;
        on_change();
      });
    }
    read_events();
  });
}

}  // namespace warden::app
