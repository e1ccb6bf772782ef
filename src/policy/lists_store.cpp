#include "policy/lists_store.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

namespace warden::policy {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kCurrent = "current";
constexpr std::string_view kVersions = ".versions";

base::Error store_error(std::string what, const std::error_code& ec) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          ec ? fmt::format("{}: {}", what, ec.message()) : std::move(what)};
}

}  // namespace

std::string lists_source(const std::string& lists) {
  std::error_code ec;
  const fs::path current = fs::path(lists) / kCurrent;
  return fs::is_directory(current, ec) ? current.string() : lists;
}

std::string lists_version(const std::string& lists) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(fs::path(lists) / kCurrent, ec);
  return ec ? std::string() : target.filename().string();
}

base::Result<StagedVersion> stage_version(const std::string& lists, std::string stamp) {
  std::error_code ec;
  const fs::path versions = fs::path(lists) / kVersions;
  fs::create_directories(versions, ec);
  if (ec) return store_error("cannot create " + versions.string(), ec);
  // What an interrupted update left (updates take the lists folder's lock: none runs now).
  for (const auto& e : fs::directory_iterator(versions, ec))
    if (e.path().filename().string().ends_with(".partial")) fs::remove_all(e.path(), ec);
  if (!stamp.empty()) {
    if (fs::exists(versions / stamp, ec))
      return store_error("version " + stamp + " is in " + versions.string() + " already", {});
  } else {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    stamp = fmt::format("{:%Y%m%dT%H%M%S}Z", now);
    // Two updates within a second (tests, a retry) get distinct stamps.
    for (int n = 2;
         fs::exists(versions / stamp, ec) || fs::exists(versions / (stamp + ".partial"), ec); ++n)
      stamp = fmt::format("{:%Y%m%dT%H%M%S}Z-{}", now, n);
  }
  const fs::path folder = versions / (stamp + ".partial");
  if (!fs::create_directory(folder, ec) || ec)
    return store_error("cannot create " + folder.string(), ec);
  return StagedVersion{stamp, folder.string()};
}

base::Result<void> make_current(const std::string& lists, const StagedVersion& staged,
                                const std::string& root) {
  std::error_code ec;
  const fs::path versions = fs::path(lists) / kVersions;
  const fs::path final_folder = versions / staged.stamp;
  fs::rename(root, final_folder, ec);
  if (ec) return store_error("cannot move " + root + " to " + final_folder.string(), ec);
  fs::remove_all(staged.folder, ec);  // what is left around it: the archive, its wrapping
  // A new link beside the old, renamed over it: rename(2) replaces `current` atomically.
  const fs::path link = fs::path(lists) / kCurrent;
  const fs::path next = fs::path(lists) / ".current.new";
  fs::remove(next, ec);
  fs::create_directory_symlink(fs::path(kVersions) / staged.stamp, next, ec);
  if (ec) return store_error("cannot create " + next.string(), ec);
  fs::rename(next, link, ec);
  if (ec) return store_error("cannot replace " + link.string(), ec);
  // Keep this version and the one before it (stamps sort by time); the rest go.
  std::vector<std::string> done;
  for (const auto& e : fs::directory_iterator(versions, ec)) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".partial")) done.push_back(name);
  }
  std::sort(done.begin(), done.end());
  const auto mine = std::find(done.begin(), done.end(), staged.stamp);
  for (auto it = done.begin(); it != done.end(); ++it)
    if (mine - it > 1 || it > mine) fs::remove_all(versions / *it, ec);
  return {};
}

void discard(const StagedVersion& staged) {
  std::error_code ec;
  fs::remove_all(staged.folder, ec);
}

}  // namespace warden::policy
