#include "app/search_hash_key.hpp"

#include "analysis/search_hash.hpp"
#include "base/hex.hpp"
#include "platform/files.hpp"
#include "platform/os.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <filesystem>
#include <fstream>

namespace warden::app {
namespace {

constexpr std::size_t kHexDigits = 2 * analysis::kSearchHashKeyBytes;

base::Error key_error(const std::string& path, std::string_view why) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          fmt::format("{}: {}; delete it to make a new key (hashes logged from then on will not "
                      "match earlier ones)",
                      path, why)};
}

}  // namespace

std::string search_hash_key_path(const std::string& state_dir) {
  return (std::filesystem::path(state_dir) / "search-hash.key").string();
}

base::Result<std::string> load_search_hash_key(const std::string& state_dir) {
  const std::string path = search_hash_key_path(state_dir);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string key(analysis::kSearchHashKeyBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1)
      return key_error(path, "no random bytes for a new key");
    if (auto written = platform::write_new_file(path, base::to_hex(key) + "\n",
                                                platform::FileAccess::OwnerOnly, false);
        !written)
      return written.error();
    // Root running `warden run` on the service's folder must not leave a key the service's
    // own account cannot read.
    if (platform::running_as_administrator())
      if (auto given = platform::give_to_folder_owner(path, state_dir); !given)
        return given.error();
    return key;
  }
  std::ifstream in(path, std::ios::binary);
  std::string text(kHexDigits + 3, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad() || (!in && !in.eof())) return key_error(path, "cannot be read");
  text.resize(static_cast<std::size_t>(in.gcount()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  std::optional<std::string> key = base::from_hex(text);
  if (!key || key->size() != analysis::kSearchHashKeyBytes)
    return key_error(path, "not a key (64 hex digits expected)");
  return *std::move(key);
}

}  // namespace warden::app
