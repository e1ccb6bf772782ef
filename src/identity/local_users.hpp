#pragma once
// The proxy's own users (auth, for a school without a directory): one file, a line per pupil or
// member of staff, "name:group:scrypt$..." (identity/password_hash.hpp), the group being the
// policy group their requests are judged by. Names are matched without regard to case ("Ann"
// signs in as ann). Lines starting with '#' and empty lines are skipped; anything else that is
// not such a line is an error naming it, so a typo never silently locks someone out.

#include "base/result.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::identity {

struct LocalUser {
  std::string name;   // lower case
  std::string group;  // a policy group's name
  std::string password_hash;
};

// Names of users and of their groups: letters, digits, '.', '_', '-' and '@'; 1 to 64 of them.
[[nodiscard]] bool valid_user_name(std::string_view name);

class LocalUsers {
 public:
  [[nodiscard]] static base::Result<LocalUsers> parse(std::string_view text,
                                                      std::string_view source);
  [[nodiscard]] static base::Result<LocalUsers> load(const std::string& path);

  // The user's group when `password` is theirs, else nullopt. As slow for a name that is not
  // there as for a wrong password (scrypt either way), so timing does not tell who exists.
  [[nodiscard]] std::optional<std::string> check(std::string_view name,
                                                 std::string_view password) const;
  [[nodiscard]] std::size_t size() const { return users_.size(); }
  // How the file spells `name` (lower case).
  [[nodiscard]] static std::string canonical_name(std::string_view name);

  // For `warden users`: one user, added or replaced; removed (false: not there); every user
  // in name order; the file's text.
  void put(LocalUser user);
  bool remove(std::string_view name);
  [[nodiscard]] const LocalUser* find(std::string_view name) const;
  [[nodiscard]] std::vector<const LocalUser*> all() const;
  [[nodiscard]] std::string render() const;

 private:
  std::map<std::string, LocalUser, std::less<>> users_;
};

}  // namespace warden::identity
