#pragma once
// Kerberos single sign-on for the explicit proxy (auth.negotiate_keytab, docs/identity.md): a
// domain-joined device's browser answers the 407's `Proxy-Authenticate: Negotiate` with a
// SPNEGO token carrying a Kerberos ticket for HTTP/<proxy host> (RFC 4559), which the proxy's
// keytab accepts (MIT Kerberos' GSSAPI) without asking the pupil anything. One round trip:
// a mechanism that needs more (NTLM inside SPNEGO) is refused. MIT's replay cache refuses a
// token seen before.
// Linux (libgssapi_krb5); Windows says it is not there yet.

#include "base/result.hpp"
#include "identity/directory.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace warden::identity {

class NegotiateAcceptor final : public TicketAcceptor {
 public:
  // The acceptor credential from `keytab`; an error (naming the keytab) when it has no key.
  [[nodiscard]] static base::Result<std::unique_ptr<NegotiateAcceptor>> open(
      const std::string& keytab);
  ~NegotiateAcceptor() override;
  NegotiateAcceptor(const NegotiateAcceptor&) = delete;
  NegotiateAcceptor& operator=(const NegotiateAcceptor&) = delete;

  // Blocking (reads the keytab and the replay cache): on SignIn's threads. `token` is the
  // decoded value after "Negotiate "; the user is the local name Kerberos maps the principal
  // to (krb5.conf's auth_to_local; by default a one-part principal of the default realm).
  [[nodiscard]] CheckResult accept(std::string_view token) const override;
  [[nodiscard]] const std::string& keytab() const { return keytab_; }

 private:
  struct Credential;
  NegotiateAcceptor(std::string keytab, std::unique_ptr<Credential> credential);
  std::string keytab_;
  std::unique_ptr<Credential> credential_;
};

}  // namespace warden::identity
