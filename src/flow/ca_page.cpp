// ClientSession: the CA page (actions/ca_page.hpp). A request for admin.ca_page's name is
// answered by Warden itself, before the policy, DNS or any upstream: a device that cannot yet
// reach anything else can still fetch the certificate it needs.
#include "actions/ca_page.hpp"

#include "actions/page_parts.hpp"
#include "flow/body_copy.hpp"
#include "flow/detail/exchange.hpp"

namespace warden::flow {

using std::chrono_literals::operator""s;

bool ClientSession::asks_for_ca_page(const Exchange& ex) const {
  return ctx_.shared.ca_files != nullptr && !config_->ca_page_host.empty() &&
         ex.target.authority.host == config_->ca_page_host;
}

net::Awaitable<bool> ClientSession::respond_ca_page(Exchange& ex) {
  const bool close = closes_after_own_answer(ex);
  const std::string_view method = ex.head.method();
  std::string response;
  if (method == "GET" || method == "HEAD") {
    response =
        actions::ca_page_response(*ctx_.shared.ca_files, ex.target.path, method == "HEAD", close);
  } else {
    response =
        actions::page_response(405, "text/plain", "Allow: GET, HEAD\r\n",
                               "The school certificate page only answers GET.\n", close, false);
  }
  ex.record.decision = "allow";
  ex.record.rule = "ca_page";
  ex.response_started = true;
  const bool sent = co_await write_all(*client_, response, watchdog_, 10s);
  ex.record.status = 0;
  if (sent) ex.record.status = static_cast<unsigned>(std::stoi(response.substr(9, 3)));
  ex.record.bytes_out += sent ? response.size() : 0;
  if (!sent) ex.record.end = "client_abort";
  log_exchange(ex);
  co_return sent && !close;
}

}  // namespace warden::flow
