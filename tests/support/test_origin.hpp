#pragma once
// An HTTP/1.1 origin for integration tests, on 127.0.0.1 (port 0), built on Boost.Beast so it
// parses independently of Warden's own code. Runs on its own thread.
//
//   GET  /size/N        N bytes of pattern_byte(i), Content-Length
//   GET  /chunked/N     the same bytes, chunked, with a trailer "X-Checksum"
//   GET  /close/N       the same bytes, no framing: delimited by closing the connection
//   any  /echo          the request body back; X-Body-Bytes, X-Was-Chunked
//   any  /headers       the request head as Beast saw it, as the body
//   GET  /ws            WebSocket echo
//   GET  /hang          reads the request, never answers
//   anything else       "hello from origin"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace warden::test {

inline char pattern_byte(std::size_t i) { return static_cast<char>('a' + (i * 7 + i / 13) % 26); }
std::string pattern(std::size_t n);

class TestOrigin {
 public:
  TestOrigin();
  ~TestOrigin();
  TestOrigin(const TestOrigin&) = delete;
  TestOrigin& operator=(const TestOrigin&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] std::string url(const std::string& path) const;  // "http://127.0.0.1:P/path"
  [[nodiscard]] unsigned connections_accepted() const { return accepted_.load(); }
  [[nodiscard]] unsigned requests_served() const { return requests_.load(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<unsigned> accepted_{0};
  std::atomic<unsigned> requests_{0};
  std::thread thread_;
};

}  // namespace warden::test
