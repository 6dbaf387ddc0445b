// Issue 19, "Replacements that cannot leave you with nothing": a pod is
// replaced by creating the new pod first and terminating the old one once
// the new one runs; without capacity for the new one the old one stays;
// `replace: destroy-first` keeps the old order; an apply killed between the
// create and the terminate leaves the old pod deposed in the lock file, and
// the next apply terminates it.

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kA100[] = "NVIDIA A100 80GB PCIe";

class ReplaceE2eTest : public E2eTest {
 protected:
  // Applies TestConfig() (pod.trainer on an RTX A6000 mounting
  // volume.models) and returns the pod's id.
  std::string ApplyFirstPod() {
    WriteConfig(TestConfig().Yaml());
    RunResult apply = Podform({"apply", "--auto-approve"});
    EXPECT_EQ(apply.exit_code, 0) << apply;
    return LockId("pod.trainer");
  }
};

TEST_F(ReplaceE2eTest, AGpuChangeCreatesTheNewPodBeforeTerminatingTheOld) {
  const std::string old_pod = ApplyFirstPod();
  ASSERT_FALSE(old_pod.empty());
  const std::string volume_id = LockId("volume.models");
  WriteConfig(TestConfig().Gpu(kA100).Yaml());

  RunResult plan = Podform({"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  json doc = json::parse(plan.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << plan.out;
  EXPECT_EQ(doc["format_version"], 6);
  ASSERT_EQ(doc["changes"].size(), 2u) << doc.dump(2);
  const json& replace = doc["changes"][0];
  EXPECT_EQ(replace["address"], "pod.trainer");
  EXPECT_EQ(replace["action"], "replace");
  EXPECT_EQ(replace["replace_order"], "create-first");
  EXPECT_EQ(replace["deposed"], nullptr);

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  const std::string new_pod = LockId("pod.trainer");
  ASSERT_FALSE(new_pod.empty());
  EXPECT_NE(new_pod, old_pod);
  EXPECT_LT(PositionOf(apply.out,
                       "pod.trainer: created (id " + new_pod + ")"),
            PositionOf(apply.out, "pod.trainer: destroyed"))
      << apply.out;
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"][0]["id"], new_pod);
  EXPECT_EQ(live["pods"][0]["networkVolumeId"], volume_id);
  EXPECT_FALSE(Lock().contains("deposed")) << LockText();
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// A change of gpuCount alone: over GraphQL the pod is stopped and resumed
// with the new count (podResume) and keeps its id; over REST v2, whose
// start takes no count, it is replaced.
TEST_F(ReplaceE2eTest, AGpuCountChangeResumesWithTheNewCountOverGraphQL) {
  const std::string old_pod = ApplyFirstPod();
  ASSERT_FALSE(old_pod.empty());
  WriteConfig(TestConfig().GpuCount(2).Yaml());

  RunResult plan = Podform({"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  json doc = json::parse(plan.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << plan.out;
  ASSERT_EQ(doc["changes"].size(), 2u) << doc.dump(2);
  const json& change = doc["changes"][0];
  EXPECT_EQ(change["address"], "pod.trainer");
  RunResult text = Podform({"plan", "--no-color"});
  ASSERT_EQ(text.exit_code, 0) << text;
  if (harness::TestingRest()) {
    EXPECT_EQ(change["action"], "replace");
    EXPECT_EQ(change["replace_attributes"], json({"gpuCount"}));
    EXPECT_EQ(change["gpu_count_by_resume"], false);
    EXPECT_THAT(text.out,
                HasSubstr("~ gpuCount: 1 -> 2 # forces replacement\n"));
  } else {
    EXPECT_EQ(change["action"], "update");
    EXPECT_EQ(change["replace_attributes"], json::array());
    EXPECT_EQ(change["gpu_count_by_resume"], true);
    EXPECT_THAT(text.out,
                HasSubstr("~ gpuCount: 1 -> 2 # stop, then resume with 2 "
                          "GPUs (GraphQL podResume)\n"));
  }

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  const std::string new_pod = LockId("pod.trainer");
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"][0]["id"], new_pod);
  EXPECT_EQ(live["pods"][0]["gpuCount"], 2);
  EXPECT_EQ(live["pods"][0]["desiredStatus"], "RUNNING");
  if (harness::TestingRest()) {
    EXPECT_NE(new_pod, old_pod);
  } else {
    EXPECT_EQ(new_pod, old_pod);
    EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["gpuCount"], 2)
        << LockText();
  }
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

// No free GPUs for the new count on the pod's machine: the pod is left
// stopped (not lost), the apply fails naming it, and the next plan shows
// the count change again.
TEST_F(ReplaceE2eTest, AResumeWithoutFreeGpusLeavesThePodStopped) {
  if (harness::TestingRest()) GTEST_SKIP() << "GraphQL only";
  WriteFileOrDie(Path("sandbox.json"),
                 R"({"version": 1, "capacity": {"EU-RO-1": {"NVIDIA RTX A6000": 1}}})");
  StartSandbox();
  const std::string pod = ApplyFirstPod();
  ASSERT_FALSE(pod.empty());
  WriteConfig(TestConfig().GpuCount(2).Yaml());

  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_THAT(apply.out + apply.err, HasSubstr("pod.trainer"));
  EXPECT_THAT(apply.out + apply.err,
              HasSubstr("podResume with 2 GPUs (pod " + pod +
                        " is stopped, with 1 GPU, and stays recorded; the "
                        "next plan resumes it with 2 again)"))
      << apply;
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"][0]["id"], pod);
  EXPECT_EQ(live["pods"][0]["gpuCount"], 1);
  EXPECT_EQ(live["pods"][0]["desiredStatus"], "EXITED");
  EXPECT_EQ(LockId("pod.trainer"), pod);

  RunResult plan = Podform({"plan", "--no-color"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out,
              HasSubstr("~ gpuCount: 1 -> 2 # resume with 2 GPUs (GraphQL "
                        "podResume)\n"))
      << plan.out;
}

// A plan saved over GraphQL that resumes a pod with a new count cannot be
// carried out over REST v2 (its start takes no count): apply PLANFILE
// refuses it before sending anything. The in-process sandbox serves both
// APIs from one data file, so the plan's target matches.
TEST_F(ReplaceE2eTest, AGpuCountResumePlannedOverGraphQLIsRefusedOverRest) {
  if (harness::TestingRest()) {
    GTEST_SKIP() << "chooses both APIs itself (--sandbox --api)";
  }
  const std::string config = Path("podform.yaml");
  WriteConfig(TestConfig().Yaml());
  RunResult apply = PodformRaw(
      {"--file", config, "--api", "graphql", "--sandbox", "apply",
       "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  WriteConfig(TestConfig().GpuCount(2).Yaml());
  const std::string plan_file = Path("count.plan");
  RunResult plan = PodformRaw({"--file", config, "--api", "graphql",
                               "--sandbox", "plan", "--out", plan_file});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("# stop, then resume with 2 GPUs"));

  RunResult rest = PodformRaw(
      {"--file", config, "--api", "rest", "--sandbox", "apply", plan_file});
  EXPECT_EQ(rest.exit_code, 1) << rest;
  EXPECT_THAT(rest.err,
              HasSubstr("pod.trainer: the plan changes gpuCount by resuming "
                        "the pod with the new count, which only RunPod's "
                        "GraphQL podResume can do; apply it with --api "
                        "graphql, or plan again (over REST v2 the change is "
                        "a replacement)"))
      << rest;
  EXPECT_THAT(rest.out, Not(HasSubstr("stopped")));

  RunResult graphql = PodformRaw(
      {"--file", config, "--api", "graphql", "--sandbox", "apply", plan_file});
  EXPECT_EQ(graphql.exit_code, 0) << graphql;
  EXPECT_THAT(graphql.out, HasSubstr("0 added, 1 changed, 0 destroyed"));
}

TEST_F(ReplaceE2eTest, WithoutCapacityForTheNewPodTheOldOneKeepsRunning) {
  // No A100 left in EU-RO-1, the volume's data center.
  WriteFileOrDie(Path("sandbox.json"),
                 R"({"version": 1, "capacity": {"EU-RO-1": {")" +
                     std::string(kA100) + R"(": 0}}})");
  StartSandbox();
  const std::string old_pod = ApplyFirstPod();
  ASSERT_FALSE(old_pod.empty());
  WriteConfig(TestConfig().Gpu(kA100).Yaml());
  if (harness::TestingRest()) {
    // REST v2 reads availability: the plan says what happens without it.
    RunResult plan = Podform({"plan"});
    ASSERT_EQ(plan.exit_code, 0) << plan;
    EXPECT_THAT(plan.out,
                HasSubstr("the replacement creates the new pod first and may "
                          "fail for lack of capacity; the old pod then keeps "
                          "running"))
        << plan.out;
  }

  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_THAT(apply.out, HasSubstr("pod.trainer: FAILED")) << apply.out;
  EXPECT_THAT(apply.out, Not(HasSubstr("pod.trainer: destroyed")));
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"][0]["id"], old_pod);
  EXPECT_EQ(live["pods"][0]["desiredStatus"], "RUNNING");
  EXPECT_EQ(LockId("pod.trainer"), old_pod);
  EXPECT_EQ(Lock()["resources"]["pod.trainer"]["attributes"]["gpuType"],
            "NVIDIA RTX A6000");
  EXPECT_FALSE(Lock().contains("deposed")) << LockText();
  EXPECT_FALSE(Lock().contains("intents")) << LockText();
}

TEST_F(ReplaceE2eTest, ReplaceDestroyFirstTerminatesTheOldPodFirst) {
  const std::string old_pod = ApplyFirstPod();
  ASSERT_FALSE(old_pod.empty());
  WriteConfig(TestConfig().Gpu(kA100).Yaml() + "    replace: destroy-first\n");
  RunResult plan = Podform({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("-/+ pod.trainer must be replaced\n"
                                  "      # (gpuType forces replacement)\n"
                                  "      # (destroy before create: replace: "
                                  "destroy-first in podform.yaml)\n"))
      << plan.out;

  RunResult apply = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply;
  const std::string new_pod = LockId("pod.trainer");
  EXPECT_NE(new_pod, old_pod);
  EXPECT_LT(PositionOf(apply.out, "pod.trainer: destroyed"),
            PositionOf(apply.out, "pod.trainer: created (id " + new_pod + ")"))
      << apply.out;
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"][0]["id"], new_pod);
}

// SIGKILL once the lock file records the old pod as deposed (the new pod is
// created and recorded, the old one not yet terminated): the lock file
// names both, `state list` and the plan show the deposed pod, and the next
// apply terminates it, leaving exactly one pod.
TEST_F(ReplaceE2eTest, AKillBetweenCreateAndTerminateLeavesADeposedPod) {
  // Slow requests keep the terminate in flight long enough to kill first
  // (over REST v2 the wait for the new pod to run does as well).
  StartSandbox({"--latency-ms", "700"});
  const std::string old_pod = ApplyFirstPod();
  ASSERT_FALSE(old_pod.empty());
  WriteConfig(TestConfig().Gpu(kA100).Yaml());
  std::unique_ptr<Process> apply = StartPodform({"apply", "--auto-approve"});
  bool deposed = false;
  for (int i = 0; i < 3000 && !deposed && !apply->Exited(); ++i) {
    deposed = LockText().find("\"deposed\"") != std::string::npos;
    if (!deposed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  apply->Signal(SIGKILL);
  RunResult killed = apply->Wait();
  ASSERT_TRUE(deposed) << "the lock file never recorded a deposed pod:\n"
                       << killed << "\n" << LockText();
  ASSERT_EQ(killed.signal, SIGKILL) << killed;

  const json lock = Lock();
  ASSERT_TRUE(lock.contains("deposed")) << LockText();
  ASSERT_EQ(lock["deposed"]["pod.trainer"].size(), 1u) << LockText();
  EXPECT_EQ(lock["deposed"]["pod.trainer"][0]["id"], old_pod);
  const std::string new_pod = LockId("pod.trainer");
  ASSERT_FALSE(new_pod.empty());
  EXPECT_NE(new_pod, old_pod);

  RunResult list = Podform({"state", "list"});
  ASSERT_EQ(list.exit_code, 0) << list;
  EXPECT_THAT(list.out, HasSubstr("pod.trainer    " + old_pod +
                                  " (deposed: replaced, not yet terminated)"))
      << list.out;
  RunResult show = Podform({"state", "show", "pod.trainer"});
  ASSERT_EQ(show.exit_code, 0) << show;
  EXPECT_THAT(show.out, HasSubstr("deposed: " + old_pod)) << show.out;

  // The terminate may have reached RunPod before the kill: the plan then
  // only forgets the entry.
  const bool still_live =
      !FindById(sandbox().Live()["pods"], old_pod).is_null();
  RunResult plan = Podform({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan;
  EXPECT_THAT(plan.out, HasSubstr("  - pod.trainer (deposed pod " + old_pod +
                                  ") will be destroyed\n"))
      << plan.out;
  EXPECT_THAT(plan.out,
              HasSubstr(still_live ? "deposed: a replacement created its "
                                     "successor but did not terminate it"
                                   : "deposed pod already gone from RunPod"))
      << plan.out;
  EXPECT_THAT(plan.out, HasSubstr("0 to replace, 1 to destroy")) << plan.out;

  RunResult again = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again;
  json live = sandbox().Live();
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["pods"][0]["id"], new_pod);
  EXPECT_EQ(LockId("pod.trainer"), new_pod);
  EXPECT_FALSE(Lock().contains("deposed")) << LockText();
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

}  // namespace
}  // namespace podform::e2e
