#pragma once
// Request ids: short, unique within a process lifetime and unlikely to repeat across restarts,
// cheap to make on a worker (no locks, no syscalls). Printed on error pages so a pupil can quote
// it and the IT person can find the access-log line.

#include <cstdint>
#include <string>

namespace warden::base {

// One generator per worker thread; not thread-safe by design.
class RequestIdGenerator {
 public:
  // `process_salt` is random per process start; `worker` distinguishes threads.
  RequestIdGenerator(std::uint32_t process_salt, unsigned worker);

  // e.g. "5f3a9c12-1-00000042"
  [[nodiscard]] std::string next();

 private:
  std::uint32_t salt_;
  unsigned worker_;
  std::uint64_t counter_ = 0;
};

// A random 32-bit value from the OS for the process salt.
[[nodiscard]] std::uint32_t random_process_salt();

}  // namespace warden::base
