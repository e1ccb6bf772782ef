#pragma once
// A helper process of Warden's own, and the walls around it (the certificate signer,
// app/signer_command.cpp): started as this program again with a datagram channel as its standard
// input, supervised, its memory closed to processes of the same user, its system calls limited;
// and the filtering process's own wall, which keeps it from reading the CA key file.
// platform/linux/helper_process.cpp answers; Windows signs in process (docs/windows.md), and
// answers every call here with an error.
//
// Thread safety: MessageChannel may be used by one thread at a time; the rest are for start-up.

#include "base/result.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::platform {

// One end of a SOCK_SEQPACKET socket pair: whole messages, in order, or nothing.
class MessageChannel {
 public:
  explicit MessageChannel(int fd) : fd_(fd) {}
  MessageChannel(MessageChannel&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  MessageChannel& operator=(MessageChannel&& o) noexcept;
  MessageChannel(const MessageChannel&) = delete;
  MessageChannel& operator=(const MessageChannel&) = delete;
  ~MessageChannel();

  [[nodiscard]] base::Result<void> send(std::string_view message);
  // The next message, waiting at most `timeout` (nullopt: none came), or forever without one;
  // one longer than `max_size` comes cut to `max_size` + 1 bytes (the caller sees it is too
  // long). An error when the other end is gone.
  [[nodiscard]] base::Result<std::optional<std::string>> receive(
      std::size_t max_size, std::optional<std::chrono::milliseconds> timeout);
  [[nodiscard]] int native_handle() const { return fd_; }

 private:
  int fd_;
};

// Two connected ends.
[[nodiscard]] base::Result<std::pair<MessageChannel, MessageChannel>> channel_pair();

// Whether this OS runs the signer as a helper process (Linux) or Warden signs in process.
[[nodiscard]] bool helper_processes_available();

struct HelperProcess {
  MessageChannel channel;
  int pid = 0;
};

// Runs this program again with `args` and the other end of a new channel as its standard input.
[[nodiscard]] base::Result<HelperProcess> start_helper_process(
    const std::vector<std::string>& args);
// In the helper: the channel on its standard input.
[[nodiscard]] MessageChannel helper_channel();

// Runs `child` in a forked process, and again whenever it is killed or fails, after a pause that
// grows while it keeps dying. Returns `child`'s code once it ends with 0 (its peer is gone) or
// with `give_up_code` (it cannot start; retrying would not help).
[[nodiscard]] int supervise(const std::function<int()>& child, std::string_view what,
                            int give_up_code);

// Ends the process at once: no destructors, no exit handlers (the helper's peer is gone).
[[noreturn]] void quick_exit_process(int code);

// No other process of this user may read this one's memory or trace it (not dumpable).
[[nodiscard]] base::Result<void> protect_process_memory();
// Gives up every capability (those inherited as ambient from a service's unit too): a signer
// needs none.
[[nodiscard]] base::Result<void> drop_capabilities();
// From here on, only the system calls a signer needs: read and write its channel and stderr,
// memory, time, randomness, exit. Anything else ends the process (SIGSYS).
[[nodiscard]] base::Result<void> allow_only_signing_syscalls();
// From here on, this process (every thread started later too) can no longer open `path` for
// reading, nor link or rename it to where it could. Every other file reads as before, except
// files created later directly in one of `path`'s folders (Landlock can only allow what exists):
// so it refuses, saying which, when a file of `read_later` (config, policy, resolv.conf) sits in
// one of them, where an editor's or a tool's rewrite would make it unreadable.
[[nodiscard]] base::Result<void> forbid_reading(const std::string& path,
                                                const std::vector<std::string>& read_later);

}  // namespace warden::platform
