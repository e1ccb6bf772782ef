#include "app/https_fetch.hpp"

#include "base/hex.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <cstdio>
#include <curl/curl.h>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>

namespace warden::app {
namespace {

base::Error fetch_error(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Upstream, std::move(what)};
}

struct Transfer {
  std::FILE* out = nullptr;       // the body goes to this file...
  std::string* memory = nullptr;  // ... or here
  std::uint64_t max_bytes = 0;
  std::uint64_t bytes = 0;
  bool too_large = false;
  bool write_failed = false;
  EVP_MD_CTX* sha = nullptr;
  std::string etag;
  std::string last_modified;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t.bytes + n > t.max_bytes) {
    t.too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  if (t.memory != nullptr) {
    t.memory->append(data, n);
  } else if (std::fwrite(data, 1, n, t.out) != n) {
    t.write_failed = true;
    return 0;
  }
  EVP_DigestUpdate(t.sha, data, n);
  t.bytes += n;
  return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* cancel = static_cast<const std::atomic<bool>*>(user);
  return cancel != nullptr && cancel->load() ? 1 : 0;  // non-zero aborts the transfer
}

// The validators of the last response (a redirect's are replaced by its target's).
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    t.etag.clear();
    t.last_modified.clear();
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  if (name == "etag") t.etag = value;
  if (name == "last-modified") t.last_modified = value;
  return size * count;
}

}  // namespace

base::Result<std::string> read_pems(const std::vector<std::string>& files) {
  std::string all;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return fetch_error("cannot read the CA file " + f);
    std::stringstream text;
    text << in.rdbuf();
    all += text.str() + "\n";
  }
  return all;
}

namespace {

std::optional<base::Error> not_https(const std::string& url) {
  if (url.starts_with("https://")) return std::nullopt;
  return fetch_error(url + ": only https:// URLs are fetched (nothing may be changed on the way)");
}

// The transfer itself, the body going to `file` or to `memory`; `where` names it in errors.
base::Result<FetchResult> fetch(const FetchRequest& r, std::FILE* file, std::string* memory,
                                const std::string& where) {
  auto pems = read_pems(r.ca_files);
  if (!pems) return pems.error();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> sha(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!curl || !sha) return fetch_error("out of memory");
  EVP_DigestInit_ex(sha.get(), EVP_sha256(), nullptr);
  Transfer t{file, memory, r.max_bytes, 0, false, false, sha.get(), {}, {}};

  curl_slist* headers = nullptr;
  if (!r.etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + r.etag).c_str());
  if (!r.last_modified.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + r.last_modified).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          curl_slist_free_all);
  char why[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!pems->empty()) {
    curl_blob blob{pems->data(), pems->size(), CURL_BLOB_COPY};
    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, r.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(r.max_bytes));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(r.timeout.count()));
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);  // under 1 KiB/s for a minute: stalled
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, why);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
  if (r.cancel != nullptr) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(r.cancel));
  }

  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (t.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return fetch_error(fmt::format("{}: larger than the {} bytes allowed ({})", r.url, r.max_bytes,
                                   r.size_setting));
  if (t.write_failed) return fetch_error("cannot write " + where);
  if (rc != CURLE_OK)
    return fetch_error(fmt::format("{}: {}", r.url, why[0] != '\0' ? why : curl_easy_strerror(rc)));
  FetchResult result;
  result.etag = t.etag;
  result.last_modified = t.last_modified;
  if (status == 304) {
    result.not_modified = true;
    return result;
  }
  if (status != 200) return fetch_error(fmt::format("{}: the server answered {}", r.url, status));
  if (file != nullptr && std::fflush(file) != 0) return fetch_error("cannot write " + where);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned length = 0;
  EVP_DigestFinal_ex(sha.get(), digest, &length);
  result.bytes = t.bytes;
  result.sha256 = base::to_hex({reinterpret_cast<const char*>(digest), length});
  return result;
}

}  // namespace

base::Result<FetchResult> fetch_to_file(const FetchRequest& r, const std::string& path) {
  if (auto refused = not_https(r.url)) return *refused;
  std::unique_ptr<std::FILE, decltype(&std::fclose)> out(std::fopen(path.c_str(), "wb"),
                                                         std::fclose);
  if (!out) return fetch_error("cannot write " + path);
  return fetch(r, out.get(), nullptr, path);
}

base::Result<FetchResult> fetch_to_memory(const FetchRequest& r, std::string& body) {
  if (auto refused = not_https(r.url)) return *refused;
  body.clear();
  return fetch(r, nullptr, &body, "memory");
}

}  // namespace warden::app
