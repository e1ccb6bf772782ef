#include "capture/rule_installer.hpp"

#include <fmt/format.h>

// Windows has neither nftables nor Linux policy routing: redirect, tproxy, local and tun do not
// exist there. Its capture, windivert, needs no rules of its own: the WinDivert handle the
// packet path holds is the capture, and it ends with the process. What keeps the web closed
// while Warden is not running is the WFP filters `warden service install` adds
// (platform/windows/wfp_filters, docs/windows.md).

namespace warden::capture {

base::Result<void> install_capture_rules(const CaptureSettings& s) {
  for (auto m : s.modes)
    if (m != CaptureMode::WinDivert)
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         fmt::format("capture.mode {} is Linux's (nftables or policy routing); on "
                                     "Windows use windivert (docs/windows.md)",
                                     capture_mode_name(m))};
  return {};
}

base::Result<void> remove_capture_rules(const CaptureSettings&) { return {}; }

base::Result<std::string> show_capture_rules() {
  return std::string(
      "# windivert: no rules; the WinDivert handle is the capture, and the WFP "
      "filters are `warden service status`'s\n");
}

bool uses_nft_table(const CaptureSettings&) { return false; }

base::Result<std::optional<std::string>> installed_table() { return std::optional<std::string>(); }

base::Result<std::string> installed_routing(const CaptureSettings&) { return std::string(); }

}  // namespace warden::capture
