#pragma once
// What `warden service install` asks of Windows' service control manager, as data, so it can be
// checked on any OS (platform/windows/service.cpp makes the calls; Wine ignores the DACL and the
// failure actions, docs/windows.md).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace warden::platform {

inline constexpr std::string_view kServiceName = "Warden";
inline constexpr std::string_view kServiceDisplayName = "Warden web filter";
inline constexpr std::string_view kServiceDescription =
    "Filters this device's web traffic for the school (captures it, decrypts it with the "
    "school CA, applies the school's policy).";

// The service's DACL (SDDL, protected: nothing inherited). SYSTEM and Administrators may do
// everything; every other signed-in user (AU) may only read its configuration and status:
// not start (RP), stop (WP), pause (DT), reconfigure (DC), send it controls (CR), delete it
// (SD) or change who may (WD, WO). The rights letters are Microsoft's service-rights aliases.
inline constexpr std::string_view kServiceSddl =
    "D:P(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;SY)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;BA)"
    "(A;;CCLCSWLORC;;;AU)";

// Recovery: restart at once, then after 5 s, then (and from then on) after 30 s; the count of
// failures starts again after a day without one. Also on a non-crash failure (a non-zero exit
// reported as SERVICE_STOPPED).
struct ServiceRecovery {
  std::vector<std::chrono::milliseconds> restart_delays{
      std::chrono::milliseconds(0), std::chrono::seconds(5), std::chrono::seconds(30)};
  std::chrono::seconds reset_period = std::chrono::hours(24);
};

// How long Windows waits at shutdown for Warden's drain (SERVICE_CONTROL_PRESHUTDOWN).
inline constexpr std::chrono::milliseconds kPreshutdownTimeout = std::chrono::seconds(15);

// One argument as the command line must carry it for CommandLineToArgvW (and the C runtime) to
// give it back unchanged: quoted when it has spaces, tabs or quotes or is empty, with
// backslashes doubled only before a quote.
[[nodiscard]] std::string quote_command_argument(std::string_view arg);
// The service's command line: the program and its arguments, each quoted as needed.
[[nodiscard]] std::string command_line(const std::vector<std::string>& args);

}  // namespace warden::platform
