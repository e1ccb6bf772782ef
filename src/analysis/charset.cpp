#include "analysis/charset.hpp"

#include "analysis/text.hpp"

#include <iconv.h>
#include <uchardet/uchardet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>

namespace warden::analysis {
namespace {

constexpr std::size_t kPrescan = 1024;  // HTML's meta prescan window
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

std::string lower(std::string_view s) {  // ASCII only, as labels and tags are
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) != 0 || s.front() == '"' ||
                        s.front() == '\''))
    s.remove_prefix(1);
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) != 0 || s.back() == '"' ||
                        s.back() == '\''))
    s.remove_suffix(1);
  return s;
}

// The value after "charset=" in `s` (a Content-Type or a <meta> tag), "" when none.
std::string_view charset_after(std::string_view s, std::string_view lowered) {
  const std::size_t at = lowered.find("charset");
  if (at == std::string_view::npos) return {};
  std::size_t i = at + 7;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (i >= s.size() || s[i] != '=') return {};
  ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '"' || s[i] == '\'')) ++i;
  std::size_t end = i;
  while (end < s.size() && s[end] != ';' && s[end] != '"' && s[end] != '\'' && s[end] != '>' &&
         s[end] != ' ' && s[end] != '/' && s[end] != '\t')
    ++end;
  return s.substr(i, end - i);
}

// <meta charset=...> or <meta http-equiv=content-type content="...; charset=..."> in the
// first bytes of an HTML page.
std::string meta_charset(std::string_view head) {
  const std::string lowered = lower(head);
  std::size_t from = 0;
  while ((from = lowered.find("<meta", from)) != std::string::npos) {
    const std::size_t end = lowered.find('>', from);
    const std::size_t stop = end == std::string::npos ? lowered.size() : end;
    const std::string_view tag = std::string_view(head).substr(from, stop - from);
    const std::string_view ltag = std::string_view(lowered).substr(from, stop - from);
    if (auto v = charset_after(tag, ltag); !v.empty()) {
      std::string name = charset_name(v);
      // A page cannot declare UTF-16 in its own ASCII bytes: the standard reads UTF-8 then.
      if (name.starts_with("utf-16")) name = "utf-8";
      return name;
    }
    from = stop;
  }
  return {};
}

std::string bom_charset(std::string_view b) {
  if (b.starts_with("\xEF\xBB\xBF")) return "utf-8";
  if (b.starts_with("\xFE\xFF")) return "utf-16be";
  if (b.starts_with("\xFF\xFE")) return "utf-16le";
  return {};
}

std::string detected(std::string_view bytes) {
  uchardet_t ud = uchardet_new();
  std::string name;
  if (ud != nullptr) {
    if (uchardet_handle_data(ud, bytes.data(), bytes.size()) == 0) {
      uchardet_data_end(ud);
      name = charset_name(uchardet_get_charset(ud));
    }
    uchardet_delete(ud);
  }
  if (name.empty() || name == "ascii") name = "windows-1252";
  return name;
}

}  // namespace

std::string charset_name(std::string_view label) {
  std::string l = lower(trim(label));
  static constexpr std::array<std::string_view, 6> kUtf8 = {
      "utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"};
  static constexpr std::array<std::string_view, 17> kWindows1252 = {
      "windows-1252", "cp1252",   "x-cp1252",       "iso-8859-1", "iso8859-1",     "iso_8859-1",
      "latin1",       "l1",       "ascii",          "us-ascii",   "iso-ir-100",    "csisolatin1",
      "cp819",        "ibm819",   "iso_8859-1:1987", "iso88591",  "ansi_x3.4-1968"};
  if (std::find(kUtf8.begin(), kUtf8.end(), l) != kUtf8.end()) return "utf-8";
  if (std::find(kWindows1252.begin(), kWindows1252.end(), l) != kWindows1252.end())
    return "windows-1252";
  return l;
}

std::string_view content_type_charset(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (semi == std::string_view::npos) return {};
  const std::string_view params = content_type.substr(semi);
  return charset_after(params, lower(params));
}

CharsetDecoder::CharsetDecoder(std::string_view declared, bool html)
    : declared_(declared.empty() ? std::string() : charset_name(declared)), html_(html) {}

CharsetDecoder::~CharsetDecoder() {
  if (iconv_ != nullptr) iconv_close(static_cast<iconv_t>(iconv_));
}

void CharsetDecoder::choose() {
  charset_ = bom_charset(pending_);
  if (charset_.empty()) charset_ = declared_;
  if (charset_.empty() && html_) charset_ = meta_charset(pending_);
  if (charset_.empty() && is_utf8(pending_, true)) charset_ = "utf-8";
  if (charset_.empty()) charset_ = detected(pending_);
  if (charset_ == "utf-8" || charset_ == "windows-1252") return;
  const iconv_t cd = iconv_open("UTF-8", charset_.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    charset_ = "windows-1252";  // a label nobody knows: read the bytes as browsers would
    return;
  }
  iconv_ = cd;
}

void CharsetDecoder::feed(std::string_view bytes, std::string& utf8) {
  if (charset_.empty()) {
    pending_.append(bytes);
    if (pending_.size() < kPrescan) return;
    choose();
    std::string held;
    held.swap(pending_);
    convert(held, utf8, false);
    return;
  }
  convert(bytes, utf8, false);
}

void CharsetDecoder::finish(std::string& utf8) {
  if (charset_.empty()) {
    choose();
    std::string held;
    held.swap(pending_);
    convert(held, utf8, true);
    return;
  }
  convert({}, utf8, true);
}

void CharsetDecoder::convert(std::string_view bytes, std::string& utf8, bool at_end) {
  if (charset_ == "utf-8") {  // checked later, where it is folded
    utf8.append(bytes);
    return;
  }
  if (charset_ == "windows-1252") {
    utf8 += windows1252_to_utf8(bytes);
    return;
  }
  std::string in = pending_;
  in.append(bytes);
  pending_.clear();
  char* src = in.data();
  std::size_t left = in.size();
  std::array<char, 4096> chunk{};
  while (left > 0) {
    char* dst = chunk.data();
    std::size_t room = chunk.size();
    const std::size_t rc = iconv(static_cast<iconv_t>(iconv_), &src, &left, &dst, &room);
    utf8.append(chunk.data(), chunk.size() - room);
    if (rc != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    if (errno == EINVAL && !at_end) {  // a sequence cut at the end: wait for the rest
      pending_.assign(src, left);
      return;
    }
    utf8 += kReplacement;  // EILSEQ, or cut at the very end
    ++src;
    --left;
  }
}

}  // namespace warden::analysis
