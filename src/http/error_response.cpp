#include "http/error_response.hpp"

#include <fmt/format.h>

namespace warden::http {

std::string_view reason_phrase(unsigned status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 417:
      return "Expectation Failed";
    case 421:
      return "Misdirected Request";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    case 508:
      return "Loop Detected";
    default:
      return "Error";
  }
}

std::string render_error_response(const ErrorResponse& e) {
  const std::string body =
      fmt::format("Warden: {} {}\n{}\nError: {}\nRequest id: {}\n", e.status,
                  reason_phrase(e.status), e.detail, e.error_code, e.request_id);
  return fmt::format(
      "HTTP/1.1 {} {}\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Length: {}\r\n"
      "Cache-Control: no-store\r\n"
      "X-Warden-Error: {}\r\n"
      "X-Warden-Request-Id: {}\r\n"
      "{}{}"
      "\r\n{}",
      e.status, reason_phrase(e.status), body.size(), e.error_code, e.request_id, e.extra_fields,
      e.close ? "Connection: close\r\n" : "", body);
}

}  // namespace warden::http
