#pragma once
// Sans-io parsers for HTTP/1.x request and response heads (RFC 9112 §2-§5), strict by design:
// what a lenient parser would "fix" is refused, because two parsers that disagree about where a
// message ends are how request smuggling starts (../shared/SECURITY.md b).
//
// Usage: keep the bytes of the message head contiguous and call parse() with all of them each
// time more arrive; the parser resumes its scan where it stopped (no quadratic rescans). On Done,
// take() returns the head (it copies the head's bytes once) and `consumed` says where the body
// or the next message starts.
//
// Refused: bare LF or bare CR line endings, whitespace before a field name or before the colon,
// obs-fold, NUL and other control bytes, non-token names, a request line over the limit (414),
// a head over the limit or with too many fields (431), malformed versions (400), HTTP/2+ (505).

#include "http/message.hpp"
#include "http/parse_result.hpp"

#include <string_view>

namespace warden::http {

struct HeadLimits {
  std::size_t start_line_max = 8 * 1024;  // request line or status line, without CRLF
  std::size_t section_max = 64 * 1024;    // the whole head, start line included
  std::size_t fields_max = 100;           // field lines
};

class HeadParserBase {
 public:
  explicit HeadParserBase(HeadLimits limits) : limits_(limits) {}
  // Forget any partial scan; call before parsing the next message.
  void reset();

 protected:
  // Find the end of the head, checking line endings and limits. `allow_leading_crlf`: a server
  // ignores empty lines before a request line (RFC 9112 §2.2).
  ParseResult scan(std::string_view buffered, bool allow_leading_crlf, unsigned line_too_long);
  // Parse field lines of `head.raw_` from `offset` to the end of the head into its index.
  [[nodiscard]] bool parse_fields(MessageHead& head, std::size_t offset, ParseError& error) const;
  static void set_raw(MessageHead& head, std::string_view raw) { head.raw_.assign(raw); }
  static std::string& raw_of(MessageHead& head) { return head.raw_; }

  HeadLimits limits_;
  std::size_t scanned_ = 0;     // bytes already scanned
  std::size_t line_start_ = 0;  // offset of the line being scanned
  std::size_t lines_ = 0;       // complete non-empty lines so far
  std::size_t skipped_ = 0;     // bytes of leading empty lines
};

class RequestHeadParser : public HeadParserBase {
 public:
  explicit RequestHeadParser(HeadLimits limits = {}) : HeadParserBase(limits) {}
  // On Done, `consumed` counts the head including any leading empty lines.
  ParseResult parse(std::string_view buffered);
  // Valid only right after parse() returned Done.
  [[nodiscard]] RequestHead take() { return std::move(head_); }

 private:
  RequestHead head_;
};

class ResponseHeadParser : public HeadParserBase {
 public:
  explicit ResponseHeadParser(HeadLimits limits = {}) : HeadParserBase(limits) {}
  ParseResult parse(std::string_view buffered);
  [[nodiscard]] ResponseHead take() { return std::move(head_); }

 private:
  ResponseHead head_;
};

}  // namespace warden::http
