// `plan` reads the lock file and RunPod while podform.yaml loads
// (cmd/planning.h StartReadsBesideConfig). What that must not change: a
// config that does not load shows its errors alone and leaves nothing
// behind, and the plan is the one a sequential read gives.

#include <filesystem>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "cmd/planning.h"
#include "reconciler/util/file.h"
#include "tests/cli/cli_test_util.h"

namespace podform::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kBroken[] =
    "version: 1\nvolumes:\n  data:\n    size: ten\n    dataCenter: EU-RO-1\n";

// What podform prints for kBroken, and nothing else.
std::string BrokenErrors(const Project& project) {
  return project.config() +
         ":4:11: volumes.data.size: expected an integer, got a string\n";
}

TEST(EarlyReadsTest, ABrokenConfigWithANewSandboxLeavesNothingBehind) {
  Project project;
  ASSERT_TRUE(WriteFileAtomically(project.config(), kBroken).ok());
  for (const char* api : {"rest", "graphql"}) {
    // The default sandbox place (.podform/ beside the config) and the
    // lock file beside it: neither may be made by a plan that cannot run.
    CliRun run = RunPodform({"--file", project.config(), "--sandbox",
                             std::string("--api=") + api, "plan"});
    EXPECT_EQ(run.code, 1) << api;
    EXPECT_EQ(run.err, BrokenErrors(project)) << api;
    EXPECT_EQ(run.out, "") << api;
    EXPECT_FALSE(std::filesystem::exists(project.dir + "/.podform")) << api;
    EXPECT_FALSE(std::filesystem::exists(project.dir + "/podform.lock"))
        << api;
  }
}

TEST(EarlyReadsTest, ABrokenConfigShowsItsErrorsAloneWhenTheReadsFailToo) {
  Project project;
  ASSERT_TRUE(
      RunPodform(project.Args({"apply", "--auto-approve"})).code == 0);
  // The sandbox exists, so RunPod and the state are read beside the
  // config; the state is unreadable, which the plan would report.
  ASSERT_TRUE(WriteFileAtomically(project.lock(), "{not json").ok());
  ASSERT_TRUE(WriteFileAtomically(project.config(), kBroken).ok());
  for (const char* api : {"rest", "graphql"}) {
    CliRun run =
        RunPodform(project.Args({std::string("--api=") + api, "plan"}));
    EXPECT_EQ(run.code, 1) << api;
    EXPECT_EQ(run.err, BrokenErrors(project)) << api;
  }
  // With the config mended, the same unreadable state is the error.
  ASSERT_TRUE(WriteFileAtomically(project.config(), kOneVolume).ok());
  CliRun run = RunPodform(project.Args({"plan"}));
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("sandbox.lock")) << run.err;
}

TEST(EarlyReadsTest, ANoOpPlanIsTheSameOverEitherApi) {
  Project project;
  ASSERT_EQ(RunPodform(project.Args({"apply", "--auto-approve"})).code, 0);
  for (const char* api : {"rest", "graphql"}) {
    CliRun run = RunPodform(project.Args(
        {std::string("--api=") + api, "plan", "--detailed-exitcode"}));
    EXPECT_EQ(run.code, 0) << api << run.err;
    EXPECT_THAT(run.out, HasSubstr("No changes.")) << api << run.out;
    EXPECT_EQ(run.err, "") << api;
  }
}

// Over GraphQL RunPod is read early only for a config that cannot declare
// endpoints (those are refused before anything is read).
TEST(EarlyReadsTest, OverGraphQlOnlyConfigsWithoutEndpointsAreReadEarly) {
  EXPECT_FALSE(MayDeclareEndpoints(kOneVolume));
  EXPECT_FALSE(MayDeclareEndpoints(kBroken));
  EXPECT_FALSE(MayDeclareEndpoints("version: 1\npods:\n  a: {image: 'x'}\n"));
  EXPECT_TRUE(MayDeclareEndpoints("version: 1\nendpoints:\n  e: {}\n"));
  EXPECT_TRUE(MayDeclareEndpoints("{version: 1, \"endpoints\": {}}"));
  // Spelled with an escape, or not at all but with a backslash somewhere.
  EXPECT_TRUE(MayDeclareEndpoints("version: 1\n\"\\x65ndpoints\": {}\n"));
  EXPECT_TRUE(MayDeclareEndpoints("version: 1\n\"endpo\\\n  ints\": {}\n"));
  EXPECT_TRUE(MayDeclareEndpoints("pods:\n  a: {args: 'a\\b'}\n"));
}

}  // namespace
}  // namespace podform::testing
