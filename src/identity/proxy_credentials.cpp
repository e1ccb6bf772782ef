#include "identity/proxy_credentials.hpp"

#include "base/base64.hpp"
#include "http/chars.hpp"

#include <algorithm>

namespace warden::identity {
namespace {

constexpr std::size_t kMaxUser = 256;
constexpr std::size_t kMaxPassword = 1024;
constexpr std::size_t kMaxValue = 6 + (kMaxUser + 1 + kMaxPassword + 2) / 3 * 4;

bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

}  // namespace

std::optional<BasicCredentials> parse_basic_credentials(std::string_view value, std::string& why) {
  if (value.size() > kMaxValue) {
    why = "credentials too long";
    return std::nullopt;
  }
  const std::size_t space = value.find(' ');
  if (space == std::string_view::npos || !http::chars::iequals(value.substr(0, space), "basic")) {
    why = "not Basic credentials";
    return std::nullopt;
  }
  std::string_view token = value.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);  // 1*SP
  const auto decoded = base::from_base64(token);
  if (!decoded) {
    why = "Basic credentials that are not base64";
    return std::nullopt;
  }
  const std::size_t colon = decoded->find(':');
  if (colon == std::string::npos) {
    why = "Basic credentials without a ':'";
    return std::nullopt;
  }
  BasicCredentials c{decoded->substr(0, colon), decoded->substr(colon + 1)};
  if (c.user.empty() || c.user.size() > kMaxUser || c.password.size() > kMaxPassword ||
      has_control(c.user) || has_control(c.password)) {
    why = "Basic credentials with an empty, overlong or control-character user or password";
    return std::nullopt;
  }
  return c;
}

std::string basic_credentials_value(const BasicCredentials& c) {
  return "Basic " + base::to_base64(c.user + ":" + c.password);
}

}  // namespace warden::identity
