#include "reconciler/plan/steps.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::ElementsAre;

Change Make(Action action, Address address, std::vector<Address> deps = {},
            std::vector<Address> destroy_deps = {}) {
  Change c;
  c.action = action;
  c.address = std::move(address);
  c.depends_on = std::move(deps);
  c.destroy_depends_on = std::move(destroy_deps);
  return c;
}

std::vector<std::string> Names(const std::vector<Change>& changes,
                               const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const Step& s : steps) {
    out.push_back((s.phase == Phase::kDestroy ? "destroy " : "create ") +
                  changes[s.change].address.ToString());
  }
  return out;
}

TEST(ExecutionStepsTest, DestroysFirstPodsBeforeVolumesThenCreates) {
  std::vector<Change> changes = {
      Make(Action::kCreate, Vol("new")),
      Make(Action::kDelete, Vol("old"), {}, {PodAt("a")}),
      Make(Action::kNoOp, Vol("same")),
      Make(Action::kDelete, PodAt("a")),
      Make(Action::kCreate, PodAt("b"), {Vol("new")}),
      Make(Action::kStop, PodAt("c")),
  };
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(changes);
  ASSERT_TRUE(steps.ok()) << steps.status();
  EXPECT_THAT(Names(changes, *steps),
              ElementsAre("destroy pod.a", "destroy volume.old",
                          "create volume.new", "create pod.b", "create pod.c"));
  EXPECT_THAT((*steps)[1].after, ElementsAre(0u));
  EXPECT_THAT((*steps)[3].after, ElementsAre(2u));
  EXPECT_THAT((*steps)[4].after, ElementsAre());
}

TEST(ExecutionStepsTest, DependenciesOnNoOpsImposeNothing) {
  std::vector<Change> changes = {
      Make(Action::kNoOp, Vol("models")),
      Make(Action::kCreate, PodAt("a"), {Vol("models")}),
  };
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(changes);
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 1u);
  EXPECT_THAT((*steps)[0].after, ElementsAre());
}

TEST(ExecutionStepsTest, CreateFirstReplaceTerminatesTheOldPodLast) {
  Change replace = Make(Action::kReplace, PodAt("a"), {Vol("models")});
  replace.replace_order = ReplaceOrder::kCreateFirst;
  Change deposed = Make(Action::kDelete, PodAt("a"));
  deposed.deposed_id = "pod-0";
  std::vector<Change> changes = {
      Make(Action::kUpdate, Vol("models")),
      replace,
      deposed,
      // The volume goes after every pod of pod.b, the deposed one included.
      Make(Action::kDelete, Vol("old"), {}, {PodAt("b")}),
      Make(Action::kDelete, PodAt("b")),
  };
  changes.push_back(changes[2]);
  changes.back().address = PodAt("b");
  changes.back().deposed_id = "pod-9";
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(changes);
  ASSERT_TRUE(steps.ok()) << steps.status();
  EXPECT_THAT(Names(changes, *steps),
              ElementsAre("destroy pod.a", "destroy pod.b", "destroy pod.b",
                          "destroy volume.old", "create volume.models",
                          "create pod.a", "destroy pod.a"));
  EXPECT_EQ((*steps)[0].change, 2u);  // the deposed pod of pod.a
  EXPECT_THAT((*steps)[3].after, ElementsAre(1u, 2u));
  // The new pod after the volume and the deposed pod; the old pod after it.
  EXPECT_THAT((*steps)[5].after, ElementsAre(0u, 4u));
  EXPECT_EQ((*steps)[6].change, 1u);
  EXPECT_THAT((*steps)[6].after, ElementsAre(5u));

  // Destroy-first (the default of a Change): terminate, then create.
  replace.replace_order = ReplaceOrder::kDestroyFirst;
  absl::StatusOr<std::vector<Step>> first =
      ExecutionSteps({Make(Action::kUpdate, Vol("models")), replace});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Names({Make(Action::kUpdate, Vol("models")), replace}, *first),
              ElementsAre("destroy pod.a", "create volume.models",
                          "create pod.a"));
}

TEST(ExecutionStepsTest, RejectsBadDeposedChanges) {
  Change deposed = Make(Action::kDelete, PodAt("a"));
  deposed.deposed_id = "pod-0";
  absl::StatusOr<std::vector<Step>> twice = ExecutionSteps({deposed, deposed});
  EXPECT_EQ(twice.status().message(),
            "pod.a: deposed pod pod-0 appears twice in the plan");
  deposed.action = Action::kStop;
  EXPECT_EQ(ExecutionSteps({deposed}).status().message(),
            "pod.a: deposed pod pod-0 can only be deleted");
}

TEST(ExecutionStepsTest, RejectsDanglingDuplicateAndCyclicDependencies) {
  absl::StatusOr<std::vector<Step>> dangling =
      ExecutionSteps({Make(Action::kCreate, PodAt("a"), {Vol("ghost")})});
  EXPECT_EQ(dangling.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(dangling.status().message(),
            "pod.a: depends on volume.ghost, which has no change in the plan");

  absl::StatusOr<std::vector<Step>> twice = ExecutionSteps(
      {Make(Action::kCreate, PodAt("a")), Make(Action::kCreate, PodAt("a"))});
  EXPECT_EQ(twice.status().message(), "pod.a: appears twice in the plan");

  absl::StatusOr<std::vector<Step>> cycle =
      ExecutionSteps({Make(Action::kCreate, PodAt("a"), {PodAt("b")}),
                      Make(Action::kCreate, PodAt("b"), {PodAt("a")})});
  EXPECT_EQ(cycle.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(cycle.status().message(),
            "the plan's dependencies form a cycle among pod.a, pod.b");
}

}  // namespace
}  // namespace podform::testing
