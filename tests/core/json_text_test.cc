#include "reconciler/util/json_text.h"

#include "gtest/gtest.h"

namespace podform {
namespace {

absl::Status ErrorOf(std::string_view text) {
  return ParseJson(text).status();
}

TEST(ParseJsonTest, ParsesADocument) {
  absl::StatusOr<nlohmann::json> j = ParseJson(R"({"a": [1, "b"]})");
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ((*j)["a"][1], "b");
}

TEST(ParseJsonTest, ATextThatStopsEarlyIsAnUnexpectedEnd) {
  // Whatever the parser was in the middle of: a string, a literal, an object.
  EXPECT_EQ(ErrorOf("{\"a\": \"bc"),
            absl::InvalidArgumentError(
                "line 1, column 10: unexpected end of input"));
  EXPECT_EQ(ErrorOf("{\n\"a\": tru"),
            absl::InvalidArgumentError(
                "line 2, column 9: unexpected end of input"));
  EXPECT_EQ(ErrorOf("{\"a\": 1"),
            absl::InvalidArgumentError(
                "line 1, column 8: unexpected end of input"));
  EXPECT_EQ(ErrorOf(""), absl::InvalidArgumentError(
                             "line 1, column 1: unexpected end of input"));
}

TEST(ParseJsonTest, OtherErrorsSayWhatWasFound) {
  EXPECT_EQ(ErrorOf("{]"),
            absl::InvalidArgumentError(
                "line 1, column 2: unexpected ']'; expected string literal"));
  EXPECT_EQ(ErrorOf("[1] x"),
            absl::InvalidArgumentError("line 1, column 5: invalid literal; "
                                       "last read: '1] x'; expected end of "
                                       "input"));
}

TEST(ParseJsonTest, ANumberBeyondDoubleIsRefused) {
  EXPECT_EQ(ErrorOf("{\"a\": 1e999}"),
            absl::InvalidArgumentError(
                "a number is too large to represent (beyond 1.8e308)"));
}

}  // namespace
}  // namespace podform
