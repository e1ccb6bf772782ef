#include "app/bypass_file.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>
#include <sstream>

namespace warden::app {
namespace {

using Clock = std::chrono::system_clock;

base::Error bad(const std::string& source, std::string_view why) {
  return {base::ErrorCode::BadRequest, base::ErrorSource::Client,
          fmt::format("{}: {}", source, why)};
}

// Printable text of at most `max` bytes (UTF-8 allowed, control characters not).
bool plain_text(std::string_view s, std::size_t max) {
  if (s.size() > max) return false;
  for (const char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  return true;
}

std::int64_t seconds(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

std::string bypass_folder(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "bypass").string();
}

std::string bypass_file(const std::string& state_dir) {
  return (std::filesystem::path(bypass_folder(state_dir)) / "bypass.toml").string();
}

std::string format_utc(Clock::time_point t) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", std::chrono::floor<std::chrono::seconds>(t));
}

std::string render_bypass(const BypassGrant& g) {
  toml::table t{{"reason", g.reason},
                {"by", g.by},
                {"started", seconds(g.started)},
                {"until", seconds(g.until)}};
  if (!g.group.empty()) t.insert("group", g.group);
  std::stringstream out;
  out << "# Written by `warden bypass`; the running Warden reads it every second.\n"
      << fmt::format("# {} until {} (below: seconds since 1970)\n", format_utc(g.started),
                     format_utc(g.until))
      << t << "\n";
  return out.str();
}

base::Result<BypassGrant> parse_bypass(std::string_view text, const std::string& source) {
  toml::table t;
  try {
    t = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return bad(source, fmt::format("line {}: {}", e.source().begin.line, e.description()));
  }
  BypassGrant g;
  for (const auto& [key, value] : t) {
    const std::string_view k = key.str();
    if (k == "group" || k == "reason" || k == "by") {
      const auto* s = value.as_string();
      if (s == nullptr || !plain_text(s->get(), k == "reason" ? 500 : 100))
        return bad(source, fmt::format("{}: expected a line of text", k));
      (k == "group" ? g.group : k == "reason" ? g.reason : g.by) = s->get();
    } else if (k == "started" || k == "until") {
      const auto* i = value.as_integer();
      if (i == nullptr || i->get() < 0)
        return bad(source, fmt::format("{}: expected seconds since 1970", k));
      (k == "started" ? g.started : g.until) = Clock::time_point(std::chrono::seconds(i->get()));
    } else {
      return bad(source, fmt::format("unknown key {}", k));
    }
  }
  if (g.reason.empty()) return bad(source, "reason is required");
  if (!t.contains("started") || !t.contains("until"))
    return bad(source, "started and until are required");
  if (g.until <= g.started) return bad(source, "until is not after started");
  if (g.until - g.started > kMaxBypass)
    return bad(source, fmt::format("a bypass lasts at most {} hours", kMaxBypass.count()));
  return g;
}

}  // namespace warden::app
