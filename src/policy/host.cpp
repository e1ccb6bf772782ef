#include "policy/host.hpp"

#include <arpa/inet.h>
#include <cstdlib>
#include <idn2.h>

namespace warden::policy {
namespace {

bool all_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// inet_aton accepts the forms browsers resolve as IPv4 (a.b.c.d, a.b.c, a.b, a; octal, hex).
bool ipv4_any_form(const std::string& s, in_addr& out) {
  if (s.empty() || s.find_first_not_of("0123456789abcdefx.") != std::string::npos) return false;
  return ::inet_aton(s.c_str(), &out) == 1;
}

}  // namespace

NormalHost normalize_host(std::string_view host, std::string& error) {
  error.clear();
  NormalHost out;
  std::string h(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  for (char& c : h)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  if (h.find(':') != std::string::npos) {
    in6_addr a6{};
    char buf[INET6_ADDRSTRLEN];
    if (::inet_pton(AF_INET6, h.c_str(), &a6) != 1 ||
        ::inet_ntop(AF_INET6, &a6, buf, sizeof buf) == nullptr) {
      error = "invalid IPv6 address";
      return out;
    }
    return {buf, HostKind::Ipv6};
  }
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.empty()) {
    error = "empty host";
    return out;
  }
  in_addr a4{};
  if (ipv4_any_form(h, a4)) {
    char buf[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &a4, buf, sizeof buf);
    return {buf, HostKind::Ipv4};
  }
  if (!all_ascii(h) || h.find("xn--") != std::string::npos) {
    char* ascii = nullptr;
    const int rc = idn2_to_ascii_8z(h.c_str(), &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) {
      error = std::string("not a valid internationalised name (") + idn2_strerror(rc) + ")";
      return out;
    }
    h = ascii;
    std::free(ascii);
  }
  if (h.size() > 253) {
    error = "host name too long";
    return out;
  }
  std::size_t label = 0;
  for (char c : h) {
    if (c == '.') {
      if (label == 0) {
        error = "empty label in host name";
        return out;
      }
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      error = "invalid character in host name";
      return out;
    }
    if (++label > 63) {
      error = "host name label too long";
      return out;
    }
  }
  out.text = std::move(h);
  return out;
}

}  // namespace warden::policy
