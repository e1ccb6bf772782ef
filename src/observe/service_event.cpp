#include "observe/service_event.hpp"

#include "observe/access_record.hpp"
#include "observe/json_text.hpp"

#include <fmt/format.h>

namespace warden::observe {

std::string service_event_line(const ServiceEvent& e, std::string_view instance) {
  std::string out;
  append_line_start(out, e.ts, instance);
  append_json_key(out, "event");
  append_json_string(out, e.event);
  for (const auto& [k, v] : e.fields) {
    append_json_key(out, k);
    append_json_string(out, v);
  }
  out.append("}\n");
  return out;
}

}  // namespace warden::observe
