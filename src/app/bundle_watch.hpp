#pragma once
// The central policy (docs/fleet.md, "One policy for the fleet"): fetches the signed bundle from
// bundle.url every bundle.poll, conditionally (If-None-Match), and applies a newer one
// (app/bundle_store.hpp); the running Warden then reloads its policy from it, on the control
// loop, as SIGHUP does. Linux (libcurl); on its own thread, so a slow server never holds up
// signals or reloads.
//
// Thread safety: fetch_once() before start(); start() and stop() from the control thread; the
// callback runs on the watch thread.

#include "app/archive_unpack.hpp"
#include "base/result.hpp"
#include "tls/openssl_ptr.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::app {

struct BundleSettings {
  std::string url;
  std::vector<std::string> ca_files;
  std::chrono::milliseconds poll{60'000};
  std::uint64_t max_bytes = 0;
  UnpackLimits limits;
  std::string folder;  // bundle_folder(state_dir)
};

class BundleWatch {
 public:
  BundleWatch(BundleSettings settings, tls::PkeyPtr key);
  ~BundleWatch();
  BundleWatch(const BundleWatch&) = delete;
  BundleWatch& operator=(const BundleWatch&) = delete;

  // One fetch now, on this thread: the version current after it, or what went wrong (the
  // current version, if any, stays).
  [[nodiscard]] base::Result<std::uint64_t> fetch_once();
  // Polls from now on, the first time at once. `applied(version)`: a newer version is current
  // (called on the watch thread).
  void start(std::function<void(std::uint64_t)> applied);
  void stop();

 private:
  void loop();

  BundleSettings settings_;
  tls::PkeyPtr key_;
  std::function<void(std::uint64_t)> applied_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // stops a fetch under way
  std::string last_error_;           // said once, not every poll
  // The last bundle refused: its validator and why (a 304 for it is the same refusal).
  std::string refused_etag_;
  base::Error refused_why_;
  std::thread thread_;
};

}  // namespace warden::app
