#include "http/h2_server.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>

namespace warden::http::h2 {

namespace {

constexpr std::uint32_t kEnhanceYourCalm = NGHTTP2_ENHANCE_YOUR_CALM;
constexpr std::size_t kFieldOverhead = 32;  // RFC 9113 §6.5.2: per-field accounting

std::string_view view(const std::uint8_t* p, std::size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

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
struct Callbacks {
  static ServerSession& self(void* user) { return *static_cast<ServerSession*>(user); }

  // An attack: stop reading at once (a flood may be millions of frames in one buffer).
  static int calm_down(ServerSession& s) {
    s.abuse(kEnhanceYourCalm);
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
    } else if (n == ":protocol") {
      r.protocol = v;
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
        if (!s.resets_.take(s.limits_.reset_burst, s.limits_.resets_per_second, s.now_()))
          return calm_down(s);
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
    if (error_code != NGHTTP2_NO_ERROR) {
      // Resets by either side share one budget (made-you-reset counts too).
      s.events_.push_back({Event::Kind::Reset, stream, {}, {}, error_code});
      if (!s.resets_.take(s.limits_.reset_burst, s.limits_.resets_per_second, s.now_()))
        s.abuse(kEnhanceYourCalm);
    }
    if (it != s.streams_.end()) s.streams_.erase(it);
    return 0;
  }

  static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if (frame->hd.type == NGHTTP2_GOAWAY) self(user).goaway_code_ = frame->goaway.error_code;
    return 0;
  }

  static ssize_t read_body(nghttp2_session*, std::int32_t stream, std::uint8_t* buf,
                           std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                           void* user) {
    ServerSession& s = self(user);
    const auto it = s.streams_.find(stream);
    if (it == s.streams_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    ServerSession::Stream& st = it->second;
    const std::size_t n = std::min(length, st.body.size());
    std::memcpy(buf, st.body.data(), n);
    st.body.erase(0, n);
    if (st.body.empty()) {
      if (st.body_end) {
        *flags |= NGHTTP2_DATA_FLAG_EOF;
      } else if (n == 0) {
        st.deferred = true;
        return NGHTTP2_ERR_DEFERRED;
      }
    }
    return static_cast<ssize_t>(n);
  }
};

ServerSession::ServerSession(const ServerLimits& limits, std::function<Clock::time_point()> now)
    : limits_(limits), now_(std::move(now)) {
  nghttp2_session_callbacks* cb = nullptr;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_begin_frame_callback(cb, Callbacks::on_begin_frame);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cb, Callbacks::on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cb, Callbacks::on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cb, Callbacks::on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, Callbacks::on_data_chunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, Callbacks::on_stream_close);
  nghttp2_session_callbacks_set_on_frame_send_callback(cb, Callbacks::on_frame_send);
  nghttp2_option* opt = nullptr;
  nghttp2_option_new(&opt);
  nghttp2_option_set_no_auto_window_update(opt, 1);  // windows open as the application reads
  nghttp2_option_set_max_outbound_ack(opt, limits_.max_outbound_ack);
  nghttp2_option_set_max_settings(opt, 32);
  nghttp2_session_server_new2(&session_, cb, this, opt);
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

ServerSession::~ServerSession() { nghttp2_session_del(session_); }

void ServerSession::abuse(std::uint32_t code) {
  if (failed_) return;
  failed_ = true;
  goaway_code_ = code;
}

bool ServerSession::receive(std::string_view bytes) {
  if (failed_) return false;
  const auto n = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  // (Protocol errors are not failures here: nghttp2 queues its own GOAWAY and stops reading;
  // finished() says when it has gone.)
  // Floods nghttp2 itself detects: too many queued ACKs, too many CONTINUATION frames (Debian's
  // 1.52 carries the CVE-2024-28182 fix; our own count above is the belt to its braces).
  if (n == NGHTTP2_ERR_FLOODED || n == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) abuse(kEnhanceYourCalm);
  if (n < 0 && !failed_) failed_ = true;  // not HTTP/2 at all, or out of memory
  pump();
  if (failed_ && goaway_code_ == kEnhanceYourCalm && !goaway_written_) {
    // Our own GOAWAY, written here: nghttp2 will not send one from the middle of a header
    // block, and after an attack nothing else is sent.
    goaway_written_ = true;
    const auto last =
        static_cast<std::uint32_t>(std::max(0, nghttp2_session_get_last_proc_stream_id(session_)));
    const char frame[17] = {0,
                            0,
                            8,
                            NGHTTP2_GOAWAY,
                            0,
                            0,
                            0,
                            0,
                            0,
                            static_cast<char>((last >> 24) & 0x7f),
                            static_cast<char>(last >> 16),
                            static_cast<char>(last >> 8),
                            static_cast<char>(last),
                            0,
                            0,
                            0,
                            static_cast<char>(kEnhanceYourCalm)};
    out_.append(frame, sizeof frame);
  }
  return !failed_;
}

std::vector<Event> ServerSession::take_events() { return std::exchange(events_, {}); }

void ServerSession::pump() {
  if (goaway_written_) return;  // the connection is over: nothing after our GOAWAY
  if (out_sent_ > 0 && out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
  for (;;) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
}

std::string_view ServerSession::output() {
  pump();
  return std::string_view(out_).substr(out_sent_);
}

void ServerSession::output_sent(std::size_t n) {
  out_sent_ = std::min(out_.size(), out_sent_ + n);
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
}

void ServerSession::consumed(std::int32_t stream, std::size_t n) {
  nghttp2_session_consume(session_, stream, n);
}

bool ServerSession::respond(std::int32_t stream, unsigned status, const Fields& fields,
                            bool end_stream) {
  const auto it = streams_.find(stream);
  if (it == streams_.end() || it->second.responded) return false;
  const std::string code = std::to_string(status);
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size() + 1);
  auto add = [&](std::string_view n, std::string_view v) {
    nva.push_back({const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(n.data())),
                   const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(v.data())),
                   n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
  };
  add(":status", code);
  for (const auto& [n, v] : fields) add(n, v);
  nghttp2_data_provider provider{};
  provider.read_callback = Callbacks::read_body;
  it->second.responded = true;
  it->second.body_end = end_stream;
  const int rv = nghttp2_submit_response(session_, stream, nva.data(), nva.size(),
                                         end_stream ? nullptr : &provider);
  return rv == 0;
}

bool ServerSession::send_data(std::int32_t stream, std::string_view bytes, bool end_stream) {
  const auto it = streams_.find(stream);
  if (it == streams_.end() || !it->second.responded || it->second.body_end) return false;
  Stream& st = it->second;
  st.body.append(bytes);
  st.body_end = end_stream;
  if (st.deferred) {
    st.deferred = false;
    nghttp2_session_resume_data(session_, stream);
  }
  return true;
}

void ServerSession::reset(std::int32_t stream, std::uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, error_code);
}

std::size_t ServerSession::queued_body_bytes() const {
  std::size_t n = 0;
  for (const auto& [_, st] : streams_) n += st.body.size();
  return n;
}

bool ServerSession::finished() const {
  if (goaway_written_) return out_sent_ == out_.size();
  return out_sent_ == out_.size() &&
         ((failed_ && nghttp2_session_want_write(session_) == 0) ||
          (nghttp2_session_want_read(session_) == 0 && nghttp2_session_want_write(session_) == 0));
}

}  // namespace warden::http::h2
