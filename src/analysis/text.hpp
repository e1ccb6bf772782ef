#pragma once
// Text as analysis needs it: URL form values decoded, and bytes made valid UTF-8 so that what is
// logged and matched is text, whatever a client sent.

#include <string>
#include <string_view>

namespace warden::analysis {

// application/x-www-form-urlencoded value decoding: `+` is a space, `%XX` a byte; a `%` not
// followed by two hex digits stays as it is (browsers send it so).
[[nodiscard]] std::string form_decoded(std::string_view value);

// `bytes` with every ill-formed UTF-8 sequence (overlong forms, surrogates, past U+10FFFF, cut
// short) replaced by U+FFFD, one per maximal bad subpart (Unicode 15 §3.9, as browsers do).
[[nodiscard]] std::string valid_utf8(std::string_view bytes);

// Runs of whitespace (ASCII space, tab, CR, LF, FF, VT) as one space, none at either end; then
// cut to at most `max_bytes` without splitting a UTF-8 sequence. `text` must be valid UTF-8.
[[nodiscard]] std::string collapsed(std::string_view text, std::size_t max_bytes);

// `s` without ASCII spaces and tabs, and any of `also`, at either end.
[[nodiscard]] std::string_view trimmed(std::string_view s, std::string_view also = {});

// ASCII letters lower-cased, the rest as it is (labels, tags, tokens: not text).
[[nodiscard]] std::string ascii_lowered(std::string_view s);

// Appends code point `cp` as UTF-8; a surrogate or a value past U+10FFFF as U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// The code point Windows-1252 byte `b` stands for (0x80..0x9F are its own; the rest are
// ISO-8859-1's, that is the byte's value).
[[nodiscard]] char32_t windows1252_code_point(unsigned char b);

// Windows-1252 bytes (the WHATWG superset of ISO-8859-1 that browsers use for both) as UTF-8.
[[nodiscard]] std::string windows1252_to_utf8(std::string_view bytes);

// Whether `bytes` is well-formed UTF-8 (a sequence cut at the very end counts as well-formed when
// `allow_cut_end`: the rest may be in the next piece).
[[nodiscard]] bool is_utf8(std::string_view bytes, bool allow_cut_end = false);

}  // namespace warden::analysis
