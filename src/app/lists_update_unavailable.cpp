// Windows: `warden lists update` is not built there yet (libcurl and libarchive are not among
// the cross-built dependencies, docs/windows.md); it says so instead of pretending.
#include "app/lists_update.hpp"

#include <fmt/format.h>

namespace warden::app {

int lists_update(const ListsUpdateOptions&) {
  fmt::print(stderr,
             "warden lists update: not available on Windows yet; copy a lists folder in the UT1 "
             "layout into policy.lists (the policy watch reloads it)\n");
  return 1;
}

}  // namespace warden::app
