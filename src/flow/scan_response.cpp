// ClientSession: phrase scanning of an HTTP/1.1 response (docs/analysis.md, "Phrase
// scanning"). A text response to a pupil whose group has a [[phrases]] rule is held while its
// text is scored (up to max_scan_bytes); a page that reaches the rule's limit, or has a banned
// phrase, is answered with the block page instead, naming the category that weighed most. The
// rest of a longer page is scanned as it is relayed, for alerts only.
#include "flow/detail/exchange.hpp"
#include "flow/page_hold.hpp"
#include "http/chars.hpp"

namespace warden::flow {

net::Awaitable<std::optional<bool>> ClientSession::check_page(
    Exchange& ex, const http::ResponseHead& head, http::BodyFraming& body, net::Stream& upstream,
    net::Buffer& upstream_buf, std::unique_ptr<PageCheck>& streaming) {
  ResponseFacts facts{
      ex.head.method(), head.status(), head.find("content-type").value_or(""), {}, body.has_body()};
  for (std::size_t i = 0; i < head.field_count(); ++i)
    if (http::chars::iequals(head.field(i).name, "content-encoding"))
      facts.add_content_encoding(head.field(i).value);
  auto check =
      PageCheck::start(ctx_.policy, ex.record.group, ex.bypassed, facts, config_->max_scan_bytes);
  if (!check) co_return std::nullopt;

  const std::size_t limit = config_->max_scan_bytes;
  const HoldResult held =
      co_await hold_body(upstream, upstream_buf, body, config_->chunked_limits, limit,
                         HoldBudget::of_worker(ctx_.held_for_scanning, limit), *check, watchdog_,
                         config_->timeouts.body_idle);
  switch (held.status) {
    case HoldResult::Status::Complete:
      // An until-close body read to its end is now known whole: sent with its length.
      if (body.kind == http::BodyKind::UntilClose)
        body = {http::BodyKind::Length, upstream_buf.size()};
      break;
    case HoldResult::Status::Limit:
      break;
    case HoldResult::Status::SourceClosed:
      co_await respond_error(&ex, 502, base::ErrorCode::UpstreamClosed,
                             "The upstream closed the connection in the middle of its response.",
                             true);
      co_return false;
    case HoldResult::Status::Invalid:
      co_await respond_error(
          &ex, 502, base::ErrorCode::UpstreamInvalid,
          "The upstream's response body is malformed: " + std::string(held.error.reason) + ".",
          true);
      co_return false;
    case HoldResult::Status::TimedOut:
      co_await respond_error(&ex, 504, base::ErrorCode::UpstreamTimeout,
                             "The upstream stopped sending its response.", true);
      co_return false;
  }
  const PageVerdict verdict =
      check->verdict(ex.record, held.status == HoldResult::Status::Complete);
  report_page(ex, verdict);
  if (!verdict.block) {
    // The rest of a long page is scanned as it is relayed, when an alert could come of it.
    if (held.status == HoldResult::Status::Limit && alerts_on_rest(ex))
      streaming = std::move(check);
    co_return std::nullopt;
  }
  record_decision(ex, *verdict.block);
  // (the upstream connection is dropped)
  co_return co_await respond_blocked(ex, *verdict.block, true);
}

}  // namespace warden::flow
