#include "app/bypass_watch.hpp"

#include "observe/json_text.hpp"
#include "observe/service_event.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace warden::app {
namespace {

using Clock = std::chrono::system_clock;

// The file's text; nullopt when it is not there. A bypass file is a few lines: anything large
// is read only as far as the parser needs to refuse it.
std::optional<std::string> read_small(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(16 * 1024, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

// As the access log writes its times.
std::string iso(Clock::time_point t) {
  std::string out;
  observe::append_timestamp(out, t);
  return out;
}

std::string who(const BypassGrant& g) {
  return g.group.empty() ? std::string("every client") : "group " + g.group;
}

}  // namespace

BypassWatch::BypassWatch(boost::asio::io_context& control, std::string state_dir,
                         observe::AccessLog& log, Apply apply)
    : timer_(control), state_dir_(std::move(state_dir)), log_(log), apply_(std::move(apply)) {}

void BypassWatch::start() {
  check(true);
  arm();
}

void BypassWatch::stop() { timer_.cancel(); }

void BypassWatch::arm() {
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    check(false);
    arm();
  });
}

void BypassWatch::check(bool at_start) {
  const auto now = Clock::now();
  read_changed_file(at_start, now);
  if (active_ && now >= active_->until) {
    end(*active_, "expired");
    remove_file();
  }
}

void BypassWatch::read_changed_file(bool at_start, Clock::time_point now) {
  const std::string path = bypass_file(state_dir_);
  std::optional<std::string> text = read_small(path);
  if (text == last_text_) return;
  last_text_ = text;
  if (!text) {
    if (active_) end(*active_, "ended by warden bypass --end");
    return;
  }
  auto grant = parse_bypass(*text, path);
  // A bypass's end may not lie further ahead than the longest one granted (plus clock skew).
  if (grant && grant->until - now > kMaxBypass + std::chrono::minutes(1))
    grant = base::Error{base::ErrorCode::BadRequest, base::ErrorSource::Client,
                        path + ": ends more than 24 hours from now"};
  if (!grant) {
    spdlog::error("bypass refused, filtering stays on: {}", grant.error().context);
    if (active_) end(*active_, "its file became invalid");
    return;
  }
  if (grant->until <= now) {
    if (active_ && *active_ == *grant) return;  // expiry is check()'s
    if (active_) end(*active_, "replaced by one that has already expired");
    if (at_start) {
      end(*grant, "expired while Warden was not running");
      remove_file();
    } else {
      spdlog::warn("bypass ({}) had ended at {} when Warden read it; filtering stays on",
                   grant->reason, format_utc(grant->until));
    }
    return;
  }
  if (active_ && *active_ == *grant) return;
  if (active_) end(*active_, "replaced by a new bypass");
  begin(*grant, at_start);
}

void BypassWatch::begin(const BypassGrant& g, bool resumed) {
  active_ = g;
  apply_(policy::Bypass{g.group, g.until});
  spdlog::warn("bypass {}: {} is not filtered until {} ({}; by {})",
               resumed ? "resumed" : "started", who(g), format_utc(g.until), g.reason, g.by);
  observe::ServiceEvent e{.event = "bypass_start",
                          .fields = {{"group", g.group},
                                     {"until", iso(g.until)},
                                     {"reason", g.reason},
                                     {"by", g.by},
                                     {"started", iso(g.started)}}};
  if (resumed) e.fields.emplace_back("resumed", "after a restart");
  log_.submit_event(e);
}

// `g` by value: it is often *active_, which ending it resets.
void BypassWatch::end(BypassGrant g, std::string why) {
  if (active_ && *active_ == g) {
    active_.reset();
    apply_(std::nullopt);
  }
  spdlog::warn("bypass ended ({}): {} is filtered again", why, who(g));
  log_.submit_event({.event = "bypass_end",
                     .fields = {{"group", g.group},
                                {"until", iso(g.until)},
                                {"reason", g.reason},
                                {"why", std::move(why)}}});
}

void BypassWatch::remove_file() {
  const std::string path = bypass_file(state_dir_);
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) spdlog::error("cannot remove {}: {}", path, ec.message());
  last_text_ = read_small(path);
}

}  // namespace warden::app
