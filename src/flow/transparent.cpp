// ClientSession: connections captured at the network level (capture/: redirect, tproxy, local).
// The client does not know Warden is there: a TLS connection is handled like a CONNECT to its
// original destination (the SNI names the server; policy judges it before anything is
// contacted), an HTTP connection like requests whose Host names the server. What policy judged
// is what is contacted: the original destination only when the name resolves to it, so a pupil
// cannot pair an allowed name with a blocked server or a VPN (docs/capture.md).
#include "capture/original_destination.hpp"
#include "flow/detail/exchange.hpp"
#include "http/chars.hpp"
#include "net/connector.hpp"
#include "net/destination_guard.hpp"
#include "platform/sockets.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace warden::flow {

using base::ErrorCode;

namespace {

// TLS starts with a handshake record (22); HTTP/1 with a method (upper-case letters, '-' in
// some WebDAV ones) and a space. Anything else, such as "SSH-2.0-..." or a VPN's framing, is
// neither.
ClientSession::FirstBytes sniff(std::string_view bytes) {
  using enum ClientSession::FirstBytes;
  if (bytes.empty()) return NeedMore;
  if (static_cast<unsigned char>(bytes[0]) == 0x16) return Tls;
  constexpr std::size_t kLongestMethod = 20;
  for (std::size_t i = 0; i < bytes.size() && i <= kLongestMethod; ++i) {
    const char c = bytes[i];
    if (c == ' ') return i > 0 ? Http : Other;
    if (!((c >= 'A' && c <= 'Z') || c == '-')) return Other;
  }
  return bytes.size() > kLongestMethod ? Other : NeedMore;
}

}  // namespace

void ClientSession::reset_client() {
  // close() then sends RST, so the client fails at once instead of waiting.
  platform::reset_on_close(client_->socket().native_handle());
  state_ = State::Closed;
  client_->close();
}

bool ClientSession::on_web_port() const {
  const auto& ports = config_->web_ports;
  return std::find(ports.begin(), ports.end(), meta_.original_destination->port()) != ports.end();
}

net::Awaitable<ClientSession::FirstBytes> ClientSession::read_first_bytes(net::Duration wait) {
  const unsigned expiries = watchdog_.expiries();
  watchdog_.expire_after(wait);
  FirstBytes kind = sniff(client_buf_.data());
  while (kind == FirstBytes::NeedMore) {
    std::span<char> space = client_buf_.prepare(1, 16 * 1024);
    auto [ec, n] = co_await client_->read_some(space);
    if (state_ == State::Closed) co_return FirstBytes::Gone;
    if (ec) co_return watchdog_.expiries() != expiries ? FirstBytes::Silent : FirstBytes::Gone;
    client_buf_.commit(n);
    kind = sniff(client_buf_.data());
  }
  co_return kind;
}

