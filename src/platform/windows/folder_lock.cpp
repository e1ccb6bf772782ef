#include "platform/folder_lock.hpp"

#include "platform/windows/win_text.hpp"

#include <windows.h>

namespace warden::platform {

base::Result<std::optional<FolderLock>> FolderLock::try_hold(const std::string& folder, Mode mode) {
  // A folder cannot be locked here: a file in it, shared by every holder, is.
  const std::string path = folder + "\\warden.lock";
  HANDLE file = ::CreateFileW(win::widen(path).c_str(), GENERIC_READ | GENERIC_WRITE,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                              OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "cannot open " + path + ": " + win::error_text(::GetLastError())};
  OVERLAPPED at{};
  const DWORD flags =
      LOCKFILE_FAIL_IMMEDIATELY | (mode == Mode::Exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0);
  if (::LockFileEx(file, flags, 0, 1, 0, &at) == 0) {
    const DWORD code = ::GetLastError();
    ::CloseHandle(file);
    if (code == ERROR_LOCK_VIOLATION) return std::optional<FolderLock>{};
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "cannot lock " + path + ": " + win::error_text(code)};
  }
  return std::optional<FolderLock>(FolderLock(reinterpret_cast<long long>(file)));
}

FolderLock::~FolderLock() {
  if (handle_ != kNone) ::CloseHandle(reinterpret_cast<HANDLE>(handle_));
}

}  // namespace warden::platform
