#include "http/message.hpp"

#include "http/chars.hpp"

namespace warden::http {

MessageHead::Field MessageHead::field(std::size_t i) const {
  const auto& [n, v] = index_[i];
  return {view(n), view(v)};
}

std::optional<std::string_view> MessageHead::find(std::string_view name) const {
  for (const auto& [n, v] : index_)
    if (chars::iequals(view(n), name)) return view(v);
  return std::nullopt;
}

std::size_t MessageHead::count(std::string_view name) const {
  std::size_t c = 0;
  for (const auto& [n, v] : index_)
    if (chars::iequals(view(n), name)) ++c;
  return c;
}

}  // namespace warden::http
