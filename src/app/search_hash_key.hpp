#pragma once
// The installation's key for log.search = "hash" (analysis/search_hash): 32 random bytes in the
// state folder, `search-hash.key` (64 hex digits, readable by Warden's account only). Made on the
// first start and kept, so a search's hash stays the same across restarts and reloads; deleting
// the file starts a new series. Read once at start, before the CA key's wall goes up.

#include "base/result.hpp"

#include <string>

namespace warden::app {

[[nodiscard]] std::string search_hash_key_path(const std::string& state_dir);

// The key's bytes, the file made first if missing. An unreadable or malformed file is an error
// naming it: a key quietly replaced would break every comparison with earlier hashes.
[[nodiscard]] base::Result<std::string> load_search_hash_key(const std::string& state_dir);

}  // namespace warden::app
