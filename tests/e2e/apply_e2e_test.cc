// Issue 4 end to end: apply creates, updates, replaces, stops, resumes and
// deletes; destroy honours protection.

#include <filesystem>
#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

class ApplyE2eTest : public E2eTest {
 protected:
  // Applies `setup` and returns the apply's result (asserting exit 0).
  RunResult ApplyOk(const TestConfig& setup) {
    WriteConfig(setup.Yaml());
    RunResult apply = Podform({"apply", "--auto-approve"});
    EXPECT_EQ(apply.exit_code, 0) << apply;
    return apply;
  }

  void ExpectNoChanges() {
    RunResult plan = Podform({"plan", "--detailed-exitcode"});
    EXPECT_EQ(plan.exit_code, 0) << plan;
    EXPECT_THAT(plan.out, StartsWith("No changes."));
  }
};

TEST_F(ApplyE2eTest, CreatesEverythingAndASecondPlanIsEmpty) {
  RunResult apply = ApplyOk(TestConfig());
  EXPECT_EQ(apply.err, "");
  EXPECT_THAT(apply.out,
              HasSubstr("\nPlan: 2 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.\n"));
  EXPECT_THAT(apply.out,
              HasSubstr("\nApply complete! Resources: 2 added, 0 changed, 0 "
                        "destroyed.\n"));
  // The pod is created only after its volume.
  size_t volume_done = PositionOf(apply.out, "volume.models: created (id ");
  size_t pod_start = PositionOf(apply.out, "pod.trainer: creating...\n");
  EXPECT_LT(volume_done, pod_start);

  json lock = Lock();
  EXPECT_EQ(lock["version"], 1);
  EXPECT_TRUE(std::regex_match(
      lock["lineage"].get<std::string>(),
      std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                 "[0-9a-f]{12}")))
      << lock["lineage"];
  EXPECT_GE(lock["serial"].get<int>(), 1);
  EXPECT_FALSE(lock.contains("intents")) << lock.dump(2);
  ASSERT_EQ(lock["resources"].size(), 2u) << lock.dump(2);
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");
  EXPECT_THAT(apply.out,
              HasSubstr("volume.models: created (id " + volume_id + ")"));
  EXPECT_THAT(apply.out, HasSubstr("pod.trainer: created (id " + pod_id + ")"));
  EXPECT_EQ(lock["resources"]["volume.models"]["attributes"],
            (json{{"name", "models"},
                  {"size", 50},
                  {"dataCenter", "EU-RO-1"},
                  {"protect", true}}));
  EXPECT_EQ(lock["resources"]["volume.models"]["protect"], true);
  json pod_attributes = lock["resources"]["pod.trainer"]["attributes"];
  EXPECT_EQ(pod_attributes["image"], kImage);
  EXPECT_EQ(pod_attributes["gpuType"], "NVIDIA RTX A6000");
  EXPECT_EQ(pod_attributes["volume"], "volume.models");
  EXPECT_EQ(pod_attributes["networkVolumeId"], volume_id);
  EXPECT_EQ(pod_attributes["dataCenter"], "EU-RO-1");
  EXPECT_EQ(pod_attributes["status"], "running");
  // The lock file is sorted, 2-space JSON with a trailing newline.
  EXPECT_EQ(LockText(), lock.dump(2) + "\n");

  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 1u);
  ASSERT_EQ(live["pods"].size(), 1u);
  EXPECT_EQ(live["networkVolumes"][0]["id"], volume_id);
  EXPECT_EQ(live["networkVolumes"][0]["name"], "models");
  EXPECT_EQ(live["networkVolumes"][0]["size"], 50);
  EXPECT_EQ(live["networkVolumes"][0]["dataCenterId"], "EU-RO-1");
  EXPECT_EQ(live["pods"][0]["id"], pod_id);
  EXPECT_EQ(live["pods"][0]["name"], "trainer");
  EXPECT_EQ(live["pods"][0]["imageName"], kImage);
  EXPECT_EQ(live["pods"][0]["networkVolumeId"], volume_id);
  EXPECT_EQ(live["pods"][0]["volumeMountPath"], "/workspace");
  EXPECT_EQ(live["pods"][0]["desiredStatus"], "RUNNING");

  ExpectNoChanges();
  // Applying again changes nothing, not even the lock file.
  std::string lock_text = LockText();
  RunResult again = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("No changes."));
  EXPECT_EQ(LockText(), lock_text);
  EXPECT_EQ(sandbox().Live(), live);
}

