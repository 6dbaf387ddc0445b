// podform against a misbehaving RunPod: the sandbox's fault flags, a wrong
// API key, a run interrupted by SIGTERM.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/e2e/harness.h"

namespace podform::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using FaultsE2eTest = E2eTest;

// Exactly one volume and one pod live, and they are the recorded ones.
void ExpectExactlyTheRecordedPair(const json& live,
                                  const std::string& volume_id,
                                  const std::string& pod_id) {
  ASSERT_EQ(live["networkVolumes"].size(), 1u) << live.dump(2);
  ASSERT_EQ(live["pods"].size(), 1u) << live.dump(2);
  EXPECT_EQ(live["networkVolumes"][0]["id"], volume_id);
  EXPECT_EQ(live["pods"][0]["id"], pod_id);
}

TEST_F(FaultsE2eTest, CreatesWhoseAnswersAreLostAreAdoptedNeverSentTwice) {
  // Every mutation is carried out, then its connection closed unanswered.
  StartSandbox({"--drop-after-commit", "1", "--seed", "7"});
  WriteConfig(TestConfig().Yaml());
  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply;
  json live = sandbox().Live();
  ExpectExactlyTheRecordedPair(live, LockId("volume.models"),
                               LockId("pod.trainer"));
  EXPECT_FALSE(Lock().contains("intents"));
  RunResult plan = Podform({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan;
}

TEST_F(FaultsE2eTest, UpdatesWhoseAnswersAreLostFailClearlyThenConverge) {
  WriteConfig(TestConfig().Yaml());
  ASSERT_EQ(Podform({"apply", "--auto-approve"}).exit_code, 0);
  std::string volume_id = LockId("volume.models");
  std::string pod_id = LockId("pod.trainer");
  // The same account, now dropping the answer to every mutation.
  ASSERT_EQ(sandbox().Stop(), 0);
  StartSandbox({"--drop-after-commit", "1", "--seed", "11"});

  WriteConfig(TestConfig().Size(100).Image(kNewImage).Status("stopped").Yaml());
  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("\n  volume.models: updateNetworkVolume: " +
                        (harness::TestingRest()
                             ? "PATCH " + harness::EndpointOf(sandbox()) +
                                   "/network-volumes/" + volume_id
                             : "POST " + sandbox().url())));
  EXPECT_THAT(apply.out, HasSubstr("so its outcome is unknown\n"));
  EXPECT_EQ(LockId("volume.models"), volume_id);
  EXPECT_EQ(LockId("pod.trainer"), pod_id);

  // RunPod answers again: the next run finishes the job on the same ids.
  ASSERT_EQ(sandbox().Stop(), 0);
  StartSandbox();
  RunResult again = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 0) << again;
  json live = sandbox().Live();
  ExpectExactlyTheRecordedPair(live, volume_id, pod_id);
  EXPECT_EQ(live["networkVolumes"][0]["size"], 100);
  EXPECT_EQ(live["pods"][0]["imageName"], kNewImage);
  EXPECT_EQ(live["pods"][0]["desiredStatus"], "EXITED");
  json recorded = Lock()["resources"];
  EXPECT_EQ(recorded["volume.models"]["attributes"]["size"], 100);
  EXPECT_EQ(recorded["pod.trainer"]["attributes"]["image"], kNewImage);
  EXPECT_EQ(recorded["pod.trainer"]["attributes"]["status"], "stopped");
  EXPECT_EQ(Podform({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST_F(FaultsE2eTest, ServerErrorsAreRetried) {
  // A third of all requests answer 502/503 without doing anything.
  StartSandbox({"--fail-rate", "0.3", "--seed", "5"});
  WriteConfig(TestConfig().Yaml());
  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply;
  ExpectExactlyTheRecordedPair(sandbox().Live(), LockId("volume.models"),
                               LockId("pod.trainer"));
}

TEST_F(FaultsE2eTest, RateLimitedRequestsWaitAndSucceed) {
  // Two requests per second; beyond that, 429 with Retry-After.
  StartSandbox({"--rate-limit", "2"});
  WriteConfig(
      "version: 1\n"
      "volumes:\n"
      "  a: {size: 10, dataCenter: EU-RO-1}\n"
      "  b: {size: 10, dataCenter: EU-RO-1}\n"
      "  c: {size: 10, dataCenter: EU-RO-1}\n"
      "  d: {size: 10, dataCenter: EU-RO-1}\n");
  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply;
  EXPECT_THAT(apply.out,
              HasSubstr("Apply complete! Resources: 4 added, 0 changed, 0 "
                        "destroyed.\n"));
  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 4u) << live.dump(2);
  for (const char* name : {"a", "b", "c", "d"}) {
    std::string id = LockId(std::string("volume.") + name);
    EXPECT_EQ(FindById(live["networkVolumes"], id)["name"], name);
  }
}

TEST_F(FaultsE2eTest, AWrongApiKeyIsReportedWithoutShowingIt) {
  StartSandbox({"--api-key", "the-right-key-5d1e"});
  WriteConfig(TestConfig().Yaml());
  RunResult plan = Podform({"plan"});
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_THAT(plan.err, HasSubstr("check RUNPOD_API_KEY"));
  EXPECT_THAT(plan.err, Not(HasSubstr(kApiKey)));
  EXPECT_EQ(plan.out, "");
  EXPECT_FALSE(LockExists());
}

TEST_F(FaultsE2eTest, AMissingApiKeyIsReported) {
  WriteConfig(TestConfig().Yaml());
  RunResult plan = Podform({"plan"}, {"RUNPOD_API_KEY="});
  EXPECT_EQ(plan.exit_code, 1) << plan;
  EXPECT_THAT(plan.err, StartsWith("podform: "));
  EXPECT_THAT(plan.err, HasSubstr("RUNPOD_API_KEY"));
}

TEST_F(FaultsE2eTest, SigtermFinishesTheStepsInFlightRecordsThemAndExits130) {
  StartSandbox({"--latency-ms", "400"});
  WriteConfig(TestConfig().Yaml());
  std::unique_ptr<Process> apply = StartPodform({"apply", "--auto-approve"});
  ASSERT_NE(apply, nullptr);
  // The volume's create is in flight once apply says it started it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && !apply->Exited() &&
         apply->StdoutSoFar().find("volume.models: creating...\n") ==
             std::string::npos) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(apply->Exited()) << apply->Wait();
  ::kill(apply->pid(), SIGTERM);
  RunResult r = apply->Wait();
  EXPECT_EQ(r.exit_code, 130) << r;
  EXPECT_THAT(r.out, HasSubstr("volume.models: created (id "));
  EXPECT_THAT(r.out, HasSubstr("\nApply interrupted: 1 succeeded, 0 failed, 1 "
                               "skipped (1 added, 0 changed, 0 destroyed).\n"));
  // The volume is recorded, the pod was never started.
  json lock = Lock();
  EXPECT_FALSE(lock.contains("intents")) << lock.dump(2);
  EXPECT_EQ(lock["resources"].size(), 1u) << lock.dump(2);
  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 1u);
  EXPECT_EQ(live["networkVolumes"][0]["id"], LockId("volume.models"));
  EXPECT_EQ(live["pods"], json::array());

  RunResult rest = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(rest.exit_code, 0) << rest;
  EXPECT_THAT(rest.out,
              HasSubstr("Plan: 1 to add, 0 to change, 0 to replace, 0 to "
                        "destroy.\n"));
  ExpectExactlyTheRecordedPair(sandbox().Live(), LockId("volume.models"),
                               LockId("pod.trainer"));
}

TEST_F(FaultsE2eTest, AnUnreadableLockFileIsRefusedAndNeverOverwritten) {
  WriteConfig(TestConfig().Yaml());
  const std::string garbage = "{\"version\": 1, \"lineage\": ";
  WriteFileOrDie(LockPath(), garbage);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"plan"},
        std::vector<std::string>{"apply", "--auto-approve"},
        std::vector<std::string>{"state", "list"}}) {
    RunResult r = Podform(args);
    EXPECT_EQ(r.exit_code, 1) << args[0] << ": " << r;
    EXPECT_THAT(r.err, StartsWith("podform: " + LockPath() + ": ")) << args[0];
  }
  EXPECT_EQ(LockText(), garbage);
  json live = sandbox().Live();
  EXPECT_EQ(live["networkVolumes"], json::array());
}

TEST_F(FaultsE2eTest, ALockFileFromANewerPodformIsRefused) {
  WriteConfig(TestConfig().Yaml());
  const std::string newer =
      "{\n  \"lineage\": \"0d7d1c5e-5a8e-4b8e-9a55-2f2f0f3c9c11\",\n"
      "  \"resources\": {},\n  \"serial\": 9,\n  \"version\": 2\n}\n";
  WriteFileOrDie(LockPath(), newer);
  RunResult apply = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply;
  EXPECT_EQ(apply.err, "podform: " + LockPath() +
                           " was written by a newer podform (version 2); this "
                           "podform reads version 1: upgrade podform\n");
  EXPECT_EQ(LockText(), newer);
  EXPECT_EQ(sandbox().Live()["networkVolumes"], json::array());
}

}  // namespace
}  // namespace podform::e2e
