#pragma once
// Events of the filter itself, written into the access log beside the requests so that the one
// record a school keeps also shows when someone tampered with the filter or switched filtering
// off (docs/access-log.md, "Service events"): {"v":1,"ts":...,"event":"tamper",...}.

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::observe {

struct ServiceEvent {
  std::string_view event;  // "tamper", "bypass_start", "bypass_end"
  std::vector<std::pair<std::string_view, std::string>> fields;  // in this order, all strings
  std::chrono::system_clock::time_point ts = std::chrono::system_clock::now();
};

// The event as one JSON object followed by '\n'.
[[nodiscard]] std::string service_event_line(const ServiceEvent& e, std::string_view instance = {});

}  // namespace warden::observe
