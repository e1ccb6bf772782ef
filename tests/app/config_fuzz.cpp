// libFuzzer target: the config loader on arbitrary text. Invariant: every input is either a
// Config or an error message naming a position; nothing throws past load_config_text.
#include "app/config.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto c = warden::app::load_config_text(text, "fuzz.toml");
  if (!c && c.error().context.empty()) __builtin_trap();
  return 0;
}
