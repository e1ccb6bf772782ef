#pragma once
// What a policy changes in the requests it allows (docs/policy.md, "Restricted modes and
// header rules"): restricted modes per group ([[safe_search]]), and fields a school adds to
// requests to some hosts ([[header]]: Google Workspace's X-GoogApps-Allowed-Domains,
// Microsoft's tenant restrictions). Both are part of the policy snapshot, so a reload changes
// them live.

#include "analysis/safe_search.hpp"
#include "policy/domain_set.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::policy {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct SafeSearchRule {
  std::vector<std::string> groups;  // empty: every group
  analysis::SafeSearchModes modes;
};

struct HeaderRule {
  std::string name;                 // for `warden check` and errors
  std::vector<std::string> groups;  // empty: every group
  DomainSet domains;                // the hosts (and their subdomains) the fields go to
  Fields fields;                    // set on the request, replacing the pupil's own
};

struct Restrictions {
  // The first rule whose groups include the client's applies. No rule for a group: the
  // built-in modes (everything on, by address) — a policy file must say so to turn them off.
  std::vector<SafeSearchRule> safe_search;
  std::vector<HeaderRule> headers;  // every rule that matches adds its fields
};

// What one request gets, beyond being allowed.
struct RequestChanges {
  std::string safe_host;  // connect here instead of the host (Host and SNI kept); empty: the host
  Fields fields;          // set on the request (lower-case names), replacing the pupil's own
  std::string target;     // the target with the engine's safe parameter; empty: as sent
  [[nodiscard]] bool empty() const { return safe_host.empty() && fields.empty() && target.empty(); }
};

[[nodiscard]] const analysis::SafeSearchModes& safe_search_for(const Restrictions& r,
                                                               std::string_view group);

// For a request of `group` to `host` (normalised); `target` is its origin-form path and query,
// empty where only the host is known (a CONNECT, a ClientHello).
[[nodiscard]] RequestChanges request_changes(const Restrictions& r, std::string_view group,
                                             std::string_view host, std::string_view target);

}  // namespace warden::policy
