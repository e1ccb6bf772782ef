// ClientSession: asking the policy, and enforcing its answer before anything is contacted
// (docs/policy.md). A host is judged at the CONNECT and again at the ClientHello (its SNI);
// every request — plain HTTP or inside an intercepted tunnel — is judged on its full URL before
// any DNS lookup or upstream connection. A search among them has its terms recorded.
#include "actions/block_page.hpp"
#include "analysis/search_hash.hpp"
#include "analysis/search_terms.hpp"
#include "flow/body_copy.hpp"
#include "flow/detail/exchange.hpp"
#include "policy/host.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace warden::flow {

using std::chrono_literals::operator""s;

bool ClientSession::normalize_authority(http::Authority& a, std::string& why) {
  const policy::NormalHost normal = policy::normalize_host(a.host, why);
  if (!why.empty()) return false;
  a.host = normal.text;
  a.ipv6_literal = normal.kind == policy::HostKind::Ipv6;
  return true;
}

policy::Decision ClientSession::judge(Exchange& ex, std::string_view host, std::uint16_t port,
                                      std::optional<std::string_view> url,
                                      std::optional<std::string_view> search) {
  policy::Request request;
  request.client = client_address_;
  request.user = meta_.user;
  if (identity_) request.signed_in_groups = identity_->groups;
  request.host = host;
  request.port = port;
  request.url = url;
  request.search = search;
  policy::Decision d = ctx_.policy->evaluate(request);
  record_decision(ex, d);
  return d;
}

void ClientSession::record_decision(Exchange& ex, const policy::Decision& d) {
  ex.record.decision = policy::action_name(d.action);
  ex.record.rule = d.rule;
  ex.record.category = d.category;
  ex.record.group = d.group;
}

namespace {

// `path` with a search's terms replaced by "-": for a log that must not keep them, and a block
// page that must not repeat them.
std::string without_search_terms(std::string path, const analysis::Search& search) {
  for (auto it = search.values.rbegin(); it != search.values.rend(); ++it)  // last first
    path.replace(it->offset, it->length, "-");
  return path;
}

}  // namespace

void ClientSession::record_search(Exchange& ex, std::optional<analysis::Search> search) const {
  if (!search) return;
  using SearchLog = EngineConfig::SearchLog;
  if (config_->log_search != SearchLog::Plain && !search->in_body)
    ex.record.path = without_search_terms(std::move(ex.record.path), *search);
  if (config_->log_search == SearchLog::Off) return;  // the terms stay out of the log entirely
  if (config_->log_search == SearchLog::Hash)
    ex.record.search_hash = analysis::search_hash(config_->search_hash_key, search->terms);
  else
    ex.record.search = std::move(search->terms);
  ex.record.search_engine = search->engine;
  ex.record.search_kind = analysis::search_kind_name(search->kind);
}

void ClientSession::report_search(const Exchange& ex, const analysis::Search& s,
                                  const policy::Decision& d) const {
  observe::AlertCenter* alerts = ctx_.shared.alerts;
  if (alerts == nullptr || ctx_.policy->alerts().empty()) return;
  const bool partial = s.kind == analysis::SearchKind::Partial;
  observe::AlertEvent e = alert_event(
      ex, observe::SearchSeen{ex.record.ts, s.terms, std::string(s.engine),
                              std::string(analysis::search_kind_name(s.kind)), page_url(ex)});
  e.group = d.group;
  e.decision = policy::action_name(d.action);
  add_matches(e, ctx_.policy->alerts_for(d.group, s.terms, partial));
  alerts->submit(std::move(e));
}

bool ClientSession::alerts_on_rest(const Exchange& ex) const {
  return ctx_.shared.alerts != nullptr && ctx_.policy->alerts_on_pages(ex.record.group);
}

void ClientSession::report_page(const Exchange& ex, const PageVerdict& v) const {
  observe::AlertCenter* alerts = ctx_.shared.alerts;
  if (alerts == nullptr || v.alerts.empty()) return;
  observe::AlertEvent e =
      alert_event(ex, observe::PageSeen{std::chrono::system_clock::now(), page_url(ex), v.score,
                                        v.category, v.phrase});
  e.group = ex.record.group;
  e.decision = policy::action_name(v.block ? policy::Action::Block : policy::Action::Allow);
  add_matches(e, v.alerts);
  alerts->submit(std::move(e));
}

std::string ClientSession::page_url(const Exchange& ex) {
  const std::string_view scheme = ex.page_scheme();
  return fmt::format("{}://{}{}", scheme,
                     ex.target.authority.to_string(scheme == "https" ? 443 : 80), ex.record.path);
}

observe::AlertEvent ClientSession::alert_event(
    const Exchange& ex, std::variant<observe::SearchSeen, observe::PageSeen> seen) const {
  observe::AlertEvent e;
  e.seen = std::move(seen);
  e.client = client_ip_;
  if (identity_) {
    e.user = identity_->user;
  } else if (meta_.user) {
    e.user = std::to_string(*meta_.user);
  }
  e.request_id = ex.record.id;
  return e;
}

