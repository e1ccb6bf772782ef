#include "observe/activity_row.hpp"

#include <chrono>
#include <cstring>

namespace warden::observe {
namespace {

void put_number(std::string& out, std::int64_t v) {
  char bytes[8];
  std::memcpy(bytes, &v, sizeof bytes);
  out.append(bytes, sizeof bytes);
}

void put_text(std::string& out, std::string_view s) {
  const auto n = static_cast<std::uint32_t>(s.size());
  char bytes[4];
  std::memcpy(bytes, &n, sizeof bytes);
  out.append(bytes, sizeof bytes);
  out.append(s);
}

bool get_number(std::string_view in, std::size_t& pos, std::int64_t& v) {
  if (in.size() - pos < 8) return false;
  std::memcpy(&v, in.data() + pos, 8);
  pos += 8;
  return true;
}

bool get_text(std::string_view in, std::size_t& pos, std::string_view& s) {
  std::uint32_t n = 0;
  if (in.size() - pos < 4) return false;
  std::memcpy(&n, in.data() + pos, 4);
  pos += 4;
  if (in.size() - pos < n) return false;
  s = in.substr(pos, n);
  pos += n;
  return true;
}

}  // namespace

void append_row(const AccessRecord& r, std::string& out) {
  put_number(
      out, std::chrono::duration_cast<std::chrono::milliseconds>(r.ts.time_since_epoch()).count());
  for (std::string_view s :
       {std::string_view(r.id), std::string_view(r.client), std::string_view(r.user),
        std::string_view(r.group), std::string_view(r.method), std::string_view(r.scheme),
        std::string_view(r.host)})
    put_text(out, s);
  put_number(out, r.port);
  put_text(out, r.path);
  for (const std::uint64_t n : {std::uint64_t{r.status}, r.bytes_in, r.bytes_out, r.duration_us})
    put_number(out, static_cast<std::int64_t>(n));
  for (std::string_view s :
       {r.decision, std::string_view(r.rule), std::string_view(r.category), r.error, r.capture,
        std::string_view(r.search), r.search_engine, r.search_kind})
    put_text(out, s);
}

bool read_row(std::string_view in, std::size_t& pos, RowView& r) {
  return get_number(in, pos, r.ts_ms) && get_text(in, pos, r.id) && get_text(in, pos, r.client) &&
         get_text(in, pos, r.user) && get_text(in, pos, r.group) && get_text(in, pos, r.method) &&
         get_text(in, pos, r.scheme) && get_text(in, pos, r.host) && get_number(in, pos, r.port) &&
         get_text(in, pos, r.path) && get_number(in, pos, r.status) &&
         get_number(in, pos, r.bytes_in) && get_number(in, pos, r.bytes_out) &&
         get_number(in, pos, r.duration_us) && get_text(in, pos, r.decision) &&
         get_text(in, pos, r.rule) && get_text(in, pos, r.category) && get_text(in, pos, r.error) &&
         get_text(in, pos, r.capture) && get_text(in, pos, r.search) &&
         get_text(in, pos, r.search_engine) && get_text(in, pos, r.search_kind);
}

}  // namespace warden::observe
