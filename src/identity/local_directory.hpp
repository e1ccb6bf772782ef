#pragma once
// The proxy's own users file as a Directory (auth.method = "local"). The file is read again
// when it changes (`warden users add` takes effect at the next sign-in that is not cached); a
// file that cannot be read or parsed keeps the users it had and says why in the log.

#include "identity/directory.hpp"
#include "identity/local_users.hpp"

#include <filesystem>
#include <memory>
#include <mutex>

namespace warden::identity {

class LocalDirectory final : public Directory {
 public:
  // Fails when the file cannot be read or parsed: a start with a broken users file is refused.
  [[nodiscard]] static base::Result<std::unique_ptr<LocalDirectory>> open(std::string path);

  [[nodiscard]] CheckResult check(std::string_view user, std::string_view password) const override;
  [[nodiscard]] std::string describe() const override { return "local users file " + path_; }
  // A user signed in by a ticket: their line's group, if the file has them.
  [[nodiscard]] std::vector<std::string> groups_of(std::string_view user) const override;

 private:
  // What tells a rewrite: `warden users passwd` may write a file of the same size within the
  // same timestamp tick, but always a new one renamed over the old (another inode, Linux).
  struct Stamp {
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    std::uint64_t inode = 0;
    bool operator==(const Stamp&) const = default;
  };
  LocalDirectory(std::string path, LocalUsers users, Stamp stamp);
  [[nodiscard]] static std::optional<Stamp> stamp_of(const std::string& path);
  // The users as the file now says (re-read if it changed); never null.
  [[nodiscard]] std::shared_ptr<const LocalUsers> current() const;

  std::string path_;
  mutable std::mutex mutex_;
  mutable std::shared_ptr<const LocalUsers> users_;
  mutable Stamp stamp_;
  mutable std::string last_complaint_;
};

}  // namespace warden::identity
