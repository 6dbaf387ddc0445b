// Issue 19 end to end: with --json, warnings and errors are JSON on stdout
// too (docs/PLAN_FORMAT.md, "diagnostics"), and the config's warnings are
// in the --json and --markdown plans.

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

using JsonOutputE2eTest = E2eTest;

// The diagnostic of a "FILE:LINE:COL: [warning: ]MESSAGE" line of stderr,
// as --json writes it.
json Expected(const std::string& line) {
  std::vector<std::string> parts = absl::StrSplit(line, absl::MaxSplits(':', 3));
  EXPECT_EQ(parts.size(), 4u) << line;
  if (parts.size() != 4) return json();
  int at_line = 0;
  int at_column = 0;
  EXPECT_TRUE(absl::SimpleAtoi(parts[1], &at_line)) << line;
  EXPECT_TRUE(absl::SimpleAtoi(parts[2], &at_column)) << line;
  std::string message = parts[3].substr(1);  // after ": "
  const bool warning = message.rfind("warning: ", 0) == 0;
  if (warning) message = message.substr(9);
  return {{"severity", warning ? "warning" : "error"},
          {"message", message},
          {"file", parts[0]},
          {"line", at_line},
          {"column", at_column}};
}

TEST_F(JsonOutputE2eTest, TheConfigsWarningsAreInTheJsonAndMarkdownPlans) {
  WriteConfig(TestConfig().Gpu("NVIDIA RTX A600").Yaml());
  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  // The warning, as people see it on stderr.
  ASSERT_THAT(machine.err, HasSubstr(": warning: "));
  ASSERT_EQ(std::count(machine.err.begin(), machine.err.end(), '\n'), 1)
      << machine.err;
  const std::string line = machine.err.substr(0, machine.err.size() - 1);
  json plan = json::parse(machine.out, nullptr, false);
  ASSERT_FALSE(plan.is_discarded()) << machine.out;
  EXPECT_EQ(plan["format_version"], 6);
  EXPECT_EQ(plan["ok"], true);
  EXPECT_EQ(plan["diagnostics"], json::array({Expected(line)}));
  EXPECT_THAT(plan["diagnostics"][0]["message"].get<std::string>(),
              HasSubstr("unknown GPU type \"NVIDIA RTX A600\""));
  EXPECT_EQ(plan["changes"].size(), 2u);

  RunResult markdown = Podform({"plan", "--markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown;
  const json& d = plan["diagnostics"][0];
  EXPECT_THAT(markdown.out,
              HasSubstr(absl::StrCat(
                  "**Warnings:**\n\n- `", d["file"].get<std::string>(), ":",
                  d["line"].get<int>(), ":", d["column"].get<int>(), "`: ",
                  d["message"].get<std::string>(), "\n")));

  // Without a warning, the array is empty.
  WriteConfig(TestConfig().Yaml());
  RunResult clean = Podform({"plan", "--json"});
  ASSERT_EQ(clean.exit_code, 0) << clean;
  EXPECT_EQ(json::parse(clean.out)["diagnostics"], json::array());
}

TEST_F(JsonOutputE2eTest, AConfigWithErrorsFailsAsJsonOnStdout) {
  WriteConfig(TestConfig().Size(5).Gpu("NVIDIA RTX A600").Yaml());
  RunResult run = Podform({"plan", "--json"});
  EXPECT_EQ(run.exit_code, 1) << run;
  // stderr as without --json: one line per problem, in file order.
  std::vector<std::string> lines =
      absl::StrSplit(run.err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << run.err;
  json failure = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(failure.is_discarded()) << run.out;
  // Errors first, then warnings.
  json expected = json::array();
  for (const std::string& line : lines) {
    if (line.find(": warning: ") == std::string::npos) {
      expected.push_back(Expected(line));
    }
  }
  for (const std::string& line : lines) {
    if (line.find(": warning: ") != std::string::npos) {
      expected.push_back(Expected(line));
    }
  }
  EXPECT_EQ(failure, (json{{"format_version", 6},
                           {"ok", false},
                           {"diagnostics", expected}}));
  EXPECT_EQ(failure["diagnostics"][0]["severity"], "error");
  EXPECT_EQ(failure["diagnostics"][1]["severity"], "warning");

  // Without --json, stdout stays empty.
  RunResult text = Podform({"plan"});
  EXPECT_EQ(text.exit_code, 1) << text;
  EXPECT_EQ(text.out, "");
  EXPECT_EQ(text.err, run.err);
}

TEST_F(JsonOutputE2eTest, AFailureAfterTheConfigIsJsonOnStdoutWithItsWarnings) {
  WriteConfig(TestConfig().Gpu("NVIDIA RTX A600").Yaml());
  // No API key: refused once the config is read, before any request.
  RunResult run = Podform({"plan", "--json"}, {"RUNPOD_API_KEY="});
  EXPECT_EQ(run.exit_code, 1) << run;
  EXPECT_THAT(run.err, HasSubstr("RUNPOD_API_KEY"));
  std::vector<std::string> lines =
      absl::StrSplit(run.err, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << run.err;
  ASSERT_EQ(lines[1].rfind("podform: ", 0), 0u) << run.err;
  json failure = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(failure.is_discarded()) << run.out;
  EXPECT_EQ(failure,
            (json{{"format_version", 6},
                  {"ok", false},
                  {"diagnostics",
                   {Expected(lines[0]),
                    {{"severity", "error"},
                     {"message", lines[1].substr(9)}}}}}));

  // show PLANFILE --json: the same for a plan file that cannot be read.
  RunResult show = PodformRaw({"show", Path("missing.plan"), "--json"});
  EXPECT_EQ(show.exit_code, 1) << show;
  ASSERT_EQ(show.err.rfind("podform: ", 0), 0u) << show.err;
  EXPECT_EQ(json::parse(show.out, nullptr, false),
            (json{{"format_version", 6},
                  {"ok", false},
                  {"diagnostics",
                   {{{"severity", "error"},
                     {"message", show.err.substr(9, show.err.size() - 10)}}}}}));
}

}  // namespace
}  // namespace podform::e2e
