#include "platform/helper_process.hpp"

#include <cstdlib>

// Windows signs in Warden's own process (docs/windows.md): no helper process, no walls here.

namespace warden::platform {
namespace {

base::Error not_here() {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "the signer process is not available on Windows"};
}

}  // namespace

MessageChannel& MessageChannel::operator=(MessageChannel&& o) noexcept {
  fd_ = std::exchange(o.fd_, -1);
  return *this;
}
MessageChannel::~MessageChannel() = default;
base::Result<void> MessageChannel::send(std::string_view) { return not_here(); }
base::Result<std::optional<std::string>> MessageChannel::receive(
    std::size_t, std::optional<std::chrono::milliseconds>) {
  return not_here();
}
base::Result<std::pair<MessageChannel, MessageChannel>> channel_pair() { return not_here(); }
base::Result<HelperProcess> start_helper_process(const std::vector<std::string>&) {
  return not_here();
}
MessageChannel helper_channel() { return MessageChannel(-1); }
bool helper_processes_available() { return false; }
int supervise(const std::function<int()>&, std::string_view, int give_up_code) {
  return give_up_code;
}
void quick_exit_process(int code) { std::_Exit(code); }
base::Result<void> protect_process_memory() { return not_here(); }
base::Result<void> drop_capabilities() { return not_here(); }
base::Result<void> allow_only_signing_syscalls() { return not_here(); }
base::Result<void> forbid_reading(const std::string&, const std::vector<std::string>&) {
  return not_here();
}

}  // namespace warden::platform
