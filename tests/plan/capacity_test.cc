// Warnings of pods a plan creates where RunPod has no GPUs for them
// (reconciler/plan/capacity.h).

#include "reconciler/plan/capacity.h"

#include <map>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/plan/planner.h"
#include "tests/plan/fixtures.h"

namespace podform::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

Plan PlanOf(const World& w) {
  absl::StatusOr<Plan> plan = MakePlan(w.Loaded(), w.state, w.live, {});
  EXPECT_TRUE(plan.ok()) << plan.status();
  return plan.ok() ? *plan : Plan{};
}

GpuAvailability Available(const std::string& gpu,
                          std::set<std::string> data_centers) {
  GpuAvailability availability;
  availability.data_centers[gpu] = std::move(data_centers);
  return availability;
}

TEST(CapacityTest, APlanThatCreatesNoPodChecksNothing) {
  World w;
  w.Converged(MakeVolume("data", 100), "vol-1");
  w.Converged(MakePod("train", "data"), "pod-1");
  DesiredVolume grown = MakeVolume("data", 200);
  w.Desire(grown);
  Plan plan = PlanOf(w);
  EXPECT_THAT(CloudTypesToCheck(plan), IsEmpty());
  EXPECT_THAT(CapacityWarnings(plan, {{"SECURE", Available(kA100, {})}}),
              IsEmpty());
}

TEST(CapacityTest, CreatesAndReplacesOfEachCloudTypeAreChecked) {
  World w;
  w.Desire(MakeVolume("data", 100));
  w.Desire(MakePod("train", "data"));
  DesiredPod community = MakePod("spot", "");
  community.spec.cloud_type = "COMMUNITY";
  community.spec.data_center.clear();
  community.spec.gpu_type = kH100;
  w.Desire(community);
  Plan plan = PlanOf(w);
  EXPECT_THAT(CloudTypesToCheck(plan), ElementsAre("COMMUNITY", "SECURE"));

  std::map<std::string, GpuAvailability> none = {
      {"SECURE", Available(kA100, {"US-TX-3"})},
      {"COMMUNITY", Available(kH100, {})}};
  EXPECT_THAT(
      CapacityWarnings(plan, none),
      ElementsAre(
          "pod.spot: RunPod reports no NVIDIA H100 80GB HBM3 available for "
          "Community Cloud pods in any data center right now; the create may "
          "fail for lack of capacity",
          "pod.train: RunPod reports no NVIDIA A100 80GB PCIe available for "
          "Secure Cloud pods in EU-RO-1 right now; the create may fail for "
          "lack of capacity"));

  std::map<std::string, GpuAvailability> some = {
      {"SECURE", Available(kA100, {"EU-RO-1"})},
      {"COMMUNITY", Available(kH100, {"CA-MTL-1"})}};
  EXPECT_THAT(CapacityWarnings(plan, some), IsEmpty());
}

TEST(CapacityTest, AReplacementSaysWhichPodGoesFirst) {
  World w;
  w.Converged(MakeVolume("data", 100), "vol-1");
  w.Converged(MakePod("train", "data"), "pod-1");
  DesiredPod h100 = MakePod("train", "data");
  h100.spec.gpu_type = kH100;
  w.Desire(h100);
  // Create-first, the default: the old pod stays when the create fails.
  EXPECT_THAT(
      CapacityWarnings(PlanOf(w), {{"SECURE", Available(kH100, {"US-TX-3"})}}),
      ElementsAre("pod.train: RunPod reports no NVIDIA H100 80GB HBM3 "
                  "available for Secure Cloud pods in EU-RO-1 right now; the "
                  "replacement creates the new pod first and may fail for "
                  "lack of capacity; the old pod then keeps running"));
  // `replace: destroy-first`: the old pod is gone by then.
  h100.destroy_first = true;
  w.Desire(h100);
  EXPECT_THAT(
      CapacityWarnings(PlanOf(w), {{"SECURE", Available(kH100, {"US-TX-3"})}}),
      ElementsAre("pod.train: RunPod reports no NVIDIA H100 80GB HBM3 "
                  "available for Secure Cloud pods in EU-RO-1 right now; the "
                  "replacement terminates the old pod first and may then fail "
                  "for lack of capacity"));
}

TEST(CapacityTest, UnlistedGpuTypesAndUnreadCloudTypesAreNotJudged) {
  World w;
  w.Desire(MakeVolume("data", 100));
  w.Desire(MakePod("train", "data"));
  Plan plan = PlanOf(w);
  EXPECT_THAT(CapacityWarnings(plan, {}), IsEmpty());
  EXPECT_THAT(CapacityWarnings(plan, {{"SECURE", Available(kH100, {})}}),
              IsEmpty());
}

}  // namespace
}  // namespace podform::testing
