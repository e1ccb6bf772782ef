#pragma once
// Fail closed on Windows: the filters of wfp_plan.hpp put into the Windows Filtering Platform
// (platform/windows/wfp.cpp). Linux fails closed through its own routing and nftables
// (capture/), so there these say they do not apply.

#include "base/result.hpp"
#include "platform/wfp_plan.hpp"

#include <memory>
#include <string>

namespace warden::platform {

// Adds (or replaces) the persistent and boot-time filters for `program` (warden.exe's path) and
// the service's SID; needs an administrator and an installed service.
[[nodiscard]] base::Result<void> install_fail_closed(const WfpSettings& s,
                                                     const std::string& program);
// Removes them (and Warden's provider and sublayer); nothing there is not an error.
[[nodiscard]] base::Result<void> remove_fail_closed();
// "installed" / "not installed".
[[nodiscard]] base::Result<std::string> fail_closed_status();

// The running Warden's permit for the web while it is healthy: a dynamic WFP session holding
// healthy_filters(); destroying it (or the process ending) takes the permit away.
class HealthyPermit {
 public:
  virtual ~HealthyPermit() = default;
};
[[nodiscard]] base::Result<std::unique_ptr<HealthyPermit>> open_healthy_permit(
    const WfpSettings& s);

}  // namespace warden::platform
