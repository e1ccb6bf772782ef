#include "analysis/text.hpp"

#include <gtest/gtest.h>

namespace warden::analysis {
namespace {

TEST(FormDecoded, PlusIsASpaceAndPercentIsAByte) {
  EXPECT_EQ(form_decoded("how+to%20draw%2B"), "how to draw+");
  EXPECT_EQ(form_decoded("caf%C3%A9"), "caf\xC3\xA9");
  EXPECT_EQ(form_decoded("100%"), "100%");    // a lone % stays
  EXPECT_EQ(form_decoded("%zz%4"), "%zz%4");  // so does one without two hex digits
  EXPECT_EQ(form_decoded("%00"), std::string(1, '\0'));
}

TEST(ValidUtf8, WellFormedTextIsKept) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87";
  EXPECT_EQ(valid_utf8(text), text);
  EXPECT_EQ(valid_utf8(""), "");
}

TEST(ValidUtf8, EachMaximalBadSubpartBecomesOneReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(valid_utf8("a\xFF"
                       "b"),
            "a" + r + "b");                                  // never a lead byte
  EXPECT_EQ(valid_utf8("\xC0\xAF"), r + r);                  // overlong '/': two bad bytes
  EXPECT_EQ(valid_utf8("\xED\xA0\x80"), r + r + r);          // a surrogate
  EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
  EXPECT_EQ(valid_utf8("\xE2\x82"), r);                      // cut short: one subpart
  EXPECT_EQ(valid_utf8("\xE2\x82"
                       "x"),
            r + "x");
  EXPECT_EQ(valid_utf8("caf\xE9"), "caf" + r);  // Latin-1, not UTF-8
}

TEST(Collapsed, WhitespaceRunsBecomeOneSpaceAndTheEndsGo) {
  EXPECT_EQ(collapsed("  how \t to\r\n draw  ", 100), "how to draw");
  EXPECT_EQ(collapsed(" \n ", 100), "");
}

TEST(Collapsed, CutsAtACharacterBoundary) {
  EXPECT_EQ(collapsed("ab\xC3\xA9", 3), "ab");  // é would be split: left out whole
  EXPECT_EQ(collapsed("ab\xC3\xA9", 4), "ab\xC3\xA9");
  EXPECT_EQ(collapsed("ab cd", 3), "ab");  // no space left at the end
}

}  // namespace
}  // namespace warden::analysis
