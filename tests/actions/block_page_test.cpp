#include "actions/block_page.hpp"

#include <gtest/gtest.h>

namespace warden::actions {
namespace {

BlockedRequest request() {
  BlockedRequest r;
  r.scheme = "https";
  r.host = "www.casino.test";
  r.port = 443;
  r.path = "/play?x=<script>alert(1)</script>&y=\"'";
  r.category = "gambling";
  r.rule = "unsafe <sites>";
  r.request_id = "abc-1-00000001";
  r.when = std::chrono::system_clock::from_time_t(1'700'000'000);
  return r;
}

std::string body_of(const std::string& response) {
  return response.substr(response.find("\r\n\r\n") + 4);
}

TEST(BlockPage, HtmlNamesWhatWhyWhenAndWhoToAsk) {
  const std::string out =
      render_block_response(policy::PageStrings{}, request(), PageKind::Html, false, false);
  EXPECT_EQ(out.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u);
  EXPECT_NE(out.find("Cache-Control: no-store\r\n"), std::string::npos);
  EXPECT_NE(out.find("Content-Security-Policy: default-src 'none'"), std::string::npos);
  EXPECT_NE(out.find("X-Warden-Request-Id: abc-1-00000001\r\n"), std::string::npos);
  EXPECT_EQ(out.find("Connection: close"), std::string::npos);
  const std::string body = body_of(out);
  EXPECT_NE(out.find("Content-Length: " + std::to_string(body.size()) + "\r\n"), std::string::npos);
  EXPECT_NE(body.find("<dd id=\"category\">gambling</dd>"), std::string::npos) << body;
  EXPECT_NE(body.find("<dd id=\"rule\">unsafe &lt;sites&gt;</dd>"), std::string::npos);
  EXPECT_NE(body.find("<dd id=\"request-id\">abc-1-00000001</dd>"), std::string::npos);
  EXPECT_NE(body.find("id=\"time\">2023-11-"), std::string::npos) << body;
  EXPECT_NE(body.find("ask your teacher"), std::string::npos);
  EXPECT_NE(body.find("width=device-width"), std::string::npos);  // readable on a phone
  // The URL, escaped: nothing from the request becomes markup.
  EXPECT_NE(body.find("https://www.casino.test/play?x=&lt;script&gt;alert(1)&lt;/script&gt;"
                      "&amp;y=&quot;&#39;"),
            std::string::npos)
      << body;
  EXPECT_EQ(body.find("<script"), std::string::npos);
  // Self-contained: no external resource of any kind.
  for (const char* external : {"src=", "href=", "url(", "@import", "http://"})
    EXPECT_EQ(body.find(external), std::string::npos) << external;
}

TEST(BlockPage, TheSchoolsLanguageAndWordsAreUsed) {
  policy::PageStrings fr;
  fr.language = "fr";
  fr.heading = "Cette page est bloquée";
  fr.category_label = "Catégorie";
  fr.contact = "Demandez à <l'équipe> informatique.";
  const std::string body =
      body_of(render_block_response(fr, request(), PageKind::Html, false, false));
  EXPECT_NE(body.find("<html lang=\"fr\">"), std::string::npos);
  EXPECT_NE(body.find("Cette page est bloquée"), std::string::npos);
  EXPECT_NE(body.find("<dt>Catégorie</dt>"), std::string::npos);
  EXPECT_NE(body.find("Demandez à &lt;l&#39;équipe&gt; informatique."), std::string::npos);
}

TEST(BlockPage, RuleMatchesHaveNoCategoryLineAndPortsAreShown) {
  BlockedRequest r = request();
  r.category = "";
  r.scheme = "http";
  r.port = 8080;
  r.path = "/";
  const std::string body =
      body_of(render_block_response(policy::PageStrings{}, r, PageKind::Html, false, false));
  EXPECT_EQ(body.find("id=\"category\""), std::string::npos);
  EXPECT_NE(body.find("http://www.casino.test:8080/"), std::string::npos) << body;
  r.host = "2001:db8::1";
  r.port = 80;
  const std::string v6 =
      body_of(render_block_response(policy::PageStrings{}, r, PageKind::Text, false, false));
  EXPECT_NE(v6.find("http://[2001:db8::1]/"), std::string::npos) << v6;
}

TEST(BlockPage, TextForNonPagesAndNoBodyForHead) {
  const std::string text =
      render_block_response(policy::PageStrings{}, request(), PageKind::Text, false, true);
  EXPECT_NE(text.find("Content-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(text.find("Connection: close\r\n"), std::string::npos);
  EXPECT_NE(body_of(text).find("Category: gambling\n"), std::string::npos);
  const std::string head =
      render_block_response(policy::PageStrings{}, request(), PageKind::Html, true, false);
  EXPECT_TRUE(body_of(head).empty());
  EXPECT_EQ(head.find("Content-Length: 0\r\n"), std::string::npos);  // the GET's length
}

TEST(BlockPage, AVeryLongUrlIsCut) {
  BlockedRequest r = request();
  const std::string path = "/" + std::string(5000, 'a');
  r.path = path;
  const std::string body =
      body_of(render_block_response(policy::PageStrings{}, r, PageKind::Html, false, false));
  EXPECT_LT(body.size(), 4000u);
  EXPECT_NE(body.find("\u2026"), std::string::npos);
}

TEST(BlockPage, PageKindFollowsFetchMetadataThenAccept) {
  EXPECT_EQ(page_kind("document", ""), PageKind::Html);
  EXPECT_EQ(page_kind("iframe", "*/*"), PageKind::Html);
  EXPECT_EQ(page_kind("image", "text/html"), PageKind::Text);
  EXPECT_EQ(page_kind("empty", "text/html"), PageKind::Text);  // fetch()
  EXPECT_EQ(page_kind("", "text/html,application/xhtml+xml"), PageKind::Html);
  EXPECT_EQ(page_kind("", "image/avif,image/webp,*/*"), PageKind::Text);
  EXPECT_EQ(page_kind("", ""), PageKind::Text);
}

TEST(BlockPage, RejectIsEmpty) {
  const std::string out = render_reject_response("id-9", true);
  EXPECT_EQ(out.rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u);
  EXPECT_NE(out.find("Content-Length: 0\r\n"), std::string::npos);
  EXPECT_NE(out.find("X-Warden-Decision: reject\r\n"), std::string::npos);
  EXPECT_TRUE(body_of(out).empty());
}

}  // namespace
}  // namespace warden::actions
