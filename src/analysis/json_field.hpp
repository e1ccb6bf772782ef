#pragma once
// One string field of a JSON object, read without building the document: what a search engine's
// app sends (YouTube's youtubei/v1/search: {"context":{...},"query":"..."}) is hostile input of
// any size, so the reader is a bounded single pass that gives up on anything malformed.

#include <optional>
#include <string>
#include <string_view>

namespace warden::analysis {

// The value of `key` among the top-level members of the object `json` (the first, when the key
// is given twice), unescaped to UTF-8 (\uXXXX and surrogate pairs; a lone surrogate becomes
// U+FFFD). nullopt when `json` is not an object, is malformed before the key, nests deeper than
// 64, or the member is not a string.
[[nodiscard]] std::optional<std::string> json_string_field(std::string_view json,
                                                           std::string_view key);

}  // namespace warden::analysis
