#include "observe/alert_spool.hpp"

#include "platform/files.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace warden::observe {
namespace {

namespace fs = std::filesystem;

// "00000000000000000042.json" -> 42; nullopt for anything else (a partly written ".tmp").
std::optional<std::uint64_t> sequence_of(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name.size() != 25 || !name.ends_with(".json")) return std::nullopt;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<std::uint64_t>(name[i] - '0');
  }
  return n;
}

struct Listing {
  std::vector<std::pair<std::uint64_t, fs::path>> files;  // unsorted
  std::uint64_t bytes = 0;
};

Listing list(const std::string& folder) {
  Listing l;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(folder, ec)) {
    const auto n = sequence_of(e.path());
    if (!n) continue;
    l.files.emplace_back(*n, e.path());
    l.bytes += e.file_size(ec);
  }
  return l;
}

}  // namespace

AlertSpool::AlertSpool(std::string folder, std::uint64_t max_bytes)
    : folder_(std::move(folder)), max_bytes_(max_bytes) {
  std::string warning;
  (void)platform::ensure_private_folder(folder_, warning);  // put() says it if this failed
  for (const auto& [n, path] : list(folder_).files) next_ = std::max(next_, n + 1);
}

bool AlertSpool::put(const std::string& json, std::string& why) {
  if (list(folder_).bytes + json.size() > max_bytes_) {
    why = fmt::format("the spool {} is full ({} bytes)", folder_, max_bytes_);
    return false;
  }
  const std::string name = fmt::format("{:020}.json", next_);
  const fs::path tmp = fs::path(folder_) / ("." + name + ".tmp");
  const fs::path final_path = fs::path(folder_) / name;
  if (auto written =
          platform::write_new_file(tmp.string(), json, platform::FileAccess::OwnerOnly, true);
      !written) {
    why = written.error().context;
    return false;
  }
  std::error_code ec;
  fs::rename(tmp, final_path, ec);
  if (ec) {
    why = fmt::format("{}: {}", final_path.string(), ec.message());
    fs::remove(tmp, ec);
    return false;
  }
  ++next_;
  return true;
}

std::optional<AlertSpool::Entry> AlertSpool::oldest() const {
  Listing l = list(folder_);
  if (l.files.empty()) return std::nullopt;
  const auto& first = *std::min_element(l.files.begin(), l.files.end());
  std::ifstream in(first.second, std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  return Entry{first.second.string(), body.str()};
}

bool AlertSpool::remove(const Entry& e) const {
  std::error_code ec;
  return fs::remove(e.path, ec) && !ec;
}

bool AlertSpool::set_aside(const Entry& e) const {
  std::error_code ec;
  fs::rename(e.path, e.path + ".refused", ec);
  return !ec;
}

std::size_t AlertSpool::count() const { return list(folder_).files.size(); }

}  // namespace warden::observe
