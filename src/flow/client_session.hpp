#pragma once
// One client connection to the explicit proxy, for its whole life (a Flow): reads requests,
// forwards absolute-form requests (forward.cpp), opens CONNECT tunnels and WebSocket relays
// (tunnel.cpp), intercepts TLS inside CONNECT (bump.cpp: the client leg becomes a TLS stream
// and the loop goes on reading origin-form requests for that one server), answers errors
// itself (errors.cpp), and writes one access-log record per exchange or tunnel.
//
// Ownership: shared_ptr held by its two coroutines (run and the watchdog); registered in its
// WorkerContext while alive. Thread: its worker only.
// Lifecycle: Idle (waiting for a request) -> ReadingHead -> Busy (an exchange) -> Idle ... ->
// Closed. drain() closes an idle session at once and a busy one after its exchange; abort()
// closes now. Every wait is bounded by the watchdog.

#include "analysis/search_terms.hpp"
#include "base/error.hpp"
#include "capture/flow_meta.hpp"
#include "flow/page_check.hpp"
#include "flow/worker_context.hpp"
#include "http/error_response.hpp"
#include "http/framing.hpp"
#include "http/message.hpp"
#include "http/target.hpp"
#include "identity/directory.hpp"
#include "net/buffer.hpp"
#include "net/relay.hpp"
#include "net/stream.hpp"
#include "net/watchdog.hpp"
#include "observe/access_record.hpp"
#include "observe/alert.hpp"
#include "policy/policy.hpp"

#include <boost/asio/cancellation_signal.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace warden::flow {

class H2Upstream;

class ClientSession : public std::enable_shared_from_this<ClientSession> {
 public:
  // What the first bytes of a captured connection say it is (transparent.cpp).
  enum class FirstBytes { NeedMore, Tls, Http, Other, Silent, Gone };

  // Accepts a flow on `ctx`'s worker, or refuses it with 503 at max_connections.
  static void start(WorkerContext& ctx, net::Socket client, capture::FlowMeta meta);
  ~ClientSession();
  ClientSession(const ClientSession&) = delete;
  ClientSession& operator=(const ClientSession&) = delete;

  void drain();
  void abort();

 private:
  static constexpr std::string_view kHttp11Alpn{"\x08http/1.1", 9};
  enum class State { Idle, ReadingHead, Busy, Closed };
  enum class HeadOutcome { Ok, Closed };
  struct Exchange;  // the request being handled; see forward.cpp

  ClientSession(WorkerContext& ctx, net::Socket client, capture::FlowMeta meta);
  net::Awaitable<void> run();
  void on_deadline();

  // Waits, holding no buffer, for the first byte of the next request; false if the connection
  // ended. Its own small coroutine: an idle connection's frames are this one and run()'s.
  net::Awaitable<bool> await_request(bool first);
  // Reads the next request head into `out`; answers malformed heads and timeouts itself.
  net::Awaitable<HeadOutcome> read_request_head(http::RequestHead& out);
  net::Awaitable<void> refuse_head(unsigned status, base::ErrorCode code, std::string detail);
  // HTTP/2 on both legs: the bridge serves every stream (its frame only on such connections).
  net::Awaitable<void> serve_h2();
  // After an error GOAWAY: our side shut, what the client still sends read and dropped for a
  // moment, so the close does not reset the connection before the client reads the GOAWAY.
  net::Awaitable<void> linger();
  // Handles one request; returns whether the connection stays open for another.
  net::Awaitable<bool> handle_request(http::RequestHead& head);
  [[nodiscard]] http::Checked<http::AbsoluteTarget> bumped_target(const http::RequestHead& h) const;

