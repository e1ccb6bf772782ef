#include "http/h2_server.hpp"

#include "http/h2_detail.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>

namespace warden::http::h2 {

namespace {

using detail::view;
constexpr std::size_t kFieldOverhead = 32;  // RFC 9113 §6.5.2: per-field accounting

}  // namespace

bool ServerSession::Bucket::take(double burst, double per_second, Clock::time_point now) {
  if (refilled == Clock::time_point{}) {
    tokens = burst;
  } else {
    const double seconds = std::chrono::duration<double>(now - refilled).count();
    tokens = std::min(burst, tokens + seconds * per_second);
  }
  refilled = now;
  if (tokens < 1) return false;
  tokens -= 1;
  return true;
}

// nghttp2's callbacks, as static functions with access to the session's state.
struct ServerCallbacks {
  static ServerSession& self(void* user) {
    return static_cast<ServerSession&>(*static_cast<Session*>(user));
  }

  // An attack: stop reading at once (a flood may be millions of frames in one buffer).
  static int calm_down(ServerSession& s) {
    s.abuse();
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }

  static int on_begin_frame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
    ServerSession& s = self(user);
    if (hd->type == NGHTTP2_HEADERS) s.continuations_ = 0;
    if (hd->type == NGHTTP2_CONTINUATION && ++s.continuations_ > s.limits_.max_continuations)
      return calm_down(s);
    const bool carries =
        hd->type == NGHTTP2_DATA || hd->type == NGHTTP2_HEADERS || hd->type == NGHTTP2_CONTINUATION;
    if (carries && hd->length == 0 && (hd->flags & NGHTTP2_FLAG_END_STREAM) == 0) {
      if (++s.empty_frames_ > s.limits_.max_empty_frames) return calm_down(s);
    } else if (carries) {
      s.empty_frames_ = 0;
    }
    if (hd->type == NGHTTP2_PRIORITY &&
        !s.priorities_.take(s.limits_.priority_burst, s.limits_.priority_per_second, s.now_()))
      return calm_down(s);
    return 0;
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
    ServerSession::Stream& st = self(user).streams_[frame->hd.stream_id];
    st.request.stream = frame->hd.stream_id;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user) {
    ServerSession& s = self(user);
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    const auto it = s.streams_.find(frame->hd.stream_id);
    if (it == s.streams_.end()) return 0;  // trailers of a stream we no longer track
    ServerSession::Stream& st = it->second;
    st.header_bytes += namelen + valuelen + kFieldOverhead;
    if (st.header_bytes > s.limits_.max_header_list_size) {
      // An HPACK bomb or simply too much: this stream ends (nghttp2 resets it and stops
      // calling us for the rest of the block).
      st.header_overflow = true;
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    const std::string_view n = view(name, namelen);
    const std::string_view v = view(value, valuelen);
    Request& r = st.request;
    if (n == ":method") {
      r.method = v;
    } else if (n == ":scheme") {
      r.scheme = v;
    } else if (n == ":authority") {
      r.authority = v;
    } else if (n == ":path") {
      r.path = v;
    } else if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
      r.fields.emplace_back(n, v);
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ServerSession& s = self(user);
    const std::int32_t id = frame->hd.stream_id;
    const bool end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        const auto it = s.streams_.find(id);
        if (it == s.streams_.end() || it->second.header_overflow) break;
        if (frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
          Event e;
          e.kind = Event::Kind::Request;
          e.stream = id;
          e.request = std::move(it->second.request);
          e.request.end_stream = end;
          s.events_.push_back(std::move(e));
        } else if (end) {  // trailers end the request body
          s.events_.push_back({Event::Kind::EndStream, id, {}, {}, 0});
        }
        break;
      }
      case NGHTTP2_DATA:
        if (end) s.events_.push_back({Event::Kind::EndStream, id, {}, {}, 0});
        break;
      case NGHTTP2_RST_STREAM:
        if (!s.take_reset_token()) return calm_down(s);
        break;
      default:
        break;
    }
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream,
                           const std::uint8_t* data, std::size_t len, void* user) {
    ServerSession& s = self(user);
    // Consecutive chunks of one stream become one event (fewer, larger copies).
    if (!s.events_.empty() && s.events_.back().kind == Event::Kind::Data &&
        s.events_.back().stream == stream) {
      s.events_.back().data.append(view(data, len));
    } else {
      s.events_.push_back({Event::Kind::Data, stream, {}, std::string(view(data, len)), 0});
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t error_code,
                             void* user) {
    ServerSession& s = self(user);
    const auto it = s.streams_.find(stream);
    if (it != s.streams_.end()) s.streams_.erase(it);
    s.forget_body(stream);
    if (error_code != NGHTTP2_NO_ERROR)
      s.events_.push_back({Event::Kind::Reset, stream, {}, {}, error_code});
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ServerSession& s = self(user);
    if (frame->hd.type == NGHTTP2_GOAWAY) s.on_goaway_sent(frame->goaway.error_code);
    // Our resets (made-you-reset, refused streams) share the budget of the peer's; a NO_ERROR
    // reset (stop sending, the response is complete) is ours to send and costs nothing.
    if (frame->hd.type == NGHTTP2_RST_STREAM && frame->rst_stream.error_code != NGHTTP2_NO_ERROR &&
        !s.take_reset_token())
      return calm_down(s);
    return 0;
  }
};

