#include "app/lists_update.hpp"

#include "app/archive_unpack.hpp"
#include "app/https_fetch.hpp"
#include "app/run.hpp"
#include "platform/files.hpp"
#include "platform/folder_lock.hpp"
#include "policy/category_lists.hpp"
#include "policy/lists_store.hpp"
#include "policy/policy_file.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace warden::app {
namespace fs = std::filesystem;
namespace {

int fail(std::string_view why) {
  fmt::print(stderr, "warden lists update: {}\n", why);
  return 1;
}

// What the last update fetched, so the next asks only for something newer.
struct Fetched {
  std::string url;
  std::string etag;
  std::string last_modified;
  std::string sha256;
};

std::string state_path(const std::string& lists) {
  return (fs::path(lists) / ".update.toml").string();
}

Fetched read_state(const std::string& lists) {
  Fetched f;
  try {
    const toml::table t = toml::parse_file(state_path(lists));
    f.url = t["url"].value_or(std::string());
    f.etag = t["etag"].value_or(std::string());
    f.last_modified = t["last_modified"].value_or(std::string());
    f.sha256 = t["sha256"].value_or(std::string());
  } catch (const toml::parse_error&) {
    // None yet, or unreadable: the next fetch is unconditional.
  }
  return f;
}

void write_state(const std::string& lists, const Fetched& f) {
  toml::table t{
      {"url", f.url}, {"etag", f.etag}, {"last_modified", f.last_modified}, {"sha256", f.sha256}};
  std::stringstream text;
  text << "# Written by `warden lists update`: what it fetched last.\n" << t << "\n";
  (void)platform::replace_file(state_path(lists), text.str(), platform::FileAccess::OwnerOnly);
}

// The first word of a sha256sum line, if it is a SHA-256 in hex.
std::optional<std::string> sha256_of(const std::string& file) {
  std::ifstream in(file);
  std::string word;
  if (!(in >> word) || word.size() != 64 ||
      word.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    return std::nullopt;
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

// The SHA-256 that `sum_url` names (sha256sum's output), which `got` must be.
base::Result<void> check_sha256(FetchRequest sum, const std::string& sum_url,
                                const policy::StagedVersion& staged, const std::string& got) {
  sum.url = sum_url;
  sum.etag.clear();
  sum.last_modified.clear();
  sum.max_bytes = 4096;
  const std::string file = (fs::path(staged.folder) / "sha256").string();
  if (auto fetched = fetch_to_file(sum, file); !fetched) return fetched.error();
  const auto expected = sha256_of(file);
  if (!expected)
    return base::Error{base::ErrorCode::BadRequest, base::ErrorSource::Upstream,
                       sum_url + " holds no SHA-256"};
  if (*expected != got)
    return base::Error{
        base::ErrorCode::BadRequest, base::ErrorSource::Upstream,
        fmt::format("the archive's SHA-256 is {}, {} says {}", got, sum_url, *expected)};
  return {};
}

// Everything after the fetch: the archive in `staged` checked and made current, or an error
// (the caller discards what was staged).
base::Result<std::string> check_and_install(const Config& c, const std::string& lists,
                                            const policy::StagedVersion& staged,
                                            const std::string& archive) {
  const std::string tree = (fs::path(staged.folder) / "tree").string();
  std::error_code ec;
  fs::create_directory(tree, ec);
  UnpackLimits limits;
  limits.max_bytes = std::uint64_t{c.lists_update.max_unpacked_mb} << 20;
  auto unpacked = unpack_archive(archive, tree, limits);
  if (!unpacked) return unpacked.error();
  auto loaded = policy::CategoryLists::load(unpacked->root);
  if (!loaded) return loaded.error();
  if ((*loaded)->names().empty())
    return base::Error{base::ErrorCode::BadRequest, base::ErrorSource::Upstream,
                       "the archive holds no category lists (a folder per category with "
                       "domains, urls or expressions)"};
  std::size_t domains = 0;
  for (const auto& s : (*loaded)->stats()) domains += s.domains;
  // The policy must load with them (a category it names may have gone): parsed over the lists
  // just loaded, not loading them twice (UT1's adult list alone is 4.6 M domains).
  if (auto p = policy::load_policy_over(c.policy.file, *loaded); !p)
    return base::Error{p.error().code, p.error().source,
                       "the policy does not load with the new lists: " + p.error().context};
  if (auto ok = policy::make_current(lists, staged, unpacked->root); !ok) return ok.error();
  return fmt::format("{} categories, {} domains, {} files ({} MB unpacked{})",
                     (*loaded)->names().size(), domains, unpacked->files, unpacked->bytes >> 20,
                     unpacked->skipped != 0
                         ? fmt::format(", {} links and special entries skipped", unpacked->skipped)
                         : std::string());
}

}  // namespace

int lists_update(const ListsUpdateOptions& o) {
  RunOptions run;
  run.config_file = o.config_file;
  auto c = build_config(run);
  if (!c) return fail(c.error().context);
  const std::string url = o.url.value_or(c->lists_update.url);
  if (url.empty()) {
    if (o.if_configured) return 0;  // the package's daily timer, before a school sets a URL
    return fail("lists_update.url is not set: where should the lists come from?");
  }
  auto located = policy::lists_folder_of(c->policy.file, o.lists.value_or(c->policy.lists));
  if (!located) return fail(located.error().context);
  const std::string lists = *located;
  if (lists.empty())
    return fail("no lists folder to keep the lists in: set policy.lists (or the policy's lists)");
  std::error_code ec;
  fs::create_directories(lists, ec);
  if (ec) return fail(fmt::format("cannot create {}: {}", lists, ec.message()));
  // Versions made by another account (root, by hand) would be ones the daily run, as the
  // folder's owner, can neither replace nor remove.
  if (!platform::owned_by_this_account(lists))
    return fail(fmt::format(
        "{} belongs to another account: run this as its owner (the package: systemctl start "
        "warden-lists-update, or sudo -u warden warden lists update)",
        lists));
  auto lock = platform::FolderLock::try_hold(lists, platform::FolderLock::Mode::Exclusive);
  if (!lock) return fail(lock.error().context);
  if (!*lock) return fail("another `warden lists update` is running on " + lists);

  auto staged = policy::stage_version(lists);
  if (!staged) return fail(staged.error().context);
  const Fetched last = read_state(lists);
  const bool have = !policy::lists_version(lists).empty() && last.url == url && !o.force;
  FetchRequest request;
  request.url = url;
  request.etag = have ? last.etag : std::string();
  request.last_modified = have ? last.last_modified : std::string();
  request.max_bytes = std::uint64_t{c->lists_update.max_download_mb} << 20;
  request.ca_files = c->lists_update.ca;
  const std::string archive = (fs::path(staged->folder) / "archive").string();
  auto fetched = fetch_to_file(request, archive);
  if (fetched && fetched->not_modified) {
    policy::discard(*staged);
    fmt::print("Lists not modified at {}: version {} stays.\n", url, policy::lists_version(lists));
    return 0;
  }
  // Whatever fails from here leaves the lists in use as they are.
  auto give_up = [&](const base::Error& e) {
    policy::discard(*staged);
    return fail(e.context + "; the lists in use stay");
  };
  if (!fetched) return give_up(fetched.error());
  const bool checked = !c->lists_update.sha256_url.empty();
  if (checked)
    if (auto ok = check_sha256(request, c->lists_update.sha256_url, *staged, fetched->sha256); !ok)
      return give_up(ok.error());
  auto installed = check_and_install(*c, lists, *staged, archive);
  if (!installed) return give_up(installed.error());
  write_state(lists, {url, fetched->etag, fetched->last_modified, fetched->sha256});
  fmt::print(
      "Lists version {} from {}: {}; {} bytes, SHA-256 {}{}.\n"
      "The running Warden reloads them (policy.watch), or: systemctl reload warden.\n",
      staged->stamp, url, *installed, fetched->bytes, fetched->sha256, checked ? " (checked)" : "");
  return 0;
}

}  // namespace warden::app
