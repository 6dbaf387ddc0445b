// Saved plans (`plan --out`, `apply PLANFILE`): secrets never written, and a
// stale plan refused in each of the three ways DESIGN.md names.

#include <sys/stat.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using SavedPlanE2eTest = E2eTest;

constexpr char kSecret[] = "hf_e2eSECRETvalue_41c7d29e";

int Mode(const std::string& path) {
  struct stat st = {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return st.st_mode & 0777;
}

TEST_F(SavedPlanE2eTest, SecretsAndTheApiKeyAreNeverPrintedOrWritten) {
  env_ = {std::string("HF_TOKEN=") + kSecret};
  // The pod's env with a secret in it.
  std::string yaml = TestConfig().Yaml();
  yaml.replace(yaml.find("    env: {HF_HOME: /workspace/hf}\n"),
               std::string("    env: {HF_HOME: /workspace/hf}\n").size(),
               "    env:\n      HF_HOME: /workspace/hf\n"
               "      HF_TOKEN: \"${env:HF_TOKEN}\"\n");
  WriteConfig(yaml);

  const std::string plan_file = Path("tonight.plan");
  RunResult plan = Podform({"plan", "--out", plan_file});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("      + env.HF_TOKEN: (sensitive)\n"));
  EXPECT_THAT(plan.out,
              HasSubstr("\nSaved the plan to " + plan_file +
                        ". To perform exactly these actions, run:\n"
                        "  podform --file " +
                        Path("podform.yaml") + " --endpoint " +
                        harness::EndpointOf(sandbox()) + " apply " +
                        plan_file + "\n"));
  EXPECT_EQ(Mode(plan_file), 0600);
  RunResult machine = Podform({"plan", "--json"});
  ASSERT_EQ(machine.exit_code, 0) << machine;
  RunResult markdown = Podform({"plan", "--markdown"});
  ASSERT_EQ(markdown.exit_code, 0) << markdown;
  EXPECT_THAT(markdown.out, HasSubstr("(sensitive)"));

  RunResult apply = Podform({"apply", plan_file});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("Apply complete! Resources: 2 added, 0 changed, 0 "
                        "destroyed.\n"));
  EXPECT_EQ(Mode(LockPath()), 0600);

  // The secret did reach RunPod...
  json pod = FindById(sandbox().Live()["pods"], LockId("pod.trainer"));
  ASSERT_FALSE(pod.is_null());
  EXPECT_THAT(pod["env"].dump(), HasSubstr(std::string("HF_TOKEN=") + kSecret));
  // ...and the lock file only marks it as a secret: no value, no digest.
  json recorded = Lock()["resources"]["pod.trainer"]["attributes"];
  EXPECT_EQ(recorded["secretEnv"], json::array({"HF_TOKEN"}));
  EXPECT_EQ(recorded["env"], json({{"HF_HOME", "/workspace/hf"}}));

  // A changed secret is a change, shown without either value.
  RunResult changed = Podform({"plan", "--detailed-exitcode"},
                              {"HF_TOKEN=hf_e2eOTHERsecret_0d3b"});
  EXPECT_EQ(changed.exit_code, 2) << changed;
  EXPECT_THAT(changed.out,
              HasSubstr("      ~ env.HF_TOKEN: (sensitive) -> (sensitive)\n"));
  EXPECT_THAT(changed.out, Not(HasSubstr("hf_e2eOTHERsecret_0d3b")));
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
  RunResult state_show = Podform({"state", "show", "pod.trainer"});
  EXPECT_EQ(state_show.exit_code, 0) << state_show;

  // Nowhere: not in any output, nor in any file podform wrote (the sandbox's
  // own data file and its journal are RunPod's side and hold the env as
  // RunPod would).
  EXPECT_THAT(transcript(), Not(HasSubstr(kSecret)));
  EXPECT_THAT(transcript(), Not(HasSubstr(kApiKey)));
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(dir_)) {
    if (!entry.is_regular_file()) continue;
    std::string path = entry.path().string();
    std::string text = ReadFileOrDie(path);
    ++files;
    EXPECT_THAT(text, Not(HasSubstr(kApiKey))) << path;
    if (path == sandbox().data_path() ||
        path == sandbox().data_path() + ".journal") {
      continue;
    }
    EXPECT_THAT(text, Not(HasSubstr(kSecret))) << path;
  }
  EXPECT_GE(files, 4);  // config, plan file, lock file, outputs
}

// With no digest of a secret anywhere, a saved plan records which secrets
// it changes (compared with what RunPod holds); apply decides again from
// the environment and the live pod, and a different decision makes the
// plan stale as a whole, before anything is changed.
class SavedPlanSecretE2eTest : public E2eTest {
 protected:
  static constexpr char kOther[] = "hf_e2eOTHERsecret_0d3b";

