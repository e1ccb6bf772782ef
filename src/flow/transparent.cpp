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

#include <spdlog/spdlog.h>

#include <algorithm>
#include <sys/socket.h>

namespace warden::flow {

using base::ErrorCode;

namespace {

enum class Protocol { NeedMore, Tls, Http, Other };

// TLS starts with a handshake record (22); HTTP/1 with a method (upper-case letters, '-' in
// some WebDAV ones) and a space. Anything else, such as "SSH-2.0-..." or a VPN's framing, is
// neither.
Protocol sniff(std::string_view bytes) {
  if (bytes.empty()) return Protocol::NeedMore;
  if (static_cast<unsigned char>(bytes[0]) == 0x16) return Protocol::Tls;
  constexpr std::size_t kLongestMethod = 20;
  for (std::size_t i = 0; i < bytes.size() && i <= kLongestMethod; ++i) {
    const char c = bytes[i];
    if (c == ' ') return i > 0 ? Protocol::Http : Protocol::Other;
    if (!((c >= 'A' && c <= 'Z') || c == '-')) return Protocol::Other;
  }
  return bytes.size() > kLongestMethod ? Protocol::Other : Protocol::NeedMore;
}

}  // namespace

void ClientSession::reset_client() {
  // SO_LINGER 0: close() sends RST, so the client fails at once instead of waiting.
  linger l{1, 0};
  auto& tcp = static_cast<net::TcpStream&>(*client_);
  ::setsockopt(tcp.socket().native_handle(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  state_ = State::Closed;
  client_->close();
}

net::Awaitable<bool> ClientSession::start_transparent() {
  const net::tcp::endpoint dst = *meta_.original_destination;
  Exchange ex;
  ex.record.ts = std::chrono::system_clock::now();
  ex.record.id = ctx_.ids.next();
  ex.record.method = "-";
  ex.record.host = dst.address().to_string();
  ex.record.port = dst.port();
  if (is_own_listener(dst, ctx_.shared.listen_endpoints, meta_.local.address())) {
    ex.record.end = "error";
    ex.record.error = base::error_code_name(ErrorCode::LoopDetected);
    log_exchange(ex);
    reset_client();
    co_return false;
  }

  // The first bytes say what the client speaks (every protocol we carry has the client speak
  // first).
  const unsigned expiries = watchdog_.expiries();
  watchdog_.expire_after(config_->timeouts.header);
  Protocol protocol = Protocol::NeedMore;
  while (protocol == Protocol::NeedMore) {
    std::span<char> space = client_buf_.prepare(1, 16 * 1024);
    auto [ec, n] = co_await client_->read_some(space);
    if (ec || state_ == State::Closed) {
      if (watchdog_.expiries() != expiries) {
        // Silent clients may be waiting for a server that speaks first (SMTP, SSH): not ours.
        ex.record.end = "timeout";
        ex.record.error = base::error_code_name(ErrorCode::UnknownProtocol);
        log_exchange(ex);
        reset_client();
      }
      co_return false;
    }
    client_buf_.commit(n);
    protocol = sniff(client_buf_.data());
  }

  if (protocol == Protocol::Tls) {  // a TLS handshake record: the ClientHello follows
    ex.record.method = "TLS";
    ex.record.scheme = "https";
    http::Authority authority{ex.record.host, dst.port(), dst.address().is_v6()};
    const policy::Decision decision = judge(ex, authority.host, authority.port, std::nullopt);
    co_return co_await bump(ex, authority, decision);
  }
  if (protocol == Protocol::Http) co_return true;  // read it as a request

  // Neither HTTP nor TLS: a filter must not carry what it cannot read (a VPN on port 443),
  // unless the school made this destination an exception.
  if (relays_untouched(dst)) {
    ex.record.scheme = "relay";
    const std::string plain;  // (no temporaries in co_await: GCC 12)
    std::optional<base::Error> error;
    std::optional<std::chrono::system_clock::time_point> unused;
    const http::Authority to{dst.address().to_string(), dst.port(), dst.address().is_v6()};
    net::StreamPtr upstream = co_await connect(to, plain, error, unused);
    if (!upstream) {
      ex.record.end = "error";
      if (error) ex.record.error = base::error_code_name(error->code);
      log_exchange(ex);
      reset_client();
      co_return false;
    }
    upstream_ = upstream.get();
    co_await splice(ex, *upstream);
    upstream_ = nullptr;
    co_return false;
  }
  ex.record.end = "error";
  ex.record.error = base::error_code_name(ErrorCode::UnknownProtocol);
  ex.record.bytes_in = client_buf_.size();
  log_exchange(ex);
  reset_client();
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
  if (!target.starts_with('/')) {
    auto absolute = http::parse_absolute_target(target);
    if (absolute && absolute->authority.port != dst.port()) return other_port;
    return absolute;
  }
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
