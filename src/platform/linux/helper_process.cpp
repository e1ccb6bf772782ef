#include "platform/helper_process.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <poll.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace warden::platform {
namespace {

base::Error os_error(std::string what, int err = errno) {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     std::move(what) + ": " + std::strerror(err)};
}

}  // namespace

MessageChannel& MessageChannel::operator=(MessageChannel&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

MessageChannel::~MessageChannel() {
  if (fd_ >= 0) ::close(fd_);
}

base::Result<void> MessageChannel::send(std::string_view message) {
  while (::send(fd_, message.data(), message.size(), MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return os_error("the channel to the helper");
  }
  return {};
}

base::Result<std::optional<std::string>> MessageChannel::receive(
    std::size_t max_size, std::optional<std::chrono::milliseconds> timeout) {
  if (timeout) {
    pollfd p{fd_, POLLIN, 0};
    int ready = 0;
    while ((ready = ::poll(&p, 1, static_cast<int>(timeout->count()))) < 0) {
      if (errno != EINTR) return os_error("waiting on the helper's channel");
    }
    if (ready == 0) return std::optional<std::string>{};
  }
  std::string message(max_size + 1, '\0');
  ssize_t n = 0;
  while ((n = ::recv(fd_, message.data(), message.size(), MSG_TRUNC)) < 0) {
    if (errno != EINTR) return os_error("the helper's channel");
  }
  if (n == 0)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "the other end of the channel is gone"};
  message.resize(std::min(static_cast<std::size_t>(n), max_size + 1));
  return std::optional<std::string>(std::move(message));
}

base::Result<std::pair<MessageChannel, MessageChannel>> channel_pair() {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0)
    return os_error("cannot create a channel");
  return std::pair{MessageChannel(pair[0]), MessageChannel(pair[1])};
}

base::Result<HelperProcess> start_helper_process(const std::vector<std::string>& args) {
  auto pair = channel_pair();
  if (!pair) return pair.error();
  // Everything the child needs is ready before fork: it only dup2s and execs.
  // This very program (even if a package upgrade replaced the file since), named as ever.
  const char* self = "/proc/self/exe";
  std::vector<char*> argv;
  std::string name = "warden";
  argv.push_back(name.data());
  std::vector<std::string> copies = args;
  for (auto& a : copies) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int child_end = pair->second.native_handle();
  const pid_t pid = ::fork();
  if (pid < 0) return os_error("cannot start a helper process");
  if (pid == 0) {
    // The new program gets no capability through the ambient set (a service's unit grants it).
    (void)::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    // (dup2 clears close-on-exec; onto itself it would not, when stdin was closed.)
    if (child_end == STDIN_FILENO ? ::fcntl(child_end, F_SETFD, 0) < 0
                                  : ::dup2(child_end, STDIN_FILENO) < 0)
      ::_exit(127);
    ::execv(self, argv.data());
    ::_exit(127);
  }
  return HelperProcess{std::move(pair->first), pid};
}

MessageChannel helper_channel() { return MessageChannel(STDIN_FILENO); }

bool helper_processes_available() { return true; }

int supervise(const std::function<int()>& child, std::string_view what, int give_up_code) {
  auto pause = std::chrono::milliseconds(100);
  for (;;) {
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid < 0) {
      fmt::print(stderr, "warden: cannot start the {}: {}\n", what, std::strerror(errno));
      return give_up_code;
    }
    if (pid == 0) quick_exit_process(child());
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
      if (errno != EINTR) return give_up_code;
    }
    if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == give_up_code))
      return WEXITSTATUS(status);
    // It lived a while: a new death, not a crash loop.
    if (std::chrono::steady_clock::now() - started > std::chrono::seconds(10))
      pause = std::chrono::milliseconds(100);
    const std::string how = WIFSIGNALED(status)
                                ? fmt::format("was killed by signal {} ({})", WTERMSIG(status),
                                              ::strsignal(WTERMSIG(status)))
                                : fmt::format("exited with code {}", WEXITSTATUS(status));
    fmt::print(stderr, "warden: the {} {}; starting it again in {} ms\n", what, how, pause.count());
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(5000));
  }
}

void quick_exit_process(int code) { ::_exit(code); }

base::Result<void> protect_process_memory() {
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return os_error("prctl(PR_SET_DUMPABLE)");
  return {};
}

base::Result<void> drop_capabilities() {
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    return os_error("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct held[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capget, &header, held) != 0) return os_error("capget");
  // Started without ambient ones as a user, it holds none (a service's filter may refuse
  // capset); as root it holds them all. (An inheritable one alone grants nothing without file
  // capabilities, which no_new_privs ignores.)
  if (std::all_of(std::begin(held), std::end(held), [](const __user_cap_data_struct& d) {
        return d.effective == 0 && d.permitted == 0;
      }))
    return {};
  __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3]{};
  if (::syscall(SYS_capset, &header, none) != 0) return os_error("capset");
  return {};
}

