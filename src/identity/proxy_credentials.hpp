#pragma once
// What a browser sends an explicit proxy that asked it to sign in (407, Proxy-Authenticate:
// Basic): "Proxy-Authorization: Basic <base64 of user:password>" (RFC 9110 §11.7.1, RFC 7617).
// Parsed strictly and bounded; a value that is not exactly that is no credentials, and says why
// (never with the password in it).

#include <optional>
#include <string>
#include <string_view>

namespace warden::identity {

struct BasicCredentials {
  std::string user;      // no ':', no control characters, 1 to 256 bytes
  std::string password;  // no control characters, at most 1024 bytes
};

// The credentials in a Proxy-Authorization field value; nullopt with `why` set otherwise.
[[nodiscard]] std::optional<BasicCredentials> parse_basic_credentials(std::string_view value,
                                                                      std::string& why);

// The field value that carries `c` (tests, tools).
[[nodiscard]] std::string basic_credentials_value(const BasicCredentials& c);

}  // namespace warden::identity
