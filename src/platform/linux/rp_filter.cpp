#include "platform/linux/rp_filter.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace warden::platform {
namespace {

int read_value(const std::filesystem::path& file) {
  std::ifstream in(file);
  int v = 0;
  in >> v;
  return in ? v : 0;
}

}  // namespace

std::vector<std::string> strict_rp_filter_interfaces(const std::string& ignore,
                                                     const std::string& root) {
  std::vector<std::string> strict;
  std::error_code ec;
  const int all = read_value(std::filesystem::path(root) / "all" / "rp_filter");
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "all" || name == "default" || name == "lo" || name == ignore) continue;
    if (std::max(all, read_value(entry.path() / "rp_filter")) == 1) strict.push_back(name);
  }
  std::sort(strict.begin(), strict.end());
  return strict;
}

}  // namespace warden::platform
