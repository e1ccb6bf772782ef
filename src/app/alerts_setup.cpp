#include "app/alerts_setup.hpp"

#include "app/run.hpp"

#include <filesystem>

namespace warden::app {
namespace {
std::string spool_folder(const std::string& state_dir) {
  return (std::filesystem::path(alerts_folder(state_dir)) / "spool").string();
}
}  // namespace

std::string alerts_folder(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "alerts").string();
}

std::string alert_log_path(const Config& c) {
  if (c.alerts.log == "off") return {};
  if (!c.alerts.log.empty()) return c.alerts.log;
  return (std::filesystem::path(alerts_folder(c.state_dir)) / "alerts.log").string();
}

base::Result<void> prepare_alerts(const Config& c) {
  if (c.alerts.log == "off") return {};
  if (auto ok = ensure_state_dir(alerts_folder(c.state_dir)); !ok) return ok;
  if (!c.alerts.webhook.empty()) return ensure_state_dir(spool_folder(c.state_dir));
  return {};
}

base::Result<AlertsRuntime> start_alerts(const Config& c) {
  AlertsRuntime r;
  if (c.alerts.log == "off") return r;
  observe::AlertSettings settings;
  settings.log_path = alert_log_path(c);
  settings.timing = {c.alerts.context_before, c.alerts.context_after, c.alerts.repeat_window};
  std::function<void()> spooled;
  if (!c.alerts.webhook.empty()) {
    r.spool = std::make_unique<observe::AlertSpool>(
        spool_folder(c.state_dir), static_cast<std::uint64_t>(c.alerts.spool_max_mb) << 20);
    r.webhook = std::make_unique<AlertWebhook>(
        WebhookSettings{c.alerts.webhook, c.alerts.webhook_ca}, *r.spool);
    spooled = [webhook = r.webhook.get()] { webhook->wake(); };
  }
  auto center = observe::AlertCenter::open(std::move(settings), r.spool.get(), std::move(spooled));
  if (!center) return center.error();
  r.center = std::move(*center);
  return r;
}

}  // namespace warden::app
