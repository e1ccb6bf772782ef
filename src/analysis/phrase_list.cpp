#include "analysis/phrase_list.hpp"

#include "analysis/text.hpp"
#include "analysis/text_fold.hpp"

#include <fmt/format.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace warden::analysis {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr int kMaxWeight = 1'000'000;

// Lines end in "\r\n" in lists edited on Windows.
std::string_view line_trimmed(std::string_view s) { return trimmed(s, "\r"); }

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  return ascii_lowered(s.substr(0, prefix.size())) == prefix;
}

// `#listcategory: "Name"` (the closing quote is optional: old lists forget it).
std::optional<std::string> list_category(std::string_view comment) {
  comment.remove_prefix(1);  // '#'
  comment = line_trimmed(comment);
  if (!starts_with_icase(comment, "listcategory:")) return std::nullopt;
  comment = line_trimmed(comment.substr(13));
  if (!comment.empty() && comment.front() == '"') comment.remove_prefix(1);
  if (const auto q = comment.find('"'); q != std::string_view::npos) comment = comment.substr(0, q);
  comment = line_trimmed(comment);
  if (comment.empty()) return std::nullopt;
  return std::string(comment);
}

std::string folder_name(const std::string& file) {
  const fs::path parent = fs::path(file).parent_path();
  return parent.filename().string();
}

struct Reader {
  PhraseKind kind;
  std::vector<PhraseEntry>& out;
  const PhraseLimits& limits;
  PhraseListReport& report;

  std::optional<std::string> read_file(const std::string& path, int depth);
  std::optional<std::string> parse(std::string_view text, const std::string& name, int depth);
  std::optional<std::string> parse_entry(std::string_view line, PhraseEntry& e);
};

std::optional<std::string> Reader::read_file(const std::string& path, int depth) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return fmt::format("{} is not a file", path);
  if (fs::file_size(path, ec) > limits.max_file_bytes)
    return fmt::format("{} is larger than {} MiB", path, limits.max_file_bytes >> 20);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return fmt::format("cannot read {}", path);
  return parse(text.str(), path, depth);
}

// `<a>,<b><weight>` (the weight only in weighted lists); what follows the last '>' is ignored.
std::optional<std::string> Reader::parse_entry(std::string_view line, PhraseEntry& e) {
  std::size_t pos = 0;
  for (;;) {
    if (pos >= line.size() || line[pos] != '<') return "expected <phrase>";
    const std::size_t close = line.find('>', pos + 1);
    if (close == std::string_view::npos) return "a '<' without its '>'";
    const std::string_view raw = line.substr(pos + 1, close - pos - 1);
    std::string part = folded_phrase(raw);
    if (part.empty()) return fmt::format("<{}> has no letter or digit in it", raw);
    e.parts.push_back(std::move(part));
    pos = close + 1;
    if (pos < line.size() && line[pos] == ',') {
      ++pos;
      while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
      continue;
    }
    break;
  }
  // The weight: <n>, <-n> or <n%>.
  const bool has_weight = pos < line.size() && line[pos] == '<';
  if (kind != PhraseKind::Weighted) {
    if (has_weight) {
      const std::string_view rest = line.substr(pos);
      if (rest.find_first_not_of("<>-0123456789% \t") != std::string_view::npos)
        return "expected ',' between the parts of a combination";
      return "a banned or exception phrase has no weight";
    }
    return std::nullopt;
  }
  if (!has_weight) return "expected a weight after the phrase: <phrase><weight>";
  const std::size_t close = line.find('>', pos + 1);
  if (close == std::string_view::npos) return "a '<' without its '>'";
  std::string_view w = line_trimmed(line.substr(pos + 1, close - pos - 1));
  if (!w.empty() && w.back() == '%') {
    e.percent = true;
    w.remove_suffix(1);
  }
  int value = 0;
  const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), value);
  if (ec != std::errc{} || end != w.data() + w.size() || value > kMaxWeight || value < -kMaxWeight)
    return fmt::format("<{}> is not a weight (a whole number, maybe negative, maybe with %)",
                       line.substr(pos + 1, close - pos - 1));
  e.weight = value;
  return std::nullopt;
}

std::optional<std::string> Reader::parse(std::string_view text, const std::string& name,
                                         int depth) {
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  std::string converted;
  if (!is_utf8(text)) {
    converted = windows1252_to_utf8(text);
    text = converted;
  }
  std::string category = folder_name(name);
  int number = 0;
  while (!text.empty()) {
    ++number;
    const std::size_t nl = text.find('\n');
    std::string_view line = line_trimmed(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.substr(0, kBom.size()) == kBom) line = line_trimmed(line.substr(kBom.size()));
    if (line.empty()) continue;
    const auto where = [&](std::string_view why) {
      return fmt::format("{}:{}: {}", name, number, why);
    };
    if (line.front() == '#') {
      if (auto c = list_category(line)) category = std::move(*c);
      continue;
    }
    if (starts_with_icase(line, ".include<")) {
      const std::size_t close = line.find('>');
      if (close == std::string_view::npos) return where(".Include<...> without its '>'");
      fs::path included(std::string(line.substr(9, close - 9)));
      if (included.empty()) return where(".Include<> names no file");
      if (included.is_relative()) included = fs::path(name).parent_path() / included;
      if (depth >= limits.max_include_depth)
        return where(fmt::format("lists include each other more than {} deep (a loop?)",
                                 limits.max_include_depth));
      if (auto why = read_file(included.string(), depth + 1)) return where(*why);
      continue;
    }
    PhraseEntry e;
    e.kind = kind;
    if (auto why = parse_entry(line, e)) {
      if (!limits.lenient) return where(*why);
      if (report.skipped++ == 0) report.first_skipped = where(*why);
      continue;
    }
    e.category = category;
    e.where = fmt::format("{}:{}", name, number);
    if (out.size() >= limits.max_entries)
      return where(fmt::format("more than {} phrases in all", limits.max_entries));
    out.push_back(std::move(e));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_phrase_list(const std::string& path, PhraseKind kind,
                                            std::vector<PhraseEntry>& out,
                                            const PhraseLimits& limits, PhraseListReport* report) {
  PhraseListReport unused;
  return Reader{kind, out, limits, report != nullptr ? *report : unused}.read_file(path, 0);
}

std::optional<std::string> parse_phrase_list(std::string_view text, const std::string& name,
                                             PhraseKind kind, std::vector<PhraseEntry>& out,
                                             const PhraseLimits& limits, PhraseListReport* report) {
  PhraseListReport unused;
  return Reader{kind, out, limits, report != nullptr ? *report : unused}.parse(text, name, 0);
}

}  // namespace warden::analysis
