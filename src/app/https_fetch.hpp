#pragma once
// One HTTPS download to a file (or into memory), for `warden lists update` and policy bundles, with
// libcurl (Debian's libcurl4-openssl-dev: redirects, conditional requests and TLS verification done
// the way every other tool does them, rather than again here). HTTPS only, redirects included; the
// server's certificate is verified against the system's trust store plus `ca_files`. Bounded: a
// body larger than `max_bytes` is cut off and refused, a stalled or endless transfer times out.

#include "base/result.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace warden::app {

struct FetchRequest {
  std::string url;
  std::string etag;           // sent as If-None-Match when not empty
  std::string last_modified;  // sent as If-Modified-Since when not empty
  std::uint64_t max_bytes = 0;
  std::vector<std::string> ca_files;  // PEM, trusted beside the system's store
  std::chrono::seconds timeout{30 * 60};
  std::string user_agent = "warden-lists-update";
  std::string size_setting = "lists_update.max_download_mb";  // named when max_bytes is passed
  const std::atomic<bool>* cancel = nullptr;  // set: the transfer stops (a shutdown)
};

struct FetchResult {
  bool not_modified = false;  // 304: nothing was written
  std::string etag;           // the final response's validators, for the next request
  std::string last_modified;
  std::uint64_t bytes = 0;
  std::string sha256;  // of the body, lower-case hex
};

// Extra trust anchors (PEM files) as one blob, as libcurl takes them (CURLOPT_CAINFO_BLOB, the
// system's store staying on).
[[nodiscard]] base::Result<std::string> read_pems(const std::vector<std::string>& files);

// Writes the body to `path` (created or truncated). Errors say what failed: the URL is not
// HTTPS, the name, the certificate, the status, too large, cut short, too slow.
[[nodiscard]] base::Result<FetchResult> fetch_to_file(const FetchRequest& r,
                                                      const std::string& path);
// The same with the body kept in `body` (bounded by max_bytes as well): a policy bundle, which
// is read whole anyway.
[[nodiscard]] base::Result<FetchResult> fetch_to_memory(const FetchRequest& r, std::string& body);

}  // namespace warden::app
