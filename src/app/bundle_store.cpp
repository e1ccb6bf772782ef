#include "app/bundle_store.hpp"

#include "platform/files.hpp"
#include "policy/lists_store.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>

namespace warden::app {
namespace fs = std::filesystem;

std::string bundle_folder(const std::string& state_dir) {
  return (fs::path(state_dir) / "bundle").string();
}

BundlePaths bundle_paths(const std::string& folder) {
  const fs::path current = fs::path(folder) / "current";
  std::error_code ec;
  return {(current / "policy.toml").string(),
          fs::is_directory(current / "lists", ec) ? (current / "lists").string() : std::string()};
}

std::uint64_t current_bundle_version(const std::string& folder) {
  const std::string stamp = policy::lists_version(folder);
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(stamp.data(), stamp.data() + stamp.size(), v);
  return ec == std::errc() && end == stamp.data() + stamp.size() ? v : 0;
}

std::string read_bundle_etag(const std::string& folder) {
  std::ifstream in(fs::path(folder) / "etag");
  std::string etag;
  std::getline(in, etag);
  return etag;
}

void write_bundle_etag(const std::string& folder, const std::string& etag) {
  (void)platform::replace_file((fs::path(folder) / "etag").string(), etag + "\n",
                               platform::FileAccess::OwnerOnly);
}

}  // namespace warden::app
