#include "actions/ca_page.hpp"

#include <gtest/gtest.h>

namespace warden::actions {
namespace {

CaFiles files() {
  CaFiles ca;
  ca.pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  ca.der = std::string("\x30\x82\x01\x00", 4);
  ca.subject = "/O=<School & Co>/CN=School Web Filter CA";
  ca.fingerprint = "AB:CD:EF";
  ca.not_after = std::chrono::system_clock::now() + std::chrono::days(365);
  return ca;
}

std::string body_of(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

TEST(CaPage, ThePageNamesTheCertificateEscapedAndLinksBothFiles) {
  const std::string r = ca_page_response(files(), "/", false, false);
  EXPECT_TRUE(r.starts_with("HTTP/1.1 200 OK\r\n")) << r;
  EXPECT_NE(r.find("Content-Type: text/html; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(r.find("Cache-Control: no-store\r\n"), std::string::npos);
  const std::string body = body_of(r);
  EXPECT_NE(body.find("AB:CD:EF"), std::string::npos);
  EXPECT_NE(body.find("&lt;School &amp; Co&gt;"), std::string::npos);
  EXPECT_EQ(body.find("<School"), std::string::npos);
  EXPECT_NE(body.find("href=\"/ca.pem\""), std::string::npos);
  EXPECT_NE(body.find("href=\"/ca.crt\""), std::string::npos);
  for (const char* platform : {"Windows", "macOS", "ChromeOS", "iPhone", "Android", "Firefox"})
    EXPECT_NE(body.find(platform), std::string::npos) << platform;
  EXPECT_EQ(r.find("Connection: close"), std::string::npos);
}

TEST(CaPage, TheFilesAreServedAsTheyAreWithTheirTypes) {
  const CaFiles ca = files();
  const std::string pem = ca_page_response(ca, "/ca.pem?x=1", false, true);
  EXPECT_NE(pem.find("Content-Type: application/x-pem-file\r\n"), std::string::npos);
  EXPECT_NE(pem.find("Connection: close\r\n"), std::string::npos);
  EXPECT_EQ(body_of(pem), ca.pem);
  const std::string der = ca_page_response(ca, "/ca.crt", false, false);
  EXPECT_NE(der.find("Content-Type: application/x-x509-ca-cert\r\n"), std::string::npos);
  EXPECT_NE(der.find("Content-Length: 4\r\n"), std::string::npos);
  EXPECT_EQ(body_of(der), ca.der);
}

TEST(CaPage, HeadHasNoBodyAndOtherPathsAre404) {
  const std::string head = ca_page_response(files(), "/ca.pem", true, false);
  EXPECT_TRUE(body_of(head).empty());
  EXPECT_NE(head.find("Content-Length: " + std::to_string(files().pem.size()) + "\r\n"),
            std::string::npos)
      << head;
  EXPECT_TRUE(ca_page_response(files(), "/ca.key", false, false).starts_with("HTTP/1.1 404 "));
  EXPECT_TRUE(ca_page_response(files(), "/../ca.key", false, false).starts_with("HTTP/1.1 404 "));
}

}  // namespace
}  // namespace warden::actions
