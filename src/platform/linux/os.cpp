#include "platform/os.hpp"

#include <csignal>
#include <malloc.h>
#include <pthread.h>
#include <pwd.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace warden::platform {

std::optional<std::uint32_t> user_id(const std::string& name) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr)
    return std::nullopt;
  return static_cast<std::uint32_t>(found->pw_uid);
}

std::tm local_time(std::time_t t) {
  std::tm out{};
  ::localtime_r(&t, &out);
  return out;
}

void prepare_process() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
  }
  std::signal(SIGPIPE, SIG_IGN);
  // A fixed threshold: blocks of 1 MiB and more (a policy's name arena and table) are mapped
  // apart and go back to the system when a replaced policy is freed. glibc's own threshold
  // rises to the size of the first such block freed, and the next policy's would then stay in
  // its heap after they are freed: a process that doubles after one reload.
  (void)::mallopt(M_MMAP_THRESHOLD, 1 << 20);
}

std::optional<int> reload_signal() { return SIGHUP; }
std::optional<int> debug_signal() { return SIGUSR2; }

std::optional<std::string> compatibility_layer() { return std::nullopt; }

void set_thread_name(const char* name) { ::pthread_setname_np(::pthread_self(), name); }

bool running_as_administrator() { return ::geteuid() == 0; }

}  // namespace warden::platform
