#include "policy/category_lists.hpp"

#include "policy/host.hpp"
#include "policy/lists_store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <functional>
#include <re2/re2.h>
#include <re2/set.h>
#include <sys/stat.h>
#include <zlib.h>

namespace warden::policy {
namespace {

constexpr std::size_t kRefusedExamples = 5;

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d)) {
      const std::string n = e->d_name;
      if (n != "." && n != "..") out.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Reads a whole file, transparently gunzipping (gzread passes plain files through).
bool read_maybe_gz(const std::string& path, std::string& out) {
  gzFile f = ::gzopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  ::gzbuffer(f, 1 << 17);
  char buf[1 << 16];
  int n = 0;
  while ((n = ::gzread(f, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  const bool ok = ::gzclose(f) == Z_OK;
  return ok && n == 0;  // n < 0: a read or decompression error (a truncated .gz, say)
}

// The files of one list kind in a category folder: "domains", "domains.gz", "domains.0"...
std::vector<std::string> list_files(const std::string& dir, const std::string& kind) {
  std::vector<std::string> out;
  for (const auto& n : entries(dir))
    if (n == kind || n.rfind(kind + ".", 0) == 0) out.push_back(dir + "/" + n);
  return out;
}

// Calls fn(line) for each meaningful line: trimmed, not empty, not a comment.
void for_each_line(std::string_view text, const std::function<void(std::string_view)>& fn) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    fn(line);
  }
}

// The set's own memory budget; past it (a DFA that would grow without bound) matching falls
// back to the expressions one by one, each bounded on its own.
constexpr std::int64_t kExpressionSetMemory = 64 << 20;

base::Error unreadable(const std::string& file) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          "category list " + file +
              " cannot be read whole (unreadable, or a corrupt or truncated .gz): refusing "
              "the lists rather than filtering without it"};
}

void refuse(CategoryStats& s, std::string_view line, const std::string& why) {
  ++s.refused;
  ++s.refused_why[why];
  if (s.refused_examples.size() < kRefusedExamples) s.refused_examples.emplace_back(line);
}

}  // namespace

std::pair<std::string, std::string> split_url_entry(std::string_view line, std::string& why) {
  if (const auto scheme = line.find("://"); scheme != std::string_view::npos)
    line.remove_prefix(scheme + 3);
  const std::size_t slash = line.find('/');
  const std::string_view host = line.substr(0, slash);
  std::string path =
      slash == std::string_view::npos ? std::string() : std::string(line.substr(slash));
  NormalHost h = normalize_host(host, why);
  if (!why.empty()) return {};
  return {h.text, path};
}

struct CategoryLists::ExpressionSet {
  explicit ExpressionSet(const RE2::Options& options) : set(options, RE2::UNANCHORED) {}
  RE2::Set set;
};

std::unique_ptr<const CategoryLists::ExpressionSet> CategoryLists::compile_together(
    const std::vector<Expression>& expressions) {
  if (expressions.empty()) return nullptr;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kExpressionSetMemory);
  auto compiled = std::make_unique<ExpressionSet>(options);
  std::string error;
  for (const auto& e : expressions)
    if (compiled->set.Add(e.re->pattern(), &error) < 0) return nullptr;
  if (!compiled->set.Compile()) return nullptr;
  return compiled;
}

CategoryLists::~CategoryLists() = default;

std::shared_ptr<const CategoryLists> CategoryLists::empty() {
  return std::shared_ptr<const CategoryLists>(new CategoryLists());
}

int CategoryLists::id(std::string_view name) const {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  return -1;
}

