#include "reconciler/apply/applier.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/config/config.h"
#include "reconciler/state/memory_store.h"
#include "reconciler/state/serialize.h"
#include "tests/apply/changes.h"
#include "tests/apply/fake_provider.h"

namespace podform {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

Resource Volume(const std::string& key, int64_t size,
                const std::string& dc = "EU-RO-1") {
  Resource r;
  r.address = {Kind::kVolume, key};
  r.volume = {key, size, dc};
  r.protect = true;
  return r;
}

Resource Pod(const std::string& key, const std::string& volume_key = "") {
  Resource r;
  r.address = {Kind::kPod, key};
  r.pod.name = key;
  r.pod.image = "runpod/pytorch:2.4.0";
  r.pod.gpu_type = "NVIDIA RTX A6000";
  r.pod.data_center = "EU-RO-1";
  r.volume_key = volume_key;
  return r;
}

size_t IndexOf(const std::vector<std::string>& calls, const std::string& s) {
  return std::find(calls.begin(), calls.end(), s) - calls.begin();
}

class ApplierTest : public ::testing::Test {
 protected:
  ApplierTest() { state_.lineage = "lineage-1"; }

  ApplyResult Run(const Plan& plan, int parallelism = 8,
                  StateStore* store = nullptr) {
    ApplyOptions options;
    options.parallelism = parallelism;
    options.on_event = [this](const StepEvent& e) {
      if (e.type == StepEvent::Type::kFinished) {
        finished_.push_back(e.address.ToString());
      }
    };
    return Apply(plan, config_, secrets_, &state_, store, &provider_, options);
  }

  Config config_;
  SecretValues secrets_;  // of config_
  State state_;
  FakeProvider provider_;
  std::vector<std::string> finished_;
};

TEST_F(ApplierTest, CreatesVolumesBeforeThePodsThatMountThem) {
  Plan plan;
  plan.changes = {Create(Volume("models", 100)), Create(Volume("data", 50)),
                  Create(Pod("trainer", "models"), {{Kind::kVolume, "models"}}),
                  Create(Pod("web"))};
  ApplyResult result = Run(plan);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.Count(StepOutcome::kSucceeded), 4);
  std::vector<std::string> calls = provider_.calls();
  ASSERT_EQ(calls.size(), 4u);
  const std::string volume_id = state_.Find({Kind::kVolume, "models"})->id;
  EXPECT_LT(IndexOf(calls, "createVolume models"),
            IndexOf(calls, "createPod trainer on " + volume_id));
  EXPECT_EQ(state_.resources.size(), 4u);
  EXPECT_THAT(state_.intents, IsEmpty());
  const ResourceState* trainer = state_.Find({Kind::kPod, "trainer"});
  ASSERT_NE(trainer, nullptr);
  EXPECT_EQ(trainer->resource.pod.network_volume_id, volume_id);
  EXPECT_EQ(finished_.size(), 4u);
}

TEST_F(ApplierTest, AFailedStepSkipsItsDependentsButNotOthers) {
  provider_.FailNext("createVolume models",
                     absl::FailedPreconditionError("no such data center"));
  Plan plan;
  plan.changes = {
      Create(Volume("models", 100)), Create(Volume("data", 50)),
      Create(Pod("trainer", "models"), {{Kind::kVolume, "models"}})};
  ApplyResult result = Run(plan, 1);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.Count(StepOutcome::kFailed), 1);
  EXPECT_EQ(result.Count(StepOutcome::kSkipped), 1);
  EXPECT_EQ(result.Count(StepOutcome::kSucceeded), 1);
  for (const StepResult& s : result.steps) {
    if (s.address.name == "trainer") {
      EXPECT_EQ(s.detail,
                "skipped: depends on volume.models, which did not succeed");
    }
    if (s.address.name == "models") {
      EXPECT_EQ(s.detail, "no such data center");
    }
  }
  // The lock records exactly what happened: data exists, the rest does not,
  // and no intent is left behind for the failed create.
  EXPECT_EQ(state_.resources.size(), 1u);
  EXPECT_NE(state_.Find({Kind::kVolume, "data"}), nullptr);
  EXPECT_THAT(state_.intents, IsEmpty());
  EXPECT_THAT(provider_.calls(),
              UnorderedElementsAre("createVolume models", "createVolume data"));
}

TEST_F(ApplierTest, UnknownCreateOutcomeAdoptsWithoutResending) {
  provider_.FailNext("createVolume models",
                     absl::DeadlineExceededError("timeout"),
                     /*commit_first=*/true);
  Plan plan;
  plan.changes = {Create(Volume("models", 100))};
  ApplyResult result = Run(plan);
  ASSERT_TRUE(result.ok()) << result.steps[0].detail;
  EXPECT_THAT(provider_.calls(), ElementsAre("createVolume models", "refresh"));
  EXPECT_EQ(provider_.live().volumes.size(), 1u);
  EXPECT_EQ(state_.Find({Kind::kVolume, "models"})->id,
            provider_.live().volumes[0].id);
}

