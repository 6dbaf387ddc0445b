#include "reconciler/core/target.h"

#include "gtest/gtest.h"

namespace podform {
namespace {

TEST(NormalizeEndpointTest, OneSpellingPerEndpoint) {
  EXPECT_EQ(NormalizeEndpoint("https://api.runpod.io/graphql"),
            "https://api.runpod.io/graphql");
  EXPECT_EQ(NormalizeEndpoint("HTTPS://API.RunPod.io:443/graphql/"),
            "https://api.runpod.io/graphql");
  EXPECT_EQ(NormalizeEndpoint("http://127.0.0.1:80/graphql?x=1#f"),
            "http://127.0.0.1/graphql");
  EXPECT_EQ(NormalizeEndpoint("http://user:pw@127.0.0.1:8787/graphql"),
            "http://127.0.0.1:8787/graphql");
  EXPECT_EQ(NormalizeEndpoint("https://rest.runpod.io/v1/"),
            "https://rest.runpod.io/v1");
  EXPECT_EQ(NormalizeEndpoint("not a url"), "not a url");
}

TEST(SandboxEndpointTest, NamesTheDataFileAbsolutely) {
  EXPECT_EQ(SandboxEndpoint("/tmp/a/../rp.json"), "sandbox:/tmp/rp.json");
  EXPECT_EQ(SandboxEndpoint("/tmp/rp.json"), "sandbox:/tmp/rp.json");
}

TEST(CheckSameTargetTest, AnOldFileWithoutATargetIsAccepted) {
  EXPECT_TRUE(CheckSameTarget({}, {"https://api.runpod.io/graphql", "user_1"},
                              "podform.lock")
                  .ok());
}

TEST(CheckSameTargetTest, TheAccountDecidesWhenBothAreKnown) {
  // A sandbox server restarted on another port: the same account.
  EXPECT_TRUE(CheckSameTarget({"http://127.0.0.1:4000/graphql", "user_1"},
                              {"http://127.0.0.1:5000/graphql", "user_1"},
                              "podform.lock")
                  .ok());
  absl::Status other = CheckSameTarget(
      {"sandbox:/w/.podform/sandbox.json", "user_sand"},
      {"https://api.runpod.io/graphql", "user_real"}, "the saved plan t.plan");
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(other.message(),
            "the saved plan t.plan belongs to account user_sand at "
            "sandbox:/w/.podform/sandbox.json, but this run talks to account "
            "user_real at https://api.runpod.io/graphql; refusing to use it "
            "there (pass the --endpoint or --sandbox it was made with, or use "
            "another --state)");
}

TEST(CheckSameTargetTest, TheEndpointDecidesWithoutAnAccount) {
  EXPECT_TRUE(CheckSameTarget({"https://rest.runpod.io/v1", ""},
                              {"https://rest.runpod.io/v1", ""}, "x")
                  .ok());
  absl::Status other =
      CheckSameTarget({"https://rest.runpod.io/v1", ""},
                      {"https://api.runpod.io/graphql", "user_1"}, "x");
  EXPECT_EQ(other.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(other.message(),
            "x belongs to https://rest.runpod.io/v1, but this run talks to "
            "account user_1 at https://api.runpod.io/graphql; refusing to use "
            "it there (pass the --endpoint or --sandbox it was made with, or "
            "use another --state)");
}

// REST v2 and GraphQL are two APIs of one RunPod service: a lock file
// written over one is at home over the other, and nowhere else.
TEST(CheckSameTargetTest, OneServiceAnswersBothApis) {
  const Target graphql{"https://api.runpod.io/graphql", "user_1"};
  const Target rest{"https://api.runpod.io/v2", ""};
  EXPECT_TRUE(CheckSameTarget(graphql, rest, "x").ok());
  EXPECT_TRUE(CheckSameTarget(rest, graphql, "x").ok());
  EXPECT_TRUE(CheckSameTarget(Target{"http://127.0.0.1:8787/v2", ""},
                              Target{"http://127.0.0.1:8787/graphql", ""}, "x")
                  .ok());
  EXPECT_EQ(CheckSameTarget(rest, Target{"http://127.0.0.1:8787/v2", ""}, "x")
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckSameTarget(Target{"https://proxy.example/v2x", ""},
                            Target{"https://proxy.example/graphql", ""}, "x")
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace podform
