// `podform --version` and `podform version`: the version, the commit the
// binary was built from, and the RunPod API it speaks by default.

#include <stdio.h>

#include <string>

#include "gtest/gtest.h"
#include "tests/cli/cli_test_util.h"

namespace podform {
namespace {

using testing::CliRun;
using testing::RunPodform;

// What the build read: the source tree's HEAD, or "unknown" outside git.
std::string SourceCommit() {
  FILE* git = ::popen("git -C '" PODFORM_SOURCE_DIR
                      "' rev-parse --short=12 HEAD 2>/dev/null",
                      "r");
  if (git == nullptr) return "unknown";
  std::string out;
  char buffer[256];
  while (::fgets(buffer, sizeof(buffer), git) != nullptr) out += buffer;
  if (::pclose(git) != 0 || out.empty()) return "unknown";
  out.pop_back();  // the newline
  return out;
}

TEST(VersionTest, NamesTheVersionTheCommitAndTheDefaultApi) {
  const std::string expected =
      "podform " PODFORM_VERSION "\ncommit " + SourceCommit() +
      "\ndefault API: RunPod REST v2 (https://api.runpod.io/v2); --api "
      "graphql for the legacy GraphQL API\n";
  CliRun command = RunPodform({"version"});
  EXPECT_EQ(command.code, 0);
  EXPECT_EQ(command.out, expected);
  EXPECT_EQ(command.err, "");
  CliRun flag = RunPodform({"--version"});
  EXPECT_EQ(flag.code, 0);
  EXPECT_EQ(flag.out, expected);
  EXPECT_EQ(flag.err, "");
}

}  // namespace
}  // namespace podform
