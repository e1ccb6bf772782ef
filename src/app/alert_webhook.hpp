#pragma once
// Sends spooled alerts (observe/alert_spool.hpp) to the school's webhook: each as an HTTP POST
// of its JSON, oldest first, removed from the spool only after a 2xx answer. A webhook that is
// down, slow or refusing is retried (1 s, doubling to 1 min) and never holds up anything but
// itself: requests and the alert log do not wait for it. The receiver gets an alert twice only
// if an answer was lost after it took it; the alert's `id` tells the two apart.

#include "observe/alert_spool.hpp"

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace warden::app {

struct WebhookSettings {
  std::string url;                    // config alerts.webhook
  std::vector<std::string> ca_files;  // alerts.webhook_ca
};

class AlertWebhook {
 public:
  AlertWebhook(WebhookSettings settings, observe::AlertSpool& spool);  // starts sending
  ~AlertWebhook();
  AlertWebhook(const AlertWebhook&) = delete;
  AlertWebhook& operator=(const AlertWebhook&) = delete;

  // Something was spooled: send now rather than at the next retry.
  void wake();

 private:
  void run();

  WebhookSettings settings_;
  observe::AlertSpool& spool_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace warden::app
