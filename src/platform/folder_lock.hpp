#pragma once
// A lock on the state folder, so a command knows whether a running Warden uses it: every
// `warden run` holds it shared while it runs; `warden ca init` asks for it alone. The OS
// releases it when the process ends, however it ends. platform/linux/folder_lock.cpp (flock on
// the folder) and platform/windows/folder_lock.cpp (LockFileEx on `warden.lock` in it) answer.

#include "base/result.hpp"

#include <optional>
#include <string>
#include <utility>

namespace warden::platform {

class FolderLock {
 public:
  enum class Mode { Shared, Exclusive };

  // The lock, or nullopt when another process holds it in a mode that excludes `mode`.
  [[nodiscard]] static base::Result<std::optional<FolderLock>> try_hold(const std::string& folder,
                                                                        Mode mode);

  FolderLock(FolderLock&& o) noexcept : handle_(std::exchange(o.handle_, kNone)) {}
  FolderLock& operator=(FolderLock&& o) noexcept {
    std::swap(handle_, o.handle_);
    return *this;
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock();

 private:
  static constexpr long long kNone = -1;
  explicit FolderLock(long long handle) : handle_(handle) {}
  long long handle_ = kNone;  // an fd, or a HANDLE's value
};

}  // namespace warden::platform
