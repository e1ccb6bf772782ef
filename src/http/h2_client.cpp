#include "http/h2_client.hpp"

#include "http/h2_detail.hpp"

#include <charconv>

namespace warden::http::h2 {

namespace {
using detail::view;
constexpr std::size_t kFieldOverhead = 32;  // RFC 9113 §6.5.2
}  // namespace

struct ClientCallbacks {
  static ClientSession& self(void* user) {
    return static_cast<ClientSession&>(*static_cast<Session*>(user));
  }

  static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ClientSession& s = self(user);
    if (frame->hd.type != NGHTTP2_HEADERS) return 0;
    ClientSession::Stream& st = s.streams_[frame->hd.stream_id];
    st.response = Response{};
    st.response.stream = frame->hd.stream_id;
    st.header_bytes = 0;
    return 0;
  }

  static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                       std::size_t namelen, const std::uint8_t* value, std::size_t valuelen,
                       std::uint8_t, void* user) {
    ClientSession& s = self(user);
    const auto it = s.streams_.find(frame->hd.stream_id);
    if (frame->hd.type != NGHTTP2_HEADERS || it == s.streams_.end()) return 0;
    ClientSession::Stream& st = it->second;
    st.header_bytes += namelen + valuelen + kFieldOverhead;
    if (st.header_bytes > s.limits_.max_header_list_size) {
      st.header_overflow = true;
      return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // nghttp2 resets the stream
    }
    const std::string_view n = view(name, namelen);
    const std::string_view v = view(value, valuelen);
    if (n == ":status") {
      unsigned code = 0;
      std::from_chars(v.data(), v.data() + v.size(), code);
      st.response.status = code;
    } else {
      st.response.fields.emplace_back(n, v);
    }
    return 0;
  }

  static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    ClientSession& s = self(user);
    const std::int32_t id = frame->hd.stream_id;
    const bool end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      s.goaway_received_ = true;
      s.events_.push_back({ClientEvent::Kind::GoAway, 0, {}, {}, frame->goaway.error_code});
      return 0;
    }
    if (frame->hd.type == NGHTTP2_HEADERS) {
      const auto it = s.streams_.find(id);
      if (it == s.streams_.end() || it->second.header_overflow) return 0;
      ClientEvent e;
      e.stream = id;
      e.response = std::move(it->second.response);
      e.response.end_stream = end;
      if (frame->headers.cat == NGHTTP2_HCAT_HEADERS && e.response.status == 0) {
        e.kind = ClientEvent::Kind::Trailers;
      } else if (e.response.status >= 100 && e.response.status < 200) {
        e.kind = ClientEvent::Kind::Informational;
      }
      s.events_.push_back(std::move(e));
      if (end) s.events_.push_back({ClientEvent::Kind::EndStream, id, {}, {}, 0});
      return 0;
    }
    if (frame->hd.type == NGHTTP2_DATA && end)
      s.events_.push_back({ClientEvent::Kind::EndStream, id, {}, {}, 0});
    return 0;
  }

  static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream,
                           const std::uint8_t* data, std::size_t len, void* user) {
    ClientSession& s = self(user);
    if (!s.events_.empty() && s.events_.back().kind == ClientEvent::Kind::Data &&
        s.events_.back().stream == stream) {
      s.events_.back().data.append(view(data, len));
    } else {
      s.events_.push_back({ClientEvent::Kind::Data, stream, {}, std::string(view(data, len)), 0});
    }
    return 0;
  }

  static int on_stream_close(nghttp2_session*, std::int32_t stream, std::uint32_t error_code,
                             void* user) {
    ClientSession& s = self(user);
    if (error_code != NGHTTP2_NO_ERROR)
      s.events_.push_back({ClientEvent::Kind::Reset, stream, {}, {}, error_code});
    s.streams_.erase(stream);
    s.forget_body(stream);
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_GOAWAY) self(user).on_goaway_sent(frame->goaway.error_code);
    return 0;
  }
};

ClientSession::ClientSession(const ClientLimits& limits) : limits_(limits) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, ClientCallbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, ClientCallbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, ClientCallbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, ClientCallbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, ClientCallbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, ClientCallbacks::on_frame_send);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_option_set_max_outbound_ack(opt, 1000);
  nghttp2_session* session = nullptr;
  nghttp2_session_client_new2(&session, cb, static_cast<Session*>(this), opt);
  adopt(session);
  nghttp2_option_del(opt);
  nghttp2_session_callbacks_del(cb);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits_.stream_window},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits_.max_header_list_size},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<std::int32_t>(limits_.connection_window));
}

std::uint32_t ClientSession::max_concurrent_streams() const {
  return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

bool ClientSession::can_open() const {
  if (goaway_received_ || failed()) return false;
  // Streams beyond the origin's SETTINGS_MAX_CONCURRENT_STREAMS wait in nghttp2's queue until
  // one closes (bounded by the clients' own stream limits and the response timeout).
  return nghttp2_session_get_next_stream_id(session_) <= 0x7fffffff;
}

std::int32_t ClientSession::request(const OutgoingRequest& r, bool end_stream) {
  if (!can_open()) return -1;
  const std::vector<nghttp2_nv> nva = detail::to_nv({{":method", r.method},
                                                     {":scheme", r.scheme},
                                                     {":authority", r.authority},
                                                     {":path", r.path}},
                                                    r.fields);
  nghttp2_data_provider body = detail::body_provider();
  const std::int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                                 end_stream ? nullptr : &body, nullptr);
  if (id < 0) return -1;
  streams_[id].response.stream = id;
  open_body(id, end_stream);
  return id;
}

}  // namespace warden::http::h2
