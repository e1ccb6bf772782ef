#include "analysis/charset.hpp"

#include "analysis/text.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <iconv.h>
#include <uchardet/uchardet.h>

namespace warden::analysis {
namespace {

constexpr std::size_t kPrescan = 1024;  // HTML's meta prescan window
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// The WHATWG Encoding Standard's encodings that pages use, their common labels, and the name
// glibc's iconv knows them by. A label not here is ignored, as browsers ignore it (iconv would
// take EBCDIC or UTF-32 and read ASCII pages as noise). UTF-8 and Windows-1252 are converted
// without iconv.
struct Encoding {
  std::string_view name;
  std::string_view iconv;
  std::array<std::string_view, 9> labels;
};
constexpr std::array<Encoding, 35> kEncodings = {{
    {"utf-8",
     "",
     {"utf-8", "utf8", "unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "x-unicode20utf8"}},
    {"windows-1252",
     "",
     {"windows-1252", "cp1252", "x-cp1252", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1",
      "ascii", "us-ascii"}},
    {"windows-1252",
     "",
     {"l1", "iso-ir-100", "csisolatin1", "cp819", "ibm819", "iso88591", "ansi_x3.4-1968",
      "iso_8859-1:1987", "iso-8859-1:1987"}},
    {"iso-8859-2",
     "ISO-8859-2",
     {"iso-8859-2", "iso8859-2", "iso_8859-2", "latin2", "l2", "csisolatin2", "iso88592"}},
    {"iso-8859-3", "ISO-8859-3", {"iso-8859-3", "iso8859-3", "iso_8859-3", "latin3", "l3"}},
    {"iso-8859-4", "ISO-8859-4", {"iso-8859-4", "iso8859-4", "iso_8859-4", "latin4", "l4"}},
    {"iso-8859-5",
     "ISO-8859-5",
     {"iso-8859-5", "iso8859-5", "iso_8859-5", "cyrillic", "csisolatincyrillic"}},
    {"iso-8859-6", "ISO-8859-6", {"iso-8859-6", "iso8859-6", "iso_8859-6", "arabic"}},
    {"iso-8859-7", "ISO-8859-7", {"iso-8859-7", "iso8859-7", "iso_8859-7", "greek", "greek8"}},
    {"iso-8859-8",
     "ISO-8859-8",
     {"iso-8859-8", "iso8859-8", "iso_8859-8", "hebrew", "iso-8859-8-i", "visual", "logical"}},
    {"iso-8859-10", "ISO-8859-10", {"iso-8859-10", "iso8859-10", "latin6", "l6"}},
    {"iso-8859-13", "ISO-8859-13", {"iso-8859-13", "iso8859-13", "iso_8859-13"}},
    {"iso-8859-14", "ISO-8859-14", {"iso-8859-14", "iso8859-14", "iso_8859-14"}},
    {"iso-8859-15",
     "ISO-8859-15",
     {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "l9", "csisolatin9"}},
    {"iso-8859-16", "ISO-8859-16", {"iso-8859-16"}},
    {"windows-874", "CP874", {"windows-874", "tis-620", "iso-8859-11", "iso8859-11", "dos-874"}},
    {"windows-1250", "CP1250", {"windows-1250", "cp1250", "x-cp1250"}},
    {"windows-1251", "CP1251", {"windows-1251", "cp1251", "x-cp1251"}},
    {"windows-1253", "CP1253", {"windows-1253", "cp1253", "x-cp1253"}},
    {"windows-1254",
     "CP1254",
     {"windows-1254", "cp1254", "x-cp1254", "iso-8859-9", "latin5", "l5", "iso8859-9",
      "iso_8859-9"}},
    {"windows-1255", "CP1255", {"windows-1255", "cp1255", "x-cp1255"}},
    {"windows-1256", "CP1256", {"windows-1256", "cp1256", "x-cp1256"}},
    {"windows-1257", "CP1257", {"windows-1257", "cp1257", "x-cp1257"}},
    {"windows-1258", "CP1258", {"windows-1258", "cp1258", "x-cp1258"}},
    {"koi8-r", "KOI8-R", {"koi8-r", "koi8_r", "koi8", "koi", "cskoi8r"}},
    {"koi8-u", "KOI8-U", {"koi8-u", "koi8-ru"}},
    {"ibm866", "CP866", {"ibm866", "866", "cp866", "csibm866"}},
    {"macintosh", "MACINTOSH", {"macintosh", "mac", "x-mac-roman", "csmacintosh"}},
    {"gbk",
     "GBK",
     {"gbk", "gb2312", "chinese", "csgb2312", "x-gbk", "gb_2312-80", "cp936", "ms936",
      "iso-ir-58"}},
    {"gb18030", "GB18030", {"gb18030"}},
    {"big5", "BIG5-HKSCS", {"big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"}},
    {"euc-jp", "EUC-JP", {"euc-jp", "x-euc-jp", "cseucpkdfmtjapanese"}},
    {"iso-2022-jp", "ISO-2022-JP", {"iso-2022-jp", "csiso2022jp"}},
    {"shift_jis",
     "CP932",
     {"shift_jis", "sjis", "ms_kanji", "csshiftjis", "windows-31j", "x-sjis", "ms932",
      "shift-jis"}},
    {"euc-kr",
     "CP949",
     {"euc-kr", "ks_c_5601-1987", "korean", "windows-949", "cseuckr", "ks_c_5601-1989", "ksc5601",
      "ksc_5601"}},
}};
// (and UTF-16, chosen only by a byte order mark or a Content-Type: utf-16 is little-endian)
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kUtf16 = {
    {{"utf-16le", "UTF-16LE"}, {"utf-16", "UTF-16LE"}, {"utf-16be", "UTF-16BE"}}};

std::string_view iconv_name(std::string_view whatwg) {
  for (const Encoding& e : kEncodings)
    if (e.name == whatwg) return e.iconv;
  for (const auto& [name, iconv] : kUtf16)
    if (name == whatwg) return iconv;
  return {};
}

// A label without the spaces and quotes around it.
std::string_view unquoted(std::string_view s) { return trimmed(s, "\"'\r\n\f\v"); }

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
  const std::string lowered = ascii_lowered(head);
  std::size_t from = 0;
  while ((from = lowered.find("<meta", from)) != std::string::npos) {
    const std::size_t end = lowered.find('>', from);
    const std::size_t stop = end == std::string::npos ? lowered.size() : end;
    const std::string_view tag = std::string_view(head).substr(from, stop - from);
    const std::string_view ltag = std::string_view(lowered).substr(from, stop - from);
    if (auto v = charset_after(tag, ltag); !v.empty()) {
      // A page cannot declare UTF-16 in its own ASCII bytes: the standard reads UTF-8 then.
      if (ascii_lowered(v).starts_with("utf-16")) return "utf-8";
      if (std::string name = charset_name(v); !name.empty()) return name;
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
  std::string name;  // (only what a browser could pick too: the table above)
  if (ud != nullptr) {
    if (uchardet_handle_data(ud, bytes.data(), bytes.size()) == 0) {
      uchardet_data_end(ud);
      name = charset_name(uchardet_get_charset(ud));
    }
    uchardet_delete(ud);
  }
  if (name.empty()) name = "windows-1252";
  return name;
}

}  // namespace

std::string charset_name(std::string_view label) {
  const std::string l = ascii_lowered(unquoted(label));
  for (const Encoding& e : kEncodings)
    for (const std::string_view known : e.labels)
      if (!known.empty() && l == known) return std::string(e.name);
  return {};
}

std::string_view content_type_charset(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (semi == std::string_view::npos) return {};
  const std::string_view params = content_type.substr(semi);
  return charset_after(params, ascii_lowered(params));
}

CharsetDecoder::CharsetDecoder(std::string_view declared, bool html) : html_(html) {
  declared_ = charset_name(declared);
  const std::string l = ascii_lowered(unquoted(declared));
  for (const auto& [name, iconv] : kUtf16)  // (a Content-Type may name UTF-16; a <meta> may not)
    if (l == name) declared_ = name == "utf-16be" ? "utf-16be" : "utf-16le";
}

CharsetDecoder::~CharsetDecoder() {
  if (iconv_ != nullptr) iconv_close(static_cast<iconv_t>(iconv_));
}

void CharsetDecoder::choose(bool at_end) {
  // The first kPrescan bytes decide, however many arrived in the piece that reached them.
  const std::string_view head = std::string_view(pending_).substr(0, kPrescan);
  const bool more = !at_end || pending_.size() > head.size();  // (a sequence cut there goes on)
  charset_ = bom_charset(head);
  if (charset_.empty()) charset_ = declared_;
  if (charset_.empty() && html_) charset_ = meta_charset(head);
  if (charset_.empty() && is_utf8(head, more)) charset_ = "utf-8";
  if (charset_.empty()) charset_ = detected(head);
  if (charset_ == "utf-8" || charset_ == "windows-1252") return;
  const std::string iconv_charset(iconv_name(charset_));
  const iconv_t cd = iconv_open("UTF-8", iconv_charset.c_str());
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
    choose(false);
    std::string held;
    held.swap(pending_);
    convert(held, utf8, false);
    return;
  }
  convert(bytes, utf8, false);
}

void CharsetDecoder::finish(std::string& utf8) {
  if (charset_.empty()) {
    choose(true);
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
