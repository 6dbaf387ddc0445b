// MoveAddress (reconciler/state/move.h): what `state mv` and `moved:` do to
// a state.

#include "reconciler/state/move.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/state/sample_state.h"

namespace podform {
namespace {

using ::testing::ElementsAre;

const Address kModels{Kind::kVolume, "models"};
const Address kWeights{Kind::kVolume, "weights"};
const Address kTrainer{Kind::kPod, "trainer"};
const Address kWorker{Kind::kPod, "worker"};

TEST(MoveAddressTest, AVolumeMovesAndThePodsThatMountItFollow) {
  State state = SampleState();
  absl::StatusOr<std::vector<Address>> followed =
      MoveAddress(kModels, kWeights, &state);
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_THAT(*followed, ElementsAre(kTrainer));
  State expected = SampleState();
  ResourceState volume = expected.resources.at(kModels);
  volume.resource.address = kWeights;
  expected.resources.erase(kModels);
  expected.resources[kWeights] = volume;
  expected.resources[kTrainer].resource.volume_key = "weights";
  EXPECT_EQ(state, expected);
  EXPECT_EQ(state.resources.at(kWeights).id, "agv6w2qcg7");
  // The RunPod id the pod mounts is the volume's; it does not change.
  EXPECT_EQ(state.resources.at(kTrainer).resource.pod.network_volume_id,
            "agv6w2qcg7");
}

TEST(MoveAddressTest, APodMovesAlone) {
  State state = SampleState();
  absl::StatusOr<std::vector<Address>> followed =
      MoveAddress(kTrainer, kWorker, &state);
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_THAT(*followed, ElementsAre());
  ASSERT_EQ(state.Find(kTrainer), nullptr);
  ASSERT_NE(state.Find(kWorker), nullptr);
  EXPECT_EQ(state.Find(kWorker)->id, "x7k2m9p4q1");
  EXPECT_EQ(state.Find(kWorker)->resource.address, kWorker);
  EXPECT_EQ(state.Find(kWorker)->resource.volume_key, "models");
}

TEST(MoveAddressTest, PendingCreatesMoveAndFollow) {
  State state = SampleState();
  Resource pending = state.resources.at(kTrainer).resource;
  pending.address = kWorker;
  state.intents[kWorker] = {
      kWorker, "worker", "EU-RO-1", "2026-11-26T22:00:00Z", {}, pending};
  absl::StatusOr<std::vector<Address>> followed =
      MoveAddress(kModels, kWeights, &state);
  ASSERT_TRUE(followed.ok()) << followed.status();
  EXPECT_THAT(*followed, ElementsAre(kTrainer, kWorker));
  EXPECT_EQ(state.intents.at(kWorker).resource->volume_key, "weights");

  const Address kEval{Kind::kPod, "eval"};
  ASSERT_TRUE(MoveAddress(kWorker, kEval, &state).ok());
  ASSERT_EQ(state.intents.count(kWorker), 0u);
  EXPECT_EQ(state.intents.at(kEval).address, kEval);
  EXPECT_EQ(state.intents.at(kEval).resource->address, kEval);
  EXPECT_EQ(state.intents.at(kEval).name, "worker");
}

TEST(MoveAddressTest, RefusalsLeaveTheStateAlone) {
  State state = SampleState();
  Resource other = state.resources.at(kModels).resource;
  other.address = kWeights;
  state.resources[kWeights] = {"qq5c9d2ax1", other};
  const State before = state;

  absl::StatusOr<std::vector<Address>> taken =
      MoveAddress(kModels, kWeights, &state);
  EXPECT_EQ(taken.status(),
            absl::AlreadyExistsError("volume.weights is already in the state; "
                                     "cannot move volume.models onto it"));
  absl::StatusOr<std::vector<Address>> missing =
      MoveAddress({Kind::kVolume, "data"}, {Kind::kVolume, "cache"}, &state);
  EXPECT_EQ(missing.status(),
            absl::NotFoundError("volume.data is not in the state"));
  absl::StatusOr<std::vector<Address>> kinds =
      MoveAddress(kModels, {Kind::kPod, "models"}, &state);
  EXPECT_EQ(kinds.status(),
            absl::InvalidArgumentError(
                "cannot move volume.models to pod.models: a volume can only "
                "move to another volume address"));
  absl::StatusOr<std::vector<Address>> itself =
      MoveAddress(kTrainer, kTrainer, &state);
  EXPECT_EQ(itself.status(),
            absl::InvalidArgumentError("cannot move pod.trainer to itself"));
  EXPECT_EQ(state, before);
}

}  // namespace
}  // namespace podform
