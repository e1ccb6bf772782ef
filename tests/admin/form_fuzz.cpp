// Query strings and form bodies as the dashboard reads them (admin/form.hpp). Beyond no crash:
// an accepted form is within its limits, and every value encodes back to a form that parses
// to the same fields.
#include "admin/form.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto form = warden::admin::Form::parse(input);
  if (!form) return 0;
  if (form->fields().size() > 64) std::abort();
  std::string again;
  for (const auto& [name, value] : form->fields()) {
    if (name.size() > 4096 || value.size() > 4096) std::abort();
    again += warden::admin::url_encode(name) + "=" + warden::admin::url_encode(value) + "&";
  }
  const auto reparsed = warden::admin::Form::parse(again);
  if (!reparsed || reparsed->fields() != form->fields()) std::abort();
  return 0;
}