base::Result<void> allow_only_signing_syscalls() {
  // What OpenSSL's signing, the allocator, the sanitizers' runtime and logging to stderr use.
  static constexpr const char* kAllowed[] = {"read",
                                             "write",
                                             "readv",
                                             "writev",
                                             "recvfrom",
                                             "recvmsg",
                                             "sendto",
                                             "sendmsg",
                                             "close",
                                             "exit",
                                             "exit_group",
                                             "getrandom",
                                             "clock_gettime",
                                             "gettimeofday",
                                             "time",
                                             "brk",
                                             "mmap",
                                             "munmap",
                                             "mremap",
                                             "madvise",
                                             "mprotect",
                                             "futex",
                                             "rt_sigreturn",
                                             "rt_sigprocmask",
                                             "getpid",
                                             "gettid",
                                             "fstat",
                                             "newfstatat",
                                             "lseek",
                                             "sched_yield",
                                             "restart_syscall",
                                             "sigaltstack"};
  std::vector<const char*> allowed(std::begin(kAllowed), std::end(kAllowed));
#if defined(__SANITIZE_ADDRESS__)
  // ASan's runtime probes memory through a pipe and reads /proc/self/maps (sanitizer builds
  // only; a release build has neither call in its list).
  allowed.insert(allowed.end(), {"pipe2", "openat"});
#endif
  scmp_filter_ctx ctx = ::seccomp_init(SCMP_ACT_KILL_PROCESS);
  if (ctx == nullptr) return os_error("seccomp_init", ENOMEM);
  for (const char* name : allowed) {
    const int nr = ::seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this architecture
    if (const int rc = ::seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0); rc != 0) {
      ::seccomp_release(ctx);
      return os_error(fmt::format("seccomp_rule_add({})", name), -rc);
    }
  }
  // Logging asks whether stderr is a terminal (for colours): that question only.
  // (the comparison spelled as an aggregate: libseccomp's SCMP_A1 is a C compound literal)
  const scmp_arg_cmp is_tcgets{.arg = 1, .op = SCMP_CMP_EQ, .datum_a = TCGETS, .datum_b = 0};
  if (const int rc = ::seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1, is_tcgets);
      rc != 0) {
    ::seccomp_release(ctx);
    return os_error("seccomp_rule_add(ioctl)", -rc);
  }
  const int rc = ::seccomp_load(ctx);  // also sets no_new_privs
  ::seccomp_release(ctx);
  if (rc != 0) return os_error("seccomp_load", -rc);
  return {};
}

namespace {

// Landlock through its system calls (glibc has no wrappers).
int landlock_abi() {
  return static_cast<int>(
      ::syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION));
}

struct FileId {
  dev_t dev;
  ino_t ino;
  bool operator==(const FileId&) const = default;
};

}  // namespace

base::Result<void> forbid_reading(const std::string& path,
                                  const std::vector<std::string>& read_later) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path target = fs::canonical(path, ec);
  if (ec) return os_error("cannot resolve " + path, ec.value());
  for (const std::string& later : read_later) {
    const fs::path resolved = fs::weakly_canonical(fs::absolute(later, ec), ec);
    // A folder there now is allowed with all beneath it (files rewritten in it included); a
    // file, or a folder yet to come, must not sit where the wall would hide its new copy.
    std::error_code not_there;
    const bool is_folder = fs::is_directory(resolved, not_there);
    const fs::path folder = is_folder ? resolved : resolved.parent_path();
    const fs::path key_folders = is_folder ? target : target.parent_path();
    auto [f, k] =
        std::mismatch(folder.begin(), folder.end(), key_folders.begin(), key_folders.end());
    if (!ec && f == folder.end())  // `later`'s folder is the key's or one above it
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         later +
                             " is in a folder above the CA key, where a rewrite would make "
                             "it unreadable; keep the state folder apart from it"};
  }
  const int abi = landlock_abi();
  if (abi < 1) return os_error("Landlock is not available in this kernel");
  // Reading files is what is taken away; REFER (ABI 2) so the key cannot be linked or renamed
  // into a folder where reading is allowed.
  const __u64 dir_rights = LANDLOCK_ACCESS_FS_READ_FILE | (abi >= 2 ? LANDLOCK_ACCESS_FS_REFER : 0);
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = dir_rights;
  const int ruleset =
      static_cast<int>(::syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0));
  if (ruleset < 0) return os_error("landlock_create_ruleset");
  auto fail = [&](std::string what) {
    const int err = errno;
    ::close(ruleset);
    return os_error(std::move(what), err);
  };
  // The folders from / down to the key's, and the key: none of them may get a rule, since a rule
  // on a folder allows everything beneath it.
  std::vector<FileId> chain;
  std::vector<fs::path> folders;
  for (fs::path p = target;; p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return fail("cannot stat " + p.string());
    chain.push_back({st.st_dev, st.st_ino});
    if (p != target) folders.push_back(p);
    if (p == p.root_path()) break;
  }
  for (const fs::path& folder : folders) {
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const int fd = ::open(entry.path().c_str(), O_PATH | O_CLOEXEC);
      if (fd < 0) continue;  // a dangling link, or gone since
      struct stat st {};
      const bool usable = ::fstat(fd, &st) == 0;
      const FileId id{st.st_dev, st.st_ino};
      // A link to the key or to one of its folders would open the way again: skipped.
      const bool kind = S_ISDIR(st.st_mode) || S_ISREG(st.st_mode);  // no rights on the rest
      if (usable && kind && std::find(chain.begin(), chain.end(), id) == chain.end()) {
        landlock_path_beneath_attr rule{};
        rule.parent_fd = fd;
        rule.allowed_access =
            S_ISDIR(st.st_mode) ? dir_rights : static_cast<__u64>(LANDLOCK_ACCESS_FS_READ_FILE);
        if (::syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) {
          ::close(fd);
          return fail("landlock_add_rule " + entry.path().string());
        }
      }
      ::close(fd);
    }
    if (ec) return fail("cannot list " + folder.string());
  }
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return fail("prctl(PR_SET_NO_NEW_PRIVS)");
  if (::syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) return fail("landlock_restrict_self");
  ::close(ruleset);
  return {};
}

}  // namespace warden::platform