TEST_F(ApplierTest, UnknownCreateOutcomeResendsOnceWhenCertainlyAbsent) {
  provider_.FailNext("createVolume models",
                     absl::DeadlineExceededError("timeout"));
  Plan plan;
  plan.changes = {Create(Volume("models", 100))};
  ApplyResult result = Run(plan);
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(provider_.calls(), ElementsAre("createVolume models", "refresh",
                                             "createVolume models"));
  EXPECT_EQ(provider_.live().volumes.size(), 1u);
}

TEST_F(ApplierTest, UnknownOutcomeWithSeveralCandidatesStops) {
  provider_.AddVolume({"handmade1", {"models", 100, "EU-RO-1"}});
  provider_.AddVolume({"handmade2", {"models", 100, "EU-RO-1"}});
  provider_.FailNext("createVolume models",
                     absl::DeadlineExceededError("timeout"));
  Plan plan;
  plan.changes = {Create(Volume("models", 100))};
  ApplyResult result = Run(plan);
  ASSERT_EQ(result.Count(StepOutcome::kFailed), 1);
  EXPECT_EQ(result.steps[0].detail,
            "after an unknown create outcome: the create's outcome is unknown "
            "and 2 unmanaged volumes named \"models\" exist (handmade1, "
            "handmade2); adopt the right one with podform import");
  // The intent stays: the next run must look again.
  EXPECT_EQ(state_.intents.count({Kind::kVolume, "models"}), 1u);
}

TEST_F(ApplierTest, AStopWhoseAnswerIsLostIsSettledByReadingThePodBack) {
  Resource pod = Pod("idle");
  pod.pod.running = false;
  Plan plan;
  plan.changes = {Create(pod)};
  provider_.FailNext("stopPod", absl::DeadlineExceededError("answer lost"),
                     /*commit_first=*/true);
  ASSERT_TRUE(Run(plan).ok());
  const std::string id = state_.Find({Kind::kPod, "idle"})->id;
  EXPECT_THAT(provider_.calls(),
              ElementsAre("createPod idle", "stopPod " + id, "refresh"));
  EXPECT_FALSE(state_.Find({Kind::kPod, "idle"})->resource.pod.running);
}

TEST_F(ApplierTest, AStopWhoseAnswerIsLostAndThatDidNotHappenFails) {
  Resource pod = Pod("idle");
  pod.pod.running = false;
  Plan plan;
  plan.changes = {Create(pod)};
  provider_.FailNext("stopPod", absl::DeadlineExceededError("answer lost"));
  ApplyResult result = Run(plan);
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kFailed);
  EXPECT_EQ(result.steps[0].detail, "podStop: answer lost");
  // Recorded as it is: created, still running.
  EXPECT_TRUE(state_.Find({Kind::kPod, "idle"})->resource.pod.running);
}

TEST_F(ApplierTest, StoppedPodIsCreatedThenStopped) {
  Resource pod = Pod("idle");
  pod.pod.running = false;
  Plan plan;
  plan.changes = {Create(pod)};
  ASSERT_TRUE(Run(plan).ok());
  const std::string id = state_.Find({Kind::kPod, "idle"})->id;
  EXPECT_THAT(provider_.calls(),
              ElementsAre("createPod idle", "stopPod " + id));
  EXPECT_FALSE(state_.Find({Kind::kPod, "idle"})->resource.pod.running);
}

TEST_F(ApplierTest, SecretsAreSentRawButRecordedOnlyAsMarks) {
  Resource pod = Pod("trainer");
  pod.pod.env = {{"PLAIN", "1"}};
  pod.secret_env = {"TOKEN"};
  DesiredPod desired;
  desired.key = "trainer";
  desired.spec = pod.pod;
  desired.secret_env = {"TOKEN"};
  secrets_.env[pod.address]["TOKEN"] = "s3";
  config_.pods["trainer"] = desired;
  Plan plan;
  plan.changes = {Create(pod)};
  ASSERT_TRUE(Run(plan).ok());
  ASSERT_EQ(provider_.sent_pods().size(), 1u);
  EXPECT_EQ(provider_.sent_pods()[0].env,
            (std::map<std::string, std::string>{{"PLAIN", "1"}, {"TOKEN", "s3"}}));
  const Resource& recorded = state_.Find({Kind::kPod, "trainer"})->resource;
  EXPECT_EQ(recorded.pod.env,
            (std::map<std::string, std::string>{{"PLAIN", "1"}}));
  EXPECT_EQ(recorded.secret_env, std::set<std::string>{"TOKEN"});
}