void ClientSession::add_matches(observe::AlertEvent& e,
                                const std::vector<policy::AlertMatch>& matches) {
  for (const policy::AlertMatch& m : matches)
    e.matches.push_back({m.rule->name, m.rule->category,
                         std::string(policy::severity_name(m.rule->severity)), m.matched});
}

policy::Decision ClientSession::judge_request(Exchange& ex, std::string_view body) {
  std::optional<analysis::Search> search =
      analysis::search_in_request(ex.target.authority.host, ex.record.path);
  if (!search && !body.empty())
    search = analysis::search_in_body(ex.target.authority.host, ex.target.path,
                                      ex.head.find("content-type").value_or(""), body);
  std::optional<std::string_view> terms;
  if (search) terms = search->terms;
  const std::string url = policy::url_for_policy(ex.target.authority.host, ex.target.path);
  policy::Decision decision =
      judge(ex, ex.target.authority.host, ex.target.authority.port, url, terms);
  if (bumped_ && bumped_->authority.host != bumped_->name && !bumped_->safe_address) {
    // The server contacted is the one the CONNECT named (an address, under transparent
    // capture): it is judged too, and the stronger decision stands.
    const std::string connect_url = policy::url_for_policy(bumped_->authority.host, ex.target.path);
    policy::Decision on_connect =
        judge(ex, bumped_->authority.host, bumped_->authority.port, connect_url, terms);
    if (on_connect.action > decision.action) decision = std::move(on_connect);
    record_decision(ex, decision);
  }
  if (search) report_search(ex, *search, decision);
  record_search(ex, std::move(search));
  if (decision.action == policy::Action::Block || decision.action == policy::Action::Reject)
    return decision;  // answered here: nothing is sent on
  ex.bypassed = decision.by_bypass;
  ex.changes = changes_for(decision, ex.target.authority.host, ex.target.path);
  if (!ex.changes.target.empty()) ex.target.path = ex.changes.target;  // the log keeps the asked
  return decision;
}

policy::RequestChanges ClientSession::changes_for(const policy::Decision& d, std::string_view host,
                                                  std::string_view target) const {
  if (d.by_bypass) return {};  // unfiltered: restricted modes and header rules included
  return ctx_.policy->changes(d.group, host, target);
}

net::Awaitable<bool> ClientSession::respond_blocked(Exchange& ex, const policy::Decision& d,
                                                    bool page) {
  const bool close = closes_after_own_answer(ex);
  const std::string response = blocked_response(ex, d, page, close);
  ex.response_started = true;
  const bool sent = co_await write_all(*client_, response, watchdog_, 10s);
  ex.record.status = sent ? 403 : 0;
  ex.record.bytes_out += sent ? response.size() : 0;
  if (!sent) ex.record.end = "client_abort";
  log_exchange(ex);
  co_return sent && !close;
}

std::string ClientSession::blocked_response(Exchange& ex, const policy::Decision& d, bool page,
                                            bool close) const {
  std::string response;
  if (d.action == policy::Action::Reject) {
    response = actions::render_reject_response(ex.record.id, close);
    ex.record.end = "rejected";
  } else {
    actions::BlockedRequest blocked;
    blocked.scheme = ex.page_scheme();
    blocked.host = ex.record.host;
    blocked.port = ex.record.port;
    blocked.path = ex.record.path;
    std::string path_shown;  // (blocked holds views)
    if (d.by_search) {       // the page names the rule, never the words that matched
      if (auto search = analysis::search_in_request(ex.target.authority.host, ex.record.path)) {
        path_shown = without_search_terms(ex.record.path, *search);
        blocked.path = path_shown;
      }
    }
    blocked.category = d.category;
    blocked.rule = d.rule;
    blocked.request_id = ex.record.id;
    blocked.when = ex.record.ts;
    if (identity_) blocked.user = identity_->user;
    const actions::PageKind kind = page ? ex.page_kind() : actions::PageKind::Text;
    response = actions::render_block_response(ctx_.policy->strings(), blocked, kind,
                                              ex.head.method() == "HEAD", close);
    ex.record.end = "blocked";
  }
  return response;
}

net::Awaitable<void> ClientSession::reject_handshake(Exchange& ex) {
  // A fatal handshake_failure alert (RFC 8446 §6.2), in a record any TLS version reads.
  const std::string_view alert("\x15\x03\x03\x00\x02\x02\x28", 7);
  const bool sent = co_await write_all(*client_, alert, watchdog_, 10s);
  ex.record.bytes_out += sent ? alert.size() : 0;
  ex.record.end = "rejected";
  log_exchange(ex);
}

}  // namespace warden::flow
