#include "platform/folder_lock.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace warden::platform {

base::Result<std::optional<FolderLock>> FolderLock::try_hold(const std::string& folder, Mode mode) {
  // Close-on-exec: the signer (a new program) must not keep a lock Warden holds.
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "cannot open " + folder + ": " + std::strerror(errno)};
  while (::flock(fd, (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::optional<FolderLock>{};
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "cannot lock " + folder + ": " + std::strerror(err)};
  }
  return std::optional<FolderLock>(FolderLock(fd));
}

FolderLock::~FolderLock() {
  if (handle_ != kNone) ::close(static_cast<int>(handle_));
}

}  // namespace warden::platform
