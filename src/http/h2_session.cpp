#include "http/h2_session.hpp"

#include "http/h2_detail.hpp"

#include <algorithm>
#include <cstring>

namespace warden::http::h2 {

ssize_t detail::BodyReader::read(nghttp2_session* session, std::int32_t stream, std::uint8_t* buf,
                                 std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                                 void* user) {
  Session& s = *static_cast<Session*>(user);
  const auto it = s.bodies_.find(stream);
  if (it == s.bodies_.end()) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  Session::Body& b = it->second;
  const std::size_t n = std::min(length, b.data.size() - b.offset);
  std::memcpy(buf, b.data.data() + b.offset, n);
  b.offset += n;
  if (b.offset == b.data.size()) {
    b.data.clear();
    b.offset = 0;
    if (b.ended) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!b.trailers.empty()) {
        // The stream ends with the trailers' HEADERS frame, not with this DATA.
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        const std::vector<nghttp2_nv> nva = to_nv({}, b.trailers);
        if (nghttp2_submit_trailer(session, stream, nva.data(), nva.size()) != 0)
          return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
      }
    } else if (n == 0) {
      b.deferred = true;  // resumed by send_data()
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  return static_cast<ssize_t>(n);
}

Session::~Session() { nghttp2_session_del(session_); }

bool Session::feed(std::string_view bytes) {
  if (failed_) return false;
  const auto n = nghttp2_session_mem_recv(
      session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  // Floods nghttp2 itself detects: too many queued ACKs, too many CONTINUATION frames (Debian's
  // 1.52 carries the CVE-2024-28182 fix). Protocol errors are not failures here: nghttp2 queues
  // its own GOAWAY and stops reading; finished() says when it has gone.
  if (n == NGHTTP2_ERR_FLOODED || n == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) abuse();
  if (n < 0) failed_ = true;  // also: not HTTP/2 at all, or out of memory
  pump();                     // (a reset budget may run out while our resets are framed)
  if (abused_) write_calm_goaway();
  return !failed_;
}

void Session::write_calm_goaway() {
  // Our own GOAWAY, written here: nghttp2 will not send one from the middle of a header block,
  // and after an attack nothing else is sent.
  // (Kept apart until what is being written is sent: output() hands it out then.)
  if (goaway_written_) return;
  goaway_written_ = true;
  goaway_code_ = NGHTTP2_ENHANCE_YOUR_CALM;
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
                          static_cast<char>(NGHTTP2_ENHANCE_YOUR_CALM)};
  calm_goaway_.assign(frame, sizeof frame);
}

void Session::abuse() {
  abused_ = true;
  failed_ = true;
}

void Session::pump() {
  if (goaway_written_) return;  // the connection is over: nothing after our GOAWAY
  // Backpressure: nothing more is framed until what was framed has been written, so a peer that
  // does not read cannot make us buffer (nghttp2 keeps its own bounded queue meanwhile).
  if (out_sent_ != out_.size()) return;
  out_.clear();
  out_sent_ = 0;
  for (;;) {
    const std::uint8_t* data = nullptr;
    const auto n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out_.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  if (abused_) write_calm_goaway();  // (a budget can run out while our own frames go out)
}

std::string_view Session::output() {
  pump();
  if (out_sent_ == out_.size() && !calm_goaway_.empty()) {
    out_ = std::move(calm_goaway_);
    out_sent_ = 0;
    calm_goaway_.clear();
  }
  return std::string_view(out_).substr(out_sent_);
}

void Session::output_sent(std::size_t n) {
  out_sent_ = std::min(out_.size(), out_sent_ + n);
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
}

void Session::consumed(std::int32_t stream, std::size_t n) {
  nghttp2_session_consume(session_, stream, n);
}

void Session::open_body(std::int32_t stream, bool ended) { bodies_[stream].ended = ended; }

bool Session::send_data(std::int32_t stream, std::string_view bytes, bool end_stream) {
  const auto it = bodies_.find(stream);
  if (it == bodies_.end() || it->second.ended) return false;
  Body& b = it->second;
  b.data.append(bytes);
  b.ended = end_stream;
  if (b.deferred) {
    b.deferred = false;
    nghttp2_session_resume_data(session_, stream);
  }
  return true;
}

bool Session::send_trailers(std::int32_t stream, const Fields& trailers) {
  const auto it = bodies_.find(stream);
  if (it == bodies_.end() || it->second.ended || trailers.empty()) return false;
  it->second.trailers = trailers;
  return send_data(stream, {}, true);
}

void Session::reset(std::int32_t stream, std::uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream, error_code);
}

std::size_t Session::queued_body_bytes() const {
  std::size_t n = 0;
  for (const auto& [_, b] : bodies_) n += b.data.size() - b.offset;
  return n;
}

std::size_t Session::queued_body_bytes(std::int32_t stream) const {
  const auto it = bodies_.find(stream);
  return it == bodies_.end() ? 0 : it->second.data.size() - it->second.offset;
}

void Session::shutdown() {
  if (failed_) return;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                        nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                        nullptr, 0);
}

bool Session::finished() const {
  if (goaway_written_ || failed_) return out_sent_ == out_.size() && calm_goaway_.empty();
  return out_sent_ == out_.size() && nghttp2_session_want_read(session_) == 0 &&
         nghttp2_session_want_write(session_) == 0;
}

}  // namespace warden::http::h2
