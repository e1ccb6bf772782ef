#include "app/run.hpp"

#include "app/admin_setup.hpp"
#include "app/alerts_setup.hpp"
#include "app/auth_setup.hpp"
#include "app/bundle_setup.hpp"
#include "app/bypass_file.hpp"
#include "app/bypass_watch.hpp"
#include "app/capture_guard.hpp"
#include "app/health_setup.hpp"
#include "app/liveness.hpp"
#include "app/packet_path.hpp"
#include "app/policy_watch.hpp"
#include "app/search_hash_key.hpp"
#include "app/tls_setup.hpp"
#include "app/version.hpp"
#include "capture/nft_rules.hpp"
#include "capture/rule_installer.hpp"
#include "flow/engine.hpp"
#include "observe/access_log.hpp"
#include "platform/files.hpp"
#include "platform/folder_lock.hpp"
#include "platform/os.hpp"
#include "platform/service.hpp"
#include "policy/policy_file.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <string_view>
#include <thread>

namespace warden::app {
namespace {

using base::Error;
using base::ErrorCode;
using base::ErrorSource;

unsigned worker_count(const Config& c) {
  if (c.proxy.threads != 0) return c.proxy.threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Listener addresses from the config (validated when it was read).
std::vector<net::tcp::endpoint> listen_endpoints(const std::vector<std::string>& addresses) {
  std::vector<net::tcp::endpoint> out;
  for (const auto& a : addresses) out.push_back(*parse_listen_address(a));
  return out;
}

std::string join_endpoints(const std::vector<net::tcp::endpoint>& eps) {
  std::string out;
  for (const auto& e : eps) {
    if (!out.empty()) out += ", ";
    out += e.address().is_v6() ? fmt::format("[{}]:{}", e.address().to_string(), e.port())
                               : fmt::format("{}:{}", e.address().to_string(), e.port());
  }
  return out;
}

void print_start_banner(const Config& c, const std::vector<net::tcp::endpoint>& eps,
                        unsigned workers, const policy::Policy& policy,
                        const std::optional<net::tcp::endpoint>& admin,
                        const std::optional<net::tcp::endpoint>& health) {
  const auto& first = eps.front();
  const std::string host = first.address().is_unspecified() ? "127.0.0.1"
                           : first.address().is_v6() ? "[" + first.address().to_string() + "]"
                                                     : first.address().to_string();
  // Under Wine, said first: what only Windows itself has (WFP, WinDivert's driver) is missing.
  const auto layer = platform::compatibility_layer();
  fmt::print(stderr,
             "Warden {} is running{}: explicit proxy on {} ({} worker{}).\n"
             "  Set it as the HTTP and HTTPS proxy in a browser (host {}, port {}), or try:\n"
             "    curl -x http://{}:{} http://example.com/\n",
             kVersion, layer ? " (under " + *layer + ")" : "", join_endpoints(eps), workers,
             workers == 1 ? "" : "s", host, first.port(), host, first.port());
  if (c.tls.intercept) {
    const std::string ca = tls::CertificateAuthority::cert_path(c.state_dir);
    fmt::print(stderr,
               "    curl -x http://{}:{} --cacert {} https://example.com/\n"
               "  HTTPS is decrypted with the school CA {} (how to trust it: warden ca show).\n",
               host, first.port(), ca, ca);
  } else {
    fmt::print(stderr, "  HTTPS tunnels are relayed, not decrypted (tls.intercept = false).\n");
  }
  const std::string ports = c.capture.all_ports
                                ? std::string("every TCP port")
                                : fmt::format("TCP ports {}", fmt::join(c.capture.ports, ", "));
  for (auto mode : c.capture.modes)
    fmt::print(
        stderr, "  Transparent capture ({}): {} to port {}{}.\n", capture::capture_mode_name(mode),
        ports, c.capture.listener_port(mode),
        c.capture.fail_closed ? "; fail closed (rules stay when Warden stops)" : "; fail open");
  if (!c.balancer.listen.empty())
    fmt::print(stderr, "  Behind balancers: {} takes PROXY-protocol connections from {} only.\n",
               fmt::join(c.balancer.listen, ", "), fmt::join(c.balancer.from, ", "));
  if (!c.balancer.transparent_listen.empty())
    fmt::print(stderr,
               "  Behind balancers: {} takes captured traffic with PROXY headers from {} only.\n",
               fmt::join(c.balancer.transparent_listen, ", "), fmt::join(c.balancer.from, ", "));
  if (health)
    fmt::print(stderr, "  Health for the balancers: http://{}/ready (and /live).\n",
               join_endpoints({*health}));
  if (policy.lists().names().empty())
    fmt::print(stderr,
               "  Policy: {} with no category lists, so no site is in a category yet "
               "(--lists DIR: a folder in the UT1 layout).\n",
               policy.source() == "built-in" ? "the built-in defaults" : policy.source());
  else
    fmt::print(stderr, "  Policy: {} with {} category lists from {}.\n",
               policy.source() == "built-in" ? "the built-in defaults" : policy.source(),
               policy.lists().names().size(), policy.lists().folder());
  if (admin)
    fmt::print(stderr, "  Admin: https://{}/metrics (the token: {}){}.\n", join_endpoints({*admin}),
               c.admin.metrics_token_file.empty() ? c.state_dir + "/admin/metrics.token"
                                                  : c.admin.metrics_token_file,
               c.tls.intercept && c.admin.ca_page != "off"
                   ? fmt::format("; the CA page: http://{}/ through the proxy", c.admin.ca_page)
                   : std::string());
  fmt::print(stderr, "  State folder: {}. Access log: {}. Stop with Ctrl-C.\n", c.state_dir,
             c.log.access_log == "-" ? "stdout" : c.log.access_log);
}

// The line `systemctl status` shows while Warden runs.
std::string service_status(const Config& c, const std::vector<net::tcp::endpoint>& eps) {
  std::string status = "filtering: explicit proxy on " + join_endpoints(eps);
  for (auto mode : c.capture.modes)
    status += fmt::format(", capture {}", capture::capture_mode_name(mode));
  return status;
}

}  // namespace

base::Result<Config> build_config(const RunOptions& o) {
  Config c;
  if (o.config_file) {
    auto loaded = load_config_file(*o.config_file);
    if (!loaded) return loaded.error();
    c = std::move(*loaded);
  }
  if (!o.listen.empty()) c.proxy.listen = o.listen;
  if (o.state_dir) c.state_dir = *o.state_dir;
  if (o.access_log) c.log.access_log = *o.access_log;
  if (o.threads) c.proxy.threads = *o.threads;
  if (o.log_level) c.log.level = *o.log_level;
  if (o.admin_listen) c.admin.listen = *o.admin_listen;
  for (const auto& f : o.upstream_ca) c.tls.upstream_ca.push_back(f);
  if (o.policy_file) c.policy.file = *o.policy_file;
  if (o.lists) c.policy.lists = *o.lists;
  if (!o.capture_modes.empty()) {
    c.capture.modes.clear();
    for (const auto& m : o.capture_modes) {
      auto mode = parse_capture_mode(m);
      if (!mode)
        return Error{ErrorCode::BadRequest, ErrorSource::Client,
                     "--capture " + m + ": expected redirect, tproxy, local or tun"};
      if (std::find(c.capture.modes.begin(), c.capture.modes.end(), *mode) == c.capture.modes.end())
        c.capture.modes.push_back(*mode);
    }
  }
  for (const auto& a : o.allow_destinations) {
    if (!policy::parse_cidr(a))
      return Error{ErrorCode::BadRequest, ErrorSource::Client,
                   "--allow-destination " + a + ": expected a CIDR such as 127.0.0.0/8"};
    c.proxy.allow_destinations.push_back(a);
  }
  for (auto p : o.connect_ports)
    if (std::find(c.proxy.connect_ports.begin(), c.proxy.connect_ports.end(), p) ==
        c.proxy.connect_ports.end())
      c.proxy.connect_ports.push_back(p);
  if (c.state_dir.empty()) c.state_dir = default_state_dir();
  if (auto ok = validate(c); !ok) return ok.error();
  return c;
}

base::Result<std::string> state_dir_for(const std::optional<std::string>& config_file,
                                        const std::optional<std::string>& state_dir) {
  RunOptions run;
  run.config_file = config_file;
  run.state_dir = state_dir;
  auto c = build_config(run);
  if (!c) return c.error();
  return c->state_dir;
}

base::Result<void> ensure_state_dir(const std::string& path) {
  std::string warning;
  auto ok = platform::ensure_private_folder(path, warning);
  if (!warning.empty()) spdlog::warn("{}", warning);
  return ok;
}

base::Result<policy::PolicyPtr> load_configured_policy(const Config& c) {
  const auto started = std::chrono::steady_clock::now();
  auto loaded = policy::load_policy(c.policy.file, c.policy.lists);
  if (!loaded) return loaded.error();
  const policy::Policy& p = **loaded;
  std::size_t domains = 0;
  for (const auto& s : p.lists().stats()) domains += s.domains;
  spdlog::info("policy {}: {} rules, {} categories ({} domains) from {}{}, loaded in {} ms",
               p.source(), p.rules().size(), p.lists().names().size(), domains,
               p.lists().folder().empty() ? "no lists folder" : p.lists().folder(),
               p.lists().version().empty() ? "" : " (version " + p.lists().version() + ")",
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  for (const auto& r : p.phrase_rules()) {
    spdlog::info("phrases \"{}\": {} entries, {}{}", r.name, r.entries,
                 r.limit == 0 ? std::string("pages scored, never blocked")
                              : fmt::format("a page blocked at a score of {}", r.limit),
                 r.skipped == 0 ? std::string()
                                : fmt::format("; {} lines skipped (lenient), the first {}",
                                              r.skipped, r.first_skipped));
  }
  return loaded;
}

int run_proxy(const RunOptions& options) {
  auto config = build_config(options);
  if (!config) {
    fmt::print(stderr, "warden: {}\n", config.error().context);
    return 1;
  }
  const Config& c = *config;
  spdlog::set_level(spdlog::level::from_str(c.log.level));
  if (auto ok = ensure_state_dir(c.state_dir); !ok) {
    fmt::print(stderr, "warden: {}\n", ok.error().context);
    return 1;
  }
  // Made before the key's wall goes up, so bypass files written later stay readable.
  if (auto ok = ensure_state_dir(bypass_folder(c.state_dir)); !ok) {
    fmt::print(stderr, "warden: {}\n", ok.error().context);
    return 1;
  }
  if (auto ok = prepare_alerts(c); !ok) {
    fmt::print(stderr, "warden: {}\n", ok.error().context);
    return 1;
  }
  auto bundle = prepare_bundle(c);  // (its folder, too, made before the wall)
  if (!bundle) {
    fmt::print(stderr, "warden: {}\n", bundle.error().context);
    return 1;
  }
  // Held while this runs: `warden ca init` sees that a Warden uses this folder.
  auto in_use = platform::FolderLock::try_hold(c.state_dir, platform::FolderLock::Mode::Shared);
  if (!in_use) spdlog::warn("{}", in_use.error().context);
  platform::prepare_process();
  // Read now, before the CA key's wall goes up: a reload may switch log.search to "hash".
  auto search_hash_key = load_search_hash_key(c.state_dir);
  if (!search_hash_key) {
    fmt::print(stderr, "warden: {}\n", search_hash_key.error().context);
    return 1;
  }

  std::string metrics_token;  // (also read before the wall)
  if (c.admin.listen != "off" && c.tls.intercept) {
    auto token = load_metrics_token(c);
    if (!token) {
      fmt::print(stderr, "warden: admin: {}\n", token.error().context);
      return 1;
    }
    metrics_token = std::move(*token);
  }

  // The dashboard's database: its file made before the wall too, kept until the engine is gone.
  std::unique_ptr<observe::ActivityStore> activity;
  if (c.tls.intercept) activity = open_activity_store(c);

  // The CA is on disk (created if missing) before any listener accepts.
  std::unique_ptr<TlsRuntime> tls;
  if (c.tls.intercept) {
    auto started = start_tls(c, options.config_file);
    if (!started) {
      fmt::print(stderr, "warden: TLS interception cannot start: {}\n", started.error().context);
      return 1;
    }
    tls = std::move(*started);
    if (tls->created_ca)
      fmt::print(stderr, "Created a school CA for this installation: {}\n{}",
                 tls::CertificateAuthority::cert_path(c.state_dir),
                 trust_instructions(tls::CertificateAuthority::cert_path(c.state_dir)));
  }

  // Its writer thread is born inside the key's wall (signer_test checks every thread is).
  if (activity) activity->start();
  // Up before the policy loads (which may take seconds): balancers see "starting", not nothing.
  HealthRuntime health;
  if (auto started = start_health(c, health); !started) {
    fmt::print(stderr, "warden: {}\n", started.error().context);
    return 1;
  }
  // Sign-in (auth): kept until the engine is gone, its threads born inside the wall.
  auto sign_in = start_sign_in(c);
  if (!sign_in) {
    fmt::print(stderr, "warden: {}\n", sign_in.error().context);
    return 1;
  }
  auto access_log = observe::AccessLog::open(c.log.access_log);
  if (!access_log) {
    fmt::print(stderr, "warden: {}\n", access_log.error().context);
    return 1;
  }
  (*access_log)->set_instance(c.log.instance);
  auto alerts = start_alerts(c);
  if (!alerts) {
    fmt::print(stderr, "warden: alerts: {}\n", alerts.error().context);
    return 1;
  }
  std::uint64_t bundle_version = 0;
  if (*bundle) {
    auto version = first_bundle(c, **bundle);
    if (!version) {
      fmt::print(stderr, "warden: {}\n", version.error().context);
      return 1;
    }
    bundle_version = *version;
    use_bundle(*config);
  }
  auto policy = load_configured_policy(c);
  if (!policy) {
    fmt::print(stderr, "warden: policy: {}\n", policy.error().context);
    return 1;
  }
  // The policy in force is this one (later the reloaded one) with the bypass (warden bypass) of
  // the moment. Held here only: a replaced snapshot must be freed, not kept for the banner.
  policy::PolicyPtr loaded_policy = std::move(*policy);
  const auto listen = listen_endpoints(c.proxy.listen);
  const auto balanced = listen_endpoints(c.balancer.listen);
  const auto balanced_capture = listen_endpoints(c.balancer.transparent_listen);

  // The control plane: signals on the main thread, caught from before the first connection.
  net::asio::io_context control;
  net::asio::signal_set signals(control, SIGINT, SIGTERM);
  const std::optional<int> reload_signal = platform::reload_signal();
  if (reload_signal) signals.add(*reload_signal);

  // The packet path: the device and the packet loop first; the routing that feeds them last.
  PacketPath packet_path;
  if (c.capture.has(capture::CaptureMode::Tun) || c.capture.has(capture::CaptureMode::WinDivert)) {
    auto started = start_packet_path(c);
    if (!started) {
      fmt::print(stderr, "warden: transparent capture cannot start: {}\n", started.error().context);
      return 1;
    }
    packet_path = std::move(*started);
  }
  const unsigned workers = worker_count(c);
  // The engine's settings from a config, with what only the start could provide.
  auto engine_config_for = [&](const Config& from) {
    flow::EngineConfig e = make_engine_config(from);
    e.upstream_port_claims = packet_path.own_ports.get();
    e.search_hash_key = *search_hash_key;
    return std::make_shared<const flow::EngineConfig>(std::move(e));
  };
  auto engine = std::make_unique<flow::Engine>(engine_config_for(c), **access_log, workers,
                                               tls ? &tls->services : nullptr, loaded_policy);
  if (packet_path.table) engine->set_reflection_table(packet_path.table.get());
  engine->set_alert_center(alerts->center.get());
  if (sign_in) engine->set_sign_in(sign_in->get(), sign_in_listeners(c));
  // The admin listener and the CA page (docs/admin.md); it shows the policy in force.
  AdminRuntime admin;
  admin.policy.loaded(loaded_policy);
  admin.policy.bundle(bundle_version);
  std::optional<policy::Bypass> bypass;
  auto apply_policy = [&] {
    policy::PolicyPtr in_force = bypass ? loaded_policy->with_bypass(bypass) : loaded_policy;
    admin.policy.in_force(in_force);
    engine->set_policy(std::move(in_force));
  };
  BypassWatch bypass_watch(control, c.state_dir, **access_log,
                           [&](std::optional<policy::Bypass> b) {
                             bypass = std::move(b);
                             apply_policy();
                           });
  bypass_watch.start();
  // The admin listener is up before the proxy's listeners, so the engine knows its address as
  // its own.
  engine->set_activity_store(activity.get());
  if (tls) {
    admin.ca = ca_files(tls->minter->ca_certificate());
    engine->set_ca_files(&admin.ca);
  }
  if (c.admin.listen != "off" && !tls) {
    spdlog::warn(
        "admin.listen: no admin listener without tls.intercept (its certificate comes "
        "from the school CA)");
  } else if (c.admin.listen != "off") {
    if (auto started = start_admin(c, std::move(metrics_token), *tls,
                                   {*engine, **access_log, activity.get()}, admin);
        !started) {
      fmt::print(stderr, "warden: {}\n", started.error().context);
      return 1;
    }
  }
  std::vector<flow::Engine::TransparentListener> transparent;
  for (auto mode : c.capture.modes)
    transparent.push_back(
        {net::tcp::endpoint(net::asio::ip::address_v6::any(), c.capture.listener_port(mode)),
         mode});
  if (auto started = engine->start(listen, transparent, balanced, balanced_capture); !started) {
    fmt::print(stderr, "warden: {}\n", started.error().context);
    return 1;
  }
  // The rules go in once the listeners are there, so captured connections find them.
  if (!c.capture.modes.empty()) {
    if (auto installed = capture::install_capture_rules(c.capture); !installed) {
      fmt::print(stderr, "warden: transparent capture cannot start: {}\n",
                 installed.error().context);
      (void)engine->shutdown(std::chrono::seconds(1));
      return 1;
    }
  }
  print_start_banner(c, engine->endpoints(), workers, *loaded_policy,
                     admin.server ? std::optional(admin.server->endpoint()) : std::nullopt,
                     health.server ? std::optional(health.server->endpoint()) : std::nullopt);
  platform::report_service_running(service_status(c, engine->endpoints()));
  health.readiness.ready();
  Liveness liveness(control, *engine, packet_path.loop.get());
  liveness.start();
  CaptureGuard capture_guard(control, c.capture, **access_log);
  capture_guard.start();
  // Test-only: a frozen worker, which only the service watchdog can end (docs/install.md).
  const char* hooks = std::getenv("WARDEN_DEBUG_HOOKS");
  const std::optional<int> debug_signal =
      hooks != nullptr && std::string_view(hooks) == "1" ? platform::debug_signal() : std::nullopt;
  if (debug_signal) {
    signals.add(*debug_signal);
    spdlog::warn("WARDEN_DEBUG_HOOKS=1: signal {} freezes worker 0 (tests only)", *debug_signal);
  }

  Config current = c;
  // What the kernel has (capture changes need a restart; every reload compares against this).
  const std::string installed_rules = capture::render_nft_ruleset(c.capture);
  bool clean = true;
  // A policy that fails to load is refused; the running one stays.
  std::function<bool(const char*)> reload_policy;  // true: the new policy is in force
  PolicyWatch watch(control, [&] { (void)reload_policy("a watched file changed"); });
  reload_policy = [&](const char* why) {
    auto fresh = load_configured_policy(current);
    if (!fresh) {
      spdlog::error("policy reload ({}) refused, keeping the running policy: {}", why,
                    fresh.error().context);
      admin.policy.reload_failed();
    } else {
      loaded_policy = *fresh;
      admin.policy.loaded(loaded_policy);
      apply_policy();
      spdlog::info("policy reloaded ({})", why);
    }
    if (current.policy.watch && !*bundle)  // a bundle says itself when it changes
      watch.watch(current.policy.file, fresh ? (*fresh)->lists().folder() : current.policy.lists);
    else
      watch.stop();
    return fresh.has_value();
  };
  if (c.policy.watch && !*bundle) watch.watch(c.policy.file, loaded_policy->lists().folder());
  net::asio::steady_timer drain_notice(control);
  bool stopping = false;
  auto stop = [&](const char* name) {
    if (stopping) return;
    stopping = true;
    health.readiness.draining();
    drain_notice.cancel();
    signals.cancel();
    spdlog::info(
        "{}: draining connections (grace {} s)", name,
        std::chrono::duration_cast<std::chrono::seconds>(current.proxy.shutdown_grace).count());
    if (*bundle) (*bundle)->stop();
    liveness.stop();
    capture_guard.stop();
    bypass_watch.stop();
    watch.stop();  // nothing left on the control loop: run() returns
    clean = engine->shutdown(current.proxy.shutdown_grace);
  };
  std::function<void(const net::error_code&, int)> on_signal = [&](const net::error_code& ec,
                                                                   int sig) {
    if (ec) return;
    if (sig == debug_signal) {
      spdlog::warn("debug hook: freezing worker 0");
      engine->freeze_worker_for_test(0);
      signals.async_wait(on_signal);
      return;
    }
    if (sig == reload_signal) {
      platform::report_service_reloading();
      auto fresh = build_config(options);
      // Where the policy comes from is fixed at start: a reload that switched would run the
      // built-in defaults or a stale bundle.
      if (fresh && fresh->bundle.url.empty() == (*bundle != nullptr))
        fresh = base::Error{base::ErrorCode::BadRequest, base::ErrorSource::Client,
                            "bundle.url: switching between a policy bundle and policy.file needs "
                            "a restart"};
      if (!fresh) {
        spdlog::error("reload refused, keeping the running config: {}", fresh.error().context);
      } else {
        if (fresh->proxy.listen != current.proxy.listen ||
            fresh->proxy.threads != current.proxy.threads)
          spdlog::warn("reload: listener and thread changes take effect after a restart");
        if (capture::render_nft_ruleset(fresh->capture) != installed_rules)
          spdlog::warn("reload: capture changes take effect after a restart");
        if (fresh->bundle.url != current.bundle.url ||
            fresh->bundle.public_key != current.bundle.public_key)
          spdlog::warn("reload: bundle changes take effect after a restart");
        if (fresh->log.access_log != current.log.access_log ||
            fresh->log.instance != current.log.instance)
          spdlog::warn("reload: a new access_log path or instance takes effect after a restart");
        if (*bundle) {  // the bundle as started, its current version
          fresh->bundle = current.bundle;
          fresh->state_dir = current.state_dir;
          use_bundle(*fresh);
        }
        spdlog::set_level(spdlog::level::from_str(fresh->log.level));
        engine->reload(engine_config_for(*fresh));
        current = std::move(*fresh);
        spdlog::info("reloaded the configuration");
      }
      (void)reload_policy("SIGHUP");
      (*access_log)->reopen();
      platform::report_service_running(service_status(current, engine->endpoints()));
      signals.async_wait(on_signal);
      return;
    }
    const char* name = sig == SIGTERM ? "SIGTERM" : "SIGINT";
    platform::report_service_stopping();
    if (health.server && health.readiness.state() != admin::Readiness::State::Draining) {
      // The balancers first learn to send nobody new here; a second signal skips the wait.
      health.readiness.draining();
      spdlog::info(
          "{}: /ready says draining; the listeners close in {} ms (balancer.drain_notice)", name,
          std::chrono::duration_cast<std::chrono::milliseconds>(current.balancer.drain_notice)
              .count());
      drain_notice.expires_after(current.balancer.drain_notice);
      drain_notice.async_wait([&, name](const net::error_code& waited) {
        if (!waited) stop(name);
      });
      signals.async_wait(on_signal);
      return;
    }
    stop(name);
  };
  signals.async_wait(on_signal);
  if (*bundle)
    (*bundle)->start([&](std::uint64_t version) {
      net::asio::post(control, [&, version] {
        if (stopping) return;
        use_bundle(current);
        if (reload_policy("a new policy bundle"))
          admin.policy.bundle(version);
        else  // (it loaded when it was checked; the journal above says what changed since)
          spdlog::error("policy bundle version {} is current on disk but not in force", version);
      });
    });
  control.run();

  (*access_log)->close();
  if (!c.capture.modes.empty()) {
    if (c.capture.fail_closed) {
      spdlog::info(
          "capture rules stay (capture.fail = \"closed\"): captured ports are refused "
          "until Warden runs again; `warden capture remove` opens them");
    } else if (auto removed = capture::remove_capture_rules(c.capture); !removed) {
      spdlog::error("could not remove the capture rules: {}", removed.error().context);
    } else {
      spdlog::info("capture rules removed (capture.fail = \"open\")");
    }
  }
  if (!clean) {
    spdlog::error("exiting with connections still open");
    std::_Exit(1);  // workers are stuck; do not run destructors under them
  }
  if (admin.server) admin.server->stop();  // it reads the engine
  if (health.server) health.server->stop();
  engine.reset();
  if (packet_path.loop) packet_path.loop->stop();  // the TUN device goes with it
  spdlog::info("stopped");
  return 0;
}

}  // namespace warden::app
