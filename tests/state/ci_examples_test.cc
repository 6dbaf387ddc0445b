// examples/ci/github-actions.yml and examples/ci/gitlab-ci.yml: every
// podform command they contain (each line that starts with "podform ", or
// "- podform " in a YAML list, up to a shell operator) is run, in the
// order of the file, against `podform sandbox serve` with the state in the
// test's PostgreSQL cluster, as the jobs would run it: a pull request that
// creates resources (plan exits 2), the merge that applies the saved plan,
// the drift check (exit 0). Then the same commands see a pull request that
// deletes an unprotected volume (exit 3) and drift made outside podform
// (exit 2). A command added to an example fails this test until the test
// says what it should do.

#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/harness/podform_test.h"
#include "tests/harness/process.h"
#include "tests/harness/sandbox.h"
#include "tests/state/postgres_server.h"

namespace podform {
namespace {

using harness::Process;
using harness::ReadFileOrDie;
using harness::RunResult;
using harness::WriteFileOrDie;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

constexpr char kApiKey[] = "ci-examples-key-7f3e91";

constexpr char kPullRequestPlan[] =
    "podform plan --markdown --detailed-exitcode";
constexpr char kSavePlan[] = "podform plan --out podform.plan";
constexpr char kApplySavedPlan[] = "podform apply podform.plan";
constexpr char kHistory[] = "podform state history";
constexpr char kDriftCheck[] = "podform plan --detailed-exitcode";
constexpr char kVersion[] = "podform --version";

// The repository's config: examples/quickstart's, plus an unprotected
// volume that a later pull request deletes.
std::string Config(bool with_scratch) {
  std::string config =
      ReadFileOrDie(PODFORM_SOURCE_DIR "/examples/quickstart/podform.yaml");
  const std::string pods = "pods:\n";
  const size_t at = config.find(pods);
  EXPECT_NE(at, std::string::npos);
  if (with_scratch) {
    config.insert(at,
                  "  scratch:\n    size: 10\n    dataCenter: EU-RO-1\n"
                  "    protect: false\n");
  }
  return config;
}

// The podform commands of `file`, in order, each cut before its first
// shell operator (redirection, pipe, ||, &&, ;).
std::vector<std::string> PodformCommands(const std::string& file) {
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << file;
  static const std::regex kLine(R"(^\s*(?:-\s+)?(podform\s.*)$)");
  static const std::regex kOperator(R"(\s*(>|\|\||\||&&|;).*$)");
  std::vector<std::string> commands;
  for (std::string line; std::getline(in, line);) {
    std::smatch match;
    if (!std::regex_match(line, match, kLine)) continue;
    commands.push_back(std::regex_replace(match[1].str(), kOperator, ""));
  }
  return commands;
}

class CiExamplesTest : public harness::PodformTest {
 protected:
  CiExamplesTest()
      : PodformTest({.name = "ci-examples",
                     .api_key = kApiKey,
                     .sandbox_checks_key = true}) {}

  void SetUp() override {
    PodformTest::SetUp();
    PODFORM_REQUIRE_POSTGRES(pg);
    absl::StatusOr<std::string> database = pg->NewDatabase();
    ASSERT_TRUE(database.ok()) << database.status();
    std::filesystem::create_directories(Path("repo"));
    const std::string& url = sandbox().url();  // .../graphql
    const std::string rest = url.substr(0, url.rfind('/')) + "/v2";
    const std::string bin =
        std::filesystem::path(PODFORM_BINARY).parent_path().string();
    env_ = {"PATH=" + bin + ":/usr/bin:/bin", "RUNPOD_API_URL=" + rest,
            "PODFORM_STATE=" + pg->Uri(*database),
            "PODFORM_STATE_KEY=gpu-cluster", "NO_COLOR=1"};
  }

  // `command` as a job's shell runs it, in the repository's directory.
  RunResult Run(const std::string& command) {
    const std::string n = std::to_string(++runs_);
    std::unique_ptr<Process> process = Process::Spawn(
        {"/bin/sh", "-c", "cd \"$0\" && exec " + command, Path("repo")},
        RunEnv(), Path("runs/ci-" + n + ".out"), Path("runs/ci-" + n + ".err"));
    if (process == nullptr) return {};
    return process->Wait();
  }

  // Runs each command expecting its exit code; returns the results.
  void RunExpecting(const std::vector<std::pair<std::string, int>>& steps) {
    for (const auto& [command, code] : steps) {
      RunResult result = Run(command);
      EXPECT_EQ(result.exit_code, code) << command << "\n" << result;
    }
  }

  void RunTheStory(const std::string& file,
                   const std::vector<std::pair<std::string, int>>& jobs) {
    std::vector<std::string> expected;
    for (const auto& step : jobs) expected.push_back(step.first);
    ASSERT_THAT(PodformCommands(file), ElementsAreArray(expected))
        << file << ": its podform commands changed; say here what each "
        << "should do";

    // A pull request that adds examples/quickstart's volume and pod, its
    // merge, and a drift check after it.
    WriteFileOrDie(Path("repo/podform.yaml"), Config(false));
    RunExpecting(jobs);
    nlohmann::json live = sandbox().Live();
    EXPECT_EQ(live["networkVolumes"].size(), 1u) << live.dump(2);
    EXPECT_EQ(live["pods"].size(), 1u) << live.dump(2);
    EXPECT_FALSE(std::filesystem::exists(Path("repo/podform.lock")))
        << "the state belongs in PostgreSQL";

    // A pull request that adds an unprotected volume (2), merged; then one
    // that deletes it: its data would be lost (3).
    WriteFileOrDie(Path("repo/podform.yaml"), Config(true));
    RunExpecting({{kPullRequestPlan, 2},
                  {kSavePlan, 0},
                  {kApplySavedPlan, 0},
                  {kDriftCheck, 0}});
    WriteFileOrDie(Path("repo/podform.yaml"), Config(false));
    RunResult destroys = Run(kPullRequestPlan);
    EXPECT_EQ(destroys.exit_code, 3) << destroys;
    EXPECT_THAT(destroys.out, HasSubstr("scratch"));
    RunExpecting({{kSavePlan, 0}, {kApplySavedPlan, 0}, {kDriftCheck, 0}});

    // Drift: the pod stopped in RunPod's console.
    live = sandbox().Live();
    ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
    const std::string pod = live["pods"][0]["id"];
    sandbox().GraphQL("mutation { podStop(input: {podId: \"" + pod +
                      "\"}) { id } }");
    RunResult drift = Run(kDriftCheck);
    EXPECT_EQ(drift.exit_code, 2) << drift;
  }
};

TEST_F(CiExamplesTest, GitHubActionsCommandsRunAsTheJobsExpect) {
  RunTheStory(PODFORM_SOURCE_DIR "/examples/ci/github-actions.yml",
              {// pull request
               {kVersion, 0},
               {kPullRequestPlan, 2},
               // merge
               {kVersion, 0},
               {kSavePlan, 0},
               {kApplySavedPlan, 0},
               {kHistory, 0},
               // drift check
               {kVersion, 0},
               {kDriftCheck, 0}});
}

TEST_F(CiExamplesTest, GitLabCiCommandsRunAsTheJobsExpect) {
  RunTheStory(PODFORM_SOURCE_DIR "/examples/ci/gitlab-ci.yml",
              {// every job's before_script
               {kVersion, 0},
               // merge request
               {kPullRequestPlan, 2},
               // merge
               {kSavePlan, 0},
               {kApplySavedPlan, 0},
               {kHistory, 0},
               // drift check
               {kDriftCheck, 0}});
}

}  // namespace
}  // namespace podform
