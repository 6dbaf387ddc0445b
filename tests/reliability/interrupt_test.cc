// SIGINT / SIGTERM during apply: no new step starts, the steps in flight
// finish and are recorded, the lock file is written, the exit code is 130;
// the next apply completes the rest. A second Ctrl-C stops at once, and the
// next apply settles what that left.

#include <signal.h>

#include <chrono>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reliability/harness.h"

namespace podform::reliability {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

class InterruptTest : public ReliabilityTest,
                      public ::testing::WithParamInterface<int> {};

// Three volumes, each mounted by a pod: the volumes are created first, all
// at once; the pods wait for them. The signal arrives while the three volume
// creates are in flight (600 ms each at the sandbox).
TEST_P(InterruptTest, InFlightStepsFinishNothingNewStartsExit130) {
  const int signal = GetParam();
  Fleet fleet = Fleet::Of("int-", 3, 3, 3);
  std::unique_ptr<Process> apply = ApplyUntilCreatesStarted(fleet, 600, 3);
  ASSERT_NE(apply, nullptr);
  const double signalled = Now();
  apply->Signal(signal);
  RunResult r = apply->Wait(60);
  const double waited = Now() - signalled;

  EXPECT_EQ(r.exit_code, 130) << r;
  // Bounded: the steps in flight needed at most one more sandbox answer.
  EXPECT_LT(waited, 10) << r;
  json live = sandbox().Live();
  ASSERT_EQ(live["networkVolumes"].size(), 3u) << live.dump();
  EXPECT_EQ(live["pods"].size(), 0u) << live.dump();
  json lock = json::parse(ReadFileOrEmpty(Path("podform.lock")));
  EXPECT_FALSE(lock.contains("intents")) << lock.dump(2);
  ASSERT_EQ(lock["resources"].size(), 3u) << lock.dump(2);
  for (const json& v : live["networkVolumes"]) {
    const std::string name = v["name"];
    const std::string address = "volume.v" + name.substr(name.size() - 1);
    EXPECT_EQ(lock["resources"][address]["id"], v["id"]) << address;
    EXPECT_THAT(r.out, HasSubstr(address + ": created (id " +
                                 v["id"].get<std::string>() + ") ["));
  }
  for (int i = 0; i < 3; ++i) {
    const std::string address = "pod.p" + std::to_string(i);
    EXPECT_THAT(r.out, Not(HasSubstr(address + ": creating...")));
    EXPECT_THAT(r.out,
                HasSubstr(address + ": interrupted before it started\n"));
  }
  EXPECT_THAT(r.out,
              HasSubstr("\nApply interrupted: 3 succeeded, 0 failed, 3 skipped "
                        "(3 added, 0 changed, 0 destroyed).\n"));
  EXPECT_EQ(r.err, "");

  RunResult again = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out,
              HasSubstr("Apply complete! Resources: 3 added, 0 changed, 0 "
                        "destroyed.\n"));
  ExpectExactly(fleet);
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptTest,
                         ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(info.param == SIGINT ? "SIGINT"
                                                                   : "SIGTERM");
                         });

using SecondInterruptTest = ReliabilityTest;

// A second Ctrl-C means "stop now": the process dies of SIGINT at once,
// leaving every create of the apply announced in the lock file, those in
// flight and those not started. RunPod (the sandbox) completes the first;
// the next apply adopts them, and plans the others again.
TEST_F(SecondInterruptTest, StopsAtOnceAndTheNextApplyAdoptsWhatWasInFlight) {
  Fleet fleet = Fleet::Of("twice-", 2, 2, 2);
  std::unique_ptr<Process> apply = ApplyUntilCreatesStarted(fleet, 600, 2);
  ASSERT_NE(apply, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  apply->Signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  apply->Signal(SIGINT);
  RunResult r = apply->Wait(60);
  EXPECT_EQ(r.signal, SIGINT) << r;
  // At once: it did not wait for the answers to the creates in flight.
  EXPECT_THAT(r.out, Not(HasSubstr("created (id"))) << r;
  EXPECT_EQ(PendingIntents(Path("podform.lock")), 4);

  ASSERT_TRUE(WaitFor(
      [&] { return sandbox().Live()["networkVolumes"].size() == 2; }, 30));
  RunResult again = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again;
  EXPECT_THAT(again.out,
              MatchesRegex("(.|\n)*volume\\.v0: adopted [a-z0-9]+, "
                           "created by an interrupted run\n(.|\n)*"));
  EXPECT_THAT(again.out,
              MatchesRegex("(.|\n)*volume\\.v1: adopted [a-z0-9]+, "
                           "created by an interrupted run\n(.|\n)*"));
  for (const char* pod : {"pod.p0", "pod.p1"}) {
    EXPECT_THAT(again.out,
                HasSubstr(std::string(pod) +
                          ": an interrupted create never reached RunPod; it "
                          "will be planned again\n"));
    EXPECT_THAT(again.out, HasSubstr(std::string(pod) + ": created (id "));
  }
  ExpectExactly(fleet);
}

}  // namespace
}  // namespace podform::reliability