net::Awaitable<bool> ClientSession::start_transparent() {
  const net::tcp::endpoint dst = *meta_.original_destination;
  Exchange ex;
  ex.record.ts = std::chrono::system_clock::now();
  ex.record.id = ctx_.ids.next();
  ex.record.method = "-";
  ex.record.host = dst.address().to_string();
  ex.record.port = dst.port();
  if (is_own_listener(dst, ctx_.shared.own_endpoints, meta_.local.address())) {
    ex.record.end = "error";
    ex.record.error = base::error_code_name(ErrorCode::LoopDetected);
    log_exchange(ex);
    reset_client();
    co_return false;
  }

  // The first bytes say what the client speaks. On web ports the client always speaks first;
  // elsewhere a silent client may be waiting for a server that speaks first (SMTP, POP, FTP).
  const bool web_port = on_web_port();
  const Timeouts& t = config_->timeouts;
  FirstBytes kind = co_await read_first_bytes(web_port ? t.header : config_->server_first_wait);
  if (kind == FirstBytes::Gone) co_return false;
  if (kind == FirstBytes::Silent && web_port) {
    ex.record.end = "timeout";
    ex.record.error = base::error_code_name(ErrorCode::UnknownProtocol);
    log_exchange(ex);
    reset_client();
    co_return false;
  }
  net::StreamPtr upstream;
  if (kind == FirstBytes::Silent) {
    // Connect (if policy lets this destination through), then let the first bytes of either
    // side decide: a server's banner means a server-first protocol, relayed; a client that
    // speaks first after all is sniffed, so a delayed ClientHello is still filtered.
    if (!judge_other(ex)) co_return false;
    upstream = co_await connect_other(ex);
    if (!upstream) co_return false;
    upstream_ = upstream.get();
    const unsigned expiries = watchdog_.expiries();
    watchdog_.expire_after(t.header);
    using namespace net::asio::experimental::awaitable_operators;
    auto first = co_await (client_->wait_readable() || upstream->wait_readable());
    upstream_ = nullptr;
    if (state_ == State::Closed) co_return false;
    if (watchdog_.expiries() != expiries) {  // neither side said anything
      ex.record.end = "timeout";
      log_exchange(ex);
      reset_client();
      co_return false;
    }
    if (first.index() == 1) {
      co_await relay_other(ex, *upstream);
      co_return false;
    }
    kind = co_await read_first_bytes(t.header);
    if (kind == FirstBytes::Gone || kind == FirstBytes::Silent) {
      log_exchange(ex);
      co_return false;
    }
    if (kind != FirstBytes::Other) {  // TLS or HTTP: judged by name, contacted by name
      upstream.reset();
      ex.record.decision = {};
      ex.record.rule.clear();
    }
  }

  if (kind == FirstBytes::Tls) {  // a TLS handshake record: the ClientHello follows
    ex.record.method = "TLS";
    ex.record.scheme = "https";
    http::Authority authority{ex.record.host, dst.port(), dst.address().is_v6()};
    const policy::Decision decision = judge(ex, authority.host, authority.port, std::nullopt);
    co_return co_await bump(ex, authority, decision);
  }
  if (kind == FirstBytes::Http) co_return true;  // read it as a request

  // Neither HTTP nor TLS. On a web port a filter must not carry what it cannot read (a VPN on
  // 443), unless the school made this destination an exception; elsewhere (SSH, mail, games)
  // it is relayed untouched and logged, unless policy blocks it.
  if (web_port && !relays_untouched(dst)) {
    ex.record.end = "error";
    ex.record.error = base::error_code_name(ErrorCode::UnknownProtocol);
    ex.record.bytes_in = client_buf_.size();
    log_exchange(ex);
    reset_client();
    co_return false;
  }
  if (!upstream) {
    if (!judge_other(ex)) co_return false;
    upstream = co_await connect_other(ex);
    if (!upstream) co_return false;
  }
  co_await relay_other(ex, *upstream);
  co_return false;
}

bool ClientSession::judge_other(Exchange& ex) {
  const net::tcp::endpoint& dst = *meta_.original_destination;
  ex.record.scheme = "relay";
  policy::OtherFlow flow;
  flow.client = client_address_;
  flow.user = meta_.user;
  flow.destination = net::ip_bytes(dst.address());
  flow.port = dst.port();
  const policy::Decision d = ctx_.policy->evaluate_other(flow);
  record_decision(ex, d);
  if (d.action != policy::Action::Block && d.action != policy::Action::Reject) return true;
  ex.record.end = "blocked";
  log_exchange(ex);
  reset_client();  // nothing else can be shown to a protocol we do not read
  return false;
}

net::Awaitable<net::StreamPtr> ClientSession::connect_other(Exchange& ex) {
  const net::tcp::endpoint& dst = *meta_.original_destination;
  const std::string plain;  // (no temporaries in co_await: GCC 12)
  std::optional<base::Error> error;
  std::optional<std::chrono::system_clock::time_point> unused;
  const http::Authority to{dst.address().to_string(), dst.port(), dst.address().is_v6()};
  net::StreamPtr upstream = co_await connect(to, plain, error, unused);
  if (!upstream && state_ != State::Closed) {
    ex.record.end = "error";
    if (error) ex.record.error = base::error_code_name(error->code);
    log_exchange(ex);
    reset_client();
  }
  co_return upstream;
}

net::Awaitable<void> ClientSession::relay_other(Exchange& ex, net::Stream& upstream) {
  upstream_ = &upstream;
  co_await splice(ex, upstream);
  upstream_ = nullptr;
}

