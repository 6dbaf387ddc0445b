#include "reconciler/apply/recover.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

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
