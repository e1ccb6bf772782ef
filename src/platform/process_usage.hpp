#pragma once
// What this process uses, for the metrics page (process_* in Prometheus' naming): memory,
// open files (handles on Windows), CPU time, and when it started.

#include <cstdint>
#include <optional>

namespace warden::platform {

struct ProcessUsage {
  std::uint64_t resident_bytes = 0;
  std::uint64_t open_fds = 0;  // file descriptors; on Windows, handles
  double cpu_seconds = 0;      // user and system
  double start_time = 0;       // seconds since the Unix epoch
};

// Empty when the OS would not say.
[[nodiscard]] std::optional<ProcessUsage> process_usage();

}  // namespace warden::platform
