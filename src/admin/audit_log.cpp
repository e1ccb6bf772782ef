#include "admin/audit_log.hpp"

#include "observe/json_text.hpp"
#include "platform/files.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace warden::admin {

bool append_json_line(const std::string& path,
                      std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string line = "{\"ts\":\"";
  observe::append_timestamp(line, std::chrono::system_clock::now());
  line += '"';
  for (const auto& [key, value] : fields) {
    observe::append_json_key(line, key);
    observe::append_json_text(line, value);
  }
  line += "}\n";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))  // made private from the start
    (void)platform::write_new_file(path, "", platform::FileAccess::OwnerOnly, false);
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << line;
  out.flush();
  return static_cast<bool>(out);
}

bool AuditLog::write(std::string_view event, std::string_view user, std::string_view address,
                     std::string_view detail) {
  const bool written =
      detail.empty()
          ? append_json_line(path_, {{"event", event}, {"user", user}, {"address", address}})
          : append_json_line(
                path_,
                {{"event", event}, {"user", user}, {"address", address}, {"detail", detail}});
  if (!written) {
    if (!told_) spdlog::error("admin audit log {}: cannot be written", path_);
    told_ = true;
    return false;
  }
  told_ = false;
  return true;
}

}  // namespace warden::admin
