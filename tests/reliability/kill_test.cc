// Never lose track of a resource: `podform apply` killed with SIGKILL at any
// moment, followed by another apply, ends with exactly the resources the
// config declares (no orphan, no duplicate), and an empty plan.

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <random>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/reliability/harness.h"

namespace podform::reliability {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

using KillTest = ReliabilityTest;

// Sandbox latency per request: long enough that a kill lands while requests
// are in flight, short enough that 30 runs stay fast. The apply itself must
// be most of a run: its start (process start-up and planning, several times
// slower under ASan) ends before the lock file exists, and since every
// create's intent goes out in the first write, no request waits for the
// lock file any more; at 30 ms a sanitized run landed a sixth of its kills
// mid-apply instead of the fifth this test requires.
constexpr int kLatencyMs = 100;
constexpr int kRuns = 30;
constexpr uint32_t kSeed = 20240611;

// What the lock file said right after a kill.
enum class Landed {
  kBeforeLockFile,  // no lock file yet: killed while starting or planning
  kIntentsPending,  // creates had been announced and not all recorded
  kPartial,         // some resources recorded, no create pending
  kComplete,        // everything recorded (the apply was about to end)
};

Landed Classify(const std::string& lock_path, int declared) {
  std::string text = ReadFileOrEmpty(lock_path);
  if (text.empty()) return Landed::kBeforeLockFile;
  json lock = json::parse(text, nullptr, false);
  if (lock.is_discarded()) {
    ADD_FAILURE() << lock_path << " is not JSON after a kill (not atomic?):\n"
                  << text;
    return Landed::kBeforeLockFile;
  }
  if (lock.contains("intents") && !lock["intents"].empty()) {
    return Landed::kIntentsPending;
  }
  return static_cast<int>(lock["resources"].size()) < declared
             ? Landed::kPartial
             : Landed::kComplete;
}

// Each run: a fresh sandbox (--latency-ms 100) and a fresh directory with a
// config of 3 volumes and 5 pods (2 mounting a volume, 1 declared stopped:
// created, then stopped) and, over REST v2 (endpoints are managed there
// only), 2 serverless endpoints mounting volumes (created once their volumes
// are, beside the pods). apply is killed with SIGKILL after a delay drawn
// uniformly from [0, D], D being how long a whole apply takes on this
// machine (measured first), so kills land before, during and at the end of
// the apply. Then apply again, without a kill: it must exit 0, and the
// sandbox must hold exactly the declared names once each (and one template
// per endpoint, its own), the lock file one live id per address and no
// intent, and plan --detailed-exitcode exit 0.
TEST_F(KillTest, SigkillAtRandomMomentsThenApplyEndsWithExactlyTheDeclared) {
  const std::vector<std::string> flags = {"--latency-ms",
                                          std::to_string(kLatencyMs)};
  // The kills are to land in the steps: over REST v2 the killed apply does
  // not also wait for its pods to run (a second or more, during which a
  // kill lands after the last step; waiting is covered by pod_wait_test and
  // the e2e suites), and neither does the calibration.
  const std::vector<std::string> killed_apply = {"apply", "--auto-approve",
                                                 "--no-wait"};
  Fleet fleet = Fleet::Of("kill-", 3, 5, 2, 1);
  if (TestingRest()) fleet.endpoints = 2;

  // Calibration: how long one uninterrupted apply of this config takes, the
  // fastest of three (a first run can be slowed by a cold start, and a D
  // too long lands kills after the apply has ended).
  double duration = 0;
  for (int c = 0; c < 3; ++c) {
    const std::string dir = "calibrate" + std::to_string(c);
    std::filesystem::create_directories(Path(dir));
    StartSandbox(flags, dir + "/sandbox.json");
    WriteFileOrDie(Path(dir + "/podform.yaml"), fleet.Yaml());
    RunResult full =
        Podform(killed_apply, {}, Path(dir + "/podform.yaml"));
    ASSERT_EQ(full.exit_code, 0) << full;
    ExpectExactly(fleet, Path(dir + "/podform.yaml"));
    duration = c == 0 ? full.seconds : std::min(duration, full.seconds);
  }
  std::cout << "[ kill ] an uninterrupted apply takes " << duration << " s\n";

  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> delay(0, duration);
  std::map<Landed, int> landed;
  int adopted = 0, finished_before_kill = 0;
  for (int run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " (seed " +
                 std::to_string(kSeed) + ")");
    const std::string dir = "run" + std::to_string(run);
    std::filesystem::create_directories(Path(dir));
    std::vector<std::string> seeded = flags;
    seeded.insert(seeded.end(), {"--seed", std::to_string(run + 1)});
    StartSandbox(seeded, dir + "/sandbox.json");
    const std::string config = Path(dir + "/podform.yaml");
    WriteFileOrDie(config, fleet.Yaml());

    const double wait = delay(rng);
    std::unique_ptr<Process> apply =
        StartPodform(killed_apply, {}, config);
    ASSERT_NE(apply, nullptr);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    if (apply->Exited()) ++finished_before_kill;
    apply->Signal(SIGKILL);
    RunResult killed = apply->Wait();
    ASSERT_TRUE(killed.signal == SIGKILL || killed.exit_code == 0) << killed;
    landed[Classify(Path(dir + "/podform.lock"), fleet.Resources())]++;

    RunResult again = Podform({"apply", "--auto-approve"}, {}, config);
    ASSERT_EQ(again.exit_code, 0) << "killed after " << wait << " s\n"
                                  << killed << "\nthen:\n"
                                  << again;
    if (again.out.find("created by an interrupted run") != std::string::npos) {
      ++adopted;
    }
    ExpectExactly(fleet, config);
    if (HasFailure()) {
      std::cout << "killed after " << wait << " s:\n"
                << killed << "\nthen:\n"
                << again << "\n";
      return;
    }
  }
  std::cout << "[ kill ] " << kRuns
            << " runs: " << landed[Landed::kBeforeLockFile]
            << " killed before the lock "
            << "file existed, " << landed[Landed::kIntentsPending]
            << " with creates pending, " << landed[Landed::kPartial]
            << " between steps, " << landed[Landed::kComplete]
            << " after the last step (" << finished_before_kill
            << " had exited); the next apply adopted an interrupted create in "
            << adopted << " runs\n";
  // The kills must really have landed mid-apply, or this test proves
  // nothing: at least a fifth of them left creates pending or half done.
  EXPECT_GE(landed[Landed::kIntentsPending] + landed[Landed::kPartial],
            kRuns / 5);
}

