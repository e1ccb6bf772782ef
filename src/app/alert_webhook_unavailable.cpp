// Windows: the alerts webhook is not built there yet (libcurl is not among the cross-built
// dependencies, docs/windows.md). Alerts are still written to the alert log and wait in the
// spool; this says so instead of pretending to send them.
#include "app/alert_webhook.hpp"

#include <spdlog/spdlog.h>

namespace warden::app {

AlertWebhook::AlertWebhook(WebhookSettings settings, observe::AlertSpool& spool)
    : settings_(std::move(settings)), spool_(spool) {
  spdlog::error(
      "alerts.webhook: not available on Windows yet; alerts are in the alert log and wait in {}",
      spool_.folder());
}

AlertWebhook::~AlertWebhook() = default;

void AlertWebhook::wake() {}

void AlertWebhook::run() {}

}  // namespace warden::app
