#pragma once
// `warden lists update`: fetches the category-list archive of `lists_update.url` over HTTPS
// (conditionally: If-None-Match / If-Modified-Since from the last update), checks it (size
// bounds, the optional SHA-256 file, that it unpacks whole and safely, that the lists load and
// that the running policy loads with them), and only then makes it the current version of
// `policy.lists` (policy/lists_store.hpp) in one rename. The running Warden's policy watch
// reloads it; anything that fails leaves the lists in use as they were. warden-lists-update.timer
// runs it daily in the package (docs/install.md).

#include <optional>
#include <string>

namespace warden::app {

struct ListsUpdateOptions {
  std::optional<std::string> config_file;
  std::optional<std::string> url;    // replaces lists_update.url
  std::optional<std::string> lists;  // replaces policy.lists
  bool force = false;          // fetch even if the server says nothing changed (no validators sent)
  bool if_configured = false;  // no lists_update.url: nothing to do, not an error
};

[[nodiscard]] int lists_update(const ListsUpdateOptions& o);

}  // namespace warden::app
