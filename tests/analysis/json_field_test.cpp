#include "analysis/json_field.hpp"

#include <gtest/gtest.h>

namespace warden::analysis {
namespace {

TEST(JsonField, TheTopLevelStringWhateverComesBeforeIt) {
  using V = std::vector<std::string>;
  EXPECT_EQ(json_string_fields(R"({"query":"cats"})", "query"), V{"cats"});
  EXPECT_EQ(
      json_string_fields(
          R"( { "context" : {"client":{"hl":"en","list":[1,2.5e3,-3,true,false,null,{"query":"inner"}]}},
                     "query" : "minecraft tutorial", "params":"EgIQAQ%3D%3D" } )",
          "query"),
      V{"minecraft tutorial"});
  EXPECT_EQ(json_string_fields(R"({"query":"first","query":"second"})", "query"),
            (V{"first", "second"}));
}

TEST(JsonField, EscapesBecomeUtf8) {
  using V = std::vector<std::string>;
  EXPECT_EQ(json_string_fields(R"({"q":"caf\u00e9 \"x\" \\ \/ \n\t"})", "q"),
            V{"caf\xc3\xa9 \"x\" \\ / \n\t"});
  EXPECT_EQ(json_string_fields(R"({"q":"\ud83d\ude00"})", "q"), V{"\xf0\x9f\x98\x80"});
  EXPECT_EQ(json_string_fields(R"({"q":"\ud83d x"})", "q"), V{"\xef\xbf\xbd x"});  // lone high
  EXPECT_EQ(json_string_fields(R"({"q":"\ude00"})", "q"), V{"\xef\xbf\xbd"});      // lone low
}

TEST(JsonField, NothingFromWhatIsNotThere) {
  for (const std::string_view json :
       {"", "[]", R"("query")", R"({"query":1})", R"({"query":{"a":"b"}})", R"({"q":"x"})",
        R"({"context":{"query":"nested only"}})", R"({"a":tru "query":"x"})",
        R"({"a":"unterminated)", R"({"query":"bad \x escape"})",
        R"({"query":"ctl)"
        "\x01"
        R"("})",
        R"({"query":"\u12"})", R"({"a" "query":"x"})", R"({"query":"x"} trailing)",
        R"({"query":"x",})", R"({"query":"x")"})
    EXPECT_TRUE(json_string_fields(json, "query").empty()) << json;
}

TEST(JsonField, DeepNestingIsRefusedNotRecursedInto) {
  std::string deep = R"({"a":)";
  for (int i = 0; i < 100000; ++i) deep += "[";
  EXPECT_TRUE(json_string_fields(deep, "query").empty());
  std::string ok = R"({"a":)";
  for (int i = 0; i < 60; ++i) ok += "[";
  for (int i = 0; i < 60; ++i) ok += "]";
  ok += R"(,"query":"x"})";
  EXPECT_EQ(json_string_fields(ok, "query"), std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace warden::analysis
