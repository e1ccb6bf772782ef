#include "platform/process_usage.hpp"

// clang-format off
#include <windows.h>
#include <psapi.h>
// clang-format on

namespace warden::platform {
namespace {

std::uint64_t ticks(const FILETIME& t) {  // 100 ns units
  return (static_cast<std::uint64_t>(t.dwHighDateTime) << 32) | t.dwLowDateTime;
}

}  // namespace

std::optional<ProcessUsage> process_usage() {
  ProcessUsage u;
  HANDLE self = GetCurrentProcess();
  PROCESS_MEMORY_COUNTERS memory{};
  if (GetProcessMemoryInfo(self, &memory, sizeof memory) == 0) return std::nullopt;
  u.resident_bytes = memory.WorkingSetSize;
  DWORD handles = 0;
  if (GetProcessHandleCount(self, &handles) != 0) u.open_fds = handles;
  FILETIME created{};
  FILETIME exited{};
  FILETIME kernel{};
  FILETIME user{};
  if (GetProcessTimes(self, &created, &exited, &kernel, &user) == 0) return std::nullopt;
  u.cpu_seconds = static_cast<double>(ticks(kernel) + ticks(user)) / 1e7;
  // FILETIME counts from 1601; the Unix epoch is 11644473600 s later.
  u.start_time = static_cast<double>(ticks(created)) / 1e7 - 11644473600.0;
  return u;
}

}  // namespace warden::platform
