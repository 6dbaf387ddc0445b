// The plan's guards and costs (docs/GUARDS.md): access: on a pod's mount,
// several writers of one volume with pods podform does not manage, and the
// cost lines against RunPod's price list.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/planner.h"
#include "reconciler/plan/render.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const Change& ChangeAt(const Plan& plan, const Address& address) {
  for (const Change& c : plan.changes) {
    if (c.address == address) return c;
  }
  static const Change none;
  ADD_FAILURE() << "no change for " << address.ToString();
  return none;
}

// volume.models (vol-1) and pod.a (pod-1) mounting it, converged.
World Converged() {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  w.Converged(MakePod("a", "models"), "pod-1");
  return w;
}

// A live pod the lock file does not know, mounting vol-1.
LivePod Stranger(PodStatus status = PodStatus::kRunning) {
  LivePod pod;
  pod.id = "pod-x";
  pod.spec.name = "scratch";
  pod.spec.network_volume_id = "vol-1";
  pod.status = status;
  return pod;
}

constexpr char kStrangerWarning[] =
    "volume.models has 2 read-write mounters: pod.a, unmanaged pod pod-x "
    "\"scratch\"; files written by several at once are corrupted (a network "
    "volume has no file locking): give each writer its own directory on the "
    "volume and mount it read-only everywhere else (access: read-only); a "
    "pod podform does not manage counts as read-write (podform cannot know "
    "its access)";

TEST(AccessPlanTest, ChangingOnlyAccessIsAnUpdateThatApplyOnlyRecords) {
  World w = Converged();
  w.config.pods["a"].read_only = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  const Change& c = ChangeAt(*plan, PodAt("a"));
  EXPECT_EQ(c.action, Action::kUpdate);
  EXPECT_THAT(c.reasons,
              ElementsAre("access read-write -> read-only (recorded in the "
                          "lock file only; RunPod does not enforce it)"));
  EXPECT_THAT(c.replace_attributes, IsEmpty());
  ASSERT_TRUE(c.after.has_value());
  EXPECT_TRUE(c.after->read_only);
  EXPECT_FALSE(c.before->read_only);
  // Only podform's record differs; RunPod's pod is the same.
  EXPECT_EQ(c.before->pod, c.after->pod);
  EXPECT_THAT(RenderText(*plan, false),
              HasSubstr("      + access: \"read-only\"\n"));

  // And back: recorded read-only, declared read-write (the default).
  World back = Converged();
  back.state.resources[PodAt("a")].resource.read_only = true;
  plan = MakePlan(back.Loaded(), back.state, back.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(ChangeAt(*plan, PodAt("a")).action, Action::kUpdate);
  EXPECT_THAT(ChangeAt(*plan, PodAt("a")).reasons,
              ElementsAre("access read-only -> read-write (recorded in the "
                          "lock file only; RunPod does not enforce it)"));
}

TEST(AccessPlanTest, AnUnchangedAccessIsNoChange) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  DesiredPod pod = MakePod("a", "models");
  pod.read_only = true;
  w.Converged(pod, "pod-1");
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(ChangeAt(*plan, PodAt("a")).action, Action::kNoOp);
}

TEST(AccessPlanTest, AccessSurvivesAPlanFile) {
  World w = Converged();
  w.config.pods["a"].read_only = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  absl::StatusOr<Plan> read = ParsePlanFile(SerializePlanFile(*plan));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, *plan);
  EXPECT_TRUE(ChangeAt(*read, PodAt("a")).after->read_only);
}

TEST(WritersPlanTest, AnUnmanagedLivePodOnAManagedVolumeIsAWriter) {
  World w = Converged();
  w.live.pods.push_back(Stranger());
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->warnings, ElementsAre(kStrangerWarning));
  EXPECT_THAT(RenderJson(*plan)["warnings"],
              ::testing::Contains(nlohmann::json(kStrangerWarning)));
}

TEST(WritersPlanTest, StrictMakesItAnErrorFromTheFlagOrTheConfig) {
  World w = Converged();
  w.live.pods.push_back(Stranger());
  PlanOptions strict;
  strict.strict = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, strict);
  ASSERT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(plan.status().message(),
            std::string(kStrangerWarning) +
                " (an error with --strict or guards.strict)");

  w.config.guards.strict = true;
  plan = MakePlan(w.Loaded(), w.state, w.live, {});
  EXPECT_EQ(plan.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(WritersPlanTest, OneWriterWhenTheManagedPodIsReadOnly) {
  World w;
  w.Converged(MakeVolume("models", 100), "vol-1");
  DesiredPod pod = MakePod("a", "models");
  pod.read_only = true;
  w.Converged(pod, "pod-1");
  w.live.pods.push_back(Stranger());
  PlanOptions strict;
  strict.strict = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, strict);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->warnings, IsEmpty());
}

TEST(WritersPlanTest, TerminatedOrOtherVolumePodsDoNotCount) {
  World w = Converged();
  w.live.pods.push_back(Stranger(PodStatus::kTerminated));
  LivePod elsewhere = Stranger();
  elsewhere.id = "pod-y";
  elsewhere.spec.network_volume_id = "vol-other";
  w.live.pods.push_back(elsewhere);
  PlanOptions strict;
  strict.strict = true;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, strict);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->warnings, IsEmpty());
}

TEST(WritersPlanTest, ConfigPodsAloneAreLeftToTheConfigsWarning) {
  // Two managed read-write pods: the config loader warns (with where they
  // are); the plan does not say it twice.
  World w = Converged();
  w.Converged(MakePod("b", "models"), "pod-2");
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->warnings, IsEmpty());
}