// An update whose only change is a secret's value: the plain attributes are
// equal, yet the pod is edited, with the raw value.
TEST_F(ApplierTest, AnUpdateOfASecretAloneEditsThePod) {
  Resource pod = Pod("trainer");
  pod.pod.env = {{"PLAIN", "1"}};
  pod.secret_env = {"TOKEN"};
  provider_.AddPod(
      {"p1", pod.pod, PodStatus::kRunning, 0, PodPhase::kUnknown, ""});
  state_.resources[pod.address] = {"p1", pod};
  DesiredPod desired;
  desired.key = "trainer";
  desired.spec = pod.pod;
  desired.secret_env = {"TOKEN"};
  secrets_.env[pod.address]["TOKEN"] = "rotated";
  config_.pods["trainer"] = desired;
  Change update;
  update.address = pod.address;
  update.action = Action::kUpdate;
  update.id = "p1";
  update.before = pod;
  update.after = pod;
  update.secret_env_changes = {"TOKEN"};
  Plan plan;
  plan.changes = {update};
  ASSERT_TRUE(Run(plan).ok());
  EXPECT_THAT(provider_.calls(), ElementsAre("editPod p1 runpod/pytorch:2.4.0"));
  ASSERT_EQ(provider_.sent_pods().size(), 1u);
  EXPECT_EQ(provider_.sent_pods()[0].env.at("TOKEN"), "rotated");
  EXPECT_EQ(state_.Find(pod.address)->resource, pod);
}

TEST_F(ApplierTest, ASecretNoLongerDeclaredFailsTheStep) {
  Resource pod = Pod("trainer");
  pod.secret_env = {"TOKEN"};
  DesiredPod desired;
  desired.spec = pod.pod;
  desired.spec.env["TOKEN"] = "now plain";  // not in desired.secret_env
  config_.pods["trainer"] = desired;
  Plan plan;
  plan.changes = {Create(pod)};
  ApplyResult result = Run(plan);
  ASSERT_EQ(result.Count(StepOutcome::kFailed), 1);
  EXPECT_EQ(result.steps[0].detail,
            "secret env TOKEN is no longer declared in the configuration; "
            "plan again");
  EXPECT_THAT(provider_.calls(), IsEmpty());
}

TEST_F(ApplierTest, DeletesPodsBeforeTheirVolumeAndReplacesInOrder) {
  provider_.AddVolume({"v1", {"models", 100, "EU-RO-1"}});
  provider_.AddPod({"p1", Pod("trainer", "models").pod, PodStatus::kRunning, 0,
                    PodPhase::kUnknown, ""});
  provider_.AddPod(
      {"p2", Pod("web").pod, PodStatus::kRunning, 0, PodPhase::kUnknown, ""});
  state_.resources[{Kind::kVolume, "models"}] = {"v1", Volume("models", 100)};
  state_.resources[{Kind::kPod, "trainer"}] = {"p1", Pod("trainer", "models")};
  state_.resources[{Kind::kPod, "web"}] = {"p2", Pod("web")};
  Change replace;
  replace.address = {Kind::kPod, "web"};
  replace.action = Action::kReplace;
  replace.id = "p2";
  replace.before = Pod("web");
  replace.after = Pod("web");
  replace.after->pod.gpu_type = "NVIDIA L40S";
  Plan plan;
  plan.changes = {
      Delete("p1", Pod("trainer", "models")),
      Delete("v1", Volume("models", 100), {{Kind::kPod, "trainer"}}), replace};
  ASSERT_TRUE(Run(plan).ok());
  std::vector<std::string> calls = provider_.calls();
  EXPECT_LT(IndexOf(calls, "terminatePod p1"),
            IndexOf(calls, "deleteVolume v1"));
  EXPECT_LT(IndexOf(calls, "terminatePod p2"), IndexOf(calls, "createPod web"));
  EXPECT_EQ(state_.resources.size(), 1u);
  EXPECT_EQ(state_.Find({Kind::kPod, "web"})->resource.pod.gpu_type,
            "NVIDIA L40S");
}

TEST_F(ApplierTest, InterruptStartsNothingNew) {
  std::atomic<bool> interrupt{true};
  Plan plan;
  plan.changes = {Create(Volume("a", 10)), Create(Volume("b", 10))};
  ApplyOptions options;
  options.interrupt = &interrupt;
  ApplyResult result =
      Apply(plan, config_, secrets_, &state_, nullptr, &provider_, options);
  EXPECT_TRUE(result.interrupted);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.Count(StepOutcome::kSkipped), 2);
  EXPECT_THAT(provider_.calls(), IsEmpty());
}

