#include "actions/error_page.hpp"

#include <gtest/gtest.h>

namespace warden::actions {
namespace {

FailedRequest request() {
  FailedRequest r;
  r.scheme = "https";
  r.host = "expired.test";
  r.port = 8443;
  r.path = "/a?q=<b>";
  r.when = std::chrono::system_clock::from_time_t(1'700'000'000);
  return r;
}

std::string body_of(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

TEST(ErrorPage, NamesWhatHappenedItsCodeTheAddressAndWhoToAsk) {
  const http::ErrorResponse e{502, "ERR_CERT_EXPIRED",
                              "the certificate of expired.test <has> expired.", "id-1", true};
  const std::string out = render_error_page_response(policy::PageStrings{}, e, request(), false);
  EXPECT_EQ(out.rfind("HTTP/1.1 502 Bad Gateway\r\n", 0), 0u);
  EXPECT_NE(out.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Warden-Error: ERR_CERT_EXPIRED\r\n"), std::string::npos);
  EXPECT_NE(out.find("Content-Security-Policy: default-src 'none'"), std::string::npos);
  EXPECT_NE(out.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(out.find("Connection: close\r\n"), std::string::npos);
  const std::string body = body_of(out);
  EXPECT_NE(out.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
  EXPECT_NE(body.find("<h1>This site&#39;s security could not be verified</h1>"), std::string::npos)
      << body;
  EXPECT_NE(body.find(">The certificate of expired.test &lt;has&gt; expired.</p>"),
            std::string::npos);  // escaped, and a sentence
  EXPECT_NE(body.find("could not prove that it is the site"), std::string::npos);
  EXPECT_NE(body.find("https://expired.test:8443/a?q=&lt;b&gt;"), std::string::npos);
  EXPECT_NE(body.find("<dd id=\"error\">ERR_CERT_EXPIRED</dd>"), std::string::npos);
  EXPECT_NE(body.find("<dd id=\"request-id\">id-1</dd>"), std::string::npos);
  EXPECT_NE(body.find("ask your teacher"), std::string::npos);
}

TEST(ErrorPage, OtherFailuresSayThePageCouldNotBeLoaded) {
  const http::ErrorResponse e{504, "ERR_CONNECT_TIMEOUT", "no answer.", "id-2", false};
  const std::string out = render_error_page_response(policy::PageStrings{}, e, request(), false);
  EXPECT_EQ(out.rfind("HTTP/1.1 504 Gateway Timeout\r\n", 0), 0u);
  EXPECT_NE(out.find("<h1>This page could not be loaded</h1>"), std::string::npos);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos);
}

TEST(ErrorPage, HeadRequestGetsTheHeadOnly) {
  const http::ErrorResponse e{502, "ERR_CERT_REVOKED", "revoked.", "id-3", true};
  const std::string full = render_error_page_response(policy::PageStrings{}, e, request(), false);
  const std::string head = render_error_page_response(policy::PageStrings{}, e, request(), true);
  EXPECT_EQ(head, full.substr(0, full.find("\r\n\r\n") + 4));
}

}  // namespace
}  // namespace warden::actions
