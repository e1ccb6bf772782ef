#include "flow/tls_services.hpp"

namespace warden::flow {

bool TlsServices::matches(const std::vector<std::string>& domains, const std::string& host) {
  for (const auto& d : domains) {
    if (host == d) return true;
    if (host.size() > d.size() && host.ends_with(d) && host[host.size() - d.size() - 1] == '.')
      return true;
  }
  return false;
}

}  // namespace warden::flow
