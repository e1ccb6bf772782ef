// ClientSession: TLS interception inside a CONNECT tunnel (../shared/DESIGN.md, tls/).
// Order matters: peek the ClientHello, decide splice or bump, open and verify the upstream TLS
// leg, and only then answer the client's handshake with a minted certificate, so a minted
// certificate never vouches for an upstream that was not verified. When verification fails the
// client still gets a handshake (with a certificate for the name it asked for) and then only
// Warden's own error page: no upstream byte ever reaches it.
#include "base/scope_exit.hpp"
#include "flow/body_copy.hpp"
#include "flow/detail/exchange.hpp"
#include "flow/h2_upstream.hpp"
#include "policy/host.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/client_hello.hpp"
#include "tls/server_context.hpp"
#include "tls/tls_stream.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace warden::flow {

using base::ErrorCode;
using Clock = std::chrono::system_clock;

namespace {
constexpr std::size_t kMaxHello = 64 * 1024;

// The client's ALPN list, in its order, restricted to what Warden speaks: offered upstream, so
// the origin chooses as it would for the client (HTTP/1.1 when the client offered nothing).
std::string upstream_alpn(const std::vector<std::string>& offered) {
  std::string wire;
  for (const std::string& p : offered)
    if (p == "h2" || p == "http/1.1") wire.append(1, static_cast<char>(p.size())).append(p);
  if (wire.empty()) wire = "\x08http/1.1";
  return wire;
}

std::string_view selected_alpn(SSL* ssl) {
  const unsigned char* p = nullptr;
  unsigned int n = 0;
  SSL_get0_alpn_selected(ssl, &p, &n);
  return {reinterpret_cast<const char*>(p), n};
}
}  // namespace

net::Awaitable<net::StreamPtr> ClientSession::upstream_tls(
    net::StreamPtr tcp, const std::string& name, std::uint16_t port,
    std::optional<base::Error>& error, std::optional<Clock::time_point>& not_after,
    std::string_view alpn) {
  const TlsServices& services = *ctx_.shared.tls;
  tls::SslPtr ssl = services.upstream->new_ssl(name, port, alpn);
  const bool excepted = services.excepted(name);
  if (excepted)  // judged below, and logged
    SSL_set_verify(ssl.get(), SSL_VERIFY_NONE, SSL_get_verify_callback(ssl.get()));
  auto stream = std::make_unique<tls::TlsStream>(std::move(tcp->socket()), std::move(ssl));
  upstream_ = stream.get();
  const unsigned expiries = watchdog_.expiries();
  watchdog_.expire_after(config_->timeouts.upstream_connect);
  const net::error_code ec = co_await stream->handshake();
  if (watchdog_.expiries() != expiries) {
    error = base::Error{ErrorCode::UpstreamTimeout, base::ErrorSource::Upstream,
                        "the TLS handshake with " + name + " timed out"};
    co_return nullptr;
  }
  std::string handshake_error;  // (no ternary over strings in coroutines: GCC 12 bug)
  if (ec) handshake_error = stream->error_detail();
  error = services.upstream->judge(stream->native(), name, handshake_error);
  if (error && excepted && !ec) {
    spdlog::warn("upstream {}: {} ({}); accepted because {} is in tls.verify_exceptions", name,
                 base::error_code_name(error->code), error->context, name);
    error.reset();
  }
  if (error) co_return nullptr;
  if (X509* peer = SSL_get0_peer_certificate(stream->native()))
    not_after = tls::asn1_time_point(X509_get0_notAfter(peer));
  co_return stream;
}