  // volume.models and pod.trainer applied with HF_TOKEN=kSecret.
  void SetUp() override {
    E2eTest::SetUp();
    WriteConfig(Yaml("runpod/pytorch:2.4.0"));
    RunResult apply = Podform({"apply", "--auto-approve"}, Secret(kSecret));
    ASSERT_EQ(apply.exit_code, 0) << apply;
    pod_id_ = LockId("pod.trainer");
  }

  static std::string Yaml(const std::string& image) {
    return "version: 1\n"
           "volumes:\n"
           "  models: {size: 50, dataCenter: EU-RO-1}\n"
           "pods:\n"
           "  trainer:\n"
           "    image: " +
           image +
           "\n"
           "    gpuType: NVIDIA RTX A6000\n"
           "    volume: models\n"
           "    env: {HF_TOKEN: \"${env:HF_TOKEN}\"}\n";
  }
  static std::vector<std::string> Secret(const std::string& value) {
    return {"HF_TOKEN=" + value};
  }
  std::string LiveToken() {
    json pod = FindById(sandbox().Live()["pods"], pod_id_);
    for (const json& entry : pod["env"]) {
      std::string text = entry.is_string() ? entry.get<std::string>() : "";
      if (text.rfind("HF_TOKEN=", 0) == 0) return text.substr(9);
    }
    return pod["env"].dump();
  }
  void ExpectNoSecretPrinted() {
    EXPECT_THAT(transcript(), Not(HasSubstr(kSecret)));
    EXPECT_THAT(transcript(), Not(HasSubstr(kOther)));
  }

  std::string pod_id_;
};

TEST_F(SavedPlanSecretE2eTest, ASecretPlannedUnchangedButDifferentAtApply) {
  WriteConfig(Yaml("runpod/pytorch:2.5.0"));  // an update, secret unchanged
  const std::string plan_file = Path("saved.plan");
  RunResult plan = Podform({"plan", "--out", plan_file}, Secret(kSecret));
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, Not(HasSubstr("env.HF_TOKEN")));
  json saved = json::parse(ReadFileOrDie(plan_file));
  EXPECT_EQ(saved["podform_plan"], 3);

  RunResult apply = Podform({"apply", plan_file}, Secret(kOther));
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_EQ(apply.err,
            "podform: the saved plan is stale: pod.trainer: secret env "
            "HF_TOKEN no longer compares with the value RunPod holds as it "
            "did when the plan was made (the environment or the pod changed). "
            "Nothing was changed; run podform plan again\n");
  EXPECT_EQ(LiveToken(), kSecret);
  EXPECT_EQ(FindById(sandbox().Live()["pods"], pod_id_)["imageName"],
            "runpod/pytorch:2.4.0");
  ExpectNoSecretPrinted();

  // With the value the plan was made with, it applies.
  apply = Podform({"apply", plan_file}, Secret(kSecret));
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_EQ(LiveToken(), kSecret);
}

TEST_F(SavedPlanSecretE2eTest, ASecretPlannedChangedButEqualAtApply) {
  const std::string plan_file = Path("saved.plan");
  RunResult plan = Podform({"plan", "--out", plan_file}, Secret(kOther));
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("      ~ env.HF_TOKEN: (sensitive) -> (sensitive)\n"));
  EXPECT_THAT(ReadFileOrDie(plan_file),
              HasSubstr("\"secret_env_changes\": [\n        \"HF_TOKEN\"\n"));

  // Back to the value RunPod holds: the plan's update is not what the
  // environment and RunPod now call for.
  RunResult apply = Podform({"apply", plan_file}, Secret(kSecret));
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_THAT(apply.err, StartsWith("podform: the saved plan is stale: "
                                    "pod.trainer: secret env HF_TOKEN no "
                                    "longer compares"));
  EXPECT_EQ(LiveToken(), kSecret);

  // The value it was planned with: sent, and recorded without a value.
  apply = Podform({"apply", plan_file}, Secret(kOther));
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_EQ(LiveToken(), kOther);
  EXPECT_FALSE(
      Lock()["resources"]["pod.trainer"]["attributes"]["env"].contains(
          "HF_TOKEN"));
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}, Secret(kOther)).exit_code,
            0);
  ExpectNoSecretPrinted();
}

class StalePlanE2eTest : public E2eTest {
 protected:
  // Applies volume.models + pod.trainer, then saves a plan that grows the
  // volume and changes the pod's image.
  void SetUp() override {
    E2eTest::SetUp();
    WriteConfig(TestConfig().Yaml());
    RunResult apply = Podform({"apply", "--auto-approve"});
    ASSERT_EQ(apply.exit_code, 0) << apply;
    volume_id_ = LockId("volume.models");
    pod_id_ = LockId("pod.trainer");
    WriteConfig(TestConfig().Size(100).Image(kNewImage).Yaml());
    RunResult plan = Podform({"plan", "--out", plan_file()});
    ASSERT_EQ(plan.exit_code, 0) << plan;
    serial_ = Lock()["serial"].get<int>();
  }

