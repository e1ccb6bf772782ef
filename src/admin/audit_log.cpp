#include "admin/audit_log.hpp"

#include "observe/json_text.hpp"
#include "platform/files.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>

namespace warden::admin {

bool AuditLog::write(std::string_view event, std::string_view user, std::string_view address,
                     std::string_view detail) {
  std::string line = "{\"ts\":\"";
  observe::append_timestamp(line, std::chrono::system_clock::now());
  line += '"';
  observe::append_json_key(line, "event");
  observe::append_json_string(line, event);
  observe::append_json_key(line, "user");
  observe::append_json_string(line, user);
  observe::append_json_key(line, "address");
  observe::append_json_string(line, address);
  if (!detail.empty()) {
    observe::append_json_key(line, "detail");
    observe::append_json_string(line, detail);
  }
  line += "}\n";
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec))  // made private from the start
    (void)platform::write_new_file(path_, "", platform::FileAccess::OwnerOnly, false);
  std::ofstream out(path_, std::ios::app | std::ios::binary);
  out << line;
  out.flush();
  if (!out) {
    if (!told_) spdlog::error("admin audit log {}: cannot be written", path_);
    told_ = true;
    return false;
  }
  told_ = false;
  return true;
}

}  // namespace warden::admin
