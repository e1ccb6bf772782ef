#include "observe/json_text.hpp"

#include <gtest/gtest.h>

namespace warden::observe {
namespace {

std::string text(std::string_view s) {
  std::string out;
  append_json_text(out, s);
  return out;
}

std::string bytes(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

TEST(JsonText, PrintableAsciiStaysAndQuotesAreEscaped) {
  EXPECT_EQ(text(R"(how to "draw" \ paint)"), R"("how to \"draw\" \\ paint")");
  EXPECT_EQ(text("tab\there"), R"("tab\u0009here")");
}

TEST(JsonText, CharactersBecomeTheirOwnEscapes) {
  EXPECT_EQ(text("caf\xC3\xA9"), R"("caf\u00e9")");  // é, not \u00c3\u00a9
  EXPECT_EQ(text("\xE4\xB8\xAD\xE6\x96\x87"), R"("\u4e2d\u6587")");
  EXPECT_EQ(text("\xF0\x9F\x90\xB1"), R"("\ud83d\udc31")");  // past U+FFFF: a pair
  // Beside it, the byte escaping every other field uses.
  EXPECT_EQ(bytes("caf\xC3\xA9"), R"("caf\u00c3\u00a9")");
}

TEST(JsonText, BytesThatAreNotUtf8AfterAllBecomeReplacementCharacters) {
  EXPECT_EQ(text("a\xFF"
                 "b"),
            R"("a\ufffdb")");
  EXPECT_EQ(text("\xE2\x82"), R"("\ufffd\ufffd")");  // cut short
}

}  // namespace
}  // namespace warden::observe
