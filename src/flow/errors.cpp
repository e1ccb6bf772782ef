// ClientSession: Warden's own error responses and the access-log record of each exchange.
#include "actions/error_page.hpp"
#include "flow/body_copy.hpp"
#include "flow/detail/exchange.hpp"
#include "http/error_response.hpp"

#include <spdlog/spdlog.h>

namespace warden::flow {

using std::chrono_literals::operator""s;

net::Awaitable<void> ClientSession::respond_error(Exchange* ex, unsigned status,
                                                  base::ErrorCode code, std::string detail,
                                                  bool close, std::string extra_fields) {
  const std::string_view code_name = base::error_code_name(code);
  // (No conditional expression over string temporaries in a coroutine: GCC 12 bug.)
  std::string id;
  if (ex != nullptr && !ex->record.id.empty()) {
    id = ex->record.id;
  } else {
    id = ctx_.ids.next();
  }
  const std::string response = error_response(
      ex, {status, code_name, std::move(detail), id, close, std::move(extra_fields)});
  bool sent = false;
  if (ex == nullptr || !ex->response_started)
    sent = co_await write_all(*client_, response, watchdog_, 10s);
  if (ex != nullptr) {
    ex->record.id = id;
    ex->record.status = sent ? status : 0;
    ex->record.bytes_out += sent ? response.size() : 0;
    ex->record.error = code_name;
    ex->record.end = "error";
    log_exchange(*ex);
  }
}

std::string ClientSession::error_response(const Exchange* ex, const http::ErrorResponse& e) const {
  // A browser loading a page gets the HTML page; anything else (and an error before a request
  // was read) the short text.
  if (ex == nullptr || ex->record.host.empty() || ex->page_kind() != actions::PageKind::Html)
    return http::render_error_response(e);
  actions::FailedRequest failed;
  failed.scheme = ex->page_scheme();
  failed.host = ex->record.host;
  failed.port = ex->record.port;
  failed.path = ex->record.path;
  failed.when = ex->record.ts;
  return actions::render_error_page_response(ctx_.policy->strings(), e, failed,
                                             ex->head.method() == "HEAD");
}

net::Awaitable<void> ClientSession::respond_error(Exchange* ex, const base::Error& e, bool close) {
  unsigned status = 502;
  switch (e.code) {
    case base::ErrorCode::ConnectTimeout:
    case base::ErrorCode::UpstreamTimeout:
      status = 504;
      break;
    case base::ErrorCode::PortNotAllowed:
    case base::ErrorCode::DestinationDenied:
    case base::ErrorCode::UpstreamProxy:
      status = 403;
      break;
    case base::ErrorCode::BadRequest:
      status = 400;
      break;
    case base::ErrorCode::HostMismatch:
      status = 421;
      break;
    case base::ErrorCode::LoopDetected:
      status = 508;
      break;
    default:  // upstream failures, TLS verification included: 502

      break;
  }
  co_await respond_error(ex, status, e.code, e.context + ".", close);
}

bool ClientSession::closes_after_own_answer(const Exchange& ex) const {
  return ex.semantics.body.has_body() || !ex.semantics.keep_alive || drain_ || ctx_.draining;
}

void ClientSession::log_exchange(Exchange& ex) {
  if (ex.logged) return;
  ex.logged = true;
  observe::AccessRecord& r = ex.record;
  if (r.ts == std::chrono::system_clock::time_point{}) r.ts = std::chrono::system_clock::now();
  r.client = client_ip_;
  if (identity_) r.user = identity_->user;
  r.capture = capture::capture_mode_name(meta_.mode);
  if (meta_.original_destination) r.orig_dst = orig_dst_text_;
  r.duration_us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(net::Clock::now() - ex.started)
          .count());
  ctx_.access_log.add(r);
  ctx_.activity.add(r);
  ctx_.metrics.record(r);
}

}  // namespace warden::flow
