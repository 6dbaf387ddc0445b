#include "reconciler/apply/recover.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/config/config.h"

namespace podform {
namespace {

using ::testing::IsEmpty;

constexpr char kStarted[] = "2026-11-27T08:00:00Z";

State WithIntent(const Address& address, const std::string& name,
                 std::vector<std::string> preexisting = {}) {
  State state;
  state.lineage = "lineage-1";
  state.intents[address] = {address, name, "EU-RO-1", kStarted,
                            std::move(preexisting)};
  return state;
}

Config Declaring(const std::string& volume) {
  Config config;
  DesiredVolume v;
  v.spec = {volume, 10, "EU-RO-1"};
  config.volumes[volume] = v;
  return config;
}

TEST(ResolveIntentsTest, AdoptsTheOnlyNewResourceOfTheName) {
  const Address models{Kind::kVolume, "models"};
  State state = WithIntent(models, "models", {"handmade"});
  LiveState live;
  live.volumes = {{"handmade", {"models", 10, "EU-RO-1"}},
                  {"made-by-apply", {"models", 10, "EU-RO-1"}}};
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(Declaring("models"), live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].adopted_id, "made-by-apply");
  EXPECT_EQ((*outcomes)[0].message,
            "volume.models: adopted made-by-apply, created by an interrupted "
            "run");
  EXPECT_EQ(state.Find(models)->id, "made-by-apply");
  EXPECT_THAT(state.intents, IsEmpty());
}

TEST(ResolveIntentsTest, NeverAdoptsAResourceThatExistedBeforeTheCreate) {
  const Address models{Kind::kVolume, "models"};
  State state = WithIntent(models, "models", {"handmade"});
  LiveState live;
  live.volumes = {{"handmade", {"models", 10, "EU-RO-1"}}};
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(Declaring("models"), live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].adopted_id, "");
  EXPECT_EQ((*outcomes)[0].message,
            "volume.models: an interrupted create never reached RunPod; it "
            "will be planned again");
  EXPECT_THAT(state.resources, IsEmpty());
  EXPECT_THAT(state.intents, IsEmpty());
}

TEST(ResolveIntentsTest, PreexistingPodsAreLeftAloneToo) {
  const Address web{Kind::kPod, "web"};
  State state = WithIntent(web, "web", {"pod-old"});
  LiveState live;
  LivePod old;
  old.id = "pod-old";
  old.spec.name = "web";
  live.pods = {old};
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(Config(), live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].adopted_id, "");
  EXPECT_THAT(state.resources, IsEmpty());
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// Issue 11, item 9: a volume declared `protect: false` whose create was
// interrupted is adopted unprotected, even once the config no longer
// declares it (the next apply deletes it without --allow-destroy).
TEST(ResolveIntentsTest, AdoptsWhatTheIntentDeclaredProtectionIncluded) {
  const Address scratch{Kind::kVolume, "scratch"};
  State state = WithIntent(scratch, "scratch");
  Resource declared;
  declared.address = scratch;
  declared.volume = {"scratch", 10, "EU-RO-1"};
  declared.protect = false;
  state.intents.at(scratch).resource = declared;
  LiveState live;
  live.volumes = {{"vol-made", {"scratch", 10, "EU-RO-1"}}};
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(Config(), live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_NE(state.Find(scratch), nullptr);
  EXPECT_EQ(state.Find(scratch)->id, "vol-made");
  EXPECT_EQ(state.Find(scratch)->resource, declared);
  EXPECT_FALSE(state.Find(scratch)->resource.protect);
}

// An intent of an older podform says nothing: the config stands in, and a
// volume it no longer declares is kept protected.
TEST(ResolveIntentsTest, AnOldIntentFallsBackToTheConfig) {
  const Address scratch{Kind::kVolume, "scratch"};
  State state = WithIntent(scratch, "scratch");
  LiveState live;
  live.volumes = {{"vol-made", {"scratch", 10, "EU-RO-1"}}};
  State gone = state;
  ASSERT_TRUE(ResolveIntents(Config(), live, &gone).ok());
  EXPECT_TRUE(gone.Find(scratch)->resource.protect);
  Config config = Declaring("scratch");
  config.volumes["scratch"].protect = false;
  ASSERT_TRUE(ResolveIntents(config, live, &state).ok());
  EXPECT_FALSE(state.Find(scratch)->resource.protect);
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// A create-first replace killed after its create was sent: the new pod is
// adopted and the old one, still recorded, is deposed (never forgotten).
TEST(ResolveIntentsTest, AdoptingAReplacementDeposesThePodItReplaced) {
  const Address web{Kind::kPod, "web"};
  State state = WithIntent(web, "web", {"pod-old"});
  Resource old_pod;
  old_pod.address = web;
  old_pod.pod.name = "web";
  old_pod.pod.gpu_type = "NVIDIA RTX A6000";
  state.resources[web] = {"pod-old", old_pod};
  Resource new_pod = old_pod;
  new_pod.pod.gpu_type = "NVIDIA L40S";
  state.intents[web].resource = new_pod;
  LiveState live;
  live.pods.resize(2);
  live.pods[0].id = "pod-old";
  live.pods[0].spec = old_pod.pod;
  live.pods[1].id = "pod-new";
  live.pods[1].spec = new_pod.pod;
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(Config(), live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  ASSERT_EQ(outcomes->size(), 1u);
  EXPECT_EQ((*outcomes)[0].adopted_id, "pod-new");
  EXPECT_EQ(state.Find(web)->id, "pod-new");
  EXPECT_EQ(state.Find(web)->resource.pod.gpu_type, "NVIDIA L40S");
  ASSERT_EQ(state.deposed.count(web), 1u);
  ASSERT_EQ(state.deposed.at(web).size(), 1u);
  EXPECT_EQ(state.deposed.at(web)[0].id, "pod-old");
  EXPECT_EQ(state.deposed.at(web)[0].resource.pod.gpu_type,
            "NVIDIA RTX A6000");
}

// A deposed pod is managed: a same-named live pod is never adopted for it.
TEST(ResolveIntentsTest, NeverAdoptsADeposedPod) {
  const Address web{Kind::kPod, "web"};
  State state = WithIntent(web, "web");
  Resource pod;
  pod.address = web;
  pod.pod.name = "web";
  state.deposed[web] = {{"pod-deposed", pod}};
  LiveState live;
  live.pods.resize(1);
  live.pods[0].id = "pod-deposed";
  live.pods[0].spec = pod.pod;
  absl::StatusOr<std::vector<IntentOutcome>> outcomes =
      ResolveIntents(Config(), live, &state);
  ASSERT_TRUE(outcomes.ok()) << outcomes.status();
  EXPECT_EQ((*outcomes)[0].adopted_id, "");
  EXPECT_THAT(state.resources, IsEmpty());
  EXPECT_EQ(state.deposed.at(web)[0].id, "pod-deposed");
}

}  // namespace
}  // namespace podform
