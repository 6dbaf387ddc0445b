#include "reconciler/util/percent.h"

#include "gtest/gtest.h"

namespace podform {
namespace {

TEST(PercentDecodeTest, DecodesEscapesAndKeepsMalformedOnes) {
  EXPECT_EQ(PercentDecode(std::string_view("p%40ss%2Fw%3Ad")), "p@ss/w:d");
  EXPECT_EQ(PercentDecode(std::string_view("%4a%4A")), "JJ");
  EXPECT_EQ(PercentDecode(std::string_view("100%")), "100%");
  EXPECT_EQ(PercentDecode(std::string_view("%zz%4")), "%zz%4");
}

TEST(PercentDecodeTest, APlusIsASpaceOnlyInAQueryString) {
  EXPECT_EQ(PercentDecode(std::string_view("a+b%2B")), "a+b+");
  EXPECT_EQ(PercentDecode(absl::string_view("a+b%2B"), Plus::kSpace), "a b+");
}

}  // namespace
}  // namespace podform
