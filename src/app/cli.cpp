#include "app/cli.hpp"

#include "app/config.hpp"
#include "app/run.hpp"
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

  std::string check_file;
  auto* check_cmd = app.add_subcommand("check-config", "Check a config file and exit (0: valid).");
  check_cmd->add_option("file", check_file, "TOML config file")->required();

  app.add_subcommand("example-config",
                     "Print a config file documenting every key with its default.");

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
    return run_proxy(run);
  }
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