// Kills during an apply that changes endpoints instead of creating them
// (REST v2 only): from 2 volumes and 3 queue endpoints (e0 and e2 mounting
// v0, e1 mounting v1) to 1 volume and 2 load-balancer endpoints: e0 and e1
// are replaced (RunPod cannot change an endpoint's type: each is deleted,
// then created anew), e1's new endpoint mounting v0, e2 is deleted, and v1
// is deleted once e1's old endpoint has let go of it. Each run applies the
// first config on a fresh sandbox (--latency-ms 100), starts the apply of
// the second, and kills it after a delay drawn uniformly from [0, S] from
// the moment its lock file announces the creates (planning is over, the
// steps begin), S being how long the steps take uninterrupted (measured
// first); then applies again, which must end with exactly the second
// config, its templates included.
TEST_F(KillTest,
       SigkillWhileEndpointsChangeThenApplyEndsWithExactlyTheDeclared) {
  if (!TestingRest()) {
    GTEST_SKIP() << "endpoints are managed over REST v2 only";
  }
  constexpr int kChangeRuns = 10;
  const std::vector<std::string> flags = {"--latency-ms",
                                          std::to_string(kLatencyMs)};
  Fleet before = Fleet::Of("change-", 2, 0, 0);
  before.endpoints = 3;
  Fleet after = Fleet::Of("change-", 1, 0, 0);
  after.endpoints = 2;
  after.load_balancer = true;

  // A fresh sandbox and directory holding `before`, applied; then apply of
  // `after` started and returned once its lock file announces the creates
  // (null, with a test failure, if not within 60 s).
  auto start = [&](const std::string& dir,
                   const std::vector<std::string>& sandbox_flags)
      -> std::unique_ptr<Process> {
    std::filesystem::create_directories(Path(dir));
    StartSandbox(sandbox_flags, dir + "/sandbox.json");
    const std::string config = Path(dir + "/podform.yaml");
    WriteFileOrDie(config, before.Yaml());
    RunResult first = Podform({"apply", "--auto-approve"}, {}, config);
    EXPECT_EQ(first.exit_code, 0) << first;
    ExpectExactly(before, config);
    WriteFileOrDie(config, after.Yaml());
    std::unique_ptr<Process> apply =
        StartPodform({"apply", "--auto-approve"}, {}, config);
    if (apply == nullptr) return nullptr;
    if (!WaitFor(
            [&] { return PendingIntents(Path(dir + "/podform.lock")) > 0; },
            60)) {
      ADD_FAILURE() << "the creates were never announced:\n"
                    << apply->StdoutSoFar();
      return nullptr;
    }
    return apply;
  };

  double steps = 0;
  for (int c = 0; c < 2; ++c) {
    const std::string dir = "calibrate" + std::to_string(c);
    std::unique_ptr<Process> apply = start(dir, flags);
    ASSERT_NE(apply, nullptr);
    const double announced = Now();
    RunResult full = apply->Wait();
    const double took = Now() - announced;
    ASSERT_EQ(full.exit_code, 0) << full;
    ExpectExactly(after, Path(dir + "/podform.yaml"));
    steps = c == 0 ? took : std::min(steps, took);
  }
  std::cout << "[ kill ] the steps of an uninterrupted change take " << steps
            << " s\n";

  std::mt19937 rng(kSeed);
  std::uniform_real_distribution<double> delay(0, steps);
  int pending = 0;  // kills that left creates announced and not recorded
  int adopted = 0;  // next applies that adopted an interrupted create
  for (int run = 0; run < kChangeRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run) + " (seed " +
                 std::to_string(kSeed) + ")");
    std::vector<std::string> seeded = flags;
    seeded.insert(seeded.end(), {"--seed", std::to_string(run + 1)});
    const std::string dir = "run" + std::to_string(run);
    const double wait = delay(rng);
    std::unique_ptr<Process> apply = start(dir, seeded);
    ASSERT_NE(apply, nullptr);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    apply->Signal(SIGKILL);
    RunResult killed = apply->Wait();
    ASSERT_TRUE(killed.signal == SIGKILL || killed.exit_code == 0) << killed;
    if (PendingIntents(Path(dir + "/podform.lock")) > 0) ++pending;

    const std::string config = Path(dir + "/podform.yaml");
    RunResult again = Podform({"apply", "--auto-approve"}, {}, config);
    ASSERT_EQ(again.exit_code, 0) << "killed after " << wait << " s\n"
                                  << killed << "\nthen:\n"
                                  << again;
    if (again.out.find("created by an interrupted run") != std::string::npos) {
      ++adopted;
    }
    ExpectExactly(after, config);
    if (HasFailure()) {
      std::cout << "killed after " << wait << " s:\n"
                << killed << "\nthen:\n"
                << again << "\n";
      return;
    }
  }
  std::cout << "[ kill ] " << kChangeRuns << " runs: " << pending
            << " killed with creates pending; the next apply adopted an "
            << "interrupted create in " << adopted << " runs\n";
  // The kills must have landed in the steps: at least half of them while
  // the replacements' creates were announced and not yet recorded.
  EXPECT_GE(pending, kChangeRuns / 2);
}

