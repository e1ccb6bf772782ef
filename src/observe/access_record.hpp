#pragma once
// One access-log record: a request and its response, or a tunnel. The JSON schema is a product
// interface, versioned and documented in docs/access-log.md; change both together.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace warden::observe {

inline constexpr int kAccessLogSchemaVersion = 1;

struct AccessRecord {
  std::chrono::system_clock::time_point ts;  // when the request head (or CONNECT) arrived
  std::string id;                            // request id, as on error pages
  std::string client;                        // client IP address
  std::string user;                          // who signed in (auth); empty when nobody did
  std::string method;                        // "GET", "CONNECT"...
  std::string scheme;                        // "http", "https" (CONNECT), "ws"
  std::string host;
  std::uint16_t port = 0;
  std::string path;             // origin-form path and query; "" for tunnels
  unsigned status = 0;          // status sent to the client; 0 if none was sent
  std::uint64_t bytes_in = 0;   // bytes of body/tunnel data received from the client
  std::uint64_t bytes_out = 0;  // bytes sent to the client (heads included)
  std::uint64_t duration_us = 0;
  std::string_view end = "ok";            // how it ended; see docs/access-log.md
  std::string_view error;                 // ERR_* code, empty when none
  std::string_view capture = "explicit";  // how the flow was captured
  std::string orig_dst;    // transparent capture: where the client was going ("ip:port")
  std::string_view proto;  // "h2" for a stream of an HTTP/2 connection; empty for HTTP/1.x
  std::string conn;        // (with proto) the connection: the id of its first record
  // The policy's decision: allow, block, no_decrypt, reject; empty when no decision was made
  // (the request was refused before it could be judged).
  std::string_view decision;
  std::string rule;      // the rule that decided ("default" when none matched)
  std::string category;  // the category (list) that matched, empty when none
  std::string group;     // the client's group
  // A search (analysis/search_terms): its terms (valid UTF-8) or, with log.search = "hash", their
  // keyed hash; engine and kind; empty when the request was not one or log.search is off.
  std::string search;
  std::string search_hash;
  std::string_view search_engine;
  std::string_view search_kind;  // "submitted" or "partial" (typed so far, autocomplete)
  // Phrase scanning (analysis/page_scan): the page's score and the category that weighed most;
  // page_scan "complete" (read to its end) or "partial" (the first analysis.max_scan_bytes);
  // empty when the response was not scanned.
  std::string_view page_scan;
  int page_score = 0;
  std::string page_category;
};

// The record as one JSON object followed by '\n'.
// `instance`: the instance's name (log.instance), written after ts when not empty.
void append_json_line(const AccessRecord& r, std::string& out, std::string_view instance = {});

// What every access log line starts with, records and service events alike:
// {"v":1,"ts":"..."[,"instance":"..."]
void append_line_start(std::string& out, std::chrono::system_clock::time_point ts,
                       std::string_view instance);

}  // namespace warden::observe