TEST_F(ApplyE2eTest, WithoutATerminalApplyNeedsAutoApprove) {
  WriteConfig(TestConfig().Yaml());
  RunResult apply = Podform({"apply"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_EQ(apply.err,
            "podform: not applying: there is no terminal to confirm on; "
            "re-run with --auto-approve\n");
  EXPECT_THAT(apply.out, HasSubstr("Plan: 2 to add"));
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"], json::array());
  EXPECT_EQ(live["pods"], json::array());
  if (LockExists()) {
    EXPECT_EQ(Lock()["resources"], json::object());
  }
}

TEST_F(ApplyE2eTest, GrowingAVolumeUpdatesItInPlace) {
  ApplyOk(TestConfig());
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");

  WriteConfig(TestConfig().Size(100).Yaml());
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 0 to add, 1 to change, 0 to replace, 0 to "
                        "destroy.\n"));
  EXPECT_THAT(plan.out, HasSubstr("Storage: $3.50/month -> $7.00/month\n"));

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("\nApply complete! Resources: 0 added, 1 changed, 0 "
                        "destroyed.\n"));
  EXPECT_EQ(LockId("volume.models"), volume_id);
  EXPECT_EQ(LockId("pod.trainer"), pod_id);
  EXPECT_EQ(Lock()["resources"]["volume.models"]["attributes"]["size"], 100);
  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 1u);
  EXPECT_EQ(live["networkVolumes"][0]["id"], volume_id);
  EXPECT_EQ(live["networkVolumes"][0]["size"], 100);
  EXPECT_EQ(FindById(live["pods"], pod_id)["networkVolumeId"], volume_id);

  RunResult show = Podform({"state", "show", "volume.models"});
  EXPECT_EQ(show.exit_code, 0) << show;
  EXPECT_THAT(show.out, StartsWith("address: volume.models\nid: " + volume_id +
                                   "\nattributes: {"));
  EXPECT_THAT(show.out, HasSubstr("\"size\": 100"));
  ExpectNoChanges();
}

TEST_F(ApplyE2eTest, ChangingAPodsImageEditsItInPlace) {
  ApplyOk(TestConfig());
  std::string pod_id = LockId("pod.trainer");

  WriteConfig(TestConfig().Image(kNewImage).Yaml());
  RunResult plan = Podform({"plan"});
  EXPECT_THAT(plan.out,
              HasSubstr("  ~ pod.trainer will be updated in place\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 0 to add, 1 to change, 0 to replace, 0 to "
                        "destroy.\n"));

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out, HasSubstr("pod.trainer: updated"));
  EXPECT_EQ(LockId("pod.trainer"), pod_id);
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["image"],
            kNewImage);
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u);
  EXPECT_EQ(live["pods"][0]["id"], pod_id);
  EXPECT_EQ(live["pods"][0]["imageName"], kNewImage);
  ExpectNoChanges();
}

TEST_F(ApplyE2eTest, ChangingAPodsGpuTypeReplacesIt) {
  ApplyOk(TestConfig());
  std::string volume_id = LockId("volume.models");
  std::string old_pod = LockId("pod.trainer");

  WriteConfig(TestConfig().Gpu("NVIDIA A100 80GB PCIe").Yaml());
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  // Replacing a pod destroys no volume data: 2, not 3.
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("+/- pod.trainer must be replaced\n"
                        "      # (gpuType forces replacement)\n"
                        "      # (create before destroy: the new pod is "
                        "created and runs before the old one is terminated)\n"
                        "      ~ gpuType: \"NVIDIA RTX A6000\" -> \"NVIDIA "
                        "A100 80GB PCIe\" # forces replacement\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 1 to replace, 0 to "
                        "destroy.\n"));
  EXPECT_THAT(plan.out, HasSubstr("Pods: $0.49/hour -> $1.64/hour\n"));
  EXPECT_THAT(plan.out, Not(HasSubstr("WARNING")));

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  std::string new_pod = LockId("pod.trainer");
  EXPECT_NE(new_pod, old_pod);
  EXPECT_FALSE(new_pod.empty());
  EXPECT_EQ(LockId("volume.models"), volume_id);
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_TRUE(FindById(live["pods"], old_pod).is_null());
  json pod = FindById(live["pods"], new_pod);
  EXPECT_EQ(pod["machine"]["gpuDisplayName"], "A100 PCIe");
  EXPECT_EQ(pod["networkVolumeId"], volume_id);
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["gpuType"],
            "NVIDIA A100 80GB PCIe");
  ExpectNoChanges();
}