TEST_F(ApplierTest, UpdatesInPlaceAndRecordsTheNewAttributes) {
  provider_.AddVolume({"v1", {"models", 100, "EU-RO-1"}});
  state_.resources[{Kind::kVolume, "models"}] = {"v1", Volume("models", 100)};
  Change grow;
  grow.address = {Kind::kVolume, "models"};
  grow.action = Action::kUpdate;
  grow.id = "v1";
  grow.before = Volume("models", 100);
  grow.after = Volume("models", 200);
  Plan plan;
  plan.changes = {grow};
  ASSERT_TRUE(Run(plan).ok());
  EXPECT_THAT(provider_.calls(), ElementsAre("updateVolume v1 models 200"));
  EXPECT_EQ(state_.Find({Kind::kVolume, "models"})->resource.volume.size_gb,
            200);
  EXPECT_EQ(state_.Find({Kind::kVolume, "models"})->id, "v1");
}

// gpu_count_by_resume: podStop, then podResume with the new count, in that
// order; the pod keeps its id.
TEST_F(ApplierTest, AGpuCountChangeStopsThenResumesWithTheNewCount) {
  Resource before = Pod("trainer");
  before.pod.gpu_count = 1;
  before.pod.running = true;
  provider_.AddPod(LivePod{"p1", before.pod, PodStatus::kRunning, 0,
                           PodPhase::kUnknown, ""});
  state_.resources[{Kind::kPod, "trainer"}] = {"p1", before};
  Resource after = before;
  after.pod.gpu_count = 2;
  Change change;
  change.address = after.address;
  change.action = Action::kUpdate;
  change.id = "p1";
  change.before = before;
  change.after = after;
  change.gpu_count_by_resume = true;
  Plan plan;
  plan.changes = {change};
  ASSERT_TRUE(Run(plan).ok());
  EXPECT_THAT(provider_.calls(),
              ElementsAre("stopPod p1", "resumePod p1 gpuCount=2"));
  const ResourceState* recorded = state_.Find({Kind::kPod, "trainer"});
  ASSERT_NE(recorded, nullptr);
  EXPECT_EQ(recorded->id, "p1");
  EXPECT_EQ(recorded->resource.pod.gpu_count, 2);
  EXPECT_TRUE(recorded->resource.pod.running);
}

// A refused resume (no free GPUs on the machine) leaves the pod stopped,
// recorded so with its old count, and the step failed naming it.
TEST_F(ApplierTest, ARefusedResumeLeavesThePodStoppedWithItsOldCount) {
  Resource before = Pod("trainer");
  before.pod.gpu_count = 1;
  before.pod.running = true;
  provider_.AddPod(LivePod{"p1", before.pod, PodStatus::kRunning, 0,
                           PodPhase::kUnknown, ""});
  state_.resources[{Kind::kPod, "trainer"}] = {"p1", before};
  Resource after = before;
  after.pod.gpu_count = 2;
  Change change;
  change.address = after.address;
  change.action = Action::kUpdate;
  change.id = "p1";
  change.before = before;
  change.after = after;
  change.gpu_count_by_resume = true;
  Plan plan;
  plan.changes = {change};
  provider_.FailNext("resumePod", absl::ResourceExhaustedError(
                                      "There are not enough free GPUs on the "
                                      "host machine to start this pod."));
  ApplyResult result = Run(plan);
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kFailed);
  EXPECT_EQ(result.steps[0].address.ToString(), "pod.trainer");
  EXPECT_EQ(result.steps[0].detail,
            "podResume with 2 GPUs (pod p1 is stopped, with 1 GPU, and stays "
            "recorded; the next plan resumes it with 2 again): There are not "
            "enough free GPUs on the host machine to start this pod.");
  EXPECT_THAT(provider_.calls(),
              ElementsAre("stopPod p1", "resumePod p1 gpuCount=2"));
  const ResourceState* recorded = state_.Find({Kind::kPod, "trainer"});
  ASSERT_NE(recorded, nullptr);
  EXPECT_EQ(recorded->id, "p1");
  EXPECT_EQ(recorded->resource.pod.gpu_count, 1);
  EXPECT_FALSE(recorded->resource.pod.running);
}

// A resume whose answer is lost is settled by reading the pod back: a pod
// that runs, but with another GPU count than the one asked for, is not
// done.
TEST_F(ApplierTest, ALostResumeAnswerCountsAsDoneOnlyWithTheNewCount) {
  Resource before = Pod("trainer");
  before.pod.gpu_count = 1;
  before.pod.running = false;  // as planned; it runs with 1 GPU live
  PodSpec live = before.pod;
  live.running = true;
  provider_.AddPod(
      LivePod{"p1", live, PodStatus::kRunning, 0, PodPhase::kUnknown, ""});
  state_.resources[{Kind::kPod, "trainer"}] = {"p1", before};
  Resource after = before;
  after.pod.gpu_count = 2;
  after.pod.running = true;
  Change change;
  change.address = after.address;
  change.action = Action::kUpdate;
  change.id = "p1";
  change.before = before;
  change.after = after;
  change.gpu_count_by_resume = true;
  Plan plan;
  plan.changes = {change};
  provider_.FailNext("resumePod", absl::DeadlineExceededError("answer lost"));
  ApplyResult result = Run(plan);
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kFailed);
  EXPECT_THAT(provider_.calls(),
              ElementsAre("resumePod p1 gpuCount=2", "refresh"));
  EXPECT_EQ(state_.Find({Kind::kPod, "trainer"})->resource.pod.gpu_count, 1);

  // Done, with 2 GPUs: settled.
  provider_.FailNext("resumePod", absl::DeadlineExceededError("answer lost"),
                     /*commit_first=*/true);
  result = Run(plan);
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kSucceeded)
      << result.steps[0].detail;
  EXPECT_EQ(state_.Find({Kind::kPod, "trainer"})->resource.pod.gpu_count, 2);
}

