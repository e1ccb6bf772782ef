// A hostile list archive (app/archive_unpack.hpp): whatever the bytes, unpacking ends with an
// error or files inside the folder, within the bounds, and never crashes.
#include "app/archive_unpack.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path dir =
      fs::temp_directory_path() / ("archive-fuzz-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "out");
  {
    std::ofstream(dir / "input", std::ios::binary)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  warden::app::UnpackLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_entries = 1000;
  (void)warden::app::unpack_archive((dir / "input").string(), (dir / "out").string(), limits);
  for (const auto& e : fs::recursive_directory_iterator(dir / "out")) {
    const auto rel = fs::relative(e.path(), dir / "out").string();
    if (rel.starts_with("..") || fs::is_symlink(e.path())) __builtin_trap();
  }
  fs::remove_all(dir);
  return 0;
}
