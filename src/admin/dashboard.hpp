#pragma once
// The school's view of its filter (docs/admin.md): sign-in, then Now, Activity (and "why" for a
// row), Reports (with CSV), Alerts and Policy (with "check a URL"), as server-drawn HTML pages
// on the admin listener. Every page needs a session; every change a CSRF token; viewers see no
// search terms and no alerts. Sign-ins, sign-outs, throttled tries and alert notes go to the
// audit log.
//
// Thread: the admin thread only.

#include "admin/accounts.hpp"
#include "admin/admin_server.hpp"
#include "admin/audit_log.hpp"
#include "admin/form.hpp"
#include "admin/metrics_page.hpp"
#include "admin/sessions.hpp"
#include "observe/metrics.hpp"
#include "policy/policy.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace warden::observe {
class ActivityReader;
}

namespace warden::admin {

// What a scrape or the Now page reads at the moment.
struct Figures {
  observe::Metrics::Totals totals;
  ServiceFigures service;
};

struct DashboardSources {
  std::string admin_dir;      // accounts, audit.log, alert-notes
  std::string activity_path;  // the activity database; empty: none
  std::string alert_log;      // the alert log; empty: alerts are off
  std::function<Figures()> figures;
  std::function<policy::PolicyPtr()> policy;
  // `warden check`'s answer for a URL as a client (an address, or empty), one line per fact
  // (`alerts`: with the alert rules a search would raise; not for viewers); empty with `why`
  // set when the URL or address is not valid.
  std::function<std::vector<std::string>(std::string_view url, std::string_view client, bool alerts,
                                         std::string& why)>
      explain;
};

class Dashboard {
 public:
  explicit Dashboard(DashboardSources sources);
  ~Dashboard();
  // The answer to a dashboard path, or nullopt when `r` is for none (the caller says 404).
  [[nodiscard]] std::optional<std::string> respond(const AdminRequest& r);

 private:
  struct Call;  // one request with its session (dashboard.cpp)

  std::optional<std::string> answer_for(const AdminRequest& r);
  std::string sign_in(const AdminRequest& r, const Form& form);
  std::string sign_in_page(const AdminRequest& r, std::string_view message, unsigned status);
  // The pages (dashboard_pages.cpp, dashboard_reports.cpp, dashboard_alerts.cpp).
  std::string now_page(const Call& c);
  std::string activity_page(const Call& c, const Form& q);
  std::string why_page(const Call& c, const Form& q);
  std::string policy_page(const Call& c, const Form& q);
  std::string reports_page(const Call& c, const Form& q);
  std::string reports_csv(const Call& c, const Form& q);
  std::string alerts_page(const Call& c, std::string_view message);
  std::string alert_note(const Call& c, const Form& form);

  // Accounts as the file says now (read again when it changed); sessions of removed or changed
  // accounts end.
  const Accounts& accounts();
  // The activity database's reader, opened on first use; null when there is none.
  observe::ActivityReader* reader();
  std::size_t open_alerts();

  DashboardSources sources_;
  Sessions sessions_;
  SignInThrottle throttle_;
  AuditLog audit_;
  Accounts accounts_;
  std::filesystem::file_time_type accounts_time_{};
  std::unique_ptr<observe::ActivityReader> reader_;
  std::chrono::system_clock::time_point started_ = std::chrono::system_clock::now();
};

}  // namespace warden::admin
