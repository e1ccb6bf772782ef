#include "app/alert_webhook.hpp"

#include "app/https_fetch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <curl/curl.h>
#include <memory>

namespace warden::app {
namespace {

using std::chrono_literals::operator""s;

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

struct Answer {
  std::string failure;  // empty: the webhook took it (2xx)
  bool final = false;   // refused for good (4xx but 408 and 429): sending again cannot help
};

// One POST.
Answer post(const WebhookSettings& s, const std::string& ca_blob, const std::string& body) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return {"out of memory"};
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  char why[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, s.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");  // http: loopback only (config)
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_blob blob{const_cast<char*>(ca_blob.data()), ca_blob.size(), CURL_BLOB_NOCOPY};
  if (!ca_blob.empty()) curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "warden-alerts");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) return {why[0] != '\0' ? why : curl_easy_strerror(rc)};
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status <= 299) return {};
  const bool final = status >= 400 && status <= 499 && status != 408 && status != 429;
  return {fmt::format("it answered {}", status), final};
}

}  // namespace

AlertWebhook::AlertWebhook(WebhookSettings settings, observe::AlertSpool& spool)
    : settings_(std::move(settings)), spool_(spool), woken_(true) {  // what waits from before
  thread_ = std::thread([this] { run(); });
}

AlertWebhook::~AlertWebhook() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void AlertWebhook::wake() {
  {
    const std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void AlertWebhook::run() {
  std::string ca_blob;
  if (auto pems = read_pems(settings_.ca_files))
    ca_blob = std::move(*pems);
  else
    spdlog::error("alerts webhook: {}", pems.error().context);
  std::chrono::seconds backoff = 0s;
  std::string last_failure;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      // Idle: a minute unless woken (the spool may also fill across a restart, or by hand).
      wake_.wait_for(lock, backoff > 0s ? backoff : 60s,
                     [&] { return stopping_ || (woken_ && backoff == 0s); });
      if (stopping_) return;
      woken_ = false;
    }
    bool emptied = true;  // (false: stopped on a failure, so the backoff stands)
    while (auto entry = spool_.oldest()) {
      Answer answer = post(settings_, ca_blob, entry->body);
      if (answer.failure.empty() || answer.final) {
        // Taken, or refused for good: either way not sent again (a refused one is kept aside,
        // so the alerts behind it are not held up by it).
        if (answer.final)
          spdlog::error("alerts webhook {}: {} for good; kept as {}.refused", settings_.url,
                        answer.failure, entry->path);
        const bool gone = answer.final ? spool_.set_aside(*entry) : spool_.remove(*entry);
        if (!gone) {
          answer.failure = "cannot remove " + entry->path + " from the spool";
        } else {
          if (!last_failure.empty() && !answer.final)
            spdlog::info("alerts webhook: delivering again");
          if (!answer.final) last_failure.clear();
          backoff = 0s;
          const std::lock_guard lock(mutex_);
          if (stopping_) return;
          continue;
        }
      }
      if (answer.failure != last_failure)
        spdlog::error("alerts webhook {}: {}; {} alert(s) wait in {}", settings_.url,
                      answer.failure, spool_.count(), spool_.folder());
      last_failure = std::move(answer.failure);
      backoff = std::clamp(backoff * 2, 1s, 60s);
      emptied = false;
      break;
    }
    if (emptied) backoff = 0s;
  }
}

}  // namespace warden::app
