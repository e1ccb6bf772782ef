#include "http/head_parser.hpp"

#include "http/chars.hpp"

#include <algorithm>
#include <cstring>

namespace warden::http {

void throw_exception_from_error(const ParseError& e, const boost::source_location&) {
  throw std::runtime_error(std::string(e.reason));
}

void HeadParserBase::reset() {
  scanned_ = 0;
  line_start_ = 0;
  lines_ = 0;
  skipped_ = 0;
}

ParseResult HeadParserBase::scan(std::string_view buf, bool allow_leading_crlf,
                                 unsigned line_too_long) {
  constexpr std::size_t kMaxLeadingEmptyLines = 4;
  std::size_t pos = scanned_;
  while (pos < buf.size()) {
    const void* lf = std::memchr(buf.data() + pos, '\n', buf.size() - pos);
    if (lf == nullptr) {
      pos = buf.size();
      break;
    }
    const auto i = static_cast<std::size_t>(static_cast<const char*>(lf) - buf.data());
    if (i + 1 - skipped_ > limits_.section_max)
      return ParseResult::invalid(431, "header section too large");
    if (i == line_start_ || buf[i - 1] != '\r') return ParseResult::invalid(400, "bare LF");
    const std::size_t line_len = i - 1 - line_start_;
    if (line_len == 0) {
      if (lines_ > 0) return ParseResult::done(i + 1);
      if (!allow_leading_crlf || skipped_ / 2 >= kMaxLeadingEmptyLines)
        return ParseResult::invalid(400, "empty line before the start line");
      skipped_ += 2;
    } else if (lines_ == 0 && line_len > limits_.start_line_max) {
      return ParseResult::invalid(line_too_long, "start line too long");
    } else if (lines_ > limits_.fields_max) {  // start line + fields_max fields already
      return ParseResult::invalid(431, "too many header fields");
    } else {
      ++lines_;
    }
    line_start_ = i + 1;
    pos = i + 1;
  }
  scanned_ = pos;
  if (lines_ == 0 && buf.size() - line_start_ > limits_.start_line_max + 1)
    return ParseResult::invalid(line_too_long, "start line too long");
  if (buf.size() - skipped_ > limits_.section_max)
    return ParseResult::invalid(431, "header section too large");
  return ParseResult::need_more();
}

bool HeadParserBase::parse_fields(MessageHead& head, std::size_t offset, ParseError& error) const {
  const std::string_view raw = head.raw_;
  head.index_.clear();
  // One allocation for the index: a field per line at most (every line ends in LF here).
  head.index_.reserve(static_cast<std::size_t>(
      std::count(raw.begin() + static_cast<std::ptrdiff_t>(offset), raw.end(), '\n')));
  std::size_t pos = offset;
  for (;;) {
    const std::size_t eol = raw.find("\r\n", pos);
    if (eol == pos) return true;  // the empty line that ends the head
    std::string_view line = raw.substr(pos, eol - pos);
    if (line.front() == ' ' || line.front() == '\t') {
      error = {400, "whitespace before a field name (obs-fold)"};
      return false;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      error = {400, "field line without a colon"};
      return false;
    }
    const std::string_view name = line.substr(0, colon);
    if (!chars::is_token(name)) {
      error = {400, "invalid field name"};
      return false;
    }
    const std::string_view value = chars::trim_ows(line.substr(colon + 1));
    for (char c : value) {
      if (!chars::is_field_value_char(c)) {
        error = {400, "invalid byte in a field value"};
        return false;
      }
    }
    using Span = MessageHead::Span;
    head.index_.emplace_back(
        Span{static_cast<std::uint32_t>(pos), static_cast<std::uint32_t>(name.size())},
        Span{static_cast<std::uint32_t>(value.data() - raw.data()),
             static_cast<std::uint32_t>(value.size())});
    pos = eol + 2;
  }
}

namespace {

// "HTTP/" DIGIT "." DIGIT, exactly (RFC 9112 §2.3). Returns false when malformed.
bool parse_version(std::string_view v, unsigned& major, unsigned& minor) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !chars::is_digit(v[5]) || v[6] != '.' ||
      !chars::is_digit(v[7]))
    return false;
  major = static_cast<unsigned>(v[5] - '0');
  minor = static_cast<unsigned>(v[7] - '0');
  return true;
}

}  // namespace

