#include "app/password_prompt.hpp"

#include <fmt/format.h>

#include <iostream>

#if defined(_WIN32)
#include <io.h>
#define WARDEN_ISATTY _isatty(0)
#else
#include <termios.h>
#include <unistd.h>
#define WARDEN_ISATTY isatty(STDIN_FILENO)
#endif

namespace warden::app {
namespace {

// One line from standard input; from a terminal (Linux) without echo.
std::string read_secret(const char* prompt) {
  const bool terminal = WARDEN_ISATTY != 0;
  if (terminal) fmt::print(stderr, "{}", prompt);
#if !defined(_WIN32)
  termios before{};
  const bool quiet = terminal && tcgetattr(STDIN_FILENO, &before) == 0;
  if (quiet) {
    termios silent = before;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &silent);
  }
#endif
  std::string line;
  std::getline(std::cin, line);
#if !defined(_WIN32)
  if (quiet) tcsetattr(STDIN_FILENO, TCSANOW, &before);
#endif
  if (terminal) fmt::print(stderr, "\n");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> new_password(std::string_view command, std::size_t shortest) {
  const std::string first = read_secret("Password: ");
  if (first.size() < shortest) {
    fmt::print(stderr, "{}: a password needs at least {} characters\n", command, shortest);
    return std::nullopt;
  }
  if (WARDEN_ISATTY != 0 && read_secret("Again: ") != first) {
    fmt::print(stderr, "{}: the two passwords differ\n", command);
    return std::nullopt;
  }
  return first;
}

}  // namespace warden::app