bool ServerSession::take_reset_token() {
  // Every RST_STREAM, received or sent, is counted once.
  return resets_.take(limits_.reset_burst, limits_.resets_per_second, now_());
}

ServerSession::ServerSession(const ServerLimits& limits, std::function<Clock::time_point()> now)
    : limits_(limits), now_(std::move(now)) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, ServerCallbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, ServerCallbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, ServerCallbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ServerCallbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ServerCallbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ServerCallbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, ServerCallbacks::on_frame_send);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);  // windows open as the application reads
  nghttp2_option_set_max_outbound_ack(opt, limits_.max_outbound_ack);
  nghttp2_option_set_max_settings(opt, 32);
  // nghttp2's own rapid-reset limiter (its GOAWAY says INTERNAL_ERROR, and it counts only the
  // peer's resets) stays as a backstop at twice our budget, so ours decides: ENHANCE_YOUR_CALM.
  nghttp2_option_set_stream_reset_rate_limit(opt, 2 * std::uint64_t{limits_.reset_burst},
                                             2 * std::uint64_t{limits_.resets_per_second});
  nghttp2_session* session = nullptr;
  nghttp2_session_server_new2(&session, cb, static_cast<Session*>(this), opt);
  adopt(session);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);

  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits_.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list_size},
      {NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL, 0},  // WebSocket over h2: not offered
      {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(limits_.connection_window));
}

bool ServerSession::respond(std::int32_t stream, unsigned status, const Fields& fields,
                            bool end_stream) {
  const auto it = streams_.find(stream);
  if (it == streams_.end() || it->second.responded) return false;
  it->second.responded = true;
  const std::string code = std::to_string(status);
  const std::vector<nghttp2_nv> nva = detail::to_nv({{":status", code}}, fields);
  open_body(stream, end_stream);
  nghttp2_data_provider body = detail::body_provider();
  return nghttp2_submit_response(session_, stream, nva.data(), nva.size(),
                                 end_stream ? nullptr : &body) == 0;
}

bool ServerSession::inform(std::int32_t stream, unsigned status, const Fields& fields) {
  const auto it = streams_.find(stream);
  if (it == streams_.end() || it->second.responded || status < 100 || status > 199) return false;
  const std::string code = std::to_string(status);
  const std::vector<nghttp2_nv> nva = detail::to_nv({{":status", code}}, fields);
  return nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, stream, nullptr, nva.data(),
                                nva.size(), nullptr) == 0;
}

}  // namespace warden::http::h2
