#pragma once
// A page's bytes as UTF-8, in a stream. The charset is chosen as browsers do (WHATWG encoding
// and HTML standards, simplified): a byte order mark, else the Content-Type's charset, else an
// HTML page's <meta charset> or http-equiv in its first 1024 bytes, else UTF-8 when those bytes
// are UTF-8, else what uchardet detects in them, else Windows-1252. Bytes that do not convert
// become U+FFFD.

#include <string>
#include <string_view>

namespace warden::analysis {

class CharsetDecoder {
 public:
  // `declared`: the charset parameter of the Content-Type ("" when none); `html`: the body is
  // HTML (its <meta> may declare the charset).
  CharsetDecoder(std::string_view declared, bool html);
  ~CharsetDecoder();
  CharsetDecoder(const CharsetDecoder&) = delete;
  CharsetDecoder& operator=(const CharsetDecoder&) = delete;

  void feed(std::string_view bytes, std::string& utf8);
  void finish(std::string& utf8);
  // The charset chosen (its WHATWG name); "" until it is.
  [[nodiscard]] const std::string& charset() const { return charset_; }

 private:
  void choose(bool at_end);  // at_end: the whole body is in pending_
  void convert(std::string_view bytes, std::string& utf8, bool at_end);

  std::string declared_;
  bool html_;
  std::string charset_;
  std::string pending_;    // bytes before the choice, or an incomplete sequence after it
  void* iconv_ = nullptr;  // iconv_t, for charsets other than UTF-8 and Windows-1252
};

// The WHATWG name for a charset label ("latin1" -> "windows-1252", "utf8" -> "utf-8"), or ""
// for a label browsers do not know (ignored, as they ignore it).
[[nodiscard]] std::string charset_name(std::string_view label);

// The charset parameter of a Content-Type value, "" when none.
[[nodiscard]] std::string_view content_type_charset(std::string_view content_type);

}  // namespace warden::analysis
