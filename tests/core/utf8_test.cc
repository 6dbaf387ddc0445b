#include "reconciler/util/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace podform {
namespace {

TEST(Utf8Test, AcceptsValidText) {
  EXPECT_EQ(FirstInvalidUtf8(""), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("plain ascii\n"), std::nullopt);
  EXPECT_EQ(FirstInvalidUtf8("caf\xC3\xA9"), std::nullopt);          // é
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82\xAC"), std::nullopt);          // €
  EXPECT_EQ(FirstInvalidUtf8("\xF0\x9F\x98\x80"), std::nullopt);      // 😀
  EXPECT_EQ(FirstInvalidUtf8("\xEF\xBB\xBFversion"), std::nullopt);   // BOM
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x8F\xBF\xBF"), std::nullopt);      // max
  EXPECT_EQ(FirstInvalidUtf8(std::string("a\0b", 3)), std::nullopt);
}

TEST(Utf8Test, FindsTheFirstBadByte) {
  EXPECT_EQ(FirstInvalidUtf8("caf\xE9"), 3u);             // Latin-1 é
  EXPECT_EQ(FirstInvalidUtf8("ab\xC3"), 2u);              // cut short
  EXPECT_EQ(FirstInvalidUtf8("\xC3(x"), 0u);              // bad continuation
  EXPECT_EQ(FirstInvalidUtf8("x\x80"), 1u);               // lone continuation
  EXPECT_EQ(FirstInvalidUtf8("\xC0\xAF"), 0u);            // overlong '/'
  EXPECT_EQ(FirstInvalidUtf8("\xE0\x80\xAF"), 0u);        // overlong
  EXPECT_EQ(FirstInvalidUtf8("\xF0\x80\x80\xAF"), 0u);    // overlong
  EXPECT_EQ(FirstInvalidUtf8("ok\xED\xA0\x80"), 2u);      // surrogate
  EXPECT_EQ(FirstInvalidUtf8("\xF4\x90\x80\x80"), 0u);    // above U+10FFFF
  EXPECT_EQ(FirstInvalidUtf8("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(FirstInvalidUtf8("\xFF"), 0u);
  EXPECT_EQ(FirstInvalidUtf8("\xE2\x82"), 0u);            // € cut short
  EXPECT_EQ(FirstInvalidUtf8("\xC3\xA9\xE9"), 2u);
}

}  // namespace
}  // namespace podform
