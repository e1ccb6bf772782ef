#include "policy/host.hpp"

#include "base/cidr.hpp"

#include <cstdlib>
#include <idn2.h>

namespace warden::policy {
namespace {

bool all_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
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
    const auto a6 = base::parse_ip(h);
    if (!a6) {
      error = "invalid IPv6 address";
      return out;
    }
    return {base::format_ip(*a6), HostKind::Ipv6};
  }
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h.empty()) {
    error = "empty host";
    return out;
  }
  if (h.find_first_not_of("0123456789abcdefx.") == std::string::npos)
    if (const auto a4 = base::parse_ipv4_any_form(h))
      return {base::format_ip(base::ip_bytes_v4(*a4)), HostKind::Ipv4};
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
