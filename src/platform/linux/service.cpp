#include "platform/service.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace warden::platform {
namespace {

base::Error not_here() {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          "`warden service` is for Windows' service control manager; on Linux let systemd run "
          "`warden run` (Restart=always)"};
}

}  // namespace

base::Result<void> install_service(const std::vector<std::string>&) { return not_here(); }
base::Result<void> uninstall_service() { return not_here(); }
base::Result<void> start_service(std::chrono::seconds) { return not_here(); }
base::Result<void> stop_service(std::chrono::seconds) { return not_here(); }
base::Result<std::string> service_status() { return not_here(); }

int run_as_service(const std::function<int()>&) {
  fmt::print(stderr, "warden: {}\n", not_here().context);
  return 1;
}

void report_service_event(bool, const std::string&) {}

std::string this_program() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).string();
}

}  // namespace warden::platform