net::Awaitable<bool> ClientSession::refuse_outside_proxy(Exchange& ex) {
  const http::RequestHead& h = ex.head;
  const bool tunnel = h.method() == "CONNECT";
  http::Checked<http::AbsoluteTarget> target = http::ParseError{};
  if (tunnel) {
    auto authority = http::parse_authority(h.target(), /*port_required=*/true);
    if (authority) target = http::AbsoluteTarget{"https", std::move(*authority), "/"};
  } else {
    target = http::parse_absolute_target(h.target());
  }
  std::string why;
  if (!target || !normalize_authority(target->authority, why)) {
    co_await respond_error(&ex, 400, ErrorCode::BadRequest,
                           "The request names no valid host for a proxy.", true);
    co_return false;
  }
  ex.record.scheme = tunnel ? "tunnel" : target->scheme;
  ex.record.host = target->authority.host;
  ex.record.port = target->authority.port;
  ex.record.path = tunnel ? std::string() : target->path;
  // Judged like any request (a blocked site gets its block page), then refused either way.
  const std::string url = policy::url_for_policy(target->authority.host, target->path);
  const policy::Decision d = judge(ex, target->authority.host, target->authority.port,
                                   tunnel ? std::optional<std::string_view>() : url);
  if (d.action == policy::Action::Block || d.action == policy::Action::Reject)
    co_return co_await respond_blocked(ex, d, true);
  co_await respond_error(&ex, 403, ErrorCode::UpstreamProxy,
                         "Other proxies cannot be used on this network (the school's filter "
                         "already carries your requests): remove the proxy setting",
                         true);
  co_return false;
}

bool ClientSession::relays_untouched(const net::tcp::endpoint& dst) const {
  const auto ip = policy::parse_ip(dst.address().to_string());
  if (!ip) return false;
  for (const auto& e : config_->relay_untouched)
    if ((e.port == 0 || e.port == dst.port()) && e.addresses.contains(*ip)) return true;
  return false;
}

http::Checked<http::AbsoluteTarget> ClientSession::transparent_target(
    const http::RequestHead& h) const {
  const std::string_view target = h.target();
  const net::tcp::endpoint& dst = *meta_.original_destination;
  // The port is the one the client dialled (and was captured on): a Host naming another would
  // reach ports the egress lockdown closes.
  const http::ParseError other_port{421, "the request names another port than the one dialled"};
  if (!target.starts_with('/'))  // (absolute-form went to refuse_outside_proxy)
    return http::ParseError{400, "expected a path (origin-form) on a direct connection"};
  http::AbsoluteTarget t;
  t.scheme = "http";
  t.path = std::string(target);
  if (auto host = h.find("host"); host && !host->empty()) {
    auto a = http::parse_authority(*host, false);
    if (!a) return a.error();
    t.authority = std::move(*a);
    if (t.authority.port == 0) t.authority.port = dst.port();
    if (t.authority.port != dst.port()) return other_port;
  } else {
    // HTTP/1.0 without Host (1.1 requires it: the parser refused that already): the address
    // the client dialled is all we know.
    t.authority = {dst.address().to_string(), dst.port(), dst.address().is_v6()};
  }
  return t;
}

net::Awaitable<std::optional<http::Authority>> ClientSession::pick_destination(
    Exchange& ex, const http::Authority& named, bool strict) {
  const net::tcp::endpoint& dst = *meta_.original_destination;
  http::Authority dialled{dst.address().to_string(), named.port, dst.address().is_v6()};
  const auto now = net::Clock::now();
  const std::vector<net::asio::ip::address>* addresses = ctx_.dns_cache.find(named.host, now);
  if (addresses == nullptr) {
    auto resolved =
        co_await net::resolve(named.host, named.port, now + config_->timeouts.upstream_connect);
    if (state_ == State::Closed) co_return std::nullopt;
    if (!resolved) {
      // The connection by name would fail the same way; a splice stops here, naming why.
      if (!strict) co_return named;
      ex.record.error = base::error_code_name(resolved.error().code);
      co_return std::nullopt;
    }
    std::vector<net::asio::ip::address> found;
    for (const auto& e : *resolved) found.push_back(capture::unmapped(e).address());
    ctx_.dns_cache.put(named.host, std::move(found), net::Clock::now() + config_->dns_cache_ttl);
    addresses = ctx_.dns_cache.find(named.host, net::Clock::now());
  }
  if (addresses != nullptr &&
      std::find(addresses->begin(), addresses->end(), dst.address()) != addresses->end())
    co_return dialled;  // the name is there: use what was dialled
  // Not one of the name's addresses: the client paired the name with another server.
  ex.record.error = base::error_code_name(ErrorCode::DestinationMismatch);
  spdlog::info("{}: {} was dialled at {}, which is not one of its addresses{}", client_ip_,
               named.host, orig_dst_text_, strict ? "; refused" : "; using the name's own");
  if (strict) co_return std::nullopt;
  co_return named;
}

}  // namespace warden::flow