  // forward.cpp
  net::Awaitable<bool> forward(Exchange& ex);
  [[nodiscard]] std::string pool_key(const Exchange& ex) const;
  [[nodiscard]] static std::string https_pool_key(const std::string& name,
                                                  const http::Authority& a);
  // A new connection to `dest`, with a verified TLS leg to `tls_name` unless it is empty.
  // On failure returns null and sets `error` (unless the flow was aborted).
  // `alpn`: the protocols offered upstream (wire format), HTTP/1.1 unless a bumped client
  // offered h2.
  net::Awaitable<net::StreamPtr> connect(
      const http::Authority& dest, const std::string& tls_name, std::optional<base::Error>& error,
      std::optional<std::chrono::system_clock::time_point>& not_after,
      std::string_view alpn = kHttp11Alpn);
  // An upstream stream for `ex` (pooled, the bumped tunnel's own, or new); answers failures.
  net::Awaitable<net::StreamPtr> open_upstream(Exchange& ex, const std::string& pool_key,
                                               bool& reused);
  // scan_response.cpp: phrase scanning of a response ([[phrases]]; docs/analysis.md). A text
  // response is held until scanned (up to max_scan_bytes). nullopt: relay it (`body` says how;
  // an until-close body read to its end is now a Length; `streaming`, when set, is to be fed the
  // rest of a long page as it is relayed, for alerts). A value: the exchange was answered here
  // (a block page, or an error) and logged; whether the connection stays open.
  net::Awaitable<std::optional<bool>> check_page(Exchange& ex, const http::ResponseHead& head,
                                                 http::BodyFraming& body, net::Stream& upstream,
                                                 net::Buffer& upstream_buf,
                                                 std::unique_ptr<PageCheck>& streaming);
  // tunnel.cpp: returns true when the tunnel was bumped and the loop reads requests over TLS.
  net::Awaitable<bool> connect_tunnel(Exchange& ex);
  net::Awaitable<void> relay_upgraded(Exchange& ex, const http::ResponseHead& head,
                                      const http::ResponseSemantics& semantics,
                                      net::Stream& upstream, net::Buffer& upstream_buf);
  // Writes the CONNECT's 200 line; false (and logged) if the client is gone.
  net::Awaitable<bool> established(Exchange& ex);
  // Relays bytes both ways (after sending what the client already sent) until both end.
  net::Awaitable<void> splice(Exchange& ex, net::Stream& upstream);
  // bump.cpp: `at_connect` is the policy's decision on the CONNECT's host.
  net::Awaitable<bool> bump(Exchange& ex, const http::Authority& authority,
                            const policy::Decision& at_connect);
  // The upstream TLS leg to `name` over `tcp`; on failure `error` says why.
  net::Awaitable<net::StreamPtr> upstream_tls(
      net::StreamPtr tcp, const std::string& name, std::uint16_t port,
      std::optional<base::Error>& error,
      std::optional<std::chrono::system_clock::time_point>& not_after, std::string_view alpn);
  // After a tunnel or upgrade relay ends: bytes and how it ended into the record.
  void record_relay(Exchange& ex, const net::RelayResult& r, unsigned expiries_before);

