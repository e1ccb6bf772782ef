#include "platform/service_plan.hpp"

namespace warden::platform {

std::string quote_command_argument(std::string_view arg) {
  if (!arg.empty() && arg.find_first_of(" \t\n\v\"") == std::string_view::npos)
    return std::string(arg);
  std::string out = "\"";
  std::size_t backslashes = 0;
  for (const char ch : arg) {
    if (ch == '\\') {
      ++backslashes;
      continue;
    }
    // Backslashes before a quote are doubled, and the quote escaped; elsewhere they are literal.
    out.append(ch == '"' ? 2 * backslashes + 1 : backslashes, '\\');
    backslashes = 0;
    out += ch;
  }
  out.append(2 * backslashes, '\\');  // before the closing quote
  return out + "\"";
}

std::string command_line(const std::vector<std::string>& args) {
  std::string out;
  for (const auto& a : args) {
    if (!out.empty()) out += ' ';
    out += quote_command_argument(a);
  }
  return out;
}

}  // namespace warden::platform
