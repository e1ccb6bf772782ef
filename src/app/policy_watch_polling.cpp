#include "app/policy_watch.hpp"

#include <boost/asio/steady_timer.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <map>

namespace warden::app {
namespace {

namespace fs = std::filesystem;

constexpr auto kPollInterval = std::chrono::seconds(1);

// What is looked at: each watched file's size and modification time, by path.
using Snapshot = std::map<std::string, std::pair<std::uintmax_t, fs::file_time_type>>;

void note(Snapshot& out, const fs::path& p) {
  std::error_code ec;
  const auto size = fs::file_size(p, ec);
  const auto time = fs::last_write_time(p, ec);
  out[p.string()] = {ec ? 0 : size, ec ? fs::file_time_type{} : time};
}

// The policy file, and every file in the lists folder and its category folders (one level
// down, as the UT1 layout has them).
Snapshot take(const std::string& policy_file, const std::string& lists_folder) {
  Snapshot out;
  if (!policy_file.empty()) note(out, policy_file);
  if (lists_folder.empty()) return out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(lists_folder, ec)) {
    if (entry.is_directory(ec)) {
      out[entry.path().string() + "/"] = {0, {}};  // a category folder came or went
      for (const auto& file : fs::directory_iterator(entry.path(), ec))
        if (file.is_regular_file(ec)) note(out, file.path());
    } else if (entry.is_regular_file(ec)) {
      note(out, entry.path());
    }
  }
  return out;
}

}  // namespace

struct PolicyWatch::Impl {
  Impl(net::asio::io_context& io, std::function<void()> change, std::chrono::milliseconds wait)
      : on_change(std::move(change)), settle(wait), poll(io), debounce(io) {}

  void schedule();

  std::function<void()> on_change;
  std::chrono::milliseconds settle;
  net::asio::steady_timer poll;
  net::asio::steady_timer debounce;
  std::string policy_file;
  std::string lists_folder;
  Snapshot seen;
  bool watching = false;
};

PolicyWatch::PolicyWatch(net::asio::io_context& io, std::function<void()> on_change,
                         std::chrono::milliseconds settle)
    : impl_(std::make_unique<Impl>(io, std::move(on_change), settle)) {}

PolicyWatch::~PolicyWatch() { stop(); }

void PolicyWatch::stop() {
  impl_->watching = false;
  impl_->poll.cancel();
  impl_->debounce.cancel();
}

bool PolicyWatch::watch(const std::string& policy_file, const std::string& lists_folder) {
  stop();
  impl_->policy_file = policy_file;
  impl_->lists_folder = lists_folder;
  impl_->seen = take(policy_file, lists_folder);
  impl_->watching = true;
  impl_->schedule();
  return true;
}

void PolicyWatch::Impl::schedule() {
  poll.expires_after(kPollInterval);
  poll.async_wait([this](const net::error_code& ec) {
    if (ec || !watching) return;
    Snapshot now = take(policy_file, lists_folder);
    if (now != seen) {
      seen = std::move(now);
      // Every further change restarts the wait: reload once the burst has settled.
      debounce.expires_after(settle);
      debounce.async_wait([this](const net::error_code& wait_ec) {
        if (!wait_ec && watching) on_change();
      });
    }
    schedule();
  });
}

}  // namespace warden::app
