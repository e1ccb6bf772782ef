#include "identity/proxy_credentials.hpp"

#include "base/base64.hpp"

#include <gtest/gtest.h>

namespace warden::identity {
namespace {

std::optional<BasicCredentials> parse(std::string_view value) {
  std::string why;
  auto c = parse_basic_credentials(value, why);
  EXPECT_EQ(c.has_value(), why.empty()) << value;
  return c;
}

std::string why_not(std::string_view value) {
  std::string why;
  EXPECT_FALSE(parse_basic_credentials(value, why)) << value;
  return why;
}

TEST(Base64, EncodesAndDecodesRfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base::to_base64(plain), encoded);
    EXPECT_EQ(base::from_base64(encoded), std::optional<std::string>(plain)) << encoded;
  }
}

TEST(Base64, OnlyTheCanonicalSpellingDecodes) {
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Zh==", "Zm9=", "Z g==", "Zg==Zg==", "=Zg=",
                          "Zm9v\n", "Zm-v", "Zm_v"})
    EXPECT_FALSE(base::from_base64(bad)) << bad;
}

TEST(ProxyCredentials, BasicUserAndPassword) {
  // RFC 7617's example, and a password with a colon (only the first one splits).
  auto c = parse("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "Aladdin");
  EXPECT_EQ(c->password, "open sesame");
  c = parse("basic   " + base::to_base64("ann@school:pa:ss"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, "ann@school");
  EXPECT_EQ(c->password, "pa:ss");
  const BasicCredentials round{"b\xC3\xA9", ""};
  c = parse(basic_credentials_value(round));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->user, round.user);
  EXPECT_EQ(c->password, "");
}

TEST(ProxyCredentials, AnythingElseIsNoCredentialsAndSaysWhyWithoutThePassword) {
  EXPECT_EQ(why_not("Bearer abc"), "not Basic credentials");
  EXPECT_EQ(why_not("Basic"), "not Basic credentials");
  EXPECT_EQ(why_not("Basic !!!!"), "Basic credentials that are not base64");
  EXPECT_EQ(why_not("Basic " + base::to_base64("nocolon")), "Basic credentials without a ':'");
  for (const std::string& bad :
       {std::string(":secret"), std::string("a\tb:secret"), std::string("ann:sec\nret"),
        std::string(257, 'u') + ":p", "u:" + std::string(1025, 'p')}) {
    const std::string why = why_not("Basic " + base::to_base64(bad));
    EXPECT_EQ(why.find("secret"), std::string::npos);
    EXPECT_FALSE(why.empty());
  }
  EXPECT_EQ(why_not("Basic " + std::string(5000, 'A')), "credentials too long");
}

}  // namespace
}  // namespace warden::identity
