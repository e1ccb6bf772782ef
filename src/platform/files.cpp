// platform/files.hpp: what is the same on every system, built on the system's own parts.
#include "platform/files.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace warden::platform {

base::Result<void> replace_file(const std::string& path, const std::string& data,
                                FileAccess access) {
  const std::string fresh = path + ".new";
  if (auto ok = write_new_file(fresh, data, access, true); !ok) return ok;
  std::error_code ec;
  std::filesystem::rename(fresh, path, ec);
  if (ec) {  // (MinGW's rename does not replace a file)
    std::filesystem::remove(path, ec);
    std::filesystem::rename(fresh, path, ec);
  }
  if (ec)
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("{}: {}", path, ec.message())};
  return {};
}

}  // namespace warden::platform
