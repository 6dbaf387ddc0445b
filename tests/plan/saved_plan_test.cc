#include "reconciler/plan/saved_plan.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/plan/planner.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

const SavedPlanSources kSources = {"podform.yaml", "podform.lock"};

std::string StaleMessage(const std::string& why) {
  return "the saved plan is stale: " + why +
         ". Nothing was changed; run podform plan again";
}

// A world where pod.trainer (pod-1, with the secret HF_TOKEN) runs as
// declared, and the config now asks for a new image: an update.
World Updating() {
  World w;
  w.Converged(MakePod("trainer", ""), "pod-1");
  w.config.pods["trainer"].spec.image = "runpod/pytorch:2.5.0";
  return w;
}

Plan MustPlan(const World& w) {
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

TEST(SavedPlanTest, APlanWhoseInputsHaveNotMovedHoldsAndGivesTheStoredState) {
  World w = Updating();
  Plan plan = MustPlan(w);
  ASSERT_EQ(plan.changes.size(), 1u);
  ASSERT_EQ(plan.changes[0].action, Action::kUpdate);
  absl::StatusOr<State> state =
      CheckSavedPlan(plan, w.Loaded(), w.state, w.live, kSources);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(*state, w.state);
}

TEST(SavedPlanTest, AChangedConfigIsStale) {
  World w = Updating();
  Plan plan = MustPlan(w);
  w.config.digest = std::string(64, 'd');
  absl::StatusOr<State> state =
      CheckSavedPlan(plan, w.Loaded(), w.state, w.live, kSources);
  EXPECT_EQ(state.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(state.status().message(),
            StaleMessage("podform.yaml changed since the plan was made"));
}

TEST(SavedPlanTest, AStateOfAnotherLineageOrSerialIsStale) {
  World w = Updating();
  Plan plan = MustPlan(w);
  State other = w.state;
  other.lineage = "another";
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), other, w.live, kSources)
                .status()
                .message(),
            StaleMessage("podform.lock is another lineage than the plan's"));
  State moved = w.state;
  moved.serial = 8;
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), moved, w.live, kSources)
                .status()
                .message(),
            StaleMessage("podform.lock moved from serial 7 to 8 since the "
                         "plan was made"));
}

TEST(SavedPlanTest, WithoutAStateThenAndNowANewOneOfThePlansLineageIsGiven) {
  World w;
  w.Desire(MakeVolume("models", 100));
  w.state = State{};
  w.state.lineage = kLineage;
  Plan plan = MustPlan(w);
  ASSERT_EQ(plan.serial, 0);
  absl::StatusOr<State> state = CheckSavedPlan(
      plan, w.Loaded(), absl::NotFoundError("no lock file"), w.live, kSources);
  ASSERT_TRUE(state.ok()) << state.status();
  State expected;
  expected.lineage = kLineage;
  EXPECT_EQ(*state, expected);
}

TEST(SavedPlanTest, AStateThatDisappearedIsStaleAndAnotherErrorIsReturned) {
  World w = Updating();
  Plan plan = MustPlan(w);
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), absl::NotFoundError("gone"),
                           w.live, kSources)
                .status()
                .message(),
            StaleMessage("podform.lock has disappeared since the plan was "
                         "made"));
  const absl::Status denied = absl::PermissionDeniedError("cannot read");
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), denied, w.live, kSources).status(),
            denied);
}

TEST(SavedPlanTest, ALiveResourceThatChangedIsStale) {
  World w = Updating();
  Plan plan = MustPlan(w);
  w.LivePodWithId("pod-1").spec.image = "someone/else:1";
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), w.state, w.live, kSources)
                .status()
                .message(),
            StaleMessage("pod.trainer (pod-1) changed on RunPod since the "
                         "plan was made"));
}

TEST(SavedPlanTest, ASecretTheConfigNoLongerDeclaresIsStale) {
  World w = Updating();
  Plan plan = MustPlan(w);
  // The digest is the plan's: only the secret marker went.
  w.config.pods["trainer"].secret_env.clear();
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), w.state, w.live, kSources)
                .status()
                .message(),
            StaleMessage("pod.trainer: secret env HF_TOKEN is no longer "
                         "declared in the configuration"));
}

// The plan decided that HF_TOKEN's value is RunPod's; the environment now
// gives another (which no digest can show), so the decision no longer holds.
TEST(SavedPlanTest, ASecretThatNoLongerComparesAsItDidIsStale) {
  World w = Updating();
  Plan plan = MustPlan(w);
  ASSERT_TRUE(plan.changes[0].secret_env_changes.empty());
  w.config.pods["trainer"].spec.env["HF_TOKEN"] = "hf_rotated";
  EXPECT_EQ(CheckSavedPlan(plan, w.Loaded(), w.state, w.live, kSources)
                .status()
                .message(),
            StaleMessage("pod.trainer: secret env HF_TOKEN no longer compares "
                         "with the value RunPod holds as it did when the plan "
                         "was made (the environment or the pod changed)"));
}

TEST(SavedPlanTest, SecretValuesToSendAreTheConfigsRawValues) {
  World w = Updating();
  Plan plan = MustPlan(w);
  absl::StatusOr<std::map<std::string, std::string>> values =
      SecretValuesToSend(w.config, w.Secrets(), plan.changes[0]);
  ASSERT_TRUE(values.ok()) << values.status();
  EXPECT_EQ(*values,
            (std::map<std::string, std::string>{{"HF_TOKEN", kSecret}}));
}

}  // namespace
}  // namespace podform::testing
