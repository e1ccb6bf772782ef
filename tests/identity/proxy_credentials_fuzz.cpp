// libFuzzer target: a Proxy-Authorization value as any client may send it
// (identity/proxy_credentials.hpp). Invariants: parsed or refused with a reason; what parses
// has a user without ':' or control characters and within the bounds, and its canonical value
// parses to the same credentials.
#include "identity/proxy_credentials.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto c = warden::identity::parse_basic_credentials(value, why);
  if (!c) {
    if (why.empty()) __builtin_trap();
    return 0;
  }
  if (c->user.empty() || c->user.size() > 256 || c->password.size() > 1024 ||
      c->user.find(':') != std::string::npos)
    __builtin_trap();
  for (const char ch : c->user + c->password)
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) __builtin_trap();
  std::string again_why;
  auto again = warden::identity::parse_basic_credentials(
      warden::identity::basic_credentials_value(*c), again_why);
  if (!again || again->user != c->user || again->password != c->password) __builtin_trap();
  return 0;
}
