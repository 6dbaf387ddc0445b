// Planning rules end to end: volume replacement and its pods, --target,
// drift, renames.

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using RulesE2eTest = E2eTest;

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST_F(RulesE2eTest, VolumeDataCenterChangeReplacesTheVolumeAndItsPodInOrder) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string old_volume = LockId("volume.models");
  std::string old_pod = LockId("pod.trainer");

  WriteConfig(Replace(TestConfig().Yaml(), "EU-RO-1", "EU-SE-1"));
  RunResult refused = Podform({"plan"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("--allow-destroy volume.models"));

  RunResult plan = Podform(
      {"plan", "--detailed-exitcode", "--allow-destroy", "volume.models"});
  EXPECT_EQ(plan.exit_code, 3) << plan;
  EXPECT_THAT(plan.out, HasSubstr("-/+ volume.models must be replaced\n"
                                  "      # (dataCenter forces replacement)\n"));
  EXPECT_THAT(plan.out, HasSubstr("-/+ pod.trainer must be replaced\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("WARNING: volume.models will be DESTROYED with all its "
                        "data (50 GB) and replaced by an empty volume\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 2 to replace, 0 to "
                        "destroy.\n"));

  RunResult apply =
      Podform({"apply", "--auto-approve", "--allow-destroy", "volume.models"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  // pod terminate, volume delete, volume create, pod create.
  size_t pod_gone = PositionOf(apply.out, "pod.trainer: destroyed");
  size_t volume_delete = PositionOf(apply.out, "volume.models: destroying...");
  size_t volume_gone = PositionOf(apply.out, "volume.models: destroyed");
  size_t volume_created = PositionOf(apply.out, "volume.models: created (id ");
  size_t pod_create = PositionOf(apply.out, "pod.trainer: creating...");
  EXPECT_LT(pod_gone, volume_delete);
  EXPECT_LT(volume_gone, volume_created);
  EXPECT_LT(volume_created, pod_create);

  std::string new_volume = LockId("volume.models");
  std::string new_pod = LockId("pod.trainer");
  EXPECT_NE(new_volume, old_volume);
  EXPECT_NE(new_pod, old_pod);
  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 1u) << live.dump(2);
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["networkVolumes"][0]["id"], new_volume);
  EXPECT_EQ(live["networkVolumes"][0]["dataCenterId"], "EU-SE-1");
  EXPECT_EQ(live["pods"][0]["id"], new_pod);
  EXPECT_EQ(live["pods"][0]["networkVolumeId"], new_volume);
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["dataCenter"],
            "EU-SE-1");
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(RulesE2eTest, TargetLimitsThePlanToTheAddressAndWhatItDependsOn) {
  WriteConfig(TestConfig().Yaml() +
              "  spare:\n"
              "    image: runpod/pytorch:2.4.0\n"
              "    gpuType: NVIDIA RTX A6000\n"
              "    cloudType: COMMUNITY\n");
  RunResult plan = Podform({"plan", "--json", "--target", "pod.trainer"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  json j = json::parse(plan.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << plan;
  std::vector<std::string> addresses;
  for (const json& c : j["changes"])
    addresses.push_back(c["address"].get<std::string>());
  EXPECT_EQ(addresses,
            (std::vector<std::string>{"volume.models", "pod.trainer"}));

  RunResult apply =
      Podform({"apply", "--auto-approve", "--target", "pod.spare"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"], json::array());
  ASSERT_EQ(live["pods"].size(), 1u);
  EXPECT_EQ(live["pods"][0]["name"], "spare");
  EXPECT_EQ(Lock()["resources"].size(), 1u);

  RunResult unknown = Podform({"plan", "--target", "pod.nope"});
  EXPECT_EQ(unknown.exit_code, 1) << unknown;
  EXPECT_THAT(unknown.err, HasSubstr("pod.nope: named by --target"));
}

TEST_F(RulesE2eTest, AVolumeGrownOutsidePodformAsksToRaiseTheSize) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string id = LockId("volume.models");
  sandbox().GraphQL("mutation { updateNetworkVolume(input: {id: \"" + id +
                    "\", size: 80}) { id } }");
  RunResult plan = Podform({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_EQ(plan.err,
            "podform: volume.models: size is 80 GB live (grown outside "
            "podform) but 50 GB in the configuration; RunPod volumes only "
            "grow: set size: 80\n");

  // Raising the size to what exists: nothing to do on RunPod, and the lock
  // file then records what exists.
  WriteConfig(TestConfig().Size(80).Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(LockId("volume.models"), id);
  EXPECT_EQ(Lock()["resources"]["volume.models"]["attributes"]["size"], 80);
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(RulesE2eTest, PodChangedOutsidePodformIsCorrected) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string pod_id = LockId("pod.trainer");
  json stopped = sandbox().GraphQL("mutation { podStop(input: {podId: \"" +
                                   pod_id + "\"}) { id } }");
  ASSERT_FALSE(stopped.contains("errors")) << stopped.dump();

  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out, HasSubstr("pod.trainer will be resumed\n"));
  EXPECT_THAT(plan.out, HasSubstr("1 to resume."));
  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_EQ(LockId("pod.trainer"), pod_id);
  EXPECT_EQ(FindById(sandbox().Live()["pods"], pod_id)["desiredStatus"],
            "RUNNING");
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(RulesE2eTest, RenamingAVolumeIsAnInPlaceUpdate) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string id = LockId("volume.models");
  WriteConfig(Replace(TestConfig().Yaml(), "    size: 50\n",
                      "    name: ml-models\n    size: 50\n"));
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out, HasSubstr("  ~ volume.models will be updated in place\n"
                                  "      # (renamed models -> ml-models in "
                                  "place)\n"));
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(LockId("volume.models"), id);
  json live = sandbox().Live();
  EXPECT_EQ(FindById(live["networkVolumes"], id)["name"], "ml-models");
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(RulesE2eTest, StateShowAndRmOfAnUnknownAddressFail) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string lock = LockText();
  RunResult show = Podform({"state", "show", "pod.nope"});
  EXPECT_EQ(show.exit_code, 1) << show;
  EXPECT_EQ(show.err, "podform: pod.nope is not in " + LockPath() + "\n");
  RunResult rm = Podform({"state", "rm", "pod.trainer", "pod.nope"});
  EXPECT_EQ(rm.exit_code, 1) << rm;
  EXPECT_EQ(rm.err, "podform: pod.nope is not in " + LockPath() +
                        "; nothing was removed\n");
  EXPECT_EQ(LockText(), lock);
}

// A volume's storage tier: chosen at creation over REST v2, accepted as
// RunPod's default when undeclared, and a replacement when it changes.
TEST_F(RulesE2eTest, AVolumeTypeIsChosenAtCreationAndAChangeReplacesIt) {
  const std::string typed =
      Replace(TestConfig().Pod(false).Yaml(), "    dataCenter: EU-RO-1\n",
              "    dataCenter: EU-RO-1\n    type: HIGH_PERFORMANCE\n");
  WriteConfig(typed);
  if (!harness::TestingRest()) {
    RunResult refused = Podform({"apply", "--auto-approve"});
    EXPECT_EQ(refused.exit_code, 1) << refused;
    EXPECT_THAT(refused.err,
                HasSubstr("volume.models: type HIGH_PERFORMANCE cannot be "
                          "chosen over RunPod's GraphQL API"));
    EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 0u);
    return;
  }
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string id = LockId("volume.models");
  EXPECT_EQ(Lock()["resources"]["volume.models"]["attributes"]["type"],
            "HIGH_PERFORMANCE");
  // REST v2 reports the tier: any other live than the recorded one would
  // be drift, and a replacement.
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);

  // Undeclared: whatever tier the volume has will do.
  WriteConfig(TestConfig().Pod(false).Yaml());
  RunResult undeclared = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(undeclared.exit_code, 0) << undeclared;

  // Another tier: a replacement, so a protected volume is refused.
  WriteConfig(Replace(typed, "HIGH_PERFORMANCE", "STANDARD"));
  RunResult refused = Podform({"plan"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, HasSubstr("--allow-destroy volume.models"));
  // A plan saved over REST v2 is not applied over GraphQL, which would
  // delete the volume and then fail to create it in the declared tier.
  const std::string saved = Path("typed.plan");
  RunResult plan = Podform(
      {"plan", "--out", saved, "--allow-destroy", "volume.models"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  RunResult over_graphql = PodformRaw({"--endpoint", sandbox().url(), "--file",
                                       Path("podform.yaml"), "apply", saved});
  EXPECT_EQ(over_graphql.exit_code, 1) << over_graphql;
  EXPECT_THAT(over_graphql.err,
              HasSubstr("volume.models: type STANDARD cannot be chosen over "
                        "RunPod's GraphQL API"));
  EXPECT_EQ(LockId("volume.models"), id);
  ASSERT_EQ(sandbox().Live()["networkVolumes"].size(), 1u);
  EXPECT_EQ(sandbox().Live()["networkVolumes"][0]["id"], id);

  RunResult apply =
      Podform({"apply", "--auto-approve", "--allow-destroy", "volume.models"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("-/+ volume.models must be replaced\n"
                        "      # (type forces replacement (a volume's storage "
                        "tier is set when it is created))\n"));
  json live = sandbox().Live()["networkVolumes"];
  ASSERT_EQ(live.size(), 1u) << live.dump(2);
  EXPECT_NE(live[0]["id"], id);
  EXPECT_EQ(live[0]["id"], LockId("volume.models"));
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace podform::e2e
