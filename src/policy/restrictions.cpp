#include "policy/restrictions.hpp"

#include <algorithm>

namespace warden::policy {
namespace {

bool applies(const std::vector<std::string>& groups, std::string_view group) {
  return groups.empty() || std::find(groups.begin(), groups.end(), group) != groups.end();
}

// `name` (lower case) set to `value`: a later rule's value replaces an earlier one's.
void set_field(Fields& fields, const std::string& name, const std::string& value) {
  for (auto& [n, v] : fields)
    if (n == name) {
      v = value;
      return;
    }
  fields.emplace_back(name, value);
}

}  // namespace

const analysis::SafeSearchModes& safe_search_for(const Restrictions& r, std::string_view group) {
  static const analysis::SafeSearchModes kBuiltIn;
  for (const SafeSearchRule& rule : r.safe_search)
    if (applies(rule.groups, group)) return rule.modes;
  return kBuiltIn;
}

RequestChanges request_changes(const Restrictions& r, std::string_view group, std::string_view host,
                               std::string_view target) {
  RequestChanges out;
  const analysis::SafeSearchModes& modes = safe_search_for(r, group);
  out.safe_host = analysis::safe_address(modes, host);
  if (const std::string_view yt = analysis::youtube_restrict(modes, host); !yt.empty())
    set_field(out.fields, "youtube-restrict", std::string(yt));
  for (const HeaderRule& rule : r.headers)
    if (applies(rule.groups, group) && !rule.domains.longest_match(host).empty())
      for (const auto& [name, value] : rule.fields) set_field(out.fields, name, value);
  if (!target.empty())
    if (auto safer = analysis::with_safe_parameter(modes, host, target)) out.target = *safer;
  return out;
}

}  // namespace warden::policy
