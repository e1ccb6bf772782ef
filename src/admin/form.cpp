#include "admin/form.hpp"

#include <algorithm>

namespace warden::admin {
namespace {

constexpr std::size_t kMaxFields = 64;
constexpr std::size_t kMaxPart = 4096;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// '+' is a space; %XX a byte. nullopt on a bad escape or past kMaxPart.
std::optional<std::string> decode(std::string_view in) {
  std::string out;
  out.reserve(std::min(in.size(), kMaxPart));
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      c = ' ';
    } else if (c == '%') {
      const int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (out.size() == kMaxPart) return std::nullopt;
    out += c;
  }
  return out;
}

}  // namespace

std::optional<Form> Form::parse(std::string_view encoded) {
  Form form;
  while (!encoded.empty()) {
    const std::size_t amp = encoded.find('&');
    const std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view() : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    if (form.fields_.size() == kMaxFields) return std::nullopt;
    const std::size_t eq = pair.find('=');
    auto name = decode(pair.substr(0, eq));
    auto value = decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    form.fields_.emplace_back(std::move(*name), std::move(*value));
  }
  return form;
}

std::string_view Form::get(std::string_view name) const {
  for (const auto& [n, v] : fields_)
    if (n == name) return v;
  return {};
}

bool Form::has(std::string_view name) const {
  return std::any_of(fields_.begin(), fields_.end(),
                     [&](const auto& f) { return f.first == name; });
}

std::string url_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace warden::admin
