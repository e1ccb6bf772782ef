#pragma once
// Where sign-in asks whether a name and password are someone's: the proxy's own users file
// (local_directory) or the school's directory (LDAP). A check blocks (scrypt, a network round
// trip) and runs on SignIn's threads, never on a worker.

#include <string>
#include <string_view>
#include <vector>

namespace warden::identity {

// Who signed in: the name as the directory spells it (lower case for local users) and the
// directory groups they are in, which the policy's groups of the same names match.
struct Identity {
  std::string user;
  std::vector<std::string> groups;
};

struct CheckResult {
  enum class Status {
    SignedIn,     // `identity` is who it is
    Refused,      // no such user, or not their password
    Unavailable,  // the directory could not say (down, busy): fail closed
  };
  Status status = Status::Refused;
  Identity identity;
  std::string why;  // for the log when not SignedIn; never holds the password

  [[nodiscard]] static CheckResult refused(std::string why) {
    return {Status::Refused, {}, std::move(why)};
  }
  [[nodiscard]] static CheckResult unavailable(std::string why) {
    return {Status::Unavailable, {}, std::move(why)};
  }
};

class Directory {
 public:
  virtual ~Directory() = default;
  // Blocking; called from SignIn's threads, several at once.
  [[nodiscard]] virtual CheckResult check(std::string_view user,
                                          std::string_view password) const = 0;
  // "local users file /path", "LDAP ldaps://..." (logs).
  [[nodiscard]] virtual std::string describe() const = 0;
  // The groups of a user who signed in without a password (a Kerberos ticket), as far as this
  // directory can tell without one; blocking, on SignIn's threads.
  [[nodiscard]] virtual std::vector<std::string> groups_of(std::string_view /*user*/) const {
    return {};
  }
};

// A way in without a password: a ticket the browser got from the school's domain
// (Negotiate; identity/negotiate.hpp). Blocking; on SignIn's threads.
class TicketAcceptor {
 public:
  virtual ~TicketAcceptor() = default;
  // SignedIn with the user's name (no groups: the Directory says those), Refused for a ticket
  // that is not good, Unavailable when the acceptor itself fails.
  [[nodiscard]] virtual CheckResult accept(std::string_view token) const = 0;
};

}  // namespace warden::identity
