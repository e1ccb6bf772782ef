#pragma once
// One normalisation for every host Warden judges or contacts (policy and forwarding use the
// same function, so the host policy judged is the host that is contacted): lower case, no
// trailing dot, internationalised names in IDNA punycode (UTS #46), IPv4 in every spelling a
// browser accepts (0x7f.1, 2130706433, 127.1) turned into dotted quad, IPv6 canonical (RFC 5952).

#include <string>
#include <string_view>

namespace warden::policy {

enum class HostKind { Name, Ipv4, Ipv6 };

struct NormalHost {
  std::string text;  // the normal form; IPv6 without brackets
  HostKind kind = HostKind::Name;
};

// Empty `error` on success; otherwise why the host is not a host (no network access).
[[nodiscard]] NormalHost normalize_host(std::string_view host, std::string& error);

}  // namespace warden::policy