ParseResult RequestHeadParser::parse(std::string_view buffered) {
  // Refuse what cannot be a request line as soon as its first byte arrives (a TLS
  // ClientHello or binary junk sent to the proxy port) instead of waiting for the timeout.
  const std::size_t first = buffered.find_first_not_of("\r\n");
  if (first != std::string_view::npos && !chars::is_tchar(buffered[first]))
    return ParseResult::invalid(400, "not an HTTP request");
  ParseResult r = scan(buffered, /*allow_leading_crlf=*/true, 414);
  if (r.status != ParseStatus::Done) return r;

  head_ = RequestHead{};
  set_raw(head_, buffered.substr(skipped_, r.consumed - skipped_));
  const std::string_view raw = raw_of(head_);
  const std::size_t eol = raw.find("\r\n");
  const std::string_view line = raw.substr(0, eol);

  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return ParseResult::invalid(400, "malformed request line");
  const std::size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return ParseResult::invalid(400, "malformed request line");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!chars::is_token(method)) return ParseResult::invalid(400, "invalid method");
  if (target.empty()) return ParseResult::invalid(400, "empty request target");
  for (char c : target)
    if (!chars::is_target_char(c)) return ParseResult::invalid(400, "invalid byte in the target");
  unsigned major = 0;
  unsigned minor = 0;
  if (!parse_version(version, major, minor)) return ParseResult::invalid(400, "invalid version");
  if (major != 1) return ParseResult::invalid(505, "HTTP version not supported");
  head_.version = minor == 0 ? Version::Http10 : Version::Http11;  // 1.x>1 is treated as 1.1
  head_.method_ = {0, static_cast<std::uint32_t>(sp1)};
  head_.target_ = {static_cast<std::uint32_t>(sp1 + 1), static_cast<std::uint32_t>(target.size())};

  ParseError error;
  if (!parse_fields(head_, eol + 2, error)) return {ParseStatus::Invalid, 0, error};
  return r;
}

ParseResult ResponseHeadParser::parse(std::string_view buffered) {
  ParseResult r = scan(buffered, /*allow_leading_crlf=*/false, 502);
  if (r.status == ParseStatus::Invalid) r.error.status = 502;  // an upstream's fault
  if (r.status != ParseStatus::Done) return r;

  head_ = ResponseHead{};
  set_raw(head_, buffered.substr(0, r.consumed));
  const std::string_view raw = raw_of(head_);
  const std::size_t eol = raw.find("\r\n");
  const std::string_view line = raw.substr(0, eol);

  // status-line = HTTP-version SP 3DIGIT SP [reason]; a missing final SP is tolerated.
  unsigned major = 0;
  unsigned minor = 0;
  if (line.size() < 12 || !parse_version(line.substr(0, 8), major, minor) || line[8] != ' ' ||
      !chars::is_digit(line[9]) || !chars::is_digit(line[10]) || !chars::is_digit(line[11]) ||
      (line.size() > 12 && line[12] != ' '))
    return ParseResult::invalid(502, "malformed status line");
  if (major != 1) return ParseResult::invalid(502, "unsupported response version");
  head_.version = minor == 0 ? Version::Http10 : Version::Http11;
  const auto status =
      static_cast<unsigned>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  if (status < 100 || status > 599) return ParseResult::invalid(502, "invalid status code");
  head_.status_ = status;
  if (line.size() > 13) {
    const std::string_view reason = line.substr(13);
    for (char c : reason)
      if (!chars::is_field_value_char(c)) return ParseResult::invalid(502, "invalid reason phrase");
    head_.reason_ = {13, static_cast<std::uint32_t>(reason.size())};
  }

  ParseError error;
  if (!parse_fields(head_, eol + 2, error)) return {ParseStatus::Invalid, 0, {502, error.reason}};
  return r;
}

}  // namespace warden::http
