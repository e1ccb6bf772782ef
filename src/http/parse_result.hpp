#pragma once
// Tri-state outcome of a sans-io parse step (HAProxy style): NeedMore | Done{consumed} |
// Invalid{error}. Never one value for two meanings.

#include <boost/system/result.hpp>

#include <cstddef>
#include <string_view>

namespace warden::http {

// Why input was refused. `status` is what we answer a client with (400, 414, 431, 501, 505...);
// for bytes from an upstream the caller answers 502 whatever `status` says.
struct ParseError {
  unsigned status = 400;
  std::string_view reason;  // static text, safe to print (never echoes input)
};

enum class ParseStatus { NeedMore, Done, Invalid };

struct [[nodiscard]] ParseResult {
  ParseStatus status = ParseStatus::NeedMore;
  std::size_t consumed = 0;  // Done: bytes that made up the parsed unit
  ParseError error{};        // Invalid: why

  static ParseResult need_more() { return {}; }
  static ParseResult done(std::size_t n) { return {ParseStatus::Done, n, {}}; }
  static ParseResult invalid(unsigned status, std::string_view reason) {
    return {ParseStatus::Invalid, 0, {status, reason}};
  }
};

// boost::system::result<T, ParseError> hook; only reached if value() is called on an error.
[[noreturn]] void throw_exception_from_error(const ParseError& e, const boost::source_location&);

template <class T>
using Checked = boost::system::result<T, ParseError>;

}  // namespace warden::http