base::Result<std::shared_ptr<const CategoryLists>> CategoryLists::load(
    const std::string& configured) {
  if (!is_dir(configured))
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "category list folder " + configured + " does not exist or is not a folder"};
  std::shared_ptr<CategoryLists> lists(new CategoryLists());
  lists->folder_ = configured;
  lists->version_ = lists_version(configured);
  const std::string folder = lists_source(configured);  // its current version, if it has one
  DomainSet::Builder domains;
  for (const auto& name : entries(folder)) {
    const std::string dir = folder + "/" + name;
    if (!is_dir(dir)) continue;
    const bool has_lists = !list_files(dir, "domains").empty() ||
                           !list_files(dir, "urls").empty() || is_file(dir + "/expressions");
    if (!has_lists) continue;
    if (lists->names_.size() >= kMaxCategories) break;
    const auto id = static_cast<CategoryId>(lists->names_.size());
    lists->names_.push_back(name);
    CategoryStats stats;
    stats.name = name;
    std::string text;
    std::string why;
    for (const auto& file : list_files(dir, "domains")) {
      text.clear();
      // Fail closed: a list that cannot be read whole would silently let its sites through.
      if (!read_maybe_gz(file, text)) return unreadable(file);
      domains.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1,
                      text.size());
      for_each_line(text, [&](std::string_view line) {
        // ".example.com" is Squid's spelling of what a plain entry means here: the domain and
        // its subdomains. Some lists use it.
        if (line.size() > 1 && line.front() == '.') line.remove_prefix(1);
        NormalHost h = normalize_host(line, why);
        if (!why.empty()) return refuse(stats, line, why);
        domains.add(h.text, id);
        ++stats.domains;
      });
    }
    for (const auto& file : list_files(dir, "urls")) {
      text.clear();
      // Fail closed: a list that cannot be read whole would silently let its sites through.
      if (!read_maybe_gz(file, text)) return unreadable(file);
      for_each_line(text, [&](std::string_view line) {
        auto [host, path] = split_url_entry(line, why);
        if (host.empty()) return refuse(stats, line, why);
        lists->url_prefixes_[host].push_back({std::move(path), id});
        ++stats.urls;
      });
    }
    for (const auto& file : list_files(dir, "expressions")) {
      text.clear();
      if (!read_maybe_gz(file, text)) return unreadable(file);
      for_each_line(text, [&](std::string_view line) {
        RE2::Options options;
        options.set_log_errors(false);
        options.set_max_mem(8 << 20);  // bounded per expression
        auto re = std::make_unique<re2::RE2>(line, options);
        if (!re->ok()) return refuse(stats, line, "invalid regular expression: " + re->error());
        lists->expressions_.push_back({std::move(re), id});
        ++stats.expressions;
      });
    }
    lists->stats_.push_back(std::move(stats));
  }
  lists->domains_ = domains.build();
  lists->expression_set_ = compile_together(lists->expressions_);
  return std::shared_ptr<const CategoryLists>(std::move(lists));
}

CategorySet CategoryLists::match_url(std::string_view host, std::string_view host_path) const {
  CategorySet out;
  const std::string_view path = host_path.substr(std::min(host.size(), host_path.size()));
  // URL prefixes listed for the host itself or any parent domain.
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i != 0 && host[i - 1] != '.') continue;
    if (auto it = url_prefixes_.find(host.substr(i)); it != url_prefixes_.end())
      for (const auto& p : it->second)
        if (path.rfind(p.path, 0) == 0) out.add(p.category);
  }
  if (expression_set_) {
    thread_local std::vector<int> matched;  // the policy is shared by every worker thread
    RE2::Set::ErrorInfo error{};
    if (expression_set_->set.Match(host_path, &matched, &error)) {
      for (const int i : matched) out.add(expressions_[static_cast<std::size_t>(i)].category);
      return out;
    }
    if (error.kind == RE2::Set::kNoError) return out;  // none matched
    // Out of memory for this URL: ask each expression on its own rather than let it through.
  }
  for (const auto& e : expressions_)
    if (!out.has(e.category) && RE2::PartialMatch(host_path, *e.re)) out.add(e.category);
  return out;
}

}  // namespace warden::policy