// access: is podform's record only: a change of it alone sends nothing to
// RunPod (no edit, no stop or start) and is recorded.
TEST_F(ApplierTest, AnAccessChangeAloneSendsNothingAndIsRecorded) {
  state_.resources[{Kind::kVolume, "models"}] = {"v1", Volume("models", 100)};
  Resource before = Pod("trainer", "models");
  before.pod.network_volume_id = "v1";
  state_.resources[before.address] = {"p1", before};
  Resource after = before;
  after.read_only = true;
  Change change;
  change.address = before.address;
  change.action = Action::kUpdate;
  change.id = "p1";
  change.before = before;
  change.after = after;
  Plan plan;
  plan.changes = {change};
  ASSERT_TRUE(Run(plan).ok());
  EXPECT_THAT(provider_.calls(), ::testing::IsEmpty());
  EXPECT_TRUE(state_.Find(before.address)->resource.read_only);
  EXPECT_EQ(state_.Find(before.address)->id, "p1");
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// A MemoryStateStore that keeps each state it was handed, with the number
// of provider calls made before that write.
class WriteLog : public MemoryStateStore {
 public:
  explicit WriteLog(const FakeProvider* provider) : provider_(provider) {}

  absl::Status Write(State* state) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      written_.push_back({provider_->calls().size(), *state});
    }
    return MemoryStateStore::Write(state);
  }
  std::vector<std::pair<size_t, State>> written() const {
    std::lock_guard<std::mutex> lock(mu_);
    return written_;
  }

 private:
  const FakeProvider* const provider_;
  mutable std::mutex mu_;
  std::vector<std::pair<size_t, State>> written_;
};

TEST_F(ApplierTest, EveryCreateIsAnnouncedInOneWriteBeforeAnyRequest) {
  Plan plan;
  plan.changes = {Create(Volume("models", 100)), Create(Volume("data", 50)),
                  Create(Pod("trainer", "models"), {{Kind::kVolume, "models"}})};
  // A pod of the same name, made by hand before the plan.
  plan.unmanaged = {{Kind::kPod, "handmade", "trainer"},
                    {Kind::kVolume, "other", "scratch"}};
  WriteLog store(&provider_);
  ApplyResult result = Run(plan, 8, &store);
  ASSERT_TRUE(result.ok());

  std::vector<std::pair<size_t, State>> written = store.written();
  ASSERT_GE(written.size(), 2u);
  const auto& [calls_before, first] = written.front();
  EXPECT_EQ(calls_before, 0u);
  EXPECT_THAT(first.resources, IsEmpty());
  ASSERT_EQ(first.intents.size(), 3u);
  const CreateIntent& trainer = first.intents.at({Kind::kPod, "trainer"});
  EXPECT_EQ(trainer.name, "trainer");
  EXPECT_EQ(trainer.data_center, "EU-RO-1");
  EXPECT_THAT(trainer.preexisting_ids, ElementsAre("handmade"));
  EXPECT_THAT(first.intents.at({Kind::kVolume, "models"}).preexisting_ids,
              IsEmpty());
  EXPECT_EQ(first.intents.at({Kind::kVolume, "data"}).name, "data");
  // Apply ends with everything recorded and no intent left, on disk too.
  const State& last = written.back().second;
  EXPECT_EQ(last.resources.size(), 3u);
  EXPECT_THAT(last.intents, IsEmpty());
  EXPECT_EQ(store.contents(), SerializeState(state_));
}

TEST_F(ApplierTest, CreatesThatWereNeverSentLeaveNoIntent) {
  provider_.FailNext("createVolume models",
                     absl::FailedPreconditionError("no such data center"));
  Plan plan;
  plan.changes = {
      Create(Volume("models", 100)),
      Create(Pod("trainer", "models"), {{Kind::kVolume, "models"}})};
  WriteLog store(&provider_);
  ApplyResult result = Run(plan, 1, &store);
  EXPECT_EQ(result.Count(StepOutcome::kFailed), 1);
  EXPECT_EQ(result.Count(StepOutcome::kSkipped), 1);
  EXPECT_THAT(state_.intents, IsEmpty());
  EXPECT_EQ(store.contents(), SerializeState(state_));
  EXPECT_EQ(store.written().front().second.intents.size(), 2u);
}

