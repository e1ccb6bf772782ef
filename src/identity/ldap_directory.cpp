#include "identity/ldap_directory.hpp"

#include "identity/local_users.hpp"

#include <fmt/format.h>

#include <ldap.h>
#include <memory>

namespace warden::identity {
namespace {

using Status = CheckResult::Status;

struct Unbind {
  void operator()(LDAP* ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapPtr = std::unique_ptr<LDAP, Unbind>;

struct FreeMessage {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};

timeval to_timeval(net::Duration d) {
  const auto ms = d.count();
  return {static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

// A connection with TLS set up (LDAPS, or StartTLS done), or why not.
LdapPtr connect(const LdapSettings& s, std::string& why) {
  if (s.url.find_first_of(" \t,") != std::string::npos) {  // (config refuses it too)
    why = s.url + ": one URL only";
    return nullptr;
  }
  LDAP* raw = nullptr;
  if (const int rc = ldap_initialize(&raw, s.url.c_str()); rc != LDAP_SUCCESS) {
    why = fmt::format("{}: {}", s.url, ldap_err2string(rc));
    return nullptr;
  }
  LdapPtr ld(raw);
  const int version = LDAP_VERSION3;
  const int demand = LDAP_OPT_X_TLS_DEMAND;
  const int new_context = 0;
  const timeval limit = to_timeval(s.timeout);
  ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &limit);
  ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &limit);
  ldap_set_option(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
  if (!s.ca_file.empty()) ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, s.ca_file.c_str());
  ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &new_context);
  if (s.url.starts_with("ldap://")) {
    if (const int rc = ldap_start_tls_s(ld.get(), nullptr, nullptr); rc != LDAP_SUCCESS) {
      why = fmt::format("{}: StartTLS failed: {}", s.url, ldap_err2string(rc));
      return nullptr;
    }
  }
  return ld;
}

}  // namespace

std::string LdapDirectory::fill(std::string_view template_text, std::string_view user,
                                std::string_view dn) {
  std::string escaped_dn;
  for (char c : dn) {
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0') {
      escaped_dn += fmt::format("\\{:02x}", static_cast<unsigned char>(c));
    } else {
      escaped_dn += c;
    }
  }
  std::string out;
  for (std::size_t i = 0; i < template_text.size();) {
    if (template_text.substr(i).starts_with("{user}")) {
      out += user;
      i += 6;
    } else if (template_text.substr(i).starts_with("{dn}")) {
      out += escaped_dn;
      i += 4;
    } else {
      out += template_text[i++];
    }
  }
  return out;
}

CheckResult LdapDirectory::check(std::string_view user, std::string_view password) const {
  if (!valid_user_name(user))
    return CheckResult::refused("not a name the directory is asked about");
  if (password.empty()) return CheckResult::refused("an empty password");
  std::string why;
  const LdapPtr ld = connect(settings_, why);
  if (!ld) return CheckResult::unavailable(why);

  const std::string name = LocalUsers::canonical_name(user);
  const std::string dn = fill(settings_.bind_dn, name, "");
  berval secret{static_cast<ber_len_t>(password.size()), const_cast<char*>(password.data())};
  const int bound =
      ldap_sasl_bind_s(ld.get(), dn.c_str(), LDAP_SASL_SIMPLE, &secret, nullptr, nullptr, nullptr);
  // This user's refusals (wrong password, an account that cannot bind, locked by a password
  // policy) are theirs; anything else is the directory's and fails closed.
  if (bound == LDAP_INVALID_CREDENTIALS || bound == LDAP_INAPPROPRIATE_AUTH ||
      bound == LDAP_UNWILLING_TO_PERFORM || bound == LDAP_CONSTRAINT_VIOLATION ||
      bound == LDAP_INSUFFICIENT_ACCESS)
    return CheckResult::refused(
        fmt::format("the directory refused the bind: {}", ldap_err2string(bound)));
  if (bound != LDAP_SUCCESS)
    return CheckResult::unavailable(
        fmt::format("{}: bind: {}", settings_.url, ldap_err2string(bound)));

  const std::string filter = fill(settings_.group_filter, name, dn);
  char cn[] = "cn";
  char* attributes[] = {cn, nullptr};
  timeval limit = to_timeval(settings_.timeout);
  LDAPMessage* raw = nullptr;
  const int searched =
      ldap_search_ext_s(ld.get(), settings_.group_base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                        attributes, 0, nullptr, nullptr, &limit, 1000, &raw);
  const std::unique_ptr<LDAPMessage, FreeMessage> result(raw);
  if (searched != LDAP_SUCCESS)
    return CheckResult::unavailable(
        fmt::format("{}: the user's groups: {}", settings_.url, ldap_err2string(searched)));
  CheckResult r;
  r.status = Status::SignedIn;
  r.identity.user = name;
  for (LDAPMessage* e = ldap_first_entry(ld.get(), raw); e != nullptr;
       e = ldap_next_entry(ld.get(), e)) {
    berval** values = ldap_get_values_len(ld.get(), e, "cn");
    for (int i = 0; values != nullptr && values[i] != nullptr; ++i)
      r.identity.groups.emplace_back(values[i]->bv_val, values[i]->bv_len);
    ldap_value_free_len(values);
  }
  return r;
}

}  // namespace warden::identity
