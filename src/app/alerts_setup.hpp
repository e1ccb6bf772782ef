#pragma once
// Safeguarding alerts at run time (docs/analysis.md): the alert folder in the state folder, the
// alert center the workers report searches to, its spool and the webhook that empties it, from
// the config's [alerts] section. Read at start only.

#include "app/alert_webhook.hpp"
#include "app/config.hpp"
#include "observe/alert_center.hpp"
#include "observe/alert_spool.hpp"

#include <memory>
#include <string>

namespace warden::app {

// <state>/alerts: the default alert log and the webhook's spool (<state>/alerts/spool).
[[nodiscard]] std::string alerts_folder(const std::string& state_dir);
// The alert log's path (alerts.log, or its default); empty when alerts are off.
[[nodiscard]] std::string alert_log_path(const Config& c);

// Makes the folders the alerts will write into; before the CA key's wall goes up, so files
// made in them later stay writable and readable.
[[nodiscard]] base::Result<void> prepare_alerts(const Config& c);

// Declared so that it stops in order: the center (its last alerts spooled), then the webhook,
// then the spool both use.
struct AlertsRuntime {
  std::unique_ptr<observe::AlertSpool> spool;
  std::unique_ptr<AlertWebhook> webhook;
  std::unique_ptr<observe::AlertCenter> center;  // null: alerts.log = "off"
};

[[nodiscard]] base::Result<AlertsRuntime> start_alerts(const Config& c);

}  // namespace warden::app
