#include "http/chunked.hpp"

#include "http/chars.hpp"

#include <array>

namespace warden::http {
namespace {

// Trailer fields that must not be forwarded: framing, routing, connection control,
// authentication and content metadata (RFC 9110 §6.5.1).
bool forbidden_trailer(std::string_view name) {
  static constexpr std::array<std::string_view, 16> kForbidden = {"content-length",
                                                                  "transfer-encoding",
                                                                  "host",
                                                                  "connection",
                                                                  "keep-alive",
                                                                  "te",
                                                                  "trailer",
                                                                  "upgrade",
                                                                  "proxy-connection",
                                                                  "authorization",
                                                                  "proxy-authorization",
                                                                  "cookie",
                                                                  "set-cookie",
                                                                  "content-encoding",
                                                                  "content-type",
                                                                  "content-range"};
  for (auto f : kForbidden)
    if (chars::iequals(name, f)) return true;
  return false;
}

ChunkStep invalid(std::size_t consumed, std::string_view why) {
  return {ParseStatus::Invalid, consumed, {}, {400, why}};
}

}  // namespace

bool ChunkedDecoder::accept_trailer_line() {
  if (line_.front() == ' ' || line_.front() == '\t') return false;
  const std::size_t colon = line_.find(':');
  if (colon == std::string::npos) return false;
  const std::string_view name(line_.data(), colon);
  if (!chars::is_token(name)) return false;
  const std::string_view value = chars::trim_ows(std::string_view(line_).substr(colon + 1));
  for (char c : value)
    if (!chars::is_field_value_char(c)) return false;
  if (!forbidden_trailer(name)) {
    trailers_.append(name);
    trailers_.append(": ");
    trailers_.append(value);
    trailers_.append("\r\n");
  }
  return true;
}

ChunkStep ChunkedDecoder::next(std::string_view in) {
  std::size_t i = 0;
  while (i < in.size()) {
    const char c = in[i];
    switch (state_) {
      case State::Size:
        if (chars::is_hexdig(c)) {
          if (++digits_ > 15) return invalid(i, "chunk size too large");
          const unsigned d =
              chars::is_digit(c) ? unsigned(c - '0') : unsigned(chars::to_lower(c) - 'a' + 10);
          size_ = size_ * 16 + d;
        } else if (digits_ == 0) {
          return invalid(i, "invalid chunk size");
        } else if (c == ';') {
          state_ = State::Ext;
          ext_need_name_ = true;
        } else if (c == '\r') {
          state_ = State::SizeLF;
        } else {
          return invalid(i, "invalid chunk size");
        }
        ++i;
        break;
      case State::Ext:
        if (++ext_bytes_ > limits_.extensions_max) return invalid(i, "chunk extensions too long");
        if (c == '\r') {
          if (ext_need_name_) return invalid(i, "chunk extension without a name");
          state_ = State::SizeLF;
        } else if (ext_need_name_) {
          if (c == ' ' || c == '\t') {
            // BWS before the extension name
          } else if (chars::is_tchar(c)) {
            ext_need_name_ = false;
          } else {
            return invalid(i, "invalid chunk extension");
          }
        } else if (c == ';') {
          ext_need_name_ = true;
        } else if (!(c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e))) {
          return invalid(i, "invalid byte in a chunk extension");
        }
        ++i;
        break;
      case State::SizeLF:
        if (c != '\n') return invalid(i, "chunk size line not ended by CRLF");
        ++i;
        if (size_ == 0) {
          state_ = State::Trailer;
          line_.clear();
        } else {
          state_ = State::Data;
        }
        break;
      case State::Data: {
        const std::size_t n = std::min<std::uint64_t>(size_, in.size() - i);
        size_ -= n;
        if (size_ == 0) state_ = State::DataCR;
        return {ParseStatus::NeedMore, i + n, in.substr(i, n), {}};
      }
      case State::DataCR:
        if (c != '\r') return invalid(i, "chunk data not followed by CRLF");
        state_ = State::DataLF;
        ++i;
        break;
      case State::DataLF:
        if (c != '\n') return invalid(i, "chunk data not followed by CRLF");
        state_ = State::Size;
        size_ = 0;
        digits_ = 0;
        ++i;
        break;
      case State::Trailer:
        if (++trailer_bytes_ > limits_.trailers_max) return invalid(i, "trailer section too large");
        if (c == '\r') {
          state_ = line_.empty() ? State::EndLF : State::TrailerLF;
        } else if (c == '\n') {
          return invalid(i, "bare LF in trailers");
        } else {
          line_.push_back(c);
        }
        ++i;
        break;
      case State::TrailerLF:
        if (c != '\n' || !accept_trailer_line()) return invalid(i, "invalid trailer field");
        line_.clear();
        state_ = State::Trailer;
        ++i;
        break;
      case State::EndLF:
        if (c != '\n') return invalid(i, "chunked body not ended by CRLF");
        state_ = State::Done;
        return {ParseStatus::Done, i + 1, {}, {}};
      case State::Done:
        return {ParseStatus::Done, i, {}, {}};
    }
  }
  if (state_ == State::Done) return {ParseStatus::Done, i, {}, {}};
  return {ParseStatus::NeedMore, i, {}, {}};
}

std::size_t format_chunk_header(std::size_t n, char (&out)[20]) {
  static constexpr char kHex[] = "0123456789abcdef";
  char tmp[16];
  std::size_t len = 0;
  do {
    tmp[len++] = kHex[n & 0xf];
    n >>= 4;
  } while (n != 0);
  std::size_t o = 0;
  while (len > 0) out[o++] = tmp[--len];
  out[o++] = '\r';
  out[o++] = '\n';
  return o;
}

}  // namespace warden::http
