#include "app/bundle_watch.hpp"

#include "app/bundle_format.hpp"
#include "app/bundle_store.hpp"
#include "app/https_fetch.hpp"

#include <spdlog/spdlog.h>

namespace warden::app {

BundleWatch::BundleWatch(BundleSettings settings, tls::PkeyPtr key)
    : settings_(std::move(settings)), key_(std::move(key)) {}

BundleWatch::~BundleWatch() { stop(); }

base::Result<std::uint64_t> BundleWatch::fetch_once() {
  const std::string& folder = settings_.folder;
  const std::uint64_t running = current_bundle_version(folder);
  FetchRequest request;
  request.url = settings_.url;
  // A bundle refused before is not fetched again until the server's copy changes.
  request.etag = !refused_etag_.empty() ? refused_etag_
                 : running == 0         ? std::string()
                                        : read_bundle_etag(folder);
  request.max_bytes = settings_.max_bytes;
  request.ca_files = settings_.ca_files;
  request.timeout = std::chrono::seconds(120);
  request.user_agent = "warden-bundle";
  request.size_setting = "bundle.max_download_mb";
  request.cancel = &cancel_;
  std::string bytes;  // (a bundle is read whole to check its signature: no file in between)
  auto fetched = fetch_to_memory(request, bytes);
  if (!fetched) return fetched.error();
  if (fetched->not_modified && !refused_etag_.empty()) return refused_why_;
  if (fetched->not_modified) return running;
  // The same version again (a server without ETags): nothing to do.
  if (auto parsed = parse_bundle(bytes); parsed && parsed->version == running) {
    write_bundle_etag(folder, fetched->etag);
    return running;
  }
  auto applied = apply_bundle(folder, bytes, key_.get(), settings_.limits);
  if (!applied) {
    refused_etag_ = fetched->etag;  // (in memory only: a restart tries it again)
    refused_why_ = applied.error();
    return applied.error();
  }
  refused_etag_.clear();
  write_bundle_etag(folder, fetched->etag);
  spdlog::info("policy bundle version {} from {} is current (was {})", *applied, settings_.url,
               running == 0 ? std::string("none") : std::to_string(running));
  return applied;
}

void BundleWatch::start(std::function<void(std::uint64_t)> applied) {
  applied_ = std::move(applied);
  thread_ = std::thread([this] { loop(); });
}

void BundleWatch::stop() {
  {
    const std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BundleWatch::loop() {
  for (bool first = true;; first = false) {
    if (!first) {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, settings_.poll, [this] { return stopping_; })) return;
    }
    const std::uint64_t before = current_bundle_version(settings_.folder);
    auto got = fetch_once();
    if (cancel_) return;  // stopped in the middle: nothing to say
    if (!got) {
      if (got.error().context != last_error_)
        spdlog::error("policy bundle: {}; version {} stays", got.error().context, before);
      last_error_ = got.error().context;
      continue;
    }
    if (!last_error_.empty()) spdlog::info("policy bundle: {} answers again", settings_.url);
    last_error_.clear();
    if (*got != before) applied_(*got);
  }
}

}  // namespace warden::app
