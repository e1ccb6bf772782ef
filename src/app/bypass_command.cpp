#include "app/bypass_command.hpp"

#include "app/bypass_file.hpp"
#include "app/duration.hpp"
#include "app/run.hpp"
#include "platform/files.hpp"
#include "platform/os.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace warden::app {
namespace {

using Clock = std::chrono::system_clock;

int fail(std::string_view why) {
  fmt::print(stderr, "warden bypass: {}\n", why);
  return 1;
}

// Who asked, as well as a command can tell: the administrator, and who became one through sudo.
std::string requester() {
  const char* user = std::getenv("USER");
  if (user == nullptr) user = std::getenv("USERNAME");
  std::string by = user != nullptr && *user != '\0' ? user : "an administrator";
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0')
    by += fmt::format(" (sudo: {})", sudo);
  return by;
}

int show(const std::string& path) {
  std::error_code ec;
  const bool there = std::filesystem::exists(path, ec);
  if (ec) return fail(fmt::format("cannot look at {}: {} (root can)", path, ec.message()));
  if (!there) {
    fmt::print("No bypass: filtering is on for everyone.\n");
    return 0;
  }
  std::ifstream in(path);
  if (!in) return fail(fmt::format("cannot read {} (root can)", path));
  std::stringstream text;
  text << in.rdbuf();
  auto g = parse_bypass(text.str(), path);
  if (!g) return fail(g.error().context);
  const auto now = Clock::now();
  if (g->until <= now) {
    fmt::print("No bypass: the last one ended at {}.\n", format_utc(g->until));
    return 0;
  }
  fmt::print("Bypass in force for {} until {} ({} min left): {} (by {}).\n",
             g->group.empty() ? std::string("every client") : "group " + g->group,
             format_utc(g->until),
             std::chrono::duration_cast<std::chrono::minutes>(g->until - now).count() + 1,
             g->reason, g->by);
  return 0;
}

// Written beside the file and renamed over it: Warden reads the old or the new, never half.
int write(const std::string& state_dir, const BypassGrant& g) {
  std::string warning;
  const std::string folder = bypass_folder(state_dir);
  if (auto ok = platform::ensure_private_folder(folder, warning); !ok)
    return fail(ok.error().context);
  if (auto ok = platform::give_to_folder_owner(folder, state_dir); !ok)
    return fail(ok.error().context);
  const std::string path = bypass_file(state_dir);
  const std::string next = path + ".new";
  if (auto ok =
          platform::write_new_file(next, render_bypass(g), platform::FileAccess::OwnerOnly, true);
      !ok)
    return fail(ok.error().context);
  if (auto ok = platform::give_to_folder_owner(next, state_dir); !ok)
    return fail(ok.error().context);
  std::error_code ec;
  std::filesystem::rename(next, path, ec);
  if (ec) return fail(fmt::format("cannot write {}: {}", path, ec.message()));
  return 0;
}

}  // namespace

int bypass_command(const BypassOptions& o) {
  auto state_dir = state_dir_for(o.config_file, o.state_dir);
  if (!state_dir) return fail(state_dir.error().context);
  const std::string path = bypass_file(*state_dir);
  if (!o.duration && !o.end) return show(path);
  if (!platform::running_as_administrator())
    return fail("only root (an administrator) may switch filtering off or on");
  if (o.end) {
    std::error_code ec;
    if (!std::filesystem::remove(path, ec)) {
      if (ec) return fail(fmt::format("cannot remove {}: {}", path, ec.message()));
      fmt::print("No bypass was in force.\n");
      return 0;
    }
    fmt::print("Bypass ended: the running Warden filters everyone again within a second.\n");
    return 0;
  }
  const auto length = parse_duration(*o.duration);
  if (!length || length->count() <= 0)
    return fail(fmt::format("--for {}: expected a duration such as 15m or 1h", *o.duration));
  if (*length > kMaxBypass)
    return fail(
        fmt::format("--for {}: a bypass lasts at most {} hours", *o.duration, kMaxBypass.count()));
  BypassGrant g;
  g.group = o.group;
  g.reason = o.reason;
  g.by = requester();
  const auto now = Clock::now();
  g.started = std::chrono::floor<std::chrono::seconds>(now);
  g.until = std::chrono::ceil<std::chrono::seconds>(now + *length);
  // What Warden would refuse, refused here first, in the same words.
  if (auto checked = parse_bypass(render_bypass(g), "--reason/--group"); !checked)
    return fail(checked.error().context);
  if (int rc = write(*state_dir, g); rc != 0) return rc;
  fmt::print(
      "Bypass written: {} is not filtered until {}.\n"
      "The running Warden starts it within a second and logs its start and end (journal and "
      "access log). End it early with `warden bypass --end`.\n",
      g.group.empty() ? std::string("every client") : "group " + g.group, format_utc(g.until));
  return 0;
}

}  // namespace warden::app