  // judge.cpp
  // Lower case, IDNA, canonical IP literals (policy/host.hpp); false with `why` if not a host.
  [[nodiscard]] static bool normalize_authority(http::Authority& a, std::string& why);
  // The policy's decision on `host`:`port`, and on the URL "host/path?query" and a search's
  // terms once they are known; recorded in `ex`.
  policy::Decision judge(Exchange& ex, std::string_view host, std::uint16_t port,
                         std::optional<std::string_view> url,
                         std::optional<std::string_view> search = std::nullopt);
  static void record_decision(Exchange& ex, const policy::Decision& d);
  // The decision on `ex.target`'s URL (and, inside a bumped tunnel to another address, on the
  // CONNECT's host too: the stronger stands). An allowed request gets its changes
  // (`ex.changes`: restricted modes, header rules), its target the engine's safe parameter.
  // `body`: a POST body read ahead because it may carry a search (analysis::body_may_search).
  policy::Decision judge_request(Exchange& ex, std::string_view body = {});
  // What policy changes in a request to `host` decided by `d` (nothing under a bypass);
  // `target` empty where only the host is known.
  [[nodiscard]] policy::RequestChanges changes_for(const policy::Decision& d, std::string_view host,
                                                   std::string_view target) const;
  // A POST that may carry a search in its body (YouTube's app, DuckDuckGo's forms): the body,
  // when it has a Content-Length within analysis::kMaxSearchBody, read into client_buf_ (where
  // forwarding takes it from) and returned as a view of it; empty otherwise. False: the client
  // went away or was too slow (answered and logged).
  net::Awaitable<bool> read_search_body(Exchange& ex, std::string_view& body);
  // "100 Continue" to a client that asked for it; false: it went away (logged).
  net::Awaitable<bool> answer_continue(Exchange& ex);
  // A search, with the [[alert]] rules it matched, to the alert center (when there are rules).
  void report_search(const Exchange& ex, const analysis::Search& s,
                     const policy::Decision& d) const;
  // Whether the rest of a long page is worth scanning: an alert rule looks at this client's pages.
  [[nodiscard]] bool alerts_on_rest(const Exchange& ex) const;
  // A scanned page that matched [[alert]] rules, to the alert center.
  void report_page(const Exchange& ex, const PageVerdict& v) const;
  // An alert event about what `ex` asked for: who (client, user) and the request.
  [[nodiscard]] observe::AlertEvent alert_event(
      const Exchange& ex, std::variant<observe::SearchSeen, observe::PageSeen> seen) const;
  static void add_matches(observe::AlertEvent& e, const std::vector<policy::AlertMatch>& matches);
  // scheme://host[:port]/path?query, the path as the access log records it
  [[nodiscard]] static std::string page_url(const Exchange& ex);
  // A search request's terms into the record (log.search), or out of its path when off.
  void record_search(Exchange& ex, std::optional<analysis::Search> search) const;
  // The complete 403 response for a block (`page`: HTML when the client loads a page) or reject.
  [[nodiscard]] std::string blocked_response(Exchange& ex, const policy::Decision& d, bool page,
                                             bool close) const;
  // Answers a block (the page, or text when `page` is false or the client wants no HTML) or a
  // reject (403, empty) at the request stage; returns whether the connection stays open.
  net::Awaitable<bool> respond_blocked(Exchange& ex, const policy::Decision& d, bool page);
  // The CA page (ca_page.cpp): a request for admin.ca_page's name, answered here.
  [[nodiscard]] bool asks_for_ca_page(const Exchange& ex) const;
  net::Awaitable<bool> respond_ca_page(Exchange& ex);
  // A fatal TLS alert for a ClientHello the policy rejects (no page can be shown).
  net::Awaitable<void> reject_handshake(Exchange& ex);

  // sign_in.cpp: on a listener that asks for sign-in (auth), whether the request's
  // Proxy-Authorization is someone's (the identity then judges it); otherwise it has been
  // answered (407, or 503 when the directory cannot say) and logged, and `keep_open` says
  // whether the connection stays open.
  net::Awaitable<bool> signed_in(Exchange& ex, bool& keep_open);
  net::Awaitable<void> refuse_sign_in(Exchange& ex, base::ErrorCode code, std::string detail,
                                      bool& keep_open);
  // Nobody is signed in on this connection any more (a refusal is not logged as theirs).
  void forget_sign_in();

  // balanced.cpp: a balancer's connection: from a configured balancer, its PROXY header read;
  // the client is then the one the header names (and, for captured traffic, the original
  // destination the header's). False: closed.
  net::Awaitable<bool> read_proxy_header();
  // "ip:port" as the access log's orig_dst writes it (IPv6 in brackets).
  [[nodiscard]] static std::string destination_text(const net::tcp::endpoint& e);
  // transparent.cpp: a captured connection (capture/): TLS is bumped (or spliced) like a
  // CONNECT to its original destination; HTTP is read with its Host header; anything else is
  // reset on a web port and relayed elsewhere (policy permitting). Returns true when the
  // request loop should go on.
  net::Awaitable<bool> start_transparent();
  // What the first bytes of a captured connection are, once `wait` has passed or they tell:
  // Silent when the client sent nothing in time, Gone when it left.
  net::Awaitable<FirstBytes> read_first_bytes(net::Duration wait);
  // capture.web_ports: the client dialled one of them.
  [[nodiscard]] bool on_web_port() const;
  // A connection that is neither HTTP nor TLS: the policy's "other" rules; false (the client
  // reset, the record logged) when they block it.
  bool judge_other(Exchange& ex);
  // Its upstream: the original destination itself (no name to judge); null, the client reset
  // and logged, when it cannot be reached or is denied.
  net::Awaitable<net::StreamPtr> connect_other(Exchange& ex);
  net::Awaitable<void> relay_other(Exchange& ex, net::Stream& upstream);
  [[nodiscard]] http::Checked<http::AbsoluteTarget> transparent_target(
      const http::RequestHead& h) const;
  // Where to connect for `named` (what policy judged) on a captured connection: the original
  // destination when the name resolves to it, else the name itself (recording
  // ERR_DEST_MISMATCH), or nullopt when `strict` (a splice: refuse rather than redirect).
  net::Awaitable<std::optional<http::Authority>> pick_destination(Exchange& ex,
                                                                  const http::Authority& named,
                                                                  bool strict);
  // A captured connection that speaks to a proxy (absolute-form, CONNECT): a tunnel around
  // the filter. The target is judged (a blocked one gets its page), then refused (403
  // ERR_UPSTREAM_PROXY); the proxy is never contacted.
  net::Awaitable<bool> refuse_outside_proxy(Exchange& ex);
  // capture.relay_untouched: this destination's non-HTTP/TLS traffic is relayed, not reset.
  [[nodiscard]] bool relays_untouched(const net::tcp::endpoint& dst) const;
  // Closes the client connection with a TCP reset.
  void reset_client();

