#pragma once
// What Warden asks of the operating system beyond the standard library and Asio, in one small
// interface; platform/linux/os.cpp and platform/windows/os.cpp answer (CMake builds the one for
// the target). No other layer includes an OS header for these.
//
// Thread safety: every function is safe to call from any thread.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

namespace warden::platform {

// The local user `name` as the numeric id capture reports (Linux: the uid). Windows: nullopt
// (its users are SIDs, which capture does not report yet).
[[nodiscard]] std::optional<std::uint32_t> user_id(const std::string& name);

// `t` broken down in the local time zone (localtime_r / localtime_s).
[[nodiscard]] std::tm local_time(std::time_t t);

// Names the calling thread (as top and a debugger show it); at most 15 characters count.
void set_thread_name(const char* name);

}  // namespace warden::platform