  std::string plan_file() const { return Path("saved.plan"); }

  // Applies the saved plan and expects it to be refused with `why`, with
  // nothing changed on RunPod or in the lock file.
  void ExpectRefused(const std::string& why) {
    std::string lock_before = LockText();
    json live_before = sandbox().Live();
    RunResult apply = Podform({"apply", plan_file()});
    EXPECT_EQ(apply.exit_code, 1) << apply;
    EXPECT_EQ(apply.err, "podform: the saved plan is stale: " + why +
                             ". Nothing was changed; run podform plan again\n");
    EXPECT_EQ(LockText(), lock_before);
    EXPECT_EQ(sandbox().Live(), live_before);
  }

  std::string volume_id_, pod_id_;
  int serial_ = 0;
};

TEST_F(StalePlanE2eTest, FreshSavedPlanAppliesExactly) {
  RunResult apply = Podform({"apply", plan_file()});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("Apply complete! Resources: 0 added, 2 changed, 0 "
                        "destroyed.\n"));
  json live = sandbox().Live();
  EXPECT_EQ(FindById(live["networkVolumes"], volume_id_)["size"], 100);
  EXPECT_EQ(FindById(live["pods"], pod_id_)["imageName"], kNewImage);
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
  // A plan applies once: afterwards the serial has moved.
  RunResult again = Podform({"apply", plan_file()});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_THAT(again.err, HasSubstr("the saved plan is stale"));
}

TEST_F(StalePlanE2eTest, RefusedWhenTheConfigChanged) {
  WriteConfig(TestConfig().Size(200).Image(kNewImage).Yaml());
  ExpectRefused(Path("podform.yaml") + " changed since the plan was made");
  EXPECT_EQ(FindById(sandbox().Live()["networkVolumes"], volume_id_)["size"],
            50);
}

TEST_F(StalePlanE2eTest, RefusedWhenAnotherApplyMovedTheSerial) {
  // Another apply in between: the same config with a change of its own
  // (status), which moves the lock file's serial.
  std::string config = ReadFileOrDie(Path("podform.yaml"));
  WriteConfig(TestConfig().Status("stopped").Yaml());
  RunResult other = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(other.exit_code, 0) << other;
  WriteConfig(config);  // back to what the plan was made from
  int serial_now = Lock()["serial"].get<int>();
  ASSERT_GT(serial_now, serial_);
  ExpectRefused(LockPath() + " moved from serial " + std::to_string(serial_) +
                " to " + std::to_string(serial_now) +
                " since the plan was made");
}

TEST_F(StalePlanE2eTest, RefusedWhenTheLockFileWasRewrittenByStateCommands) {
  // state rm + import leave RunPod alone but move the serial.
  ASSERT_EQ(Podform({"state", "rm", "pod.trainer"}).exit_code, 0);
  // import checks the config, which must declare pod.trainer (it does).
  RunResult imported = Podform({"import", "pod.trainer", pod_id_});
  ASSERT_EQ(imported.exit_code, 0) << imported;
  int serial_now = Lock()["serial"].get<int>();
  ExpectRefused(LockPath() + " moved from serial " + std::to_string(serial_) +
                " to " + std::to_string(serial_now) +
                " since the plan was made");
}

TEST_F(StalePlanE2eTest, RefusedWhenAVolumeItTouchesChangedLive) {
  json grown =
      sandbox().GraphQL("mutation { updateNetworkVolume(input: {id: \"" +
                        volume_id_ + "\", size: 70}) { id size } }");
  ASSERT_EQ(grown["data"]["updateNetworkVolume"]["size"], 70) << grown.dump();
  ExpectRefused("volume.models (" + volume_id_ +
                ") changed on RunPod since the plan was made");
  EXPECT_EQ(FindById(sandbox().Live()["networkVolumes"], volume_id_)["size"],
            70);
  EXPECT_EQ(FindById(sandbox().Live()["pods"], pod_id_)["imageName"], kImage);
}

TEST_F(StalePlanE2eTest, RefusedWhenAPodItTouchesChangedLive) {
  json stopped = sandbox().GraphQL("mutation { podStop(input: {podId: \"" +
                                   pod_id_ + "\"}) { id desiredStatus } }");
  ASSERT_EQ(stopped["data"]["podStop"]["desiredStatus"], "EXITED")
      << stopped.dump();
  ExpectRefused("pod.trainer (" + pod_id_ +
                ") changed on RunPod since the plan was made");
  EXPECT_EQ(FindById(sandbox().Live()["networkVolumes"], volume_id_)["size"],
            50);
}

}  // namespace
}  // namespace podform::e2e
