#include "app/auth_setup.hpp"

#include "identity/local_directory.hpp"
#if !defined(_WIN32)
#include "identity/ldap_directory.hpp"
#include "identity/negotiate.hpp"
#endif

#include <spdlog/spdlog.h>

#include <filesystem>

namespace warden::app {

std::string users_file_path(const Config& c) {
  if (!c.auth.users_file.empty()) return c.auth.users_file;
  return (std::filesystem::path(c.state_dir) / "auth" / "users").string();
}

namespace {

base::Result<std::unique_ptr<identity::Directory>> open_directory(const Config& c) {
  if (c.auth.method == "ldap") {
#if defined(_WIN32)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "auth.method = \"ldap\": not available on Windows yet"};
#else
    identity::LdapSettings s;
    s.url = c.auth.ldap_url;
    s.ca_file = c.auth.ldap_ca;
    s.bind_dn = c.auth.ldap_bind_dn;
    s.group_base = c.auth.ldap_group_base;
    s.group_filter = c.auth.ldap_group_filter;
    s.timeout = c.auth.ldap_timeout;
    return std::unique_ptr<identity::Directory>(
        std::make_unique<identity::LdapDirectory>(std::move(s)));
#endif
  }
  auto local = identity::LocalDirectory::open(users_file_path(c));
  if (!local)
    return base::Error{
        local.error().code, local.error().source,
        "auth: " + local.error().context + " (warden users add NAME GROUP makes it)"};
  return std::unique_ptr<identity::Directory>(std::move(*local));
}

base::Result<std::unique_ptr<identity::TicketAcceptor>> open_ticket_acceptor(const Config& c) {
  if (c.auth.negotiate_keytab.empty()) return std::unique_ptr<identity::TicketAcceptor>();
#if defined(_WIN32)
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "auth.negotiate_keytab: not available on Windows yet"};
#else
  auto acceptor = identity::NegotiateAcceptor::open(c.auth.negotiate_keytab);
  if (!acceptor) return acceptor.error();
  return std::unique_ptr<identity::TicketAcceptor>(std::move(*acceptor));
#endif
}

}  // namespace

base::Result<std::unique_ptr<identity::SignIn>> start_sign_in(const Config& c) {
  if (c.auth.method == "off") return std::unique_ptr<identity::SignIn>();
  auto directory = open_directory(c);
  if (!directory) return directory.error();
  auto tickets = open_ticket_acceptor(c);
  if (!tickets) return tickets.error();
  identity::SignInSettings settings;
  settings.cache_ttl = c.auth.cache_ttl;
  auto sign_in =
      std::make_unique<identity::SignIn>(std::move(*directory), settings, std::move(*tickets));
  spdlog::info("auth: sign-in against the {}{}", sign_in->describe(),
               sign_in->takes_tickets() ? ", and Kerberos tickets (" + c.auth.negotiate_keytab + ")"
                                        : std::string());
  return sign_in;
}

std::vector<net::tcp::endpoint> sign_in_listeners(const Config& c) {
  std::vector<net::tcp::endpoint> out;
  for (const auto& l : c.auth.listen) out.push_back(*parse_listen_address(l));
  return out;
}

}  // namespace warden::app
