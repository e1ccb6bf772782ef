#include "identity/local_directory.hpp"

#include <spdlog/spdlog.h>

#if !defined(_WIN32)
#include <sys/stat.h>
#endif

namespace warden::identity {

base::Result<std::unique_ptr<LocalDirectory>> LocalDirectory::open(std::string path) {
  const auto stamp = stamp_of(path);
  auto users = LocalUsers::load(path);
  if (!users) return users.error();
  return std::unique_ptr<LocalDirectory>(
      new LocalDirectory(std::move(path), std::move(*users), stamp.value_or(Stamp{})));
}

LocalDirectory::LocalDirectory(std::string path, LocalUsers users, Stamp stamp)
    : path_(std::move(path)),
      users_(std::make_shared<const LocalUsers>(std::move(users))),
      stamp_(stamp) {}

std::optional<LocalDirectory::Stamp> LocalDirectory::stamp_of(const std::string& path) {
  std::error_code ec;
  Stamp s;
  s.modified = std::filesystem::last_write_time(path, ec);
  if (ec) return std::nullopt;
  s.size = std::filesystem::file_size(path, ec);
  if (ec) return std::nullopt;
#if !defined(_WIN32)
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  s.inode = static_cast<std::uint64_t>(st.st_ino);
#endif
  return s;
}

std::shared_ptr<const LocalUsers> LocalDirectory::current() const {
  const std::lock_guard lock(mutex_);
  const auto now = stamp_of(path_);
  if (!now || *now == stamp_) return users_;
  auto fresh = LocalUsers::load(path_);
  if (!fresh) {
    // Tried again at the next check (the file may be in the middle of being handed to this
    // account: written, renamed, then chowned); said once per different complaint.
    if (fresh.error().context != last_complaint_)
      spdlog::error("auth: {}; the users read before stay in use", fresh.error().context);
    last_complaint_ = fresh.error().context;
    return users_;
  }
  stamp_ = *now;
  last_complaint_.clear();
  spdlog::info("auth: {} read again ({} users)", path_, fresh->size());
  users_ = std::make_shared<const LocalUsers>(std::move(*fresh));
  return users_;
}

CheckResult LocalDirectory::check(std::string_view user, std::string_view password) const {
  const std::shared_ptr<const LocalUsers> users = current();
  auto group = users->check(user, password);
  if (!group) return CheckResult::refused("not a user of the users file, or not their password");
  CheckResult r;
  r.status = CheckResult::Status::SignedIn;
  r.identity.user = LocalUsers::canonical_name(user);
  r.identity.groups.push_back(std::move(*group));
  return r;
}

std::vector<std::string> LocalDirectory::groups_of(std::string_view user) const {
  const std::shared_ptr<const LocalUsers> users = current();
  const LocalUser* found = users->find(user);
  if (found == nullptr) return {};
  return {found->group};
}

}  // namespace warden::identity