TEST_F(ApplierTest, AnInterruptedApplyWithdrawsTheIntentsItAnnounced) {
  std::atomic<bool> interrupt{true};
  Plan plan;
  plan.changes = {Create(Volume("a", 10)), Create(Volume("b", 10))};
  ApplyOptions options;
  options.interrupt = &interrupt;
  WriteLog store(&provider_);
  ApplyResult result =
      Apply(plan, config_, secrets_, &state_, &store, &provider_, options);
  EXPECT_TRUE(result.interrupted);
  EXPECT_THAT(provider_.calls(), IsEmpty());
  EXPECT_THAT(state_.intents, IsEmpty());
  EXPECT_EQ(store.contents(), SerializeState(state_));
}

TEST_F(ApplierTest, AFailedAnnouncementAppliesNothing) {
  Plan plan;
  plan.changes = {Create(Volume("a", 10))};
  MemoryStateStore store;
  store.set_contents("{");  // unreadable: the store refuses to overwrite it
  ApplyResult result = Run(plan, 8, &store);
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(result.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.error.message()),
              ::testing::EndsWith("; nothing was applied"));
  EXPECT_THAT(result.steps, IsEmpty());
  EXPECT_THAT(provider_.calls(), IsEmpty());
  EXPECT_THAT(state_.intents, IsEmpty());
}

// A MemoryStateStore whose second write fails.
class SecondWriteFails : public MemoryStateStore {
 public:
  absl::Status Write(State* state) override {
    if (++calls_ == 2) return absl::UnavailableError("disk hiccup");
    return MemoryStateStore::Write(state);
  }

 private:
  std::atomic<int> calls_{0};
};

// A failed write (in the background, or Flush's first try) stops new steps
// from starting, but is not "unrecorded" once a later write carried
// everything: what counts is the lock file at the end.
TEST_F(ApplierTest, AWriteThatFailedOnceStartsNothingNewButTheEndIsOnDisk) {
  Plan plan;
  plan.changes = {Create(Volume("a", 10)), Create(Volume("b", 10)),
                  Create(Pod("p", "a"), {{Kind::kVolume, "a"}})};
  SecondWriteFails store;
  ApplyResult result = Run(plan, 8, &store);
  EXPECT_FALSE(result.unrecorded);
  EXPECT_EQ(store.contents(), SerializeState(state_));
  EXPECT_THAT(state_.intents, IsEmpty());
  if (result.Count(StepOutcome::kSkipped) == 0) {
    // Every step had started before the failed write.
    EXPECT_TRUE(result.error.ok()) << result.error;
    EXPECT_EQ(state_.resources.size(), 3u);
  } else {
    EXPECT_EQ(result.error.message(),
              "disk hiccup; no step started after that (a later write "
              "recorded every step that happened)");
  }
}

