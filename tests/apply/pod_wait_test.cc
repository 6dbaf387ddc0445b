// PodWaiter over a scripted provider on a fake clock: backoff, progress
// lines, ERROR, timeout, and one listing per poll for every waiting pod.

#include "reconciler/apply/pod_wait.h"

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace podform {
namespace {

using ::testing::ElementsAre;

// A clock that moves only when something sleeps on it.
class Clock {
 public:
  absl::Time Now() {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
  }
  void Sleep(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ += d;
  }

 private:
  std::mutex mutex_;
  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
};

// Each pod's phase by poll number: phases[id][n] for the n-th Refresh (the
// last one repeats).
class ScriptedProvider : public Provider {
 public:
  std::map<std::string, std::vector<std::string>> phases;
  int refreshes = 0;

  // Called at the start of each Refresh with its number (0 first), as
  // while a listing is under way.
  std::function<void(int)> on_refresh;

  absl::StatusOr<LiveState> Refresh() override {
    if (on_refresh) on_refresh(refreshes);
    LiveState live;
    for (const auto& [id, list] : phases) {
      const std::string& phase =
          list[std::min<size_t>(refreshes, list.size() - 1)];
      if (phase == "GONE") continue;
      LivePod pod;
      pod.id = id;
      pod.phase = ParsePodPhase(phase).value();
      pod.status = phase == "EXITED" || phase == "ERROR" ? PodStatus::kExited
                                                         : PodStatus::kRunning;
      live.pods.push_back(pod);
    }
    ++refreshes;
    return live;
  }
  absl::StatusOr<LiveVolume> CreateVolume(const VolumeSpec&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<LiveVolume> UpdateVolume(const std::string&,
                                          const VolumeSpec&) override {
    return absl::UnimplementedError("");
  }
  absl::Status DeleteVolume(const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<LivePod> CreatePod(const PodSpec&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<LivePod> EditPod(const std::string&,
                                  const PodSpec&) override {
    return absl::UnimplementedError("");
  }
  absl::Status TerminatePod(const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<LivePod> StopPod(const std::string&) override {
    return absl::UnimplementedError("");
  }
  absl::StatusOr<LivePod> ResumePod(const std::string&, int) override {
    return absl::UnimplementedError("");
  }
};

struct Outcome {
  std::mutex mutex;
  std::vector<std::string> lines;  // "ID: ok" / "ID: ERROR MESSAGE" / "ID ~ LINE"
};

PodWaiter::Waiting Waiting(Outcome* out, const std::string& id, Clock* clock,
                           absl::Time start) {
  return PodWaiter::Waiting{
      id,
      [out, id, clock, start](const absl::Status& status) {
        std::lock_guard<std::mutex> lock(out->mutex);
        out->lines.push_back(absl::StrCat(
            id, " at ", absl::ToInt64Seconds(clock->Now() - start), "s: ",
            status.ok() ? "ok" : status.ToString()));
      },
      [out, id, clock, start](const std::string& line) {
        std::lock_guard<std::mutex> lock(out->mutex);
        out->lines.push_back(absl::StrCat(
            id, " at ", absl::ToInt64Seconds(clock->Now() - start), "s ~ ",
            line));
      }};
}

PodWaitOptions Options(Clock* clock) {
  PodWaitOptions options;
  options.enabled = true;
  options.timeout = absl::Seconds(60);
  options.now = [clock] { return clock->Now(); };
  options.sleep = [clock](absl::Duration d) { clock->Sleep(d); };
  return options;
}

TEST(PodWaitTest, WaitsForRunningWithBackoffAndProgressLines) {
  Clock clock;
  ScriptedProvider provider;
  // Polls at 1, 3, 7, 10 (progress due), 18, 20 (progress due) s.
  provider.phases["p1"] = {"PROVISIONING", "PROVISIONING", "STARTING",
                           "STARTING", "STARTING", "RUNNING"};
  provider.phases["p2"] = {"PROVISIONING", "ERROR"};
  provider.phases["p3"] = {"STARTING", "GONE"};
  Outcome out;
  PodWaiter waiter(&provider, Options(&clock));
  absl::Time start = clock.Now();
  for (const char* id : {"p1", "p2", "p3"}) {
    waiter.Add(Waiting(&out, id, &clock, start));
  }
  std::thread thread([&] { waiter.Run(); });
  waiter.Close();
  thread.join();
  EXPECT_THAT(
      out.lines,
      ElementsAre(
          "p2 at 3s: FAILED_PRECONDITION: pod p2 reached ERROR after 3s "
          "instead of RUNNING (RunPod: the container is in an unrecoverable "
          "error state; see the pod's logs)",
          "p3 at 3s: FAILED_PRECONDITION: pod p3 disappeared before it "
          "reached RUNNING",
          "p1 at 10s ~ waiting for RUNNING: STARTING after 10s",
          "p1 at 20s: ok"));
  // One listing per poll for all the pods together.
  EXPECT_EQ(provider.refreshes, 6);
}

TEST(PodWaitTest, GivesUpAfterTheTimeout) {
  Clock clock;
  ScriptedProvider provider;
  provider.phases["p1"] = {"PROVISIONING"};
  Outcome out;
  PodWaitOptions options = Options(&clock);
  options.timeout = absl::Seconds(25);
  PodWaiter waiter(&provider, options);
  absl::Time start = clock.Now();
  waiter.Add(Waiting(&out, "p1", &clock, start));
  std::thread thread([&] { waiter.Run(); });
  waiter.Close();
  thread.join();
  EXPECT_THAT(
      out.lines,
      ElementsAre("p1 at 10s ~ waiting for RUNNING: PROVISIONING after 10s",
                  "p1 at 20s ~ waiting for RUNNING: PROVISIONING after 20s",
                  "p1 at 25s: DEADLINE_EXCEEDED: pod p1 did not reach RUNNING "
                  "within 25s (last seen PROVISIONING); raise --wait-timeout, "
                  "or use --no-wait"));
}

TEST(PodWaitTest, APodWhosePhaseIsNotReportedIsDoneAtOnce) {
  Clock clock;
  ScriptedProvider provider;
  provider.phases["p1"] = {""};
  Outcome out;
  PodWaiter waiter(&provider, Options(&clock));
  waiter.Add(Waiting(&out, "p1", &clock, clock.Now()));
  std::thread thread([&] { waiter.Run(); });
  waiter.Close();
  thread.join();
  EXPECT_THAT(out.lines, ElementsAre("p1 at 1s: ok"));
}

// A pod created while a listing is under way may be missing from it: it is
// judged by the next listing, not reported as gone.
TEST(PodWaitTest, APodAddedDuringAListingIsJudgedByTheNext) {
  Clock clock;
  ScriptedProvider provider;
  provider.phases["p1"] = {"PROVISIONING", "RUNNING"};
  provider.phases["p2"] = {"GONE", "RUNNING"};  // not in the first listing
  Outcome out;
  PodWaiter waiter(&provider, Options(&clock));
  absl::Time start = clock.Now();
  provider.on_refresh = [&](int n) {
    if (n == 0) waiter.Add(Waiting(&out, "p2", &clock, start));
  };
  waiter.Add(Waiting(&out, "p1", &clock, start));
  std::thread thread([&] { waiter.Run(); });
  waiter.Close();
  thread.join();
  // p2 started waiting during the first poll (at 1 s), so the next poll
  // comes first_poll later (2 s), not after the doubled backoff (3 s).
  EXPECT_THAT(out.lines, ElementsAre("p1 at 2s: ok", "p2 at 2s: ok"));
  EXPECT_EQ(provider.refreshes, 2);
}

// Pods that keep starting to wait (an apply creating them one after the
// other) are polled every first_poll; once none is added, the backoff
// doubles again from first_poll.
TEST(PodWaitTest, TheBackoffRestartsWhenAPodStartsWaiting) {
  Clock clock;
  ScriptedProvider provider;
  // Polls at 1, 2 (p2 added during the first), 3 (p3 added during the
  // second), 5, 9 s.
  provider.phases["p1"] = {"PROVISIONING", "PROVISIONING", "PROVISIONING",
                           "PROVISIONING", "RUNNING"};
  provider.phases["p2"] = {"GONE", "STARTING", "RUNNING"};
  provider.phases["p3"] = {"GONE", "GONE", "STARTING", "RUNNING"};
  Outcome out;
  PodWaiter waiter(&provider, Options(&clock));
  absl::Time start = clock.Now();
  provider.on_refresh = [&](int n) {
    if (n == 0) waiter.Add(Waiting(&out, "p2", &clock, start));
    if (n == 1) waiter.Add(Waiting(&out, "p3", &clock, start));
  };
  waiter.Add(Waiting(&out, "p1", &clock, start));
  std::thread thread([&] { waiter.Run(); });
  waiter.Close();
  thread.join();
  EXPECT_THAT(out.lines, ElementsAre("p2 at 3s: ok", "p3 at 5s: ok",
                                     "p1 at 9s: ok"));
  EXPECT_EQ(provider.refreshes, 5);
}

}  // namespace
}  // namespace podform
