#include "app/archive_pack.hpp"

#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace warden::app {
namespace fs = std::filesystem;
namespace {

base::Error pack_error(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

la_ssize_t append(struct archive*, void* out, const void* data, std::size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), n);
  return static_cast<la_ssize_t>(n);
}

}  // namespace

base::Result<std::string> pack_folder(const std::string& folder) {
  std::error_code ec;
  std::vector<fs::path> paths;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_symlink(ec))
      return pack_error(it->path().string() + ": a link; copy what it points at instead");
    if (!it->is_directory(ec) && !it->is_regular_file(ec))
      return pack_error(it->path().string() + ": only folders and regular files go in a bundle");
    paths.push_back(it->path());
  }
  if (ec) return pack_error("cannot read " + folder + ": " + ec.message());
  std::sort(paths.begin(), paths.end());

  std::string out;
  std::unique_ptr<struct archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                                   archive_write_free);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                      archive_entry_free);
  if (!a || !entry) return pack_error("out of memory");
  archive_write_set_format_pax_restricted(a.get());
  archive_write_add_filter_gzip(a.get());
  // No time in the gzip header either (libarchive writes the current one by default).
  archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr);
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open2(a.get(), &out, nullptr, append, nullptr, nullptr) != ARCHIVE_OK)
    return pack_error(archive_error_string(a.get()));
  for (const fs::path& p : paths) {
    const bool is_folder = fs::is_directory(p, ec);
    const std::string name = fs::relative(p, folder, ec).generic_string();
    std::string data;
    if (!is_folder) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return pack_error("cannot read " + p.string());
      data = text.str();
    }
    archive_entry_clear(entry.get());
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), is_folder ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(entry.get(), is_folder ? 0755 : 0644);
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(entry.get(), 0, 0);
    if (archive_write_header(a.get(), entry.get()) != ARCHIVE_OK ||
        (!data.empty() && archive_write_data(a.get(), data.data(), data.size()) < 0))
      return pack_error(name + ": " + archive_error_string(a.get()));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return pack_error(archive_error_string(a.get()));
  return out;
}

}  // namespace warden::app
