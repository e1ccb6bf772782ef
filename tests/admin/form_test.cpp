#include "admin/form.hpp"

#include <gtest/gtest.h>

namespace warden::admin {
namespace {

TEST(Form, DecodesPlusAndPercentAndKeepsOrder) {
  const auto f = Form::parse("user=alice&password=a+b%26c%3D&empty=&flag&user=second");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get("user"), "alice");  // the first of a repeated name
  EXPECT_EQ(f->get("password"), "a b&c=");
  EXPECT_TRUE(f->has("empty"));
  EXPECT_EQ(f->get("empty"), "");
  EXPECT_TRUE(f->has("flag"));
  EXPECT_FALSE(f->has("missing"));
  EXPECT_EQ(f->fields().size(), 5u);
}

TEST(Form, BadEscapesAndOversizeAreRefused) {
  EXPECT_FALSE(Form::parse("a=%"));
  EXPECT_FALSE(Form::parse("a=%4"));
  EXPECT_FALSE(Form::parse("a=%zz"));
  EXPECT_TRUE(Form::parse("a=" + std::string(4096, 'x')));
  EXPECT_FALSE(Form::parse("a=" + std::string(4097, 'x')));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "k=v&";
  EXPECT_FALSE(Form::parse(many));
  EXPECT_TRUE(Form::parse(many.substr(4)));  // 64 fields
}

TEST(Form, BytesOfAnyValueComeThroughAndEncodeBack) {
  const std::string hostile = std::string("<script>'\"\0\xff", 12) + " ;--";
  const auto f = Form::parse("q=" + url_encode(hostile));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->get("q"), hostile);
  EXPECT_EQ(url_encode("a b/é"), "a%20b%2F%C3%A9");
}

}  // namespace
}  // namespace warden::admin
