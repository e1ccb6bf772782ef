#pragma once
// The request a ClientSession is handling (private to flow/).

#include "actions/block_page.hpp"
#include "flow/client_session.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

namespace warden::flow {

struct ClientSession::Exchange {
  http::RequestHead head;
  http::RequestSemantics semantics;
  http::AbsoluteTarget target;  // absolute-form requests
  observe::AccessRecord record;
  policy::RequestChanges changes;  // what policy changes in the request (judge_request)
  bool bypassed = false;           // a bypass let it through: its response is not scanned
  net::Clock::time_point started = net::Clock::now();
  bool response_started = false;  // bytes of a response reached the client: no error page now
  bool logged = false;

  // Whether a page Warden answers with is HTML (a browser loading a page) or short text.
  [[nodiscard]] actions::PageKind page_kind() const {
    return actions::page_kind(head.find("sec-fetch-dest").value_or(""),
                              head.find("accept").value_or(""));
  }
  // The scheme the pupil asked for (a refused CONNECT's record says "tunnel": https:// it was).
  [[nodiscard]] std::string_view page_scheme() const {
    return record.scheme == "tunnel" ? std::string_view("https") : record.scheme;
  }
};

// True if `ep` is one of Warden's own listeners: a request or captured connection that points
// back at Warden (a loop). `local` is an address of this machine the flow came in on.
inline bool is_own_listener(const net::tcp::endpoint& ep,
                            const std::vector<net::tcp::endpoint>& ours,
                            const net::asio::ip::address& local = {}) {
  return std::any_of(ours.begin(), ours.end(), [&](const net::tcp::endpoint& l) {
    if (l.port() != ep.port()) return false;
    if (l.address() == ep.address()) return true;
    return l.address().is_unspecified() &&
           (ep.address().is_loopback() || (!local.is_unspecified() && ep.address() == local));
  });
}

}  // namespace warden::flow
