#pragma once
// The school's directory as a Directory (auth.method = "ldap", docs/identity.md): OpenLDAP's
// libldap binds as the user over LDAPS, or StartTLS on ldap:// (never a password in clear),
// the directory's certificate verified against its CA and name; then the groups whose member
// the user's DN is are read, their `cn`s being the user's groups. One connection per check
// (checks are cached above it), every step bounded by `timeout`.
//
// Names are letters, digits, '.', '_', '-' and '@' only (identity::valid_user_name): nothing
// a pupil types can change what the DN or the filter means. An empty password is refused
// without asking: LDAP would take it as an anonymous bind and succeed.
// Linux (libldap); Windows says it is not there yet.

#include "identity/directory.hpp"
#include "net/types.hpp"

#include <string>

namespace warden::identity {

struct LdapSettings {
  std::string url;           // ldaps://host[:port] or ldap://host[:port] (StartTLS)
  std::string ca_file;       // PEM the directory's certificate must chain to; empty: the system's
  std::string bind_dn;       // "uid={user},ou=people,dc=school,dc=internal"
  std::string group_base;    // where groups are searched
  std::string group_filter;  // "(&(objectClass=groupOfNames)(member={dn}))"
  net::Duration timeout = std::chrono::seconds(5);
};

class LdapDirectory final : public Directory {
 public:
  explicit LdapDirectory(LdapSettings settings) : settings_(std::move(settings)) {}
  [[nodiscard]] CheckResult check(std::string_view user, std::string_view password) const override;
  [[nodiscard]] std::string describe() const override { return "directory " + settings_.url; }

  // `template_text` with {user} and {dn} replaced; {dn} escaped for a filter (RFC 4515).
  [[nodiscard]] static std::string fill(std::string_view template_text, std::string_view user,
                                        std::string_view dn);

 private:
  LdapSettings settings_;
};

}  // namespace warden::identity
