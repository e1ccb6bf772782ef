#include "platform/process_usage.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace warden::platform {
namespace {

// /proc/stat's btime: when the machine booted, in seconds since the epoch.
std::optional<double> boot_time() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = 0;
      if (in >> t) return t;
      return std::nullopt;
    }
    in.ignore(1 << 16, '\n');
  }
  return std::nullopt;
}

}  // namespace

std::optional<ProcessUsage> process_usage() {
  ProcessUsage u;
  const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const auto page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0;
    std::uint64_t resident = 0;
    if (!(statm >> size >> resident)) return std::nullopt;
    u.resident_bytes = resident * page;
  }
  {
    // Fields after the command (which may hold spaces and parentheses): from the last ')'.
    std::ifstream stat("/proc/self/stat");
    const std::string line((std::istreambuf_iterator<char>(stat)), {});
    const auto close = line.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(line.substr(close + 2));
    std::string f;
    double utime = 0;
    double stime = 0;
    double start = 0;
    for (int i = 3; fields >> f; ++i) {  // field 3 is the state
      if (i == 14) utime = std::stod(f);
      if (i == 15) stime = std::stod(f);
      if (i == 22) {
        start = std::stod(f);
        break;
      }
    }
    u.cpu_seconds = (utime + stime) / ticks;
    if (auto boot = boot_time()) u.start_time = *boot + start / ticks;
  }
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++u.open_fds;
  return u;
}

}  // namespace warden::platform
