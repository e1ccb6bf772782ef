#include "app/capture_command.hpp"

#include "app/run.hpp"
#include "capture/nft_rules.hpp"
#include "capture/rule_installer.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace warden::app {
namespace {

std::optional<Config> config_for(const CaptureCommandOptions& o) {
  RunOptions run;
  run.config_file = o.config_file;
  run.capture_modes = o.modes;
  auto c = build_config(run);
  if (!c) {
    fmt::print(stderr, "warden capture: {}\n", c.error().context);
    return std::nullopt;
  }
  return std::move(*c);
}

}  // namespace

int capture_install(const CaptureCommandOptions& o) {
  auto c = config_for(o);
  if (!c) return 1;
  if (c->capture.modes.empty()) {
    fmt::print(stderr, "warden capture install: no capture mode (capture.mode, or --capture)\n");
    return 2;
  }
  if (auto ok = capture::install_capture_rules(c->capture); !ok) {
    fmt::print(stderr, "warden capture install: {}\n", ok.error().context);
    return 1;
  }
  fmt::print("installed table inet {}\n", capture::kTableName);
  return 0;
}

int capture_remove(const CaptureCommandOptions& o) {
  auto c = config_for(o);
  if (!c) return 1;
  if (auto ok = capture::remove_capture_rules(c->capture); !ok) {
    fmt::print(stderr, "warden capture remove: {}\n", ok.error().context);
    return 1;
  }
  fmt::print("removed table inet {}\n", capture::kTableName);
  return 0;
}

int capture_show(const CaptureCommandOptions& o) {
  if (o.planned) {
    auto c = config_for(o);
    if (!c) return 1;
    fmt::print("{}", capture::render_nft_ruleset(c->capture));
    for (const auto& cmd : capture::tproxy_routing_commands(c->capture, true))
      fmt::print("# and: {}\n", fmt::join(cmd, " "));
    return 0;
  }
  auto shown = capture::show_capture_rules();
  if (!shown) {
    fmt::print(stderr, "warden capture show: {}\n", shown.error().context);
    return 1;
  }
  fmt::print("{}", *shown);
  return 0;
}

}  // namespace warden::app
