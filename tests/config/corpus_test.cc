// Every broken config under tests/config/broken/ gives exactly the
// diagnostics in its .expected file (FILE shown as the bare file name), and
// never a config.

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/config/config.h"
#include "reconciler/util/file.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::FakeEnv;
using ::podform::testing::kSecret;
using ::podform::testing::Messages;
using ::testing::HasSubstr;
using ::testing::Not;

std::string BrokenDir() {
  return std::string(PODFORM_SOURCE_DIR) + "/tests/config/broken";
}

// The stems of tests/config/broken/*.yaml, sorted.
std::vector<std::string> BrokenConfigs() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(BrokenDir(), error)) {
    if (entry.path().extension() == ".yaml") {
      names.push_back(entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines = absl::StrSplit(text, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

TEST(BrokenCorpusTest, HasAtLeastFortyConfigs) {
  EXPECT_GE(BrokenConfigs().size(), 40u);
}

class BrokenConfigTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BrokenConfigTest, GivesExactlyTheExpectedDiagnostics) {
  const std::string name = GetParam();
  absl::StatusOr<std::string> text =
      ReadFile(BrokenDir() + "/" + name + ".yaml");
  ASSERT_TRUE(text.ok()) << text.status();
  absl::StatusOr<std::string> expected =
      ReadFile(BrokenDir() + "/" + name + ".expected");
  ASSERT_TRUE(expected.ok()) << expected.status();

  LoadResult result =
      ParseConfig(name + ".yaml", *text, FakeEnv({{"HF_TOKEN", kSecret}}));
  EXPECT_EQ(Messages(result), Lines(*expected));
  EXPECT_FALSE(result.config.has_value());
  for (const std::string& message : Messages(result)) {
    EXPECT_THAT(message, Not(HasSubstr(kSecret)));
    // Every diagnostic points at a line and column.
    EXPECT_THAT(message,
                ::testing::MatchesRegex("[a-z0-9_]+\\.yaml:[0-9]+:[0-9]+: .+"));
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BrokenConfigTest,
                         ::testing::ValuesIn(BrokenConfigs()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace podform
