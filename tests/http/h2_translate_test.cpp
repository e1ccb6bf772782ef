// The HTTP/2 <-> HTTP/1.1 translation: requests read by the same parser as HTTP/1.1 heads,
// Warden's own responses carried as :status, fields and body, connection-specific fields dropped.
#include "http/h2_translate.hpp"

#include "http/error_response.hpp"

#include <gtest/gtest.h>

namespace warden::http::h2 {
namespace {

Request get(std::string authority, std::string path, Fields fields = {}) {
  Request r;
  r.method = "GET";
  r.scheme = "https";
  r.authority = std::move(authority);
  r.path = std::move(path);
  r.fields = std::move(fields);
  return r;
}

TEST(H2Translate, PseudoHeadersBecomeARequestLineAndHost) {
  auto head =
      http1_request_head(get("school.example", "/a?b=c",
                             {{"accept", "text/html"}, {"cookie", "x=1"}, {"cookie", "y=2"}}),
                         {});
  ASSERT_TRUE(head) << head.error().reason;
  EXPECT_EQ(head->method(), "GET");
  EXPECT_EQ(head->target(), "/a?b=c");
  EXPECT_EQ(head->find("host"), "school.example");
  EXPECT_EQ(head->find("accept"), "text/html");
  EXPECT_EQ(head->find("cookie"), "x=1; y=2");  // RFC 9113 §8.2.3
}

TEST(H2Translate, AuthorityWinsOverAHostField) {
  auto head = http1_request_head(get("a.example", "/", {{"host", "b.example"}}), {});
  ASSERT_TRUE(head);
  EXPECT_EQ(head->find("host"), "a.example");
  std::size_t hosts = 0;
  for (std::size_t i = 0; i < head->field_count(); ++i) hosts += head->field(i).name == "host";
  EXPECT_EQ(hosts, 1u);
}

TEST(H2Translate, WhatIsNotAValidHttpHeadIsRefused) {
  EXPECT_FALSE(http1_request_head(get("a.example", ""), {}));
  EXPECT_FALSE(http1_request_head(get("a.example", "/ HTTP/1.1\r\nx: y"), {}));
  EXPECT_FALSE(http1_request_head(get("a.example", "/", {{"x", "a\r\nevil: 1"}}), {}));
  EXPECT_FALSE(http1_request_head(get("a.example", "/", {{"bad name", "v"}}), {}));
  HeadLimits small;
  small.fields_max = 2;
  EXPECT_FALSE(
      http1_request_head(get("a.example", "/", {{"a", "1"}, {"b", "2"}, {"c", "3"}}), small));
}

TEST(H2Translate, UpstreamFieldsDropHostAndConnectionSpecificOnes) {
  Request r = get("a.example", "/",
                  {{"host", "a.example"},
                   {"te", "trailers"},
                   {"accept", "*/*"},
                   {"x-forwarded-for", "10.0.0.1"}});
  const Fields out = upstream_fields(r, "192.0.2.7");
  const Fields want = {
      {"te", "trailers"}, {"accept", "*/*"}, {"x-forwarded-for", "10.0.0.1, 192.0.2.7"}};
  EXPECT_EQ(out, want);
  const Fields without = upstream_fields(get("a.example", "/", {{"accept", "*/*"}}), "");
  EXPECT_EQ(without, (Fields{{"accept", "*/*"}}));
}

TEST(H2Translate, FieldsPolicySetsReplaceTheClientsOwn) {
  Request r = get("www.youtube.com", "/",
                  {{"youtube-restrict", "Off"}, {"accept", "*/*"}, {"youtube-restrict", "none"}});
  const Fields set = {{"youtube-restrict", "Strict"}};
  EXPECT_EQ(upstream_fields(r, "", set),
            (Fields{{"accept", "*/*"}, {"youtube-restrict", "Strict"}}));
}

TEST(H2Translate, OwnResponsesLoseConnectionFieldsAndKeepTheirBody) {
  const std::string http1 =
      render_error_response({502, "ERR_UPSTREAM_CLOSED", "gone.", "id-1", true});
  auto r = local_response(http1);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 502u);
  for (const auto& [name, value] : r->fields) {
    EXPECT_FALSE(connection_specific(name)) << name;
    EXPECT_EQ(name, [&] {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower;
    }());
  }
  EXPECT_NE(r->body.find("ERR_UPSTREAM_CLOSED"), std::string::npos);
  EXPECT_EQ(http1.substr(http1.size() - r->body.size()), r->body);
  EXPECT_FALSE(local_response("HTTP/1.1 200 OK\r\n"));
}

}  // namespace
}  // namespace warden::http::h2
