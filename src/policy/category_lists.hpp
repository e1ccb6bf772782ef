#pragma once
// Category lists in the UT1 layout (../shared/datasets/ut1/NOTICE.md): one folder per category
// holding `domains` (a domain covers its subdomains), `urls` (URL prefixes without scheme) and
// optionally `expressions` (one regular expression over URLs); each file plain or gzip
// (`domains.gz`, and `domains.0`, `domains.1`... parts). Any folder of lists in that layout
// works. Loaded once into an immutable, shareable form; per category it counts what was loaded
// and which lines were refused and why.
//
// Regular expressions run in RE2 (linear time: no catastrophic patterns), all of them in one
// pass over the URL.

#include "base/result.hpp"
#include "policy/category_set.hpp"
#include "policy/domain_set.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace re2 {
class RE2;
}

namespace warden::policy {

struct CategoryStats {
  std::string name;
  std::size_t domains = 0;
  std::size_t urls = 0;
  std::size_t expressions = 0;
  std::size_t refused = 0;
  std::map<std::string, std::size_t> refused_why;  // reason -> count
  std::vector<std::string> refused_examples;       // the first few refused lines
};

class CategoryLists {
 public:
  // Loads every category folder in `folder` (through its `current` version when `warden lists
  // update` keeps it: policy/lists_store.hpp). Errors when the folder, or any list file in it,
  // cannot be read whole (fail closed); malformed lines are only counted.
  [[nodiscard]] static base::Result<std::shared_ptr<const CategoryLists>> load(
      const std::string& folder);
  // An empty set of lists (no folder configured).
  [[nodiscard]] static std::shared_ptr<const CategoryLists> empty();

  ~CategoryLists();

  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }
  // Where the lists were loaded from; empty for empty().
  [[nodiscard]] const std::string& folder() const { return folder_; }
  // The version read (`warden lists update`'s stamp); empty for lists kept by hand.
  [[nodiscard]] const std::string& version() const { return version_; }
  // The id of a category name, or -1.
  [[nodiscard]] int id(std::string_view name) const;
  [[nodiscard]] const std::string& name(CategoryId id) const { return names_[id]; }
  [[nodiscard]] const std::vector<CategoryStats>& stats() const { return stats_; }

  // Categories whose domain lists cover `host` (normalised).
  [[nodiscard]] CategorySet match_host(std::string_view host) const { return domains_.match(host); }
  // Categories whose URL prefixes or expressions match "host/path?query".
  [[nodiscard]] CategorySet match_url(std::string_view host, std::string_view host_path) const;
  [[nodiscard]] std::size_t memory_bytes() const { return domains_.memory_bytes(); }

 private:
  CategoryLists() = default;
  struct Prefix {
    std::string path;  // "/a/b" (may be "" = whole host)
    CategoryId category;
  };
  struct Expression {
    std::unique_ptr<re2::RE2> re;
    CategoryId category;
  };

  std::string folder_;
  std::string version_;
  std::vector<std::string> names_;
  std::vector<CategoryStats> stats_;
  DomainSet domains_;
  // By host; hashed, as every judged URL looks up each of its host's suffixes here.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<Prefix>, TextHash, std::equal_to<>> url_prefixes_;
  std::vector<Expression> expressions_;
  // All expressions in one RE2::Set, so a URL is scanned once rather than once per expression;
  // null when they could not be compiled together (they then run one by one).
  struct ExpressionSet;
  std::unique_ptr<const ExpressionSet> expression_set_;
  // Index i of the set is expressions[i]; null if RE2 cannot take them together.
  [[nodiscard]] static std::unique_ptr<const ExpressionSet> compile_together(
      const std::vector<Expression>& expressions);
};

// Splits "example.com/path" into ("example.com", "/path"); the host part normalised.
// Empty host on refusal, with `why`.
[[nodiscard]] std::pair<std::string, std::string> split_url_entry(std::string_view line,
                                                                  std::string& why);

}  // namespace warden::policy
