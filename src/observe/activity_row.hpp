#pragma once
// An access record packed for the activity database's hand-over (activity_store.hpp): a
// worker appends each record's fields to one growing string (a length before each text, numbers
// as 8 bytes), so a request costs no allocation of its own on the data path; the writer reads
// them back as views into that string and binds them without copying.

#include "observe/access_record.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::observe {

struct RowView {
  std::int64_t ts_ms = 0;
  std::string_view id, client, user, group, method, scheme, host;
  std::int64_t port = 0;
  std::string_view path;
  std::int64_t status = 0, bytes_in = 0, bytes_out = 0, duration_us = 0;
  std::string_view decision, rule, category, error, capture, search, search_engine, search_kind;
};

void append_row(const AccessRecord& r, std::string& out);
// The row at `pos` (which moves past it); false at the end or on a torn row.
[[nodiscard]] bool read_row(std::string_view packed, std::size_t& pos, RowView& row);

}  // namespace warden::observe
