#include "capture/rule_installer.hpp"

// Windows has neither nftables nor Linux policy routing: the nft and tproxy modes do not exist
// there, and the packet path's fail-closed rules are WFP filters, which this build does not
// install yet (docs/windows.md). Each call says so instead of pretending.

namespace warden::capture {
namespace {

base::Error unavailable() {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          "transparent capture on Windows is WinDivert's packet path with WFP fail-closed "
          "filters, which this build does not have yet; run Warden as an explicit proxy "
          "(docs/windows.md)"};
}

}  // namespace

base::Result<void> install_capture_rules(const CaptureSettings&) { return unavailable(); }

base::Result<void> remove_capture_rules(const CaptureSettings&) { return {}; }

base::Result<std::string> show_capture_rules() { return unavailable(); }

}  // namespace warden::capture
