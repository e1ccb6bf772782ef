#pragma once
// The page that installs the school CA (like mitmproxy's mitm.it): served at a name that always
// reaches Warden itself (admin.ca_page, "warden.internal"), through the proxy, transparent
// capture, and on the admin listener. Plain HTTP on purpose: a device that does not trust the
// CA yet must be able to fetch it. It carries the certificate only, never key material.

#include <chrono>
#include <string>
#include <string_view>

namespace warden::actions {

struct CaFiles {
  std::string pem;
  std::string der;
  std::string subject;      // "CN=School Web Filter CA, O=..."
  std::string fingerprint;  // SHA-256, "AB:CD:..."
  std::chrono::system_clock::time_point not_after;
};

// The response to a GET or HEAD of `path` on the CA page: "/" (or "/ca") the instructions,
// "/ca.pem" and
// "/ca.crt" (DER) the certificate, anything else 404. `close`: Connection: close.
[[nodiscard]] std::string ca_page_response(const CaFiles& ca, std::string_view path, bool head_only,
                                           bool close);

}  // namespace warden::actions
