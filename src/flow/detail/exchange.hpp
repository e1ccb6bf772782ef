#pragma once
// The request a ClientSession is handling (private to flow/).

#include "flow/client_session.hpp"

#include <chrono>

namespace warden::flow {

struct ClientSession::Exchange {
  http::RequestHead head;
  http::RequestSemantics semantics;
  http::AbsoluteTarget target;  // absolute-form requests
  observe::AccessRecord record;
  net::Clock::time_point started = net::Clock::now();
  bool response_started = false;  // bytes of a response reached the client: no error page now
  bool logged = false;
};

}  // namespace warden::flow
