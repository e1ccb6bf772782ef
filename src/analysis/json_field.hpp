#pragma once
// One string field of a JSON object, read without building the document: what a search engine's
// app sends (YouTube's youtubei/v1/search: {"context":{...},"query":"..."}) is hostile input of
// any size, so the reader is a bounded single pass that gives up on anything malformed.

#include <string>
#include <string_view>
#include <vector>

namespace warden::analysis {

// Every value of `key` among the top-level members of the object `json`, in order (a key given
// twice is a trick: a server may read either), unescaped to UTF-8 (\uXXXX and surrogate pairs;
// a lone surrogate becomes U+FFFD). Empty when `json` is not a well-formed object (nesting
// deeper than 64 counts as malformed) or no member `key` is a string.
[[nodiscard]] std::vector<std::string> json_string_fields(std::string_view json,
                                                          std::string_view key);

}  // namespace warden::analysis