  // errors.cpp: writes Warden's own error response; `ex` (if any) records it.
  // `extra_fields`: more header fields ("Name: value\r\n"), e.g. a 407's Proxy-Authenticate.
  net::Awaitable<void> respond_error(Exchange* ex, unsigned status, base::ErrorCode code,
                                     std::string detail, bool close, std::string extra_fields = {});
  net::Awaitable<void> respond_error(Exchange* ex, const base::Error& e, bool close);
  [[nodiscard]] std::string error_response(const Exchange* ex, const http::ErrorResponse& e) const;
  // Whether a response Warden answers `ex` with itself ends the connection: a request body it
  // did not read would be taken for the next request; the client or a drain closes.
  [[nodiscard]] bool closes_after_own_answer(const Exchange& ex) const;
  void log_exchange(Exchange& ex);

  // Inside a bumped CONNECT: the server every request on this connection goes to.
  struct Bumped {
    std::string name;           // the TLS server name (SNI, or the CONNECT host)
    http::Authority authority;  // where the CONNECT pointed
    net::StreamPtr upstream;    // the verified upstream leg, until the first exchange takes it
    std::optional<base::Error> refused;  // upstream verification failed: every request gets this
    std::string pool_key;                // upstream pool key of this server (https_pool_key)
    // `authority` is the provider's safe address for `name` (restricted modes): where the
    // connection goes, not a host of its own to judge.
    bool safe_address = false;
    bool h2 = false;  // ALPN chose HTTP/2 on both legs: the connection is served by H2Bridge
    std::string id;   // the request id of the CONNECT (or captured TLS) record
    std::shared_ptr<H2Upstream> h2_upstream;  // with h2: the origin's (maybe shared) connection
  };
  friend class H2Bridge;

  WorkerContext& ctx_;
  EngineConfigPtr config_;  // the snapshot this connection's current exchange uses
  net::StreamPtr client_;   // TCP, or TLS once bumped
  capture::FlowMeta meta_;
  std::string client_ip_;
  std::optional<std::array<std::uint8_t, 16>> client_address_;  // for policy groups
  std::string orig_dst_text_;  // transparent capture: "ip:port" (IPv6 in brackets)
  net::Buffer client_buf_;
  net::Watchdog watchdog_;
  net::asio::cancellation_signal cancel_;  // abort(): stops whatever run() is waiting for
  net::Stream* upstream_ = nullptr;  // the upstream in use, cancelled with the client on expiry
  // An upstream connection that carried connection-oriented auth (NTLM, Negotiate): it belongs
  // to this client from then on and is never shared through the pool.
  struct Pinned {
    std::string key;
    net::StreamPtr stream;
  };
  std::optional<Pinned> pinned_;
  std::optional<Bumped> bumped_;
  // Who signed in on this connection (auth), the Basic Proxy-Authorization that said so, and
  // until when that value (or the connection a ticket signed in) is taken without asking again.
  std::shared_ptr<const identity::Identity> identity_;
  bool signed_in_by_ticket_ = false;  // Negotiate: the connection is signed in, not a value
  std::string signed_in_value_;
  net::Clock::time_point signed_in_until_{};
  State state_ = State::Idle;
  bool drain_ = false;
  unsigned requests_ = 0;
};

}  // namespace warden::flow