net::Awaitable<bool> ClientSession::bump(Exchange& ex, const http::Authority& authority,
                                         const policy::Decision& at_connect) {
  // Null when interception is off: a captured TLS connection can then only be spliced.
  const TlsServices* services = ctx_.shared.tls;
  const Timeouts& t = config_->timeouts;
  const base::ScopeExit forget_upstream([this] { upstream_ = nullptr; });

  // 1. Peek the ClientHello (kept in client_buf_ for the handshake or the splice).
  const unsigned expiries = watchdog_.expiries();
  watchdog_.expire_after(t.header);
  tls::HelloResult hello;
  for (;;) {
    hello = tls::parse_client_hello(client_buf_.data(), kMaxHello);
    if (hello.status != tls::HelloStatus::NeedMore) break;
    std::span<char> space = client_buf_.prepare(1, kMaxHello + 1024);
    auto [ec, n] = co_await client_->read_some(space);
    if (ec) {
      ex.record.end = watchdog_.expiries() != expiries ? "timeout" : "client_abort";
      log_exchange(ex);
      co_return false;
    }
    client_buf_.commit(n);
  }
  if (hello.status != tls::HelloStatus::Done) {
    // A filter must not carry what it cannot read (../shared/SECURITY.md g.2): close.
    ex.record.end = "error";
    ex.record.error = base::error_code_name(ErrorCode::NotTls);
    log_exchange(ex);
    co_return false;
  }
  std::string name = authority.host;  // no SNI: the CONNECT host (a name or an IP)
  if (!hello.info.sni.empty()) {
    std::string why;
    const policy::NormalHost sni = policy::normalize_host(hello.info.sni, why);
    if (!why.empty()) {
      ex.record.end = "error";
      ex.record.error = base::error_code_name(ErrorCode::BadRequest);
      log_exchange(ex);
      co_return false;
    }
    name = sni.text;
  }
  ex.record.host = name;

  // 2. The policy on the name the client asked for; the stronger of it and the CONNECT's
  //    decision stands (a pupil cannot CONNECT to a blocked host with an allowed SNI).
  policy::Decision decision = at_connect;
  if (name != authority.host) {
    policy::Decision on_name = judge(ex, name, authority.port, std::nullopt);
    if (on_name.action >= decision.action) decision = std::move(on_name);
  }
  record_decision(ex, decision);
  if (decision.action == policy::Action::Reject) {
    ctx_.metrics.tls(observe::TlsOutcome::Refused);
    co_await reject_handshake(ex);
    co_return false;
  }
  // Blocked: bumped without contacting the server, so each request gets the block page (or,
  // where a URL rule allows it, its upstream is opened then, verified as usual).
  const bool blocked = decision.action == policy::Action::Block;
  const bool splicing = !blocked && (decision.action == policy::Action::NoDecrypt ||
                                     services == nullptr || services->splices(name));
  if (blocked && services == nullptr) {  // no page can be shown without decrypting
    ctx_.metrics.tls(observe::TlsOutcome::Refused);
    co_await reject_handshake(ex);
    co_return false;
  }

  // Captured transparently, `authority` is the address the client dialled; the server contacted
  // is the one the name resolves to (docs/capture.md), never a blocked host's. Under a restricted
  // mode it is the provider's safe address for the name, spliced or not, and for a blocked name
  // too: a page a URL rule allows there is fetched from it.
  http::Authority dest = authority;
  const policy::RequestChanges changes = changes_for(decision, name, {});
  if (!changes.safe_host.empty()) {
    dest = {changes.safe_host, authority.port, false};
  } else if (meta_.original_destination && name != authority.host && !blocked) {
    http::Authority named{name, authority.port, false};
    auto picked = co_await pick_destination(ex, named, splicing);
    if (!picked) {
      ex.record.end = "error";
      log_exchange(ex);
      co_return false;
    }
    dest = std::move(*picked);
  }

  // 3. Splice what must not be decrypted (banking, health...).
  std::optional<base::Error> refused;
  std::optional<Clock::time_point> upstream_not_after;
  if (splicing) {
    ex.record.scheme = "splice";
    const std::string plain;  // no TLS leg (named: no temporaries in co_await, GCC 12)
    net::StreamPtr tcp = co_await connect(dest, plain, refused, upstream_not_after);
    if (!tcp) {
      ex.record.end = "error";
      if (refused) ex.record.error = base::error_code_name(refused->code);
      log_exchange(ex);
      co_return false;
    }
    upstream_ = tcp.get();
    ctx_.metrics.tls(observe::TlsOutcome::Spliced);
    co_await splice(ex, *tcp);
    co_return false;
  }

  // 4. The upstream leg, verified like a browser would: a pooled connection to the same server
  //    (verified when it was opened) or a new one. A client that offers h2 may share the
  //    worker's h2 connection to this server for its group; otherwise it gets a new connection
  //    (the HTTP/1.1 pool is not used for it), so the origin can choose h2.
  ex.record.scheme = "https";
  net::StreamPtr secured;
  std::shared_ptr<H2Upstream> shared_h2;
  const std::string alpn = upstream_alpn(hello.info.alpn);
  const bool wants_h2 =
      std::find(hello.info.alpn.begin(), hello.info.alpn.end(), "h2") != hello.info.alpn.end();
  const std::string h2_key = https_pool_key(name, dest) + "|" + decision.group;
  if (!blocked && wants_h2) shared_h2 = H2Upstream::find(ctx_, h2_key);
  if (shared_h2) {
    upstream_not_after = shared_h2->verified().not_after;
  } else if (!blocked) {
    if (!wants_h2) secured = ctx_.upstreams.take(https_pool_key(name, dest), t.upstream_idle);
    if (secured) {
      if (X509* peer = SSL_get0_peer_certificate(static_cast<tls::TlsStream&>(*secured).native()))
        upstream_not_after = tls::asn1_time_point(X509_get0_notAfter(peer));
    } else {
      secured = co_await connect(dest, name, refused, upstream_not_after, alpn);
    }
  }
  upstream_ = nullptr;
  if (state_ == State::Closed) co_return false;
  SSL* upstream_ssl = secured ? static_cast<tls::TlsStream&>(*secured).native() : nullptr;
  int upstream_version = upstream_ssl != nullptr ? SSL_version(upstream_ssl) : 0;
  // The client speaks what the origin chose: h2 only where the upstream chose h2.
  if (upstream_ssl != nullptr && selected_alpn(upstream_ssl) == "h2")
    shared_h2 =
        H2Upstream::start(ctx_, h2_key, std::move(secured), {upstream_not_after, upstream_version});
  if (shared_h2) upstream_version = shared_h2->verified().tls_version;

  // 5. A certificate for the name the client asked for, then the client's handshake.
  auto minted =
      services->certs->get(name, refused ? std::nullopt : upstream_not_after, client_address_);
  if (!minted) {
    // Past its budget a client's connection is only logged: a flood must not flood the journal.
    const bool over_budget = minted.error().code == ErrorCode::MintLimit;
    if (!over_budget)
      spdlog::error("minting a certificate for {} failed: {}", name, minted.error().context);
    ex.record.end = "error";
    ex.record.error =
        base::error_code_name(over_budget ? ErrorCode::MintLimit : ErrorCode::Internal);
    log_exchange(ex);
    co_return false;
  }
  tls::SslPtr ssl =
      tls::new_server_ssl(services->server_ctx, (*minted)->cert.get(), services->minter->leaf_key(),
                          services->minter->ca_certificate(), shared_h2 != nullptr);
  if (!ssl) co_return false;
  // No silent upgrade: the client never gets a newer TLS version than the upstream gave us.
  if (upstream_version != 0 && upstream_version < TLS1_3_VERSION)
    SSL_set_max_proto_version(ssl.get(), upstream_version);
  auto client_tls = std::make_unique<tls::TlsStream>(std::move(client_->socket()), std::move(ssl),
                                                     std::string(client_buf_.data()));
  client_buf_.consume(client_buf_.size());
  client_buf_.release_if_empty();
  client_ = std::move(client_tls);
  watchdog_.expire_after(t.header);
  const unsigned before_handshake = watchdog_.expiries();
  if (const net::error_code ec = co_await static_cast<tls::TlsStream&>(*client_).handshake()) {
    // Usually: the school CA is not trusted on this device.
    ctx_.metrics.tls(observe::TlsOutcome::Failed);
    ex.record.end = watchdog_.expiries() != before_handshake ? "timeout" : "client_abort";
    ex.record.error = base::error_code_name(ErrorCode::TlsHandshake);
    log_exchange(ex);
    co_return false;
  }
  ctx_.metrics.tls(observe::TlsOutcome::Bumped);
  ex.record.end = refused ? "refused" : "bumped";
  if (blocked) ex.record.end = "blocked";
  if (refused) ex.record.error = base::error_code_name(refused->code);
  log_exchange(ex);

  // 6. Requests now arrive over TLS; a refused upstream answers each with its error page.
  const bool client_h2 = selected_alpn(static_cast<tls::TlsStream&>(*client_).native()) == "h2";
  bumped_ = Bumped{name,
                   dest,
                   std::move(secured),
                   std::move(refused),
                   https_pool_key(name, dest),
                   !changes.safe_host.empty(),
                   client_h2 && shared_h2 != nullptr,
                   ex.record.id,
                   std::move(shared_h2)};
  co_return true;
}

}  // namespace warden::flow
