// One owner per sandbox data file (issue 11, item 7): whoever opens it holds
// an exclusive lock on it while it runs, and a second owner fails at once,
// naming the first.

#include <unistd.h>

#include <regex>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/store.h"
#include "reconciler/util/file.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using testing::MakeTempDir;

absl::StatusOr<std::unique_ptr<SandboxStore>> OpenAs(const std::string& path,
                                                     const std::string& owner) {
  StoreOptions options;
  options.path = path;
  options.seed = 7;
  options.owner = owner;
  return SandboxStore::Open(std::move(options));
}

TEST(DataFileLockTest, ASecondOwnerFailsAtOnceNamingTheFirst) {
  const std::string path = MakeTempDir() + "/sandbox.json";
  absl::StatusOr<std::unique_ptr<SandboxStore>> first =
      OpenAs(path, "podform sandbox serve");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ((*first)->lock_path(), path + ".flock");
  // The holder record: who, where, since when.
  nlohmann::json holder = nlohmann::json::parse(*ReadFile(path + ".flock"));
  EXPECT_EQ(holder["pid"], ::getpid());
  EXPECT_EQ(holder["command"], "podform sandbox serve");

  absl::StatusOr<std::unique_ptr<SandboxStore>> second =
      OpenAs(path, "podform plan --sandbox");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(std::regex_match(
      std::string(second.status().message()),
      std::regex(path + " is locked by pid " + std::to_string(::getpid()) +
                 " on host \".*\" running \"podform sandbox serve\" since "
                 "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ")))
      << second.status();

  // Released with its owner; the record is emptied.
  first->reset();
  EXPECT_EQ(*ReadFile(path + ".flock"), "");
  absl::StatusOr<std::unique_ptr<SandboxStore>> third =
      OpenAs(path, "podform apply --sandbox");
  EXPECT_TRUE(third.ok()) << third.status();
}

}  // namespace
}  // namespace podform::sandbox
