#include "platform/wfp.hpp"

namespace warden::platform {
namespace {

base::Error not_here() {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          "the Windows Filtering Platform is Windows'; on Linux capture fails closed through "
          "its routing and nftables rules (capture.fail)"};
}

}  // namespace

base::Result<void> install_fail_closed(const WfpSettings&, const std::string&) {
  return not_here();
}
base::Result<void> remove_fail_closed() { return not_here(); }
base::Result<std::string> fail_closed_status() { return not_here(); }
base::Result<std::unique_ptr<HealthyPermit>> open_healthy_permit(const WfpSettings&) {
  return not_here();
}

}  // namespace warden::platform
