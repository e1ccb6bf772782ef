#include "app/admin_setup.hpp"

#include "admin/admin_routes.hpp"
#include "admin/metrics_page.hpp"
#include "app/alerts_setup.hpp"
#include "app/check_command.hpp"
#include "app/version.hpp"
#include "base/hex.hpp"
#include "platform/files.hpp"
#include "platform/os.hpp"
#include "platform/process_usage.hpp"
#include "tls/certificate_authority.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace warden::app {
namespace {

constexpr std::size_t kTokenBytes = 32;

double unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::string token_path(const Config& c) {
  if (!c.admin.metrics_token_file.empty()) return c.admin.metrics_token_file;
  return admin_folder(c) + "/metrics.token";
}

}  // namespace

std::string admin_folder(const Config& c) {
  return (std::filesystem::path(c.state_dir) / "admin").string();
}

void PolicyRecord::loaded(policy::PolicyPtr p) {
  const std::lock_guard lock(mu_);
  policy_ = std::move(p);
  loaded_at_ = unix_seconds(std::chrono::system_clock::now());
  ++loads_;
}

void PolicyRecord::in_force(policy::PolicyPtr p) {
  const std::lock_guard lock(mu_);
  policy_ = std::move(p);
}

PolicyRecord::Seen PolicyRecord::seen() const {
  const std::lock_guard lock(mu_);
  return {policy_, loaded_at_, loads_ == 0 ? 0 : loads_ - 1, failed_.load(), bundle_.load()};
}

actions::CaFiles ca_files(X509* ca) {
  return {tls::certificate_pem(ca), tls::certificate_der(ca), tls::certificate_subject(ca),
          tls::sha256_fingerprint(ca), tls::asn1_time_point(X509_get0_notAfter(ca))};
}

base::Result<std::string> load_metrics_token(const Config& c) {
  const std::string path = token_path(c);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string bytes(kTokenBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(kTokenBytes)) !=
        1)
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         path + ": no random bytes for a token"};
    const std::string folder = std::filesystem::path(path).parent_path().string();
    std::string warning;
    if (auto made = platform::ensure_private_folder(folder, warning); !made) return made.error();
    const std::string token = base::to_hex(bytes);
    if (auto written =
            platform::write_new_file(path, token + "\n", platform::FileAccess::OwnerOnly, false);
        !written)
      return written.error();
    if (platform::running_as_administrator())
      if (auto given = platform::give_to_folder_owner(path, c.state_dir); !given)
        return given.error();
    return token;
  }
  std::ifstream in(path, std::ios::binary);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (in.bad() || token.size() < 16)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       path + ": not a token (one line of at least 16 characters expected)"};
  return token;
}

std::unique_ptr<observe::ActivityStore> open_activity_store(const Config& c) {
  if (c.admin.database == "off" || c.admin.listen == "off") return nullptr;
  observe::ActivityOptions options;
  options.path = c.admin.database.empty() ? admin_folder(c) + "/activity.db" : c.admin.database;
  options.retention_days = c.admin.retention_days;
  options.max_bytes = std::uint64_t{c.admin.database_max_mb} << 20;
  options.defer_writer = true;  // run.cpp starts it inside the CA key's wall
  std::string warning;
  const std::string folder = std::filesystem::path(options.path).parent_path().string();
  if (auto made = platform::ensure_private_folder(folder, warning); !made) {
    spdlog::warn("admin.database: {}; the dashboard has no activity", made.error().context);
    return nullptr;
  }
  auto store = observe::ActivityStore::open(options);
  if (!store) {
    // Said louder when someone asked for a database than when the default has none (Windows).
    spdlog::log(c.admin.database.empty() && !observe::activity_database_built()
                    ? spdlog::level::info
                    : spdlog::level::warn,
                "admin.database: {}; the dashboard has no activity", store.error().context);
    return nullptr;
  }
  return std::move(*store);
}

base::Result<void> start_admin(const Config& c, std::string metrics_token, TlsRuntime& tls,
                               const AdminSources& sources, AdminRuntime& runtime) {
  flow::Engine& engine = sources.engine;
  const observe::AccessLog& access_log = sources.access_log;
  const observe::ActivityStore* activity = sources.activity;
  const tls::CertCache* certs = tls.certs.get();
  const double ca_not_after = unix_seconds(runtime.ca.not_after);
  // What a scrape and the Now page read, gathered at the moment.
  auto figures = [&engine, &access_log, &runtime, activity, certs, ca_not_after] {
    admin::Figures out{engine.metrics().totals(), {}};
    admin::ServiceFigures& f = out.service;
    f.version = kVersion;
    f.rejected_busy = engine.rejected_busy();
    f.cert_hits = certs->hits();
    f.cert_mints = certs->mints();
    f.certs_cached = certs->size();
    f.ca_not_after = ca_not_after;
    const PolicyRecord::Seen seen = runtime.policy.seen();
    f.policy_reloads_ok = seen.reloads_ok;
    f.policy_reloads_failed = seen.reloads_failed;
    f.policy_loaded_at = seen.loaded_at;
    f.policy_bundle_version = seen.bundle_version;
    if (seen.policy)
      for (const auto& s : seen.policy->lists().stats())
        f.list_domains.emplace_back(s.name, s.domains);
    f.access_log_lost = access_log.lost_lines();
    if (activity != nullptr) f.activity = {activity->written_rows(), activity->dropped_rows()};
    f.process = platform::process_usage();
    return out;
  };
  admin::DashboardSources dashboard;
  dashboard.admin_dir = admin_folder(c);
  if (activity != nullptr) dashboard.activity_path = activity->path();
  dashboard.alert_log = alert_log_path(c);
  dashboard.figures = figures;
  dashboard.policy = [&runtime] { return runtime.policy.seen().policy; };
  dashboard.explain = [&runtime](std::string_view url, std::string_view client, bool alerts,
                                 std::string& why) -> std::vector<std::string> {
    const policy::PolicyPtr p = runtime.policy.seen().policy;
    if (!p) return {};
    return explain_url(*p, url, client, alerts, why);
  };
  runtime.dashboard = std::make_unique<admin::Dashboard>(std::move(dashboard));

  admin::AdminPages pages;
  pages.metrics_token = std::move(metrics_token);
  pages.ca = &runtime.ca;
  pages.dashboard = runtime.dashboard.get();
  pages.metrics = [figures] {
    const admin::Figures f = figures();
    return admin::render_metrics(f.totals, f.service);
  };
  admin::AdminTls admin_tls{tls.certs.get(), tls.minter.get(), tls.server_ctx.get(), c.admin.names};
  runtime.server = std::make_unique<admin::AdminServer>(
      std::move(admin_tls), [pages = std::move(pages)](const admin::AdminRequest& request) {
        return admin::respond(pages, request);
      });
  auto at = parse_listen_address(c.admin.listen);
  if (!at) return at.error();
  if (auto started = runtime.server->start(*at); !started)
    return base::Error{started.error().code, started.error().source,
                       fmt::format("admin.listen {}: {}", c.admin.listen, started.error().context)};
  engine.add_own_endpoint(runtime.server->endpoint());
  return {};
}

}  // namespace warden::app
