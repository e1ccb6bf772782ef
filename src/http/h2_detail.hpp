#pragma once
// Small conversions between nghttp2's types and ours, for h2_*.cpp only.

#include "http/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <string_view>
#include <vector>

namespace warden::http::h2::detail {

struct BodyReader {
  static ssize_t read(nghttp2_session*, std::int32_t stream, std::uint8_t* buf, std::size_t length,
                      std::uint32_t* flags, nghttp2_data_source*, void* user);
};

// The provider of every body: it reads what send_data() queued for the stream.
inline nghttp2_data_provider body_provider() {
  nghttp2_data_provider p{};
  p.read_callback = BodyReader::read;
  return p;
}

inline std::string_view view(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

// Credentials are never put in the HPACK table (RFC 7541 §7.1.3): an upstream connection may
// carry several pupils' streams, and a shared table would let one probe another's cookies.
inline bool sensitive(std::string_view name) {
  return name == "cookie" || name == "authorization" || name == "proxy-authorization" ||
         name == "set-cookie";
}

inline nghttp2_nv nv(std::string_view name, std::string_view value) {
  return {
      const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(name.data())),
      const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(value.data())), name.size(),
      value.size(),
      static_cast<std::uint8_t>(sensitive(name) ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE)};
}

// `pseudo` (":status"... in order) then `fields`; the views point into the arguments.
inline std::vector<nghttp2_nv> to_nv(
    std::initializer_list<std::pair<std::string_view, std::string_view>> pseudo,
    const Fields& fields) {
  std::vector<nghttp2_nv> out;
  out.reserve(pseudo.size() + fields.size());
  for (const auto& [n, v] : pseudo)
    if (!v.empty()) out.push_back(nv(n, v));
  for (const auto& [n, v] : fields) out.push_back(nv(n, v));
  return out;
}

}  // namespace warden::http::h2::detail
