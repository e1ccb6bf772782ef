#include "test_origin.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <sstream>

namespace warden::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = pattern_byte(i);
  return s;
}

namespace {

std::size_t size_after(std::string_view target, std::string_view prefix) {
  return static_cast<std::size_t>(std::stoull(std::string(target.substr(prefix.size()))));
}

asio::awaitable<void> websocket_echo(beast::tcp_stream stream,
                                     http::request<http::string_body> req) {
  beast::websocket::stream<beast::tcp_stream> ws(std::move(stream));
  co_await ws.async_accept(req, asio::use_awaitable);
  for (;;) {
    beast::flat_buffer buf;
    co_await ws.async_read(buf, asio::use_awaitable);
    ws.text(ws.got_text());
    co_await ws.async_write(buf.data(), asio::use_awaitable);
  }
}

asio::awaitable<void> serve(tcp::socket socket, std::atomic<unsigned>& requests) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
    http::request<http::string_body> req = parser.release();
    ++requests;
    const std::string target(req.target());
    if (target == "/ws" && beast::websocket::is_upgrade(req)) {
      co_await websocket_echo(std::move(stream), std::move(req));
      co_return;
    }
    if (target == "/hang") {
      asio::steady_timer t(stream.get_executor(), std::chrono::hours(1));
      co_await t.async_wait(asio::use_awaitable);
      co_return;
    }
    if (target.starts_with("/chunked/")) {
      const std::string body = pattern(size_after(target, "/chunked/"));
      http::response<http::empty_body> head{http::status::ok, req.version()};
      head.chunked(true);
      http::response_serializer<http::empty_body> sr(head);
      co_await http::async_write_header(stream, sr, asio::use_awaitable);
      for (std::size_t off = 0; off < body.size(); off += 100'000) {
        const auto piece = std::string_view(body).substr(off, 100'000);
        co_await asio::async_write(stream.socket(), http::make_chunk(asio::buffer(piece)),
                                   asio::use_awaitable);
      }
      http::fields trailer;
      trailer.set("X-Checksum", std::to_string(body.size()));
      co_await asio::async_write(stream.socket(), http::make_chunk_last(trailer),
                                 asio::use_awaitable);
      if (!req.keep_alive()) co_return;
      continue;
    }
    if (target.starts_with("/tiny-chunks/")) {  // one-byte chunks, all in one write
      const std::string body = pattern(size_after(target, "/tiny-chunks/"));
      std::string raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
      for (const char c : body) raw += std::string("1\r\n") + c + "\r\n";
      raw += "0\r\n\r\n";
      co_await asio::async_write(stream.socket(), asio::buffer(raw), asio::use_awaitable);
      if (!req.keep_alive()) co_return;
      continue;
    }
    if (target.starts_with("/close/")) {
      const std::string body = pattern(size_after(target, "/close/"));
      std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body;
      co_await asio::async_write(stream.socket(), asio::buffer(raw), asio::use_awaitable);
      stream.socket().shutdown(tcp::socket::shutdown_send);
      co_return;
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    if (target.starts_with("/size/")) {
      res.body() = pattern(size_after(target, "/size/"));
    } else if (target == "/echo") {
      res.set("X-Body-Bytes", std::to_string(req.body().size()));
      res.set("X-Was-Chunked", req.chunked() ? "true" : "false");
      res.body() = req.body();
    } else if (target == "/headers") {
      std::ostringstream head;
      head << req.base();
      res.body() = head.str();
    } else {
      res.body() = "hello from origin";
    }
    res.prepare_payload();
    co_await http::async_write(stream, res, asio::use_awaitable);
    if (!res.keep_alive()) co_return;
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, std::atomic<unsigned>& accepted,
                                  std::atomic<unsigned>& requests) {
  for (;;) {
    tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
    ++accepted;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(s), requests), asio::detached);
  }
}

}  // namespace

TestOrigin::TestOrigin() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_loop(acceptor_, accepted_, requests_), asio::detached);
  thread_ = std::thread([this] { io_.run(); });
}

TestOrigin::~TestOrigin() {
  io_.stop();
  thread_.join();
}

std::string TestOrigin::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

}  // namespace warden::test
