#include "app/cli.hpp"

#include "app/admin_command.hpp"
#include "app/bundle_command.hpp"
#include "app/bypass_command.hpp"
#include "app/ca_command.hpp"
#include "app/capture_command.hpp"
#include "app/check_command.hpp"
#include "app/config.hpp"
#include "app/lists_update.hpp"
#include "app/run.hpp"
#include "app/service_command.hpp"
#include "app/signer_command.hpp"
#include "app/users_command.hpp"
#include "app/version.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace warden::app {

int main_cli(int argc, char** argv) {
  // Diagnostics go to stderr; stdout is for command output (and the access log with "-").
  spdlog::set_default_logger(spdlog::stderr_color_mt("warden"));
  CLI::App app{"Warden: a transparent, TLS-intercepting web filter for schools."};
  app.set_version_flag("--version", std::string("warden ") + kVersion);
  app.require_subcommand(1);

  RunOptions run;
  std::string config_file;
  unsigned threads = 0;
  std::string log_level;
  std::string state_dir;
  std::string access_log;
  auto* run_cmd =
      app.add_subcommand("run", "Run the proxy (explicit proxy on 127.0.0.1:3128 by default).");
  run_cmd
      ->add_option("-c,--config", config_file,
                   "TOML config file (warden.example.toml documents every key)")
      ->check(CLI::ExistingFile);
  run_cmd->add_option(
      "--listen", run.listen,
      "ADDRESS:PORT of an explicit-proxy listener (repeatable; replaces proxy.listen)");
  std::string admin_listen;
  run_cmd->add_option("--admin-listen", admin_listen,
                      "ADDRESS:PORT of the admin listener, or off (replaces admin.listen)");
  run_cmd->add_option("--state-dir", state_dir,
                      "Folder for the CA, caches and runtime files (created 0700)");
  run_cmd->add_option("--access-log", access_log, "Access log file, - for stdout, or off");
  run_cmd->add_option("--threads", threads, "Worker threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  run_cmd->add_option("--log-level", log_level, "trace, debug, info, warn, error, critical, off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  run_cmd
      ->add_option("--connect-port", run.connect_ports,
                   "Also allow CONNECT to this port (repeatable)")
      ->check(CLI::Range(1, 65535));
  run_cmd
      ->add_option("--upstream-ca", run.upstream_ca,
                   "Also trust this CA (PEM file) for upstream servers (repeatable)")
      ->check(CLI::ExistingFile);
  run_cmd
      ->add_option("--capture", run.capture_modes,
                   "Transparent capture: redirect, tproxy, local or tun on Linux, windivert on "
                   "Windows (repeatable; replaces capture.mode; needs root / an administrator)")
      ->check(CLI::IsMember({"redirect", "tproxy", "local", "tun", "windivert"}));
  run_cmd->add_option("--allow-destination", run.allow_destinations,
                      "Allow upstream connections to this CIDR even if proxy.deny_destinations "
                      "refuses it (repeatable; e.g. 127.0.0.0/8 for a test origin)");
  bool as_service = false;
  run_cmd->add_flag("--service", as_service,
                    "Run under Windows' service control manager (what `warden service install` "
                    "registers)");
  std::string run_policy;
  std::string run_lists;
  run_cmd->add_option("--policy", run_policy, "Policy file (replaces policy.file)")
      ->check(CLI::ExistingFile);
  run_cmd->add_option("--lists", run_lists, "Category lists folder (replaces policy.lists)")
      ->check(CLI::ExistingDirectory);

  CaCommandOptions ca;
  std::string ca_config;
  std::string ca_state_dir;
  std::string ca_name;
  auto* ca_cmd = app.add_subcommand("ca", "The school CA: init, export, show, install, uninstall.");
  ca_cmd->require_subcommand(1);
  auto add_location = [&](CLI::App* cmd) {
    cmd->add_option("-c,--config", ca_config, "The config file `warden run` uses")
        ->check(CLI::ExistingFile);
    cmd->add_option("--state-dir", ca_state_dir, "The state folder `warden run` uses");
  };
  auto* ca_init_cmd = ca_cmd->add_subcommand("init", "Create the school CA in the state folder.");
  add_location(ca_init_cmd);
  ca_init_cmd->add_option("--key", ca.key, "Key type: ecdsa-p256 (default) or rsa-3072")
      ->check(CLI::IsMember({"ecdsa-p256", "rsa-3072"}));
  ca_init_cmd->add_option("--name", ca_name, "The school's name (\"<name> Web Filter CA\")");
  ca_init_cmd->add_flag("--force", ca.force,
                        "Replace an existing CA (every device must then trust the new one)");
  auto* ca_export_cmd = ca_cmd->add_subcommand("export", "Write the CA certificate to stdout.");
  add_location(ca_export_cmd);
  ca_export_cmd->add_option("--format", ca.format, "pem (default) or der")
      ->check(CLI::IsMember({"pem", "der"}));
  auto* ca_show_cmd = ca_cmd->add_subcommand(
      "show", "Print the CA's subject, fingerprint, validity and how to trust it.");
  add_location(ca_show_cmd);
  auto* ca_install_cmd = ca_cmd->add_subcommand(
      "install", "Windows: make the CA a trusted root of this machine (and of Firefox).");
  add_location(ca_install_cmd);
  auto* ca_uninstall_cmd =
      ca_cmd->add_subcommand("uninstall", "Windows: remove the CA from the machine's roots.");
  add_location(ca_uninstall_cmd);

  CaptureCommandOptions cap;
  std::string cap_config;
  ServiceCommandOptions service;
  std::string service_config;
  std::string service_state_dir;
  auto* service_cmd = app.add_subcommand(
      "service", "Warden as a Windows service: install, uninstall, start, stop, status.");
  service_cmd->require_subcommand(1);
  auto* service_install_cmd = service_cmd->add_subcommand(
      "install", "Register the service (starts at boot; only administrators may stop it).");
  service_install_cmd->add_option("-c,--config", service_config, "Config file the service runs")
      ->check(CLI::ExistingFile);
  service_install_cmd->add_option("--state-dir", service_state_dir,
                                  "State folder (default %ProgramData%\\Warden)");
  auto* service_uninstall_cmd =
      service_cmd->add_subcommand("uninstall", "Stop and remove the service.");
  auto* service_start_cmd =
      service_cmd->add_subcommand("start", "Start it and wait until it runs.");
  auto* service_stop_cmd = service_cmd->add_subcommand("stop", "Stop it (drain) and wait.");
  service_cmd->add_subcommand("status", "Say whether it is installed and running.");

  auto* cap_cmd = app.add_subcommand(
      "capture", "Warden's nftables capture rules (table inet warden): install, remove, show.");
  cap_cmd->require_subcommand(1);
  auto add_capture_options = [&](CLI::App* cmd) {
    cmd->add_option("-c,--config", cap_config, "The config file `warden run` uses")
        ->check(CLI::ExistingFile);
    cmd->add_option("--capture", cap.modes,
                    "redirect, tproxy, local or tun (replaces capture.mode)")
        ->check(CLI::IsMember({"redirect", "tproxy", "local", "tun"}));
  };
  auto* cap_install = cap_cmd->add_subcommand("install", "Install the rules (root).");
  add_capture_options(cap_install);
  auto* cap_remove = cap_cmd->add_subcommand(
      "remove", "Remove the rules: captured traffic flows uncaptured (root).");
  add_capture_options(cap_remove);
  auto* cap_show = cap_cmd->add_subcommand("show", "Print the installed rules.");
  add_capture_options(cap_show);
  cap_show->add_flag("--planned", cap.planned,
                     "Print what install would load from the config, without installing");

  CheckOptions check;
  std::string check_config;
  std::string check_policy;
  std::string check_lists;
  auto* url_cmd = app.add_subcommand(
      "check", "Print the policy's decision for each URL: <URL> <action> <rule> <category|->.");
  url_cmd->add_option("-c,--config", check_config, "The config file `warden run` uses")
      ->check(CLI::ExistingFile);
  url_cmd->add_option("--policy", check_policy, "Policy file (replaces policy.file)")
      ->check(CLI::ExistingFile);
  url_cmd->add_option("--lists", check_lists, "Category lists folder (replaces policy.lists)")
      ->check(CLI::ExistingDirectory);
  url_cmd->add_option("--group", check.group, "Judge as a client of this group");
  url_cmd->add_option("--client", check.client, "Judge as a client with this IP address");
  url_cmd->add_option("--user", check.user,
                      "Judge as this local user (name or uid; groups' `users`, local capture)");
  url_cmd->add_option("url", check.urls, "URLs, with or without a scheme (none: http)")->required();

  std::string stats_folder;
  auto* lists_cmd = app.add_subcommand("lists", "Category lists: stats, update.");
  lists_cmd->require_subcommand(1);
  auto* stats_cmd = lists_cmd->add_subcommand(
      "stats", "Per category: domains, URLs, expressions loaded and lines refused (with why).");
  stats_cmd->add_option("folder", stats_folder, "A lists folder in the UT1 layout")->required();
  ListsUpdateOptions update;
  std::string update_config;
  std::string update_url;
  std::string update_lists;
  auto* update_cmd = lists_cmd->add_subcommand(
      "update",
      "Fetch the lists archive of lists_update.url (HTTPS, only if changed), check it, and make "
      "it the current version of policy.lists; the lists in use stay if anything fails.");
  update_cmd->add_option("-c,--config", update_config, "The config file `warden run` uses")
      ->check(CLI::ExistingFile);
  update_cmd->add_option("--url", update_url, "Fetch from this https:// URL instead");
  update_cmd->add_option("--lists", update_lists, "Keep the lists in this folder instead");
  update_cmd->add_flag("--force", update.force,
                       "Fetch even if the server says the archive has not changed");
  update_cmd->add_flag("--if-configured", update.if_configured,
                       "Without lists_update.url, do nothing and succeed (the daily timer)");

  BundleCommandOptions bundle;
  auto* bundle_cmd = app.add_subcommand(
      "bundle", "Signed policy bundles for a fleet (docs/fleet.md): keygen, sign, verify.");
  bundle_cmd->require_subcommand(1);
  auto* keygen_cmd = bundle_cmd->add_subcommand(
      "keygen", "Make the school's Ed25519 signing key: DIR/bundle.key and DIR/bundle.pub.");
  keygen_cmd->add_option("dir", bundle.folder, "Where the two files go")->required();
  auto* sign_cmd = bundle_cmd->add_subcommand(
      "sign", "Pack FOLDER (policy.toml, lists/) into a signed bundle OUT, once its policy loads.");
  sign_cmd->add_option("--key", bundle.key, "bundle.key (keygen's)")
      ->required()
      ->check(CLI::ExistingFile);
  sign_cmd
      ->add_option("--version", bundle.version,
                   "A number larger than the last bundle's (default: the time, Unix seconds)")
      ->check(CLI::PositiveNumber);
  sign_cmd->add_option("folder", bundle.folder, "policy.toml and lists/")
      ->required()
      ->check(CLI::ExistingDirectory);
  sign_cmd->add_option("out", bundle.file, "The bundle file made")->required();
  auto* verify_cmd = bundle_cmd->add_subcommand(
      "verify", "Check a bundle's form and signature as an instance would.");
  verify_cmd->add_option("--public-key", bundle.key, "bundle.pub (bundle.public_key)")
      ->required()
      ->check(CLI::ExistingFile);
  verify_cmd->add_option("file", bundle.file, "The bundle")->required()->check(CLI::ExistingFile);

  std::string check_file;
  auto* check_cmd = app.add_subcommand("check-config", "Check a config file and exit (0: valid).");
  check_cmd->add_option("file", check_file, "TOML config file")->required();

  app.add_subcommand("example-config",
                     "Print a config file documenting every key with its default.");

  AdminCommandOptions admin;
  std::string admin_config;
  std::string admin_state_dir;
  auto* admin_cmd = app.add_subcommand(
      "admin", "Dashboard accounts: add NAME --role ROLE, passwd NAME, remove NAME, list");
  admin_cmd->add_option("action", admin.action, "add, passwd, remove or list")
      ->required()
      ->check(CLI::IsMember({"add", "passwd", "remove", "list"}));
  admin_cmd->add_option("name", admin.name, "The account's name");
  admin_cmd->add_option("--role", admin.role, "admin, safeguarding or viewer (add)")
      ->check(CLI::IsMember({"admin", "safeguarding", "viewer"}));
  admin_cmd->add_option("-c,--config", admin_config, "The config file `warden run` uses")
      ->check(CLI::ExistingFile);
  admin_cmd->add_option("--state-dir", admin_state_dir, "The state folder `warden run` uses");

  UsersCommandOptions users;
  std::string users_config;
  std::string users_state_dir;
  auto* users_cmd = app.add_subcommand(
      "users",
      "Sign-in users (auth.method = \"local\"): add NAME GROUP, passwd NAME, remove NAME, list");
  users_cmd->add_option("action", users.action, "add, passwd, remove or list")
      ->required()
      ->check(CLI::IsMember({"add", "passwd", "remove", "list"}));
  users_cmd->add_option("name", users.name, "The user's name");
  users_cmd->add_option("group", users.group,
                        "The policy group their requests are judged by (add)");
  users_cmd->add_option("-c,--config", users_config, "The config file `warden run` uses")
      ->check(CLI::ExistingFile);
  users_cmd->add_option("--state-dir", users_state_dir, "The state folder `warden run` uses");

  BypassOptions bypass;
  std::string bypass_config;
  std::string bypass_state_dir;
  std::string bypass_for;
  auto* bypass_cmd = app.add_subcommand(
      "bypass",
      "Let a group (or everyone) through unfiltered for a while, logged (root): --for 15m "
      "--reason \"...\" [--group G]; --end ends it; alone, says whether one is in force.");
  bypass_cmd->add_option("-c,--config", bypass_config, "The config file `warden run` uses")
      ->check(CLI::ExistingFile);
  bypass_cmd->add_option("--state-dir", bypass_state_dir, "The state folder `warden run` uses");
  auto* bypass_for_opt =
      bypass_cmd->add_option("--for", bypass_for, "How long: 90s, 15m, 2h (at most 24h)");
  auto* bypass_reason_opt =
      bypass_cmd->add_option("--reason", bypass.reason, "Why (logged with the start and end)");
  auto* bypass_group_opt = bypass_cmd->add_option("--group", bypass.group,
                                                  "Only this policy group (default: every client)");
  auto* bypass_end_flag = bypass_cmd->add_flag("--end", bypass.end, "End the bypass now");
  bypass_for_opt->needs(bypass_reason_opt)->excludes(bypass_end_flag);
  bypass_reason_opt->needs(bypass_for_opt);
  bypass_group_opt->needs(bypass_for_opt);

  // Started by `warden run` only (app/signer_command.hpp): no help text, not in the man page.
  SignerOptions signer;
  auto* signer_cmd = app.add_subcommand("signer", "")->group("");
  signer_cmd->add_option("--state-dir", signer.state_dir)->required();
  signer_cmd->add_option("--ca-name", signer.ca_name);
  signer_cmd->add_option("--leaf-key", signer.leaf_key)->required();
  signer_cmd->add_option("--rate", signer.rate);
  signer_cmd->add_option("--log-level", signer.log_level);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (run_cmd->parsed()) {
    if (!config_file.empty()) run.config_file = config_file;
    if (!state_dir.empty()) run.state_dir = state_dir;
    if (!access_log.empty()) run.access_log = access_log;
    if (run_cmd->count("--threads") > 0) run.threads = threads;
    if (!log_level.empty()) run.log_level = log_level;
    if (!admin_listen.empty()) run.admin_listen = admin_listen;
    if (!run_policy.empty()) run.policy_file = run_policy;
    if (!run_lists.empty()) run.lists = run_lists;
    return as_service ? run_service(run) : run_proxy(run);
  }
  if (ca_cmd->parsed()) {
    if (!ca_config.empty()) ca.config_file = ca_config;
    if (!ca_state_dir.empty()) ca.state_dir = ca_state_dir;
    if (!ca_name.empty()) ca.name = ca_name;
    if (ca_init_cmd->parsed()) return ca_init(ca);
    if (ca_export_cmd->parsed()) return ca_export(ca);
    if (ca_install_cmd->parsed()) return ca_install(ca);
    if (ca_uninstall_cmd->parsed()) return ca_uninstall(ca);
    return ca_show(ca);
  }
  if (service_cmd->parsed()) {
    if (!service_config.empty()) service.config_file = service_config;
    if (!service_state_dir.empty()) service.state_dir = service_state_dir;
    if (service_install_cmd->parsed()) return service_install(service);
    if (service_uninstall_cmd->parsed()) return service_uninstall();
    if (service_start_cmd->parsed()) return service_start();
    if (service_stop_cmd->parsed()) return service_stop();
    return service_status();
  }
  if (cap_cmd->parsed()) {
    if (!cap_config.empty()) cap.config_file = cap_config;
    if (cap_install->parsed()) return capture_install(cap);
    if (cap_remove->parsed()) return capture_remove(cap);
    return capture_show(cap);
  }
  if (url_cmd->parsed()) {
    spdlog::set_level(spdlog::level::warn);  // stdout carries the answers; stderr only trouble
    if (!check_config.empty()) check.config_file = check_config;
    if (!check_policy.empty()) check.policy_file = check_policy;
    if (!check_lists.empty()) check.lists = check_lists;
    return check_urls(check);
  }
  if (admin_cmd->parsed()) {
    if (!admin_config.empty()) admin.config_file = admin_config;
    if (!admin_state_dir.empty()) admin.state_dir = admin_state_dir;
    return admin_command(admin);
  }
  if (users_cmd->parsed()) {
    if (!users_config.empty()) users.config_file = users_config;
    if (!users_state_dir.empty()) users.state_dir = users_state_dir;
    return users_command(users);
  }
  if (bypass_cmd->parsed()) {
    if (!bypass_config.empty()) bypass.config_file = bypass_config;
    if (!bypass_state_dir.empty()) bypass.state_dir = bypass_state_dir;
    if (!bypass_for.empty()) bypass.duration = bypass_for;
    return bypass_command(bypass);
  }
  if (update_cmd->parsed()) {
    if (!update_config.empty()) update.config_file = update_config;
    if (!update_url.empty()) update.url = update_url;
    if (!update_lists.empty()) update.lists = update_lists;
    return lists_update(update);
  }
  if (lists_cmd->parsed()) return lists_stats(stats_folder);
  if (bundle_cmd->parsed()) {
    bundle.action = keygen_cmd->parsed() ? "keygen" : sign_cmd->parsed() ? "sign" : "verify";
    return bundle_command(bundle);
  }
  if (signer_cmd->parsed()) return run_signer(signer);
  if (check_cmd->parsed()) {
    auto c = load_config_file(check_file);
    if (!c) {
      fmt::print(stderr, "{}\n", c.error().context);
      return 1;
    }
    fmt::print("{}: OK\n", check_file);
    return 0;
  }
  fmt::print("{}", render_example_config());
  return 0;
}

}  // namespace warden::app
