#include "capture/rule_installer.hpp"

#include "capture/command.hpp"
#include "capture/nft_rules.hpp"
#include "capture/tun_routing.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace warden::capture {
namespace {

base::Error failure(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

// What a failed nft or ip run means, for a person.
std::string explain(const std::vector<std::string>& argv, const CommandResult& r) {
  if (r.not_found)
    return fmt::format("{} is not installed (Debian: apt-get install {})", argv[0],
                       argv[0] == "nft" ? "nftables" : "iproute2");
  std::string why = r.output;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  if (why.find("Operation not permitted") != std::string::npos)
    why += " (capture needs CAP_NET_ADMIN: run Warden as root or grant it the capability)";
  return fmt::format("`{}` failed: {}", fmt::join(argv, " "), why);
}

base::Result<void> run_ip(const std::vector<std::string>& argv, bool tolerate_absent) {
  const CommandResult r = run_command(argv);
  if (r.exit_code == 0) return {};
  // Deleting what is not there, or adding what already is, leaves the wanted state.
  if (tolerate_absent && !r.not_found &&
      (r.output.find("No such") != std::string::npos ||
       r.output.find("File exists") != std::string::npos ||
       r.output.find("not found") != std::string::npos ||
       r.output.find("does not exist") != std::string::npos ||
       r.output.find("already assigned") != std::string::npos))
    return {};
  return failure(explain(argv, r));
}

// Each `ip rule del pref N` removes one rule of that priority: repeated until none is left.
void remove_tun_routing(const CaptureSettings& s) {
  for (const auto& cmd : tun_routing_removal(s)) {
    const bool rule = cmd.size() > 3 && cmd[2] == "rule";
    for (int i = 0; i < (rule ? 1000 : 1); ++i)
      if (run_command(cmd).exit_code != 0) break;
  }
}

}  // namespace

bool uses_nft_table(const CaptureSettings& s) {
  return s.has(CaptureMode::Redirect) || s.has(CaptureMode::Tproxy) || s.has(CaptureMode::Local);
}

base::Result<void> install_capture_rules(const CaptureSettings& s) {
  if (s.has(CaptureMode::Tun)) {
    remove_tun_routing(s);  // what a stopped Warden left (fail closed) goes first: one copy
    // (The device's addresses go with the device, not with the routing: when the routing is
    // put back under a running Warden, they are still there.)
    for (const auto& cmd : tun_routing_commands(s)) {
      const bool address = std::find(cmd.begin(), cmd.end(), "addr") != cmd.end();
      if (auto ok = run_ip(cmd, address); !ok) return ok;
    }
  }
  if (!uses_nft_table(s)) return {};
  const std::vector<std::string> nft = {"nft", "-f", "-"};
  const CommandResult r = run_command(nft, render_nft_ruleset(s));
  if (r.exit_code != 0) return failure(explain(nft, r));
  // The routing is added after any left over from an earlier run is gone, so there is one copy.
  for (const auto& cmd : tproxy_routing_commands(s, false)) (void)run_ip(cmd, true);
  for (const auto& cmd : tproxy_routing_commands(s, true))
    if (auto ok = run_ip(cmd, true); !ok) return ok;
  return {};
}

base::Result<void> remove_capture_rules(const CaptureSettings& s) {
  remove_tun_routing(s);
  const std::vector<std::string> nft = {"nft", "-f", "-"};
  const CommandResult r = run_command(nft, render_nft_removal());
  // (Without nftables installed there is no table to remove, unless a mode needs one.)
  if (r.exit_code != 0 && !(r.not_found && !uses_nft_table(s))) return failure(explain(nft, r));
  // tproxy's routing goes whatever the config says now (it may have changed since install).
  CaptureSettings routing = s;
  routing.modes = {CaptureMode::Tproxy};
  for (const auto& cmd : tproxy_routing_commands(routing, false))
    if (auto ok = run_ip(cmd, true); !ok) return ok;
  return {};
}

base::Result<std::optional<std::string>> installed_table() {
  const std::vector<std::string> nft = {"nft", "list", "table", "inet", std::string(kTableName)};
  const CommandResult r = run_command(nft);
  if (r.exit_code == 0) return std::optional<std::string>(r.output);
  if (r.output.find("No such file") != std::string::npos) return std::optional<std::string>();
  return failure(explain(nft, r));
}

base::Result<std::string> installed_routing(const CaptureSettings& s) {
  const bool tun = s.has(CaptureMode::Tun);
  if (!tun && !s.has(CaptureMode::Tproxy)) return std::string();
  const std::string table = std::to_string(tun ? s.tun_table : s.route_table);
  // Warden's rules: tproxy's carry its fwmark, tun's have their own priorities.
  const std::string mark = fmt::format("fwmark {:#x} ", s.tproxy_mark);
  auto ours = [&](std::string_view line) {
    if (!tun) return line.find(mark) != std::string_view::npos;
    unsigned pref = 0;
    for (const char c : line.substr(0, line.find(':')))
      pref = c >= '0' && c <= '9' ? pref * 10 + static_cast<unsigned>(c - '0') : 0;
    return pref >= kTunRuleFirst && pref <= kTunRuleLast;
  };
  std::string out;
  // Each non-empty line of `text` that `keep` takes, with `label` before it.
  auto add = [&out](std::string_view text, const std::string& label, auto keep) {
    while (!text.empty()) {
      const std::size_t end = std::min(text.find('\n'), text.size());
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(std::min(end + 1, text.size()));
      if (line.empty() || !keep(line)) continue;
      std::string spaced(line);  // `ip rule` puts a tab after the priority
      std::replace(spaced.begin(), spaced.end(), '\t', ' ');
      out += fmt::format("{}: {}\n", label, spaced);
    }
  };
  for (const std::string family : {"4", "6"}) {
    const std::vector<std::string> rules = {"ip", "-" + family, "rule", "show"};
    const CommandResult r = run_command(rules);
    if (r.exit_code != 0) return failure(explain(rules, r));
    add(r.output, "ipv" + family + " rule", ours);
    const std::vector<std::string> routes = {"ip", "-" + family, "route", "show", "table", table};
    const CommandResult t = run_command(routes);
    // With its last route gone the kernel forgets the table: that is a change, not an error.
    if (t.exit_code != 0 && t.output.find("does not exist") == std::string::npos)
      return failure(explain(routes, t));
    if (t.exit_code == 0)
      add(t.output, "ipv" + family + " route table " + table,
          [](std::string_view) { return true; });
  }
  return out;
}

base::Result<std::string> show_capture_rules() {
  auto table = installed_table();
  if (!table) return table.error();
  return table->value_or("# table inet warden is not installed\n");
}

}  // namespace warden::capture
