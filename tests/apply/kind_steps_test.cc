#include "reconciler/apply/kind_steps.h"

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "gtest/gtest.h"

namespace podform::apply_internal {
namespace {

TEST(KindStepsTest, EveryKindHasItsOwnStepsOnce) {
  std::set<Kind> seen;
  for (const KindSteps* steps : ApplyKinds()) {
    EXPECT_TRUE(seen.insert(steps->kind()).second) << KindName(steps->kind());
  }
  for (Kind kind : {Kind::kVolume, Kind::kPod, Kind::kEndpoint}) {
    EXPECT_EQ(StepsFor(kind).kind(), kind) << KindName(kind);
  }
  EXPECT_EQ(seen.size(), 3u);
}

TEST(KindStepsTest, CreatesAreFoundByTheirNameAndWherePlacedTheirDataCenter) {
  Resource r;
  r.volume = {"models", 10, "EU-RO-1"};
  r.pod.name = "trainer";
  r.pod.data_center = "US-TX-3";
  r.endpoint.name = "infer";
  EXPECT_EQ(StepsFor(Kind::kVolume).CreatedName(r), "models");
  EXPECT_EQ(StepsFor(Kind::kVolume).CreatedDataCenter(r), "EU-RO-1");
  EXPECT_EQ(StepsFor(Kind::kPod).CreatedName(r), "trainer");
  EXPECT_EQ(StepsFor(Kind::kPod).CreatedDataCenter(r), "US-TX-3");
  EXPECT_EQ(StepsFor(Kind::kEndpoint).CreatedName(r), "infer");
  EXPECT_EQ(StepsFor(Kind::kEndpoint).CreatedDataCenter(r), "");
}

TEST(KindStepsTest, OnlyAPodStartingToRunIsWaitedFor) {
  Change change;
  change.action = Action::kCreate;
  change.after = Resource{};
  change.after->pod.running = true;
  EXPECT_TRUE(StepsFor(Kind::kPod).StartsPod(change, Phase::kCreate));
  EXPECT_FALSE(StepsFor(Kind::kPod).StartsPod(change, Phase::kDestroy));
  EXPECT_FALSE(StepsFor(Kind::kVolume).StartsPod(change, Phase::kCreate));
  EXPECT_FALSE(StepsFor(Kind::kEndpoint).StartsPod(change, Phase::kCreate));
  change.after->pod.running = false;
  EXPECT_FALSE(StepsFor(Kind::kPod).StartsPod(change, Phase::kCreate));
}

TEST(KindStepsTest, OnlyACreateFirstReplaceDeposesWhatItReplaces) {
  Change change;
  change.id = "old";
  change.action = Action::kReplace;
  EXPECT_EQ(DeposedByCreate(change), "");
  change.replace_order = ReplaceOrder::kCreateFirst;
  EXPECT_EQ(DeposedByCreate(change), "old");
  change.action = Action::kCreate;
  EXPECT_EQ(DeposedByCreate(change), "");
}

TEST(KindStepsTest, LiveResourcesAreIndexedByNameWithTheirPosition) {
  LiveState live;
  live.volumes = {{"v1", {"models", 10, "EU-RO-1"}}};
  live.pods.resize(2);
  live.pods[0].id = "p1";
  live.pods[0].spec.name = "trainer";
  live.pods[0].status = PodStatus::kTerminated;
  live.pods[1].id = "p2";
  live.pods[1].spec.name = "trainer";
  std::unordered_map<std::string, std::vector<LiveMatch>> volumes, pods;
  StepsFor(Kind::kVolume).IndexLive(live, &volumes);
  StepsFor(Kind::kPod).IndexLive(live, &pods);
  ASSERT_EQ(volumes.size(), 1u);
  ASSERT_EQ(volumes["models"].size(), 1u);
  EXPECT_EQ(volumes["models"][0].id, "v1");
  EXPECT_EQ(volumes["models"][0].data_center, "EU-RO-1");
  ASSERT_EQ(pods["trainer"].size(), 2u);
  EXPECT_EQ(pods["trainer"][0].id, "p1");
  EXPECT_TRUE(pods["trainer"][0].gone);
  EXPECT_EQ(pods["trainer"][1].id, "p2");
  EXPECT_FALSE(pods["trainer"][1].gone);
  EXPECT_EQ(pods["trainer"][1].position, 1u);
  EXPECT_FALSE(pods["trainer"][1].data_center.has_value());
}

}  // namespace
}  // namespace podform::apply_internal