TEST_F(ApplyE2eTest, RemovingAPodTerminatesIt) {
  ApplyOk(TestConfig());
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");

  WriteConfig(TestConfig().Pod(false).Yaml());
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("  - pod.trainer will be destroyed\n"
                        "      # (no longer in the configuration)\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 0 to replace, 1 to "
                        "destroy.\n"));
  EXPECT_THAT(plan.out, Not(HasSubstr("WARNING")));

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("\nApply complete! Resources: 0 added, 0 changed, 1 "
                        "destroyed.\n"));
  json live = sandbox().Live();
  EXPECT_EQ(live["pods"], json::array());
  ASSERT_EQ(live["networkVolumes"].size(), 1u);
  EXPECT_EQ(live["networkVolumes"][0]["id"], volume_id);
  json lock = Lock();
  EXPECT_FALSE(lock["resources"].contains("pod.trainer")) << lock.dump(2);
  EXPECT_EQ(LockId("volume.models"), volume_id);
  ExpectNoChanges();
}

TEST_F(ApplyE2eTest, StatusStoppedStopsThePodAndRunningResumesIt) {
  ApplyOk(TestConfig());
  std::string pod_id = LockId("pod.trainer");

  WriteConfig(TestConfig().Status("stopped").Yaml());
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan;
  EXPECT_THAT(plan.out, HasSubstr("  | pod.trainer will be stopped\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 0 to replace, 0 to "
                        "destroy, 1 to stop.\n"));
  RunResult stop = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(stop.exit_code, 0) << stop;
  EXPECT_THAT(stop.out, HasSubstr("pod.trainer: stopped"));
  EXPECT_EQ(LockId("pod.trainer"), pod_id);
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["status"],
            "stopped");
  EXPECT_EQ(FindById(sandbox().Live()["pods"], pod_id)["desiredStatus"],
            "EXITED");
  ExpectNoChanges();

  WriteConfig(TestConfig().Status("running").Yaml());
  RunResult resume_plan = Podform({"plan"});
  EXPECT_THAT(resume_plan.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 0 to replace, 0 to "
                        "destroy, 1 to resume.\n"));
  RunResult resume = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(resume.exit_code, 0) << resume;
  EXPECT_THAT(resume.out, HasSubstr("pod.trainer: resumed"));
  EXPECT_EQ(LockId("pod.trainer"), pod_id);
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["status"],
            "running");
  EXPECT_EQ(FindById(sandbox().Live()["pods"], pod_id)["desiredStatus"],
            "RUNNING");
  ExpectNoChanges();
}

TEST_F(ApplyE2eTest, DestroyDeletesProtectedVolumesOnlyWithAllowDestroy) {
  ApplyOk(TestConfig());
  std::string lock_before = LockText();
  json live_before = sandbox().Live();
  ASSERT_EQ(live_before["pods"].size(), 1u);

  RunResult refused = Podform({"destroy", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1) << refused;
  EXPECT_THAT(refused.err, StartsWith("podform: volume.models: "));
  EXPECT_THAT(refused.err, HasSubstr("--allow-destroy volume.models"));
  // Nothing deleted, not even the unprotected pod.
  EXPECT_EQ(sandbox().Live(), live_before);
  EXPECT_EQ(LockText(), lock_before);

  RunResult destroy = Podform(
      {"destroy", "--auto-approve", "--allow-destroy", "volume.models"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy;
  EXPECT_THAT(destroy.out,
              HasSubstr("WARNING: volume.models will be DESTROYED with all its "
                        "data (50 GB)\n"));
  EXPECT_THAT(destroy.out,
              HasSubstr("\nPlan: 0 to add, 0 to change, 0 to replace, 2 to "
                        "destroy.\n"));
  EXPECT_THAT(destroy.out,
              ContainsRegex("complete! Resources: .*2 destroyed\\."));
  // Pods before the volumes they mount.
  size_t pod_gone = PositionOf(destroy.out, "pod.trainer: destroyed");
  size_t volume_start = PositionOf(destroy.out, "volume.models: destroying...");
  EXPECT_LT(pod_gone, volume_start);
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"], json::array());
  EXPECT_EQ(live["pods"], json::array());
  EXPECT_EQ(Lock()["resources"], json::object());

  // Nothing left to destroy.
  RunResult again = Podform({"destroy", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out, HasSubstr("No changes."));
}

TEST_F(ApplyE2eTest, DestroyWorksWithoutAConfigFile) {
  ApplyOk(TestConfig());
  std::filesystem::remove(Path("podform.yaml"));
  RunResult destroy = Podform(
      {"destroy", "--auto-approve", "--allow-destroy", "volume.models"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy;
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"], json::array());
  EXPECT_EQ(live["pods"], json::array());
}

}  // namespace
}  // namespace podform::e2e
