// Alt-Svc without QUIC: HTTP/3 and other QUIC offers removed, the rest kept as sent.
#include "http/alt_svc.hpp"

#include <gtest/gtest.h>

namespace warden::http {
namespace {

TEST(AltSvc, RemovesHttp3AndKeepsH2) {
  EXPECT_EQ(alt_svc_without_quic(R"(h3=":443"; ma=86400, h2=":443"; ma=86400)"),
            R"(h2=":443"; ma=86400)");
  EXPECT_EQ(alt_svc_without_quic(R"(h3=":8443")"), "");
  EXPECT_EQ(alt_svc_without_quic(R"(h2="alt.example:443")"), R"(h2="alt.example:443")");
}

TEST(AltSvc, RemovesDraftsAndOtherQuicSpellings) {
  EXPECT_EQ(alt_svc_without_quic(
                R"(h3-29=":443", h3-Q050=":443", hq-interop=":443", quic=":443", H3=":443")"),
            "");
  // Percent-encoded protocol ids (RFC 7838 §3) are compared decoded: %68%33 is "h3".
  EXPECT_EQ(alt_svc_without_quic(R"(%68%33=":443", h2=":443")"), R"(h2=":443")");
  EXPECT_TRUE(is_quic_protocol("h3"));
  EXPECT_FALSE(is_quic_protocol("h2"));
  EXPECT_FALSE(is_quic_protocol("http/1.1"));
}

TEST(AltSvc, CommasInsideQuotedStringsDoNotSplit) {
  EXPECT_EQ(alt_svc_without_quic(R"(h2="a,b:443"; x="1, h3=\":9\"", h3=":443")"),
            R"(h2="a,b:443"; x="1, h3=\":9\"")");
}

// Found by alt_svc_fuzz (corpus/alt_svc/regression-comma-join): the fuzz target claimed the output
// is never longer than the input, but kept alternatives are joined with ", " (RFC 9110 §5.6.1),
// so "a,b" comes out one byte longer. The rewrite is right; the claim now allows one space per
// comma.
TEST(AltSvc, KeptAlternativesAreJoinedWithCommaSpace) {
  EXPECT_EQ(alt_svc_without_quic(R"(h2=":1",h2=":2")"), R"(h2=":1", h2=":2")");
}

TEST(AltSvc, ClearIsKeptAndGarbageDropped) {
  EXPECT_EQ(alt_svc_without_quic("clear"), "clear");
  EXPECT_EQ(alt_svc_without_quic(R"(h2=":443)"), "");  // unbalanced quote: dropped whole
  EXPECT_EQ(alt_svc_without_quic("%zz=\":1\""), "");   // bad percent-encoding
  EXPECT_EQ(alt_svc_without_quic(",,"), "");
  EXPECT_EQ(alt_svc_without_quic(""), "");
}

}  // namespace
}  // namespace warden::http
