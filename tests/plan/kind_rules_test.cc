#include "reconciler/plan/kind_rules.h"

#include <map>
#include <set>

#include "gtest/gtest.h"

namespace podform::plan_internal {
namespace {

TEST(KindRulesTest, EveryKindHasItsOwnRules) {
  for (Kind kind : {Kind::kVolume, Kind::kPod, Kind::kEndpoint}) {
    EXPECT_EQ(RulesFor(kind).kind(), kind) << KindName(kind);
  }
}

TEST(KindRulesTest, OnlyVolumesAreMountedByOthers) {
  EXPECT_TRUE(RulesFor(Kind::kVolume).MountedByOthers());
  EXPECT_FALSE(RulesFor(Kind::kPod).MountedByOthers());
  EXPECT_FALSE(RulesFor(Kind::kEndpoint).MountedByOthers());
}

class DeposedTest : public ::testing::Test {
 protected:
  Change Deposed(const std::string& id) {
    Change c;
    c.address = {Kind::kPod, "trainer"};
    c.action = Action::kDelete;
    c.deposed_id = id;
    Resource before;
    before.address = c.address;
    before.pod.gpu_type = "NVIDIA NO SUCH GPU";
    before.pod.gpu_count = 1;
    c.before = before;
    return c;
  }

  Desired desired_;
  State prior_;
  LiveState live_;
  PlanOptions options_;
  std::map<Address, Entry> entries_;
};

TEST_F(DeposedTest, ADeposedPodGoneFromRunPodIsOnlyForgotten) {
  const LiveIndex index(live_);
  const PlanContext context{desired_, prior_, index, options_, entries_};
  Change c = Deposed("old");
  Cost cost;
  RulesFor(Kind::kPod).PlanDeposed(context, c, &cost);
  EXPECT_EQ(c.id, "");
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_EQ(c.reasons[0],
            "deposed pod already gone from RunPod; only its lock file entry "
            "is removed");
  EXPECT_EQ(cost, Cost{});
}

TEST_F(DeposedTest, ARunningDeposedPodIsTerminatedAndBilledUntilThen) {
  live_.pods.resize(1);
  live_.pods[0].id = "old";
  live_.pods[0].spec.name = "trainer";
  live_.pods[0].status = PodStatus::kRunning;
  const LiveIndex index(live_);
  const PlanContext context{desired_, prior_, index, options_, entries_};
  Change c = Deposed("old");
  Cost cost;
  RulesFor(Kind::kPod).PlanDeposed(context, c, &cost);
  EXPECT_EQ(c.id, "old");
  EXPECT_FALSE(c.live_fingerprint.empty());
  ASSERT_EQ(c.reasons.size(), 1u);
  EXPECT_EQ(c.reasons[0],
            "deposed: a replacement created its successor but did not "
            "terminate it; it is still on RunPod and billed");
  // The GPU type has no price: the pod is named instead of summed.
  EXPECT_EQ(cost.pods_hourly_before, 0);
  EXPECT_EQ(cost.unpriced_pods, std::vector<Address>{c.address});
}

}  // namespace
}  // namespace podform::plan_internal
