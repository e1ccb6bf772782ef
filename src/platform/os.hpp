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

// The local user `name` as the numeric id capture reports (Linux: the uid; Windows: the RID, the
// last part of the account's SID, as platform::local_socket_owner reports it).
[[nodiscard]] std::optional<std::uint32_t> user_id(const std::string& name);

// `t` broken down in the local time zone (localtime_r / localtime_s).
[[nodiscard]] std::tm local_time(std::time_t t);

// Readies the process for many connections and for reloads: Linux raises the open-file limit to
// its hard limit, ignores SIGPIPE (a write to a closed socket is an error value, not death) and
// fixes glibc's mmap threshold (a replaced policy's memory goes back to the system). Windows
// needs none of it (its heap maps large blocks apart by itself).
void prepare_process();

// The signal that asks a running Warden to reload its config and policy and reopen its log
// (SIGHUP); nullopt where the OS has none (Windows: the policy watch still reloads the policy;
// config changes take a restart).
[[nodiscard]] std::optional<int> reload_signal();
// The signal of the test-only hooks (WARDEN_DEBUG_HOOKS=1: SIGUSR2 freezes a worker, to prove
// the service watchdog); nullopt where the OS has none.
[[nodiscard]] std::optional<int> debug_signal();

// "Wine 8.0" when this Windows program runs under Wine (which lacks WFP, WinDivert's driver and
// socket owners), nullopt on Windows itself and on Linux. For messages and tests' reasons.
[[nodiscard]] std::optional<std::string> compatibility_layer();

// Whether this process acts as the machine's administrator: Linux root (effective uid 0),
// Windows an elevated token. Commands that switch filtering off ask it (warden bypass).
[[nodiscard]] bool running_as_administrator();

// Names the calling thread (as top and a debugger show it); at most 15 characters count.
void set_thread_name(const char* name);

}  // namespace warden::platform
