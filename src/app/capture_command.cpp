#include "app/capture_command.hpp"

#include "app/run.hpp"
#include "capture/nft_rules.hpp"
#include "capture/rule_installer.hpp"
#include "capture/tun_routing.hpp"

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
  if (c->capture.has(capture::CaptureMode::Tun)) {
    fmt::print(stderr,
               "warden capture install: tun mode's device exists only while `warden run` runs, "
               "which installs its routing itself\n");
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
    const capture::CaptureSettings& s = c->capture;
    if (s.has(capture::CaptureMode::Redirect) || s.has(capture::CaptureMode::Tproxy) ||
        s.has(capture::CaptureMode::Local))
      fmt::print("{}", capture::render_nft_ruleset(s));
    for (const auto& cmd : capture::tproxy_routing_commands(s, true))
      fmt::print("# and: {}\n", fmt::join(cmd, " "));
    if (s.has(capture::CaptureMode::Tun)) {
      fmt::print("# tun: Warden creates TUN device {}, then:\n", s.tun_name);
      for (const auto& cmd : capture::tun_routing_commands(s))
        fmt::print("{}\n", fmt::join(cmd, " "));
    }
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
