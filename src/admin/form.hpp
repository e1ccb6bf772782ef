#pragma once
// Query strings and HTML form bodies (application/x-www-form-urlencoded, WHATWG URL §5): the
// dashboard's filters and sign-in. Sans-io and strict in size: at most 64 fields, a name or
// value at most 4 KiB decoded; what does not fit is refused, not cut.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::admin {

class Form {
 public:
  // nullopt: malformed (a bad %-escape) or over the limits.
  [[nodiscard]] static std::optional<Form> parse(std::string_view encoded);
  // The first value of `name`; "" when absent.
  [[nodiscard]] std::string_view get(std::string_view name) const;
  [[nodiscard]] bool has(std::string_view name) const;
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& fields() const {
    return fields_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Percent-encodes a value for a query string (everything but unreserved characters).
[[nodiscard]] std::string url_encode(std::string_view value);

}  // namespace warden::admin