// The sharpest moment: RunPod has made the resources but the killed apply
// never saw the answers, so only the intents in the lock file know of them.
// With a 600 ms latency, apply is killed once it has announced all three
// volume creates (they are in flight); the sandbox completes them. The next
// apply must adopt each of them, not create it again.
TEST_F(KillTest, CreatesInFlightAtTheKillAreAdoptedNotDuplicated) {
  Fleet fleet = Fleet::Of("inflight-", 3, 3, 3);
  // The three volume creates start (their requests go out at once, every
  // create of the apply already announced in the lock file); 150 ms later
  // the requests are at the sandbox, which answers after 600 ms.
  std::unique_ptr<Process> apply = ApplyUntilCreatesStarted(fleet, 600, 3);
  ASSERT_NE(apply, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  apply->Signal(SIGKILL);
  RunResult killed = apply->Wait();
  ASSERT_EQ(killed.signal, SIGKILL) << killed;
  EXPECT_THAT(killed.out, ::testing::Not(HasSubstr("created (id")));

  json lock = json::parse(ReadFileOrEmpty(Path("podform.lock")));
  ASSERT_TRUE(lock.contains("intents")) << lock.dump(2);
  // The three volumes in flight and the three pods not yet started.
  EXPECT_EQ(lock["intents"].size(), 6u) << lock.dump(2);
  EXPECT_TRUE(lock["resources"].empty()) << lock.dump(2);

  // The sandbox finishes the requests it had received (RunPod would too):
  // wait for the three volumes to exist before applying again.
  LiveCounts counts;
  for (const double until = Now() + 30; Now() < until;) {
    counts = CountNames(sandbox().Live());
    if (counts.volumes.size() == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(counts.volumes.size(), 3u) << counts;

  RunResult again = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again;
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(again.out,
                MatchesRegex("(.|\n)*volume\\.v" + std::to_string(i) +
                             ": adopted [a-z0-9]+, created by an interrupted "
                             "run\n(.|\n)*"))
        << again;
    EXPECT_THAT(again.out, ::testing::Not(HasSubstr(
                               "volume.v" + std::to_string(i) + ": creating")))
        << again;
  }
  ExpectExactly(fleet);
}

// The same moment for serverless endpoints (REST v2 only): two endpoints
// that mount one volume are created once it is, and apply is killed while
// both creates are in flight. RunPod makes each endpoint and the template
// bound to it; the next apply must adopt both endpoints, create neither
// again, and leave no template behind.
TEST_F(KillTest, EndpointCreatesInFlightAtTheKillAreAdoptedNotDuplicated) {
  if (!TestingRest()) {
    GTEST_SKIP() << "endpoints are managed over REST v2 only";
  }
  Fleet fleet = Fleet::Of("inflight-ep-", 1, 0, 0);
  fleet.endpoints = 2;
  // The volume's create, answered after 600 ms, then the two endpoints'
  // (their requests go out at once); 150 ms later those are at the sandbox.
  std::unique_ptr<Process> apply = ApplyUntilCreatesStarted(fleet, 600, 3);
  ASSERT_NE(apply, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  apply->Signal(SIGKILL);
  RunResult killed = apply->Wait();
  ASSERT_EQ(killed.signal, SIGKILL) << killed;
  EXPECT_THAT(killed.out, HasSubstr("volume.v0: created (id")) << killed;
  EXPECT_THAT(killed.out, HasSubstr("endpoint.e0: creating...\n")) << killed;
  EXPECT_THAT(killed.out, HasSubstr("endpoint.e1: creating...\n")) << killed;
  EXPECT_THAT(killed.out, ::testing::Not(HasSubstr("endpoint.e0: created")));
  EXPECT_THAT(killed.out, ::testing::Not(HasSubstr("endpoint.e1: created")));

  // The volume recorded, the two endpoint creates announced, not recorded.
  json lock = json::parse(ReadFileOrEmpty(Path("podform.lock")));
  ASSERT_TRUE(lock.contains("intents")) << lock.dump(2);
  EXPECT_EQ(lock["intents"].size(), 2u) << lock.dump(2);
  EXPECT_TRUE(lock["intents"].contains("endpoint.e0")) << lock.dump(2);
  EXPECT_TRUE(lock["intents"].contains("endpoint.e1")) << lock.dump(2);
  EXPECT_EQ(lock["resources"].size(), 1u) << lock.dump(2);
  EXPECT_TRUE(lock["resources"].contains("volume.v0")) << lock.dump(2);

  // The sandbox finishes both creates, each with its bound template.
  json endpoints;
  for (const double until = Now() + 30; Now() < until;) {
    endpoints = LiveNames(sandbox())["endpoints"];
    if (endpoints.size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(endpoints.size(), 2u) << endpoints.dump();
  EXPECT_EQ(LiveTemplates(sandbox()).size(), 2u);
  std::map<std::string, std::string> made;  // RunPod name -> id
  for (const json& e : endpoints) made[e["name"]] = e["id"];
  ASSERT_EQ(made.size(), 2u) << endpoints.dump();

  RunResult again = Podform({"apply", "--auto-approve"});
  ASSERT_EQ(again.exit_code, 0) << again;
  lock = json::parse(ReadFileOrEmpty(Path("podform.lock")));
  for (int i = 0; i < 2; ++i) {
    const std::string address = "endpoint.e" + std::to_string(i);
    const std::string id = made["inflight-ep-ep-" + std::to_string(i)];
    EXPECT_THAT(again.out, HasSubstr(address + ": adopted " + id +
                                     ", created by an interrupted run\n"))
        << again;
    EXPECT_THAT(again.out, ::testing::Not(HasSubstr(address + ": creating")))
        << again;
    EXPECT_EQ(lock["resources"][address]["id"], id) << lock.dump(2);
  }
  ExpectExactly(fleet);
}

// When an interrupted create left several unmanaged resources of the same
// name (someone else made one by hand too), apply must not guess: it stops,
// names the candidates, and changes nothing.
TEST_F(KillTest, AnAmbiguousInterruptedCreateStopsAndNamesTheCandidates) {
  Fleet fleet = Fleet::Of("ambiguous-", 1, 0, 0);
  std::unique_ptr<Process> apply = ApplyUntilCreatesStarted(fleet, 600, 1);
  ASSERT_NE(apply, nullptr);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  apply->Signal(SIGKILL);
  ASSERT_EQ(apply->Wait().signal, SIGKILL);
  // The in-flight create lands; a second volume of the same name appears.
  json made = sandbox().GraphQL(
      "mutation { createNetworkVolume(input: {name: \"ambiguous-vol-0\", "
      "size: 10, dataCenterId: \"EU-RO-1\"}) { id } }");
  ASSERT_TRUE(made.contains("data")) << made.dump();
  json live;
  for (const double until = Now() + 30; Now() < until;) {
    live = sandbox().Live();
    if (live["networkVolumes"].size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(live["networkVolumes"].size(), 2u) << live.dump();
  const std::string a = live["networkVolumes"][0]["id"];
  const std::string b = live["networkVolumes"][1]["id"];

  const std::string lock_before = ReadFileOrEmpty(Path("podform.lock"));
  RunResult again = Podform({"apply", "--auto-approve"});
  EXPECT_EQ(again.exit_code, 1) << again;
  EXPECT_EQ(again.err,
            "podform: volume.v0: an interrupted create left 2 unmanaged "
            "volumes named \"ambiguous-vol-0\" (" +
                a + ", " + b +
                "); adopt the right one with `podform import volume.v0 ID` "
                "or delete the extras on RunPod\n")
      << again;
  EXPECT_EQ(ReadFileOrEmpty(Path("podform.lock")), lock_before);
  EXPECT_EQ(sandbox().Live()["networkVolumes"].size(), 2u);
}

}  // namespace
}  // namespace podform::reliability
