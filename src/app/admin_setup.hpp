#pragma once
// The admin listener as `warden run` starts it (docs/admin.md): the metrics token (made at the
// first start), the CA's files for the CA page, and the figures a scrape reads besides the
// workers' counters. The control thread reports policy loads here; the admin thread reads.

#include "actions/ca_page.hpp"
#include "admin/admin_server.hpp"
#include "admin/dashboard.hpp"
#include "app/config.hpp"
#include "app/tls_setup.hpp"
#include "flow/engine.hpp"
#include "observe/access_log.hpp"
#include "observe/activity_store.hpp"
#include "policy/policy.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace warden::app {

// The policy in force and how its reloads went, for the metrics page.
class PolicyRecord {
 public:
  void loaded(policy::PolicyPtr p);  // the first load, or a reload that worked
  // What the engine judges by now: the loaded policy, or it with a bypass (warden bypass).
  void in_force(policy::PolicyPtr p);
  void reload_failed() { failed_.fetch_add(1); }
  void bundle(std::uint64_t version) { bundle_.store(version); }  // 0: none (no bundle.url)
  struct Seen {
    policy::PolicyPtr policy;
    double loaded_at = 0;  // Unix time
    std::uint64_t reloads_ok = 0;
    std::uint64_t reloads_failed = 0;
    std::uint64_t bundle_version = 0;
  };
  [[nodiscard]] Seen seen() const;

 private:
  mutable std::mutex mu_;
  policy::PolicyPtr policy_;
  double loaded_at_ = 0;
  std::uint64_t loads_ = 0;
  std::atomic<std::uint64_t> failed_{0};
  std::atomic<std::uint64_t> bundle_{0};
};

struct AdminRuntime {
  actions::CaFiles ca;
  PolicyRecord policy;
  std::unique_ptr<admin::Dashboard> dashboard;
  std::unique_ptr<admin::AdminServer> server;  // declared last: stopped first
};

// <state_dir>/admin: accounts, the audit log, alert notes, the token, the database.
[[nodiscard]] std::string admin_folder(const Config& c);

// The CA's files for the CA page (from the running minter's CA certificate).
[[nodiscard]] actions::CaFiles ca_files(X509* ca);

// Reads the metrics token, or makes one (random, 0600) when the file does not exist yet. Call
// it before the CA key's wall goes up (app/tls_setup.hpp): a file made later in the state
// folder could not be read on the next start.
[[nodiscard]] base::Result<std::string> load_metrics_token(const Config& c);

// The dashboard's database (admin.database), or null when it is off or cannot be opened (said
// in the journal: filtering goes on without it). Open it before the CA key's wall goes up and
// start() it after: its writer thread must be born inside the wall.
[[nodiscard]] std::unique_ptr<observe::ActivityStore> open_activity_store(const Config& c);

// What the admin listener reads; all of it outlives the listener.
struct AdminSources {
  flow::Engine& engine;
  const observe::AccessLog& access_log;
  const observe::ActivityStore* activity;  // null: no database
};

// Starts the admin listener (c.admin.listen, not "off"; `tls` present) reading `sources` and
// `runtime.policy`. The engine learns its address.
[[nodiscard]] base::Result<void> start_admin(const Config& c, std::string metrics_token,
                                             TlsRuntime& tls, const AdminSources& sources,
                                             AdminRuntime& runtime);

}  // namespace warden::app
