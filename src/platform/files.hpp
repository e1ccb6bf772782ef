#pragma once
// Files whose access matters: the CA key that only Warden (and administrators) may read, the
// state folder that holds it, and the append-only access log. platform/linux/files.cpp and
// platform/windows/files.cpp answer: POSIX modes there, a protected DACL here (SYSTEM,
// Administrators and the owner; inheritance from the parent cut, so a pupil-readable parent
// grants nothing).

#include "base/result.hpp"

#include <string>

namespace warden::platform {

enum class FileAccess : unsigned char {
  OwnerOnly,     // Linux 0600 / 0700; Windows: SYSTEM, Administrators, the owner
  EveryoneReads  // Linux 0644; Windows: the parent's inherited access
};

// Writes `data` to a new file, durably (flushed to disk before returning). The file is created
// with its access from the start, never widened then narrowed. `replace`: an existing file is
// removed first; otherwise an existing file is an error.
[[nodiscard]] base::Result<void> write_new_file(const std::string& path, const std::string& data,
                                                FileAccess access, bool replace);

// Replaces `path` with `data` whole: written durably beside it (`path`.new, with `access` from
// the start) and renamed over it, so a reader sees the old file or the new, never none or half.
[[nodiscard]] base::Result<void> replace_file(const std::string& path, const std::string& data,
                                              FileAccess access);

// Makes `file` belong to the account that owns `folder` (Linux: chown to its uid and gid), so
// a file an administrator writes for the service (warden bypass) is readable by the service's
// own account. Windows: nothing to do (OwnerOnly files are SYSTEM's and the Administrators').
[[nodiscard]] base::Result<void> give_to_folder_owner(const std::string& file,
                                                      const std::string& folder);

// Whether `path` belongs to the account this process runs as (Linux: its owner is the
// effective uid; Windows: always true, files there are SYSTEM's and the Administrators').
// False when it cannot be examined.
[[nodiscard]] bool owned_by_this_account(const std::string& path);

// Whether accounts other than Warden's own (and root / SYSTEM / Administrators) may read `path`:
// Linux its group or other read bits; Windows an allowing ACE for any other SID (or no DACL at
// all). A file that cannot be examined counts as readable by others.
[[nodiscard]] bool others_can_read(const std::string& path);

// Creates `path` (and missing parents) private to Warden's account, or checks an existing one:
// not a folder is an error; one others can read is accepted with a warning (returned in
// `warning`, empty when none).
[[nodiscard]] base::Result<void> ensure_private_folder(const std::string& path,
                                                       std::string& warning);

// The state folder for this account when the config names none: Linux /var/lib/warden as root,
// $XDG_STATE_HOME/warden or ~/.local/state/warden otherwise; Windows %ProgramData%\Warden when
// elevated, %LOCALAPPDATA%\Warden otherwise.
[[nodiscard]] std::string default_state_dir();

// Sends this process's standard error (its diagnostics) to the end of `path` from now on: a
// service has no console. False when the file cannot be opened (stderr stays as it was).
[[nodiscard]] bool redirect_stderr(const std::string& path);

// An append-only log file ("-": standard output). Written by one thread.
class AppendFile {
 public:
  AppendFile() = default;
  ~AppendFile() { close(); }
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  AppendFile(AppendFile&& other) noexcept : handle_(other.handle_), owned_(other.owned_) {
    other.handle_ = kClosed;
  }
  AppendFile& operator=(AppendFile&& other) noexcept {
    if (this != &other) {
      close();
      handle_ = other.handle_;
      owned_ = other.owned_;
      other.handle_ = kClosed;
    }
    return *this;
  }

  // Opens (creating, readable by owner and group / as the parent allows) for appending; other
  // processes may rename or delete it meanwhile (log rotation).
  [[nodiscard]] static base::Result<AppendFile> open(const std::string& path);
  [[nodiscard]] bool is_open() const { return handle_ != kClosed; }
  // Writes all of `data` or, where the OS lets it, none of it: when a write fails part-way (a
  // full disk) Linux cuts the file back to where it was, so no record is left half-written.
  // Windows writes a batch with one WriteFile and cannot cut back (an append-only handle may not
  // truncate). The error says why, in the OS's words.
  [[nodiscard]] base::Result<void> write_all(const char* data, std::size_t size);
  void close();

 private:
  static constexpr long long kClosed = -1;
  explicit AppendFile(long long handle, bool owned) : handle_(handle), owned_(owned) {}
  long long handle_ = kClosed;  // an fd, or a HANDLE's value
  bool owned_ = false;          // false for standard output
};

}  // namespace warden::platform
