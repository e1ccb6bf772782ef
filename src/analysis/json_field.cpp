#include "analysis/json_field.hpp"

#include "analysis/text.hpp"
#include "base/hex.hpp"

#include <cstdint>
#include <optional>

namespace warden::analysis {
namespace {

constexpr int kMaxDepth = 64;

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  void skip_space() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r'))
      ++at_;
  }
  bool take(char c) {
    skip_space();
    if (at_ < s_.size() && s_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  [[nodiscard]] bool at_end() {
    skip_space();
    return at_ == s_.size();
  }
  [[nodiscard]] bool peek(char c) {
    skip_space();
    return at_ < s_.size() && s_[at_] == c;
  }

  // A string (the opening quote next), unescaped into `out` when given.
  bool string(std::string* out) {
    if (!take('"')) return false;
    while (at_ < s_.size()) {
      const char c = s_[at_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        if (out != nullptr) out->push_back(c);
        continue;
      }
      if (at_ >= s_.size()) return false;
      const char e = s_[at_++];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u': {
          auto cp = hex4();
          if (!cp) return false;
          if (*cp >= 0xd800 && *cp <= 0xdbff && s_.substr(at_, 2) == "\\u") {
            const std::size_t back = at_;
            at_ += 2;
            const auto low = hex4();
            if (low && *low >= 0xdc00 && *low <= 0xdfff)
              cp = 0x10000 + ((*cp - 0xd800) << 10) + (*low - 0xdc00);
            else
              at_ = back;  // not a pair: the high half alone, then what follows
          }
          if (out != nullptr) append_utf8(*out, *cp);  // (analysis/text.hpp)
          continue;
        }
        default:
          return false;
      }
      if (out != nullptr) out->push_back(plain);
    }
    return false;
  }

  // Any value, skipped.
  bool value(int depth) {
    if (depth > kMaxDepth) return false;
    skip_space();
    if (at_ >= s_.size()) return false;
    const char c = s_[at_];
    if (c == '"') return string(nullptr);
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++at_;
      if (take(close)) return true;
      do {
        if (c == '{' && !(string(nullptr) && take(':'))) return false;
        if (!value(depth + 1)) return false;
      } while (take(','));
      return take(close);
    }
    // A number or a literal: the bytes they may be made of.
    const std::size_t start = at_;
    while (at_ < s_.size() &&
           std::string_view("0123456789+-.eEtrufalsn").find(s_[at_]) != std::string_view::npos)
      ++at_;
    return at_ > start;
  }

 private:
  std::optional<std::uint32_t> hex4() {
    if (at_ + 4 > s_.size()) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int d = base::hex_digit(s_[at_++]);
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<std::uint32_t>(d);
    }
    return v;
  }

  std::string_view s_;
  std::size_t at_ = 0;
};

}  // namespace

std::vector<std::string> json_string_fields(std::string_view json, std::string_view key) {
  std::vector<std::string> found;
  Reader r(json);
  if (!r.take('{')) return {};
  if (r.take('}')) return r.at_end() ? found : std::vector<std::string>{};
  do {
    std::string name;
    if (!r.string(&name) || !r.take(':')) return {};
    if (name == key && r.peek('"')) {
      std::string value;
      if (!r.string(&value)) return {};
      found.push_back(std::move(value));
    } else if (!r.value(1)) {
      return {};
    }
  } while (r.take(','));
  if (!r.take('}') || !r.at_end()) return {};
  return found;
}

}  // namespace warden::analysis