TEST(CostTest, StandardVolumesAtTheTieredPrice) {
  World w;
  w.Desire(MakeVolume("small", 100));
  w.Desire(MakeVolume("big", 1500));
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  // 100 x 0.07 + (1000 x 0.07 + 500 x 0.05).
  EXPECT_DOUBLE_EQ(plan->cost.storage_monthly_after, 7.0 + 95.0);
  EXPECT_THAT(plan->cost.unpriced_volumes, IsEmpty());
}

TEST(CostTest, HighPerformanceVolumesHaveNoPublishedPrice) {
  World w;
  w.Desire(MakeVolume("small", 100));
  DesiredVolume fast = MakeVolume("fast", 500);
  fast.spec.type = "HIGH_PERFORMANCE";
  w.Desire(fast);
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_DOUBLE_EQ(plan->cost.storage_monthly_after, 7.0);
  EXPECT_THAT(plan->cost.unpriced_volumes, ElementsAre(Vol("fast")));

  const std::string text = RenderText(*plan, false);
  EXPECT_THAT(text, HasSubstr("Storage: $0.00/month -> $7.00/month "
                              "(volume.fast: price not published)\n"));
  EXPECT_THAT(text, HasSubstr("Prices as of 2026-12 (RunPod's published "
                              "list); volumes bill hourly whether or not a "
                              "pod runs; a stopped pod costs no GPU time.\n"));
  nlohmann::json cost = RenderJson(*plan)["cost"];
  EXPECT_EQ(cost["unpriced_volumes"], nlohmann::json({"volume.fast"}));
  EXPECT_EQ(cost["prices_as_of"], "2026-12");
  EXPECT_EQ(cost["storage_monthly_after"], 7.0);
  EXPECT_THAT(RenderMarkdown(*plan),
              HasSubstr("\nStorage leaves out volume.fast: price not "
                        "published.\n"));

  // A plan file keeps which volumes are unpriced.
  absl::StatusOr<Plan> read = ParsePlanFile(SerializePlanFile(*plan));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->cost, plan->cost);
}

TEST(CostTest, PodsOfGpuTypesWithoutAPublishedPriceAreNamedNotPricedAtZero) {
  // A B200 is in RunPod's catalog with no published price; "NVIDIA X9" is
  // in no catalog. Neither counts $0: both are named, the A100 is priced.
  World w = Converged();
  DesiredPod big = MakePod("big", "");
  big.spec.gpu_type = "NVIDIA B200";
  big.spec.gpu_count = 2;
  w.Desire(big);
  DesiredPod odd = MakePod("odd", "");
  odd.spec.gpu_type = "NVIDIA X9";
  w.Desire(odd);
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_DOUBLE_EQ(plan->cost.pods_hourly_before, 1.64);
  EXPECT_DOUBLE_EQ(plan->cost.pods_hourly_after, 1.64);
  EXPECT_THAT(plan->cost.unpriced_pods, ElementsAre(PodAt("big"), PodAt("odd")));
  EXPECT_THAT(plan->cost.unpriced_volumes, IsEmpty());

  EXPECT_THAT(RenderText(*plan, false),
              HasSubstr("Pods: $1.64/hour -> $1.64/hour (pod.big, pod.odd: "
                        "price not published)\n"));
  nlohmann::json json = RenderJson(*plan);
  EXPECT_EQ(json["format_version"], 6);
  EXPECT_EQ(json["cost"]["unpriced_pods"],
            nlohmann::json({"pod.big", "pod.odd"}));
  EXPECT_EQ(json["cost"]["unpriced_volumes"], nlohmann::json::array());
  EXPECT_EQ(json["cost"]["pods_hourly_after"], 1.64);
  EXPECT_THAT(RenderMarkdown(*plan),
              HasSubstr("\nPods leave out pod.big, pod.odd: price not "
                        "published.\n"));

  // A plan file keeps which pods are unpriced.
  absl::StatusOr<Plan> read = ParsePlanFile(SerializePlanFile(*plan));
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->cost, plan->cost);

  // Stopped, an unpriced pod costs no GPU time and is not named.
  w.config.pods["big"].spec.running = false;
  w.config.pods["odd"].spec.running = false;
  plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_THAT(plan->cost.unpriced_pods, IsEmpty());
  nlohmann::json priced = RenderJson(*plan)["cost"];
  EXPECT_EQ(priced["unpriced_pods"], nlohmann::json::array());
  EXPECT_THAT(RenderText(*plan, false), Not(HasSubstr("price not published")));
}

TEST(CostTest, AStoppedPodCostsNoGpuTime) {
  // Declared running, EXITED live: nothing now, the A100 once resumed.
  World w = Converged();
  w.LivePodWithId("pod-1").status = PodStatus::kExited;
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(ChangeAt(*plan, PodAt("a")).action, Action::kResume);
  EXPECT_DOUBLE_EQ(plan->cost.pods_hourly_before, 0);
  EXPECT_DOUBLE_EQ(plan->cost.pods_hourly_after, 1.64);

  // Declared stopped: nothing after either; the volume still bills.
  w.config.pods["a"].spec.running = false;
  plan = MakePlan(w.Loaded(), w.state, w.live, {});
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_DOUBLE_EQ(plan->cost.pods_hourly_after, 0);
  EXPECT_DOUBLE_EQ(plan->cost.storage_monthly_after, 7.0);
  EXPECT_THAT(RenderText(*plan, false),
              Not(HasSubstr("price not published")));
}

}  // namespace
}  // namespace podform::testing