// A create whose answer is lost looks for what it made, and a same-named
// resource that was there before the plan is not it.
TEST_F(ApplierTest, UnknownOutcomeNeverAdoptsAPreexistingResource) {
  provider_.AddVolume({"handmade", {"models", 100, "EU-RO-1"}});
  provider_.FailNext("createVolume models",
                     absl::DeadlineExceededError("timeout"));
  Plan plan;
  plan.changes = {Create(Volume("models", 100))};
  plan.unmanaged = {{Kind::kVolume, "handmade", "models"}};
  ApplyResult result = Run(plan);
  ASSERT_TRUE(result.ok()) << result.steps[0].detail;
  EXPECT_THAT(provider_.calls(), ElementsAre("createVolume models", "refresh",
                                             "createVolume models"));
  const std::string id = state_.Find({Kind::kVolume, "models"})->id;
  EXPECT_NE(id, "handmade");
  EXPECT_EQ(provider_.live().volumes.size(), 2u);
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// Pods report PROVISIONING until `ready_after` pods exist, then RUNNING.
class ProvisioningProvider : public FakeProvider {
 public:
  explicit ProvisioningProvider(size_t ready_after) : ready_after_(ready_after) {}
  absl::StatusOr<LiveState> Refresh() override {
    absl::StatusOr<LiveState> live = FakeProvider::Refresh();
    if (!live.ok()) return live;
    for (LivePod& pod : live->pods) {
      pod.phase = live->pods.size() >= ready_after_ ? PodPhase::kRunning
                                                    : PodPhase::kProvisioning;
    }
    return live;
  }

 private:
  size_t ready_after_;
};

TEST(ApplierWaitTest, WaitingPodsHoldNoSlotAndTheirDependentsWait) {
  // With one slot, the second pod is created while the first provisions
  // (both become RUNNING only once both exist: a held slot would time out).
  ProvisioningProvider provider(2);
  Config config;
  State state;
  state.lineage = "lineage-1";
  Plan plan;
  plan.changes = {Create(Pod("a")), Create(Pod("b"))};
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  std::mutex clock_mutex;
  std::vector<std::string> events;
  ApplyOptions options;
  options.parallelism = 1;
  options.wait.enabled = true;
  options.wait.timeout = absl::Hours(1);
  options.wait.now = [&] {
    std::lock_guard<std::mutex> lock(clock_mutex);
    return now;
  };
  options.wait.sleep = [&](absl::Duration d) {
    {
      std::lock_guard<std::mutex> lock(clock_mutex);
      now += d;
    }
    // Let the worker go on (the fake hour lasts 450 polls).
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  };
  options.on_event = [&](const StepEvent& e) {
    if (e.type == StepEvent::Type::kStarted) {
      events.push_back("start " + e.address.ToString());
    } else if (e.type == StepEvent::Type::kFinished) {
      events.push_back("done " + e.address.ToString());
    }
  };
  ApplyResult result =
      Apply(plan, config, SecretValues(), &state, nullptr, &provider, options);
  ASSERT_TRUE(result.ok()) << (result.steps.empty() ? ""
                                                    : result.steps[0].detail);
  EXPECT_THAT(events, ElementsAre("start pod.a", "start pod.b", "done pod.a",
                                  "done pod.b"));
}

TEST(ApplierWaitTest, APodThatNeverRunsFailsItsStepAfterTheTimeout) {
  ProvisioningProvider provider(5);  // never: only one pod
  Config config;
  State state;
  state.lineage = "lineage-1";
  Plan plan;
  plan.changes = {Create(Pod("a"))};
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  ApplyOptions options;
  options.wait.enabled = true;
  options.wait.timeout = absl::Seconds(30);
  options.wait.now = [&] { return now; };
  options.wait.sleep = [&](absl::Duration d) { now += d; };
  ApplyResult result =
      Apply(plan, config, SecretValues(), &state, nullptr, &provider, options);
  ASSERT_EQ(result.steps.size(), 1u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kFailed);
  EXPECT_EQ(result.steps[0].detail,
            "pod pod1 did not reach RUNNING within 30s (last seen "
            "PROVISIONING); raise --wait-timeout, or use --no-wait");
  // The pod exists and is recorded: the next plan sees it.
  EXPECT_NE(state.Find({Kind::kPod, "a"}), nullptr);
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// --- create-before-destroy replacement and deposed pods ---------------------

class ReplaceTest : public ::testing::Test {
 protected:
  ReplaceTest() {
    state_.lineage = "lineage-1";
    provider_.AddPod({"p-old", Pod("web").pod, PodStatus::kRunning, 0,
                      PodPhase::kUnknown, ""});
    state_.resources[kWeb] = {"p-old", Pod("web")};
  }

  static Plan ReplacePlan(ReplaceOrder order) {
    Change replace;
    replace.address = kWeb;
    replace.action = Action::kReplace;
    replace.replace_order = order;
    replace.id = "p-old";
    replace.before = Pod("web");
    replace.after = Pod("web");
    replace.after->pod.gpu_type = "NVIDIA L40S";
    Plan plan;
    plan.changes = {replace};
    return plan;
  }

  ApplyResult Run(const Plan& plan, Provider* provider = nullptr) {
    return Apply(plan, config_, SecretValues(), &state_, nullptr,
                 provider != nullptr ? provider : &provider_, options_);
  }

  inline static const Address kWeb{Kind::kPod, "web"};
  Config config_;
  State state_;
  FakeProvider provider_;
  ApplyOptions options_;
};

TEST_F(ReplaceTest, CreateFirstCreatesTheNewPodThenTerminatesTheOld) {
  ApplyResult result = Run(ReplacePlan(ReplaceOrder::kCreateFirst));
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(provider_.calls(),
              ElementsAre("createPod web", "terminatePod p-old"));
  EXPECT_EQ(state_.Find(kWeb)->id, "pod1");
  EXPECT_EQ(state_.Find(kWeb)->resource.pod.gpu_type, "NVIDIA L40S");
  EXPECT_TRUE(state_.deposed.empty());
}

TEST_F(ReplaceTest, DestroyFirstTerminatesTheOldPodFirst) {
  ApplyResult result = Run(ReplacePlan(ReplaceOrder::kDestroyFirst));
  ASSERT_TRUE(result.ok());
  EXPECT_THAT(provider_.calls(),
              ElementsAre("terminatePod p-old", "createPod web"));
  EXPECT_EQ(state_.Find(kWeb)->id, "pod1");
  EXPECT_TRUE(state_.deposed.empty());
}

// Between the create and the terminate the state holds both pods.
TEST_F(ReplaceTest, AFailedTerminateLeavesTheOldPodDeposed) {
  provider_.FailNext("terminatePod p-old", absl::UnavailableError("503"));
  ApplyResult result = Run(ReplacePlan(ReplaceOrder::kCreateFirst));
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(state_.Find(kWeb)->id, "pod1");
  ASSERT_EQ(state_.deposed.count(kWeb), 1u);
  ASSERT_EQ(state_.deposed.at(kWeb).size(), 1u);
  EXPECT_EQ(state_.deposed.at(kWeb)[0].id, "p-old");
  EXPECT_EQ(state_.deposed.at(kWeb)[0].resource.pod.gpu_type,
            "NVIDIA RTX A6000");
  // Written to the lock file as such.
  EXPECT_THAT(SerializeState(state_),
              ::testing::HasSubstr("\"deposed\": {\n    \"pod.web\": [\n"));
}

TEST_F(ReplaceTest, NoCapacityForTheNewPodLeavesTheOldOneRecorded) {
  provider_.FailNext("createPod web",
                     absl::ResourceExhaustedError("no instances available"));
  ApplyResult result = Run(ReplacePlan(ReplaceOrder::kCreateFirst));
  EXPECT_FALSE(result.ok());
  EXPECT_THAT(provider_.calls(), ElementsAre("createPod web"));
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kFailed);
  EXPECT_EQ(result.steps[0].detail, "no instances available");
  EXPECT_EQ(result.steps[1].outcome, StepOutcome::kSkipped);
  EXPECT_EQ(state_.Find(kWeb)->id, "p-old");
  EXPECT_EQ(state_.Find(kWeb)->resource.pod.gpu_type, "NVIDIA RTX A6000");
  EXPECT_TRUE(state_.deposed.empty());
  EXPECT_TRUE(state_.intents.empty());
}

// New pods report ERROR: they never run.
class FailingStartProvider : public FakeProvider {
 public:
  absl::StatusOr<LiveState> Refresh() override {
    absl::StatusOr<LiveState> live = FakeProvider::Refresh();
    if (!live.ok()) return live;
    for (LivePod& pod : live->pods) {
      pod.phase = pod.id == "p-old" ? PodPhase::kRunning : PodPhase::kError;
    }
    return live;
  }
};

TEST_F(ReplaceTest, ANewPodThatNeverRunsIsDeposedAndTheOldOneRestored) {
  FailingStartProvider provider;
  provider.AddPod({"p-old", Pod("web").pod, PodStatus::kRunning, 0,
                   PodPhase::kUnknown, ""});
  absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  options_.wait.enabled = true;
  options_.wait.now = [&] { return now; };
  options_.wait.sleep = [&](absl::Duration d) { now += d; };
  ApplyResult result = Run(ReplacePlan(ReplaceOrder::kCreateFirst), &provider);
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.steps.size(), 2u);
  EXPECT_EQ(result.steps[0].outcome, StepOutcome::kFailed);
  EXPECT_THAT(result.steps[0].detail,
              ::testing::EndsWith(
                  "; p-old keeps running and stays recorded; the new pod "
                  "pod1 is deposed: the next apply terminates it"));
  EXPECT_EQ(result.steps[1].outcome, StepOutcome::kSkipped);
  EXPECT_EQ(IndexOf(provider.calls(), "terminatePod p-old"),
            provider.calls().size());
  EXPECT_EQ(state_.Find(kWeb)->id, "p-old");
  EXPECT_EQ(state_.Find(kWeb)->resource.pod.gpu_type, "NVIDIA RTX A6000");
  ASSERT_EQ(state_.deposed.count(kWeb), 1u);
  EXPECT_EQ(state_.deposed.at(kWeb)[0].id, "pod1");
  EXPECT_EQ(state_.deposed.at(kWeb)[0].resource.pod.gpu_type, "NVIDIA L40S");
}

TEST_F(ReplaceTest, DeposedPodsAreTerminatedOrForgotten) {
  provider_.AddPod({"p-dep", Pod("web").pod, PodStatus::kRunning, 0,
                    PodPhase::kUnknown, ""});
  state_.deposed[kWeb] = {{"p-dep", Pod("web")}, {"p-gone", Pod("web")}};
  Change live = Delete("p-dep", Pod("web"));
  live.deposed_id = "p-dep";
  Change gone = Delete("", Pod("web"));
  gone.deposed_id = "p-gone";
  Plan plan;
  plan.changes = {live, gone};
  ASSERT_TRUE(Run(plan).ok());
  EXPECT_THAT(provider_.calls(), ElementsAre("terminatePod p-dep"));
  EXPECT_TRUE(state_.deposed.empty());
  EXPECT_EQ(state_.Find(kWeb)->id, "p-old");  // the address's pod stays
}

}  // namespace
}  // namespace podform
