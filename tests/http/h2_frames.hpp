#pragma once
// Hand-assembled HTTP/2 client bytes for tests and fuzz seeds: the preface, frames, and header
// blocks encoded with nghttp2's HPACK deflater (its dynamic table carries across blocks, as a
// real client's does). Also a reader for the frames a server sends back.

#include "http/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warden::http::h2::test {

// Everything the session has to send, marked as written (as the flow's writer does).
inline std::string take_output(Session& s) {
  std::string all;
  for (std::string_view o = s.output(); !o.empty(); o = s.output()) {
    all.append(o);
    s.output_sent(o.size());
  }
  return all;
}

inline constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

inline std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream,
                         std::string_view payload) {
  std::string f;
  const auto n = static_cast<std::uint32_t>(payload.size());
  f.push_back(static_cast<char>(n >> 16));
  f.push_back(static_cast<char>(n >> 8));
  f.push_back(static_cast<char>(n));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  for (int shift = 24; shift >= 0; shift -= 8) f.push_back(static_cast<char>(stream >> shift));
  f.append(payload);
  return f;
}

inline std::string u32(std::uint32_t v) {
  std::string s;
  for (int shift = 24; shift >= 0; shift -= 8) s.push_back(static_cast<char>(v >> shift));
  return s;
}

// The client's opening: preface and an empty SETTINGS.
inline std::string opening() { return std::string(kPreface) + frame(NGHTTP2_SETTINGS, 0, 0, ""); }

class Encoder {
 public:
  Encoder() { nghttp2_hd_deflate_new(&deflater_, 4096); }
  ~Encoder() { nghttp2_hd_deflate_del(deflater_); }
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  std::string block(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::vector<nghttp2_nv> nva;
    for (const auto& [n, v] : fields)
      nva.push_back({const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(n.data())),
                     const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(v.data())),
                     n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
    std::string out(nghttp2_hd_deflate_bound(deflater_, nva.data(), nva.size()), '\0');
    const auto n = nghttp2_hd_deflate_hd(deflater_, reinterpret_cast<std::uint8_t*>(out.data()),
                                         out.size(), nva.data(), nva.size());
    out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
    return out;
  }

  // A GET for `path` on stream `id` (HEADERS with END_HEADERS, and END_STREAM if `end`).
  std::string get(std::uint32_t id, const std::string& path, bool end = true) {
    return frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | (end ? NGHTTP2_FLAG_END_STREAM : 0),
                 id,
                 block({{":method", "GET"},
                        {":scheme", "https"},
                        {":authority", "school.test"},
                        {":path", path},
                        {"user-agent", "test"}}));
  }

 private:
  nghttp2_hd_deflater* deflater_ = nullptr;
};

struct Frame {
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  std::uint32_t stream = 0;
  std::string payload;
};

// Splits server output into frames (the server sends no preface).
inline std::vector<Frame> frames(std::string_view bytes) {
  std::vector<Frame> out;
  while (bytes.size() >= 9) {
    const auto b = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
    const std::size_t n = (std::size_t{b(0)} << 16) | (std::size_t{b(1)} << 8) | b(2);
    if (bytes.size() < 9 + n) break;
    Frame f;
    f.type = b(3);
    f.flags = b(4);
    f.stream = ((std::uint32_t{b(5)} & 0x7f) << 24) | (std::uint32_t{b(6)} << 16) |
               (std::uint32_t{b(7)} << 8) | b(8);
    f.payload = std::string(bytes.substr(9, n));
    out.push_back(std::move(f));
    bytes.remove_prefix(9 + n);
  }
  return out;
}

// The error code of the first GOAWAY in `bytes`, or -1.
inline long goaway_code(std::string_view bytes) {
  for (const auto& f : frames(bytes))
    if (f.type == NGHTTP2_GOAWAY && f.payload.size() >= 8) {
      const auto p = [&](std::size_t i) { return static_cast<std::uint8_t>(f.payload[i]); };
      return static_cast<long>((std::uint32_t{p(4)} << 24) | (std::uint32_t{p(5)} << 16) |
                               (std::uint32_t{p(6)} << 8) | p(7));
    }
  return -1;
}

}  // namespace warden::http::h2::test
