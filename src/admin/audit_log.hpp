#pragma once
// Who did what on the dashboard (docs/admin.md): every sign-in (and failed or held one), sign
// out, and change, one JSON line each in admin/audit.log in the state folder (0600), written
// at once (a few lines a day). `warden admin` writes its account changes there too.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace warden::admin {

// Appends {"ts":"...", key: value, ...} and a newline to `path` (made 0600 if missing), values
// as JSON text (UTF-8 kept, anything else escaped). False when it could not be written.
bool append_json_line(const std::string& path,
                      std::initializer_list<std::pair<std::string_view, std::string_view>> fields);

class AuditLog {
 public:
  explicit AuditLog(std::string path) : path_(std::move(path)) {}
  // `event`: "sign_in", "sign_in_failed", "sign_in_held", "sign_out", "account_added"...
  // Returns false when the line could not be written (said once in the journal).
  bool write(std::string_view event, std::string_view user, std::string_view address,
             std::string_view detail = {});
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool told_ = false;
};

}  // namespace warden::admin
