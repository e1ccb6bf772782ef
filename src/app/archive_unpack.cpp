#include "app/archive_unpack.hpp"

#include <fmt/format.h>

#include <archive.h>
#include <archive_entry.h>
#include <filesystem>
#include <fstream>
#include <memory>

namespace warden::app {
namespace fs = std::filesystem;
namespace {

base::Error bad_archive(std::string what) {
  return {base::ErrorCode::BadRequest, base::ErrorSource::Upstream, std::move(what)};
}

// The entry's path made safe to join to the folder, or "" when it must be refused: no absolute
// paths, no `..`, no empty or over-long names. "./" and repeated slashes are dropped.
std::string safe_relative(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.size() > 1024) return {};
  std::string out;
  while (!path.empty()) {
    const std::size_t slash = std::min(path.find('/'), path.size());
    const std::string_view part = path.substr(0, slash);
    path.remove_prefix(std::min(slash + 1, path.size()));
    if (part.empty() || part == ".") continue;
    if (part == ".." || part.size() > 255 || part.find('\0') != std::string_view::npos ||
        part.find('\\') != std::string_view::npos)
      return {};
    if (!out.empty()) out += '/';
    out += part;
  }
  return out;
}

// libarchive's message for the last error; it has none for some damage (found by
// archive_unpack_fuzz: a null message passed to fmt threw and ended the process).
std::string_view error_of(struct archive* a) {
  const char* message = archive_error_string(a);
  return message != nullptr ? message : "no reason given by libarchive";
}

using Reader = std::unique_ptr<struct archive, decltype(&archive_read_free)>;

// A reader of the archives Warden takes, not opened yet.
Reader new_reader() {
  Reader a(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_zip(a.get());
  return a;
}

base::Error cannot_open(const std::string& archive, struct archive* a) {
  return bad_archive(
      fmt::format("{} is damaged or cut short, or not an archive Warden reads "
                  "(tar.gz, tar.bz2, tar.xz, tar.zst or zip): {}",
                  archive, error_of(a)));
}

// Unpacks the opened `a`; `archive` names it in errors.
base::Result<UnpackStats> unpack(Reader a, const std::string& archive, const std::string& folder,
                                 const UnpackLimits& limits) {
  UnpackStats stats;
  std::uint64_t entries = 0;
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    archive_entry* e = nullptr;
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      return bad_archive(fmt::format("{} is damaged or cut short: {}", archive, error_of(a.get())));
    if (++entries > limits.max_entries)
      return bad_archive(fmt::format("{} holds more than {} entries", archive, limits.max_entries));
    const char* raw = archive_entry_pathname(e);
    const std::string rel = safe_relative(raw != nullptr ? raw : "");
    if (rel.empty()) {
      if (raw != nullptr && safe_relative(std::string(raw) + "/x") == "x") continue;  // "./"
      return bad_archive(fmt::format("{}: entry \"{}\" would land outside the lists folder",
                                     archive, raw != nullptr ? raw : ""));
    }
    const fs::path target = fs::path(folder) / rel;
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return bad_archive(
          fmt::format("cannot create {}: {}", target.parent_path().string(), ec.message()));
    if (archive_entry_hardlink(e) != nullptr) {
      ++stats.skipped;
      continue;
    }
    switch (archive_entry_filetype(e)) {
      case AE_IFDIR:
        fs::create_directories(target, ec);
        if (ec) return bad_archive("cannot create " + target.string() + ": " + ec.message());
        break;
      case AE_IFREG: {
        // A name seen twice, or one that is a link now: refused rather than written through.
        if (fs::symlink_status(target, ec).type() != fs::file_type::not_found)
          return bad_archive(fmt::format("{}: entry \"{}\" appears twice", archive, rel));
        std::ofstream out(target, std::ios::binary);
        if (!out) return bad_archive("cannot create " + target.string());
        for (;;) {
          const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
          if (n == 0) break;
          if (n < 0)
            return bad_archive(
                fmt::format("{} is damaged or cut short: {}", archive, error_of(a.get())));
          stats.bytes += static_cast<std::uint64_t>(n);
          if (stats.bytes > limits.max_bytes)
            return bad_archive(fmt::format("{} unpacks to more than {} bytes ({})", archive,
                                           limits.max_bytes, limits.setting));
          out.write(buffer.data(), n);
        }
        if (!out.flush()) return bad_archive("cannot write " + target.string());
        ++stats.files;
        break;
      }
      default:
        ++stats.skipped;
    }
  }
  // One top folder and nothing else: the lists are in it.
  stats.root = folder;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (!ec && it != fs::directory_iterator()) {
    const fs::directory_entry only = *it;
    if (++it == fs::directory_iterator() && only.is_directory() && !only.is_symlink())
      stats.root = only.path().string();
  }
  return stats;
}

}  // namespace

base::Result<UnpackStats> unpack_archive(const std::string& archive, const std::string& folder,
                                         const UnpackLimits& limits) {
  Reader a = new_reader();
  if (archive_read_open_filename(a.get(), archive.c_str(), 64 * 1024) != ARCHIVE_OK)
    return cannot_open(archive, a.get());
  return unpack(std::move(a), archive, folder, limits);
}

base::Result<UnpackStats> unpack_archive_bytes(std::string_view bytes, const std::string& name,
                                               const std::string& folder,
                                               const UnpackLimits& limits) {
  Reader a = new_reader();
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    return cannot_open(name, a.get());
  return unpack(std::move(a), name, folder, limits);
}

}  // namespace warden::app
