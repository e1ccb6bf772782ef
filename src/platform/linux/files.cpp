#include "platform/files.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace warden::platform {
namespace {

base::Error file_error(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

}  // namespace

base::Result<void> write_new_file(const std::string& path, const std::string& data,
                                  FileAccess access, bool replace) {
  if (replace) ::unlink(path.c_str());
  const mode_t mode = access == FileAccess::OwnerOnly ? 0600 : 0644;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return file_error(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      return file_error(fmt::format("cannot write {}: {}", path, why));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return file_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  return {};
}

base::Result<void> give_to_folder_owner(const std::string& file, const std::string& folder) {
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0)
    return file_error(fmt::format("cannot examine {}: {}", folder, std::strerror(errno)));
  if (::chown(file.c_str(), st.st_uid, st.st_gid) != 0)
    return file_error(
        fmt::format("cannot give {} to {}'s owner: {}", file, folder, std::strerror(errno)));
  return {};
}

bool owned_by_this_account(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && st.st_uid == ::geteuid();
}

bool others_can_read(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return true;
  return (st.st_mode & 044) != 0;
}

base::Result<void> ensure_private_folder(const std::string& path, std::string& warning) {
  warning.clear();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return file_error("state folder " + path + " is not a folder");
    if ((st.st_mode & 077) != 0)
      warning = fmt::format(
          "state folder {} is readable by other users (mode {:o}); it should be "
          "0700",
          path, st.st_mode & 0777);
    return {};
  }
  // Create missing parents too, each 0700 (they are ours: ~/.local/state, say).
  for (std::size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST)
      return file_error(
          fmt::format("cannot create state folder {}: {}", prefix, std::strerror(errno)));
  }
  return {};
}

std::string default_state_dir() {
  // systemd's StateDirectory= (the unit in packaging/ runs Warden as its own user).
  if (const char* dir = std::getenv("STATE_DIRECTORY"); dir != nullptr && *dir == '/')
    return std::string(dir, std::strcspn(dir, ":"));
  if (::geteuid() == 0) return "/var/lib/warden";
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg == '/')
    return std::string(xdg) + "/warden";
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/')
    return std::string(home) + "/.local/state/warden";
  return "/tmp/warden-" + std::to_string(::geteuid());
}

base::Result<AppendFile> AppendFile::open(const std::string& path) {
  if (path == "-") return AppendFile(STDOUT_FILENO, false);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return file_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  return AppendFile(fd, true);
}

base::Result<void> AppendFile::write_all(const char* data, std::size_t size) {
  if (handle_ == kClosed) return file_error("the file is not open");
  const int fd = static_cast<int>(handle_);
  struct stat before {};
  const bool can_cut_back = ::fstat(fd, &before) == 0 && S_ISREG(before.st_mode);
  std::size_t off = 0;
  while (off < size) {
    const ssize_t n = ::write(fd, data + off, size - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      // O_APPEND put what was written at the end: cut it off again (nobody else writes here).
      if (off > 0 && can_cut_back && ::ftruncate(fd, before.st_size) != 0)
        return file_error(fmt::format("{} (and a part of a record stays)", std::strerror(error)));
      return file_error(std::strerror(error));
    }
    off += static_cast<std::size_t>(n);
  }
  return {};
}

void AppendFile::close() {
  if (handle_ != kClosed && owned_) ::close(static_cast<int>(handle_));
  handle_ = kClosed;
}

bool redirect_stderr(const std::string& path) {
  return std::freopen(path.c_str(), "a", stderr) != nullptr;
}

}  // namespace warden::platform
