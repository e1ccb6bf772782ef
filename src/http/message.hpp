#pragma once
// Parsed HTTP/1.x message heads. A head owns one copy of its bytes (one allocation for the text,
// one for the field index); names and values are views into it, valid while the head lives.
// Field names keep the case they arrived in; lookups are case-insensitive.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warden::http {

enum class Version : std::uint8_t { Http10, Http11 };

[[nodiscard]] constexpr std::string_view version_text(Version v) {
  return v == Version::Http10 ? "HTTP/1.0" : "HTTP/1.1";
}

class MessageHead {
 public:
  struct Field {
    std::string_view name;
    std::string_view value;  // without surrounding whitespace
  };

  [[nodiscard]] std::size_t field_count() const { return index_.size(); }
  [[nodiscard]] Field field(std::size_t i) const;
  // First value of `name`, case-insensitive; nullopt when absent.
  [[nodiscard]] std::optional<std::string_view> find(std::string_view name) const;
  [[nodiscard]] std::size_t count(std::string_view name) const;
  // Raw text of the head as received, including the final CRLF CRLF.
  [[nodiscard]] std::string_view raw() const { return raw_; }

  Version version = Version::Http11;

 protected:
  friend class HeadParserBase;
  struct Span {
    std::uint32_t offset = 0;
    std::uint32_t length = 0;
  };
  [[nodiscard]] std::string_view view(Span s) const { return {raw_.data() + s.offset, s.length}; }

  std::string raw_;
  std::vector<std::pair<Span, Span>> index_;  // (name, value) per field line, in order
};

class RequestHead : public MessageHead {
 public:
  [[nodiscard]] std::string_view method() const { return view(method_); }
  [[nodiscard]] std::string_view target() const { return view(target_); }

 private:
  friend class RequestHeadParser;
  Span method_;
  Span target_;
};

class ResponseHead : public MessageHead {
 public:
  [[nodiscard]] unsigned status() const { return status_; }
  [[nodiscard]] std::string_view reason() const { return view(reason_); }

 private:
  friend class ResponseHeadParser;
  unsigned status_ = 0;
  Span reason_;
};

}  // namespace warden::http
