// Command lines that are mistakes are refused before anything happens:
// unknown commands (with a suggestion), empty or conflicting targets, and
// flags a saved plan cannot honour. --version works.

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reconciler/util/file.h"
#include "tests/cli/cli_test_util.h"

namespace podform {
namespace {

using testing::CliRun;
using testing::Project;
using testing::RunPodform;

TEST(UsageTest, AnUnknownCommandIsNamedWithASuggestion) {
  CliRun run = RunPodform({"plna"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "podform: unknown command \"plna\" (did you mean "
                     "\"plan\"?)\n");
  EXPECT_EQ(run.out, "");

  run = RunPodform({"--no-color", "aply", "--auto-approve"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "podform: unknown command \"aply\" (did you mean "
                     "\"apply\"?)\n");

  run = RunPodform({"--file", "x.yaml", "frobnicate"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "podform: unknown command \"frobnicate\" (see podform --help)\n");

  run = RunPodform({"state", "lsit"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "podform: unknown command \"state lsit\" (did you mean "
                     "\"state list\"?)\n");
}

TEST(UsageTest, VersionFlagPrintsWhatTheVersionCommandPrints) {
  CliRun command = RunPodform({"version"});
  CliRun flag = RunPodform({"--version"});
  EXPECT_EQ(command.code, 0);
  EXPECT_EQ(flag.code, 0);
  EXPECT_EQ(flag.out, command.out);
  EXPECT_EQ(flag.out.rfind("podform ", 0), 0u) << flag.out;
  EXPECT_GT(flag.out.size(), std::string("podform \n").size());
  EXPECT_EQ(flag.err, "");
}

// `--endpoint "$UNSET"` once meant production, with the real key.
TEST(UsageTest, AnEmptyEndpointIsAUsageError) {
  Project project;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--endpoint", "", "plan"},
        std::vector<std::string>{"plan", "--endpoint", ""}}) {
    std::vector<std::string> all = {"--file", project.config()};
    all.insert(all.end(), args.begin(), args.end());
    CliRun run = RunPodform(all);
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err,
              "podform: --endpoint is empty; give a URL, or leave the flag "
              "out (then $RUNPOD_API_URL, else "
              "https://api.runpod.io/v2)\n");
    EXPECT_EQ(run.out, "");
  }
  // CLI11 reads `--endpoint=` as a flag still waiting for its value.
  CliRun run = RunPodform({"--file", project.config(), "plan", "--endpoint="});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "--endpoint: 1 required TEXT missing\n"
            "Run with --help for more information.\n");
}

TEST(UsageTest, AnEmptyEndpointVariableIsAnError) {
  Project project;
  ::setenv("RUNPOD_GRAPHQL_URL", "", 1);
  ::setenv("RUNPOD_API_KEY", "test-key", 1);
  CliRun run = RunPodform({"--file", project.config(), "plan"});
  ::unsetenv("RUNPOD_GRAPHQL_URL");
  ::unsetenv("RUNPOD_API_KEY");
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err,
            "podform: RUNPOD_GRAPHQL_URL is set but empty; set it to a URL, "
            "or unset it\n");
}

// `--sandbox --endpoint URL` once ignored URL.
TEST(UsageTest, SandboxAndEndpointTogetherAreAUsageError) {
  Project project;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--sandbox", "--endpoint",
                                 "https://api.runpod.io/graphql", "plan"},
        std::vector<std::string>{"--endpoint=http://127.0.0.1:9/graphql",
                                 "plan", "--sandbox=" + project.sandbox()}}) {
    std::vector<std::string> all = {"--file", project.config()};
    all.insert(all.end(), args.begin(), args.end());
    CliRun run = RunPodform(all);
    EXPECT_EQ(run.code, 1);
    EXPECT_EQ(run.err,
              "podform: --sandbox and --endpoint cannot be used together: "
              "--sandbox is the built-in emulator, --endpoint a RunPod API\n");
    EXPECT_EQ(run.out, "");
  }
  EXPECT_FALSE(std::filesystem::exists(project.sandbox()));
}

// `apply PLANFILE --target X` once applied the whole plan.
TEST(UsageTest, FlagsASavedPlanCannotHonourAreRefused) {
  Project project;
  const std::string plan_file = project.dir + "/tonight.plan";
  ASSERT_EQ(RunPodform(project.Args({"plan", "--out", plan_file})).code, 0);
  const std::string sandbox_before = *ReadFile(project.sandbox());
  for (const std::string flag : {"--target", "--allow-destroy"}) {
    CliRun run = RunPodform(project.Args(
        {"apply", plan_file, flag, "volume.data", "--auto-approve"}));
    EXPECT_EQ(run.code, 1) << flag;
    EXPECT_EQ(run.err, "podform: apply " + plan_file + ": " + flag +
                           " cannot be used with a saved plan, which applies "
                           "exactly the changes it holds; give " +
                           flag + " to `podform plan --out` instead\n");
    EXPECT_EQ(run.out, "") << flag;
  }
  // Nothing was applied: no lock file, the sandbox as it was.
  EXPECT_FALSE(std::filesystem::exists(project.lock()));
  EXPECT_EQ(*ReadFile(project.sandbox()), sandbox_before);
  // Without them the plan applies.
  CliRun run = RunPodform(project.Args({"apply", plan_file}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(std::filesystem::exists(project.lock()));
}

// import takes ADDR ID or --all; --all's flags only with --all. Nothing
// is read or written when the command line is wrong.
TEST(UsageTest, ImportTakesAnAddressAndIdOrAll) {
  Project project;
  const std::string before = *ReadFile(project.config());
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  for (const Case& c : std::vector<Case>{
           {{"import", "--all", "volume.x", "abc"},
            "podform: import takes either ADDR ID or --all, not both\n"},
           {{"import", "volume.x"},
            "podform: import needs ADDR and ID (podform import pod.trainer "
            "ID), or --all\n"},
           {{"import", "--dry-run", "volume.x", "abc"},
            "podform: --only, --data-center, --name-regex, --out and "
            "--dry-run go with --all\n"},
           {{"import", "--all", "--name-regex", "[a-"},
            "podform: --name-regex: not a regular expression: "}}) {
    CliRun run = RunPodform(project.Args(c.args));
    EXPECT_EQ(run.code, 1) << c.args[1];
    EXPECT_EQ(run.err.substr(0, c.err.size()), c.err) << run.err;
    EXPECT_EQ(run.out, "");
  }
  // volume, pod or endpoint, nothing else.
  CliRun kind =
      RunPodform(project.Args({"import", "--all", "--only", "template"}));
  EXPECT_NE(kind.code, 0);
  EXPECT_NE(kind.err.find("--only"), std::string::npos) << kind.err;
  EXPECT_EQ(*ReadFile(project.config()), before);
  EXPECT_FALSE(std::filesystem::exists(project.lock()));
}

}  // namespace
}  // namespace podform
