// What apply does when the state cannot be written (issue 11, item 5), and
// what a later run adopts from the intents of a run killed between sending
// a create and recording it (item 9).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/apply/applier.h"
#include "reconciler/apply/recover.h"
#include "reconciler/config/config.h"
#include "reconciler/state/memory_store.h"
#include "reconciler/state/serialize.h"
#include "tests/apply/changes.h"
#include "tests/apply/fake_provider.h"

namespace podform {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Resource Volume(const std::string& key, bool protect) {
  Resource r;
  r.address = {Kind::kVolume, key};
  r.volume = {key, 10, "EU-RO-1"};
  r.protect = protect;
  return r;
}

// A store that stands for a lock file that cannot be written (a read-only
// directory, a full disk) from its `first_failing` write on.
class FailingStore : public MemoryStateStore {
 public:
  explicit FailingStore(int first_failing) : first_failing_(first_failing) {}

  absl::Status Write(State* state) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (++writes_ >= first_failing_) {
        ++failed_;
        cv_.notify_all();
        return absl::InternalError(
            "cannot create ./.podform.lock.tmp.1: Read-only file system");
      }
    }
    return MemoryStateStore::Write(state);
  }

  // Returns once a write has failed.
  void AwaitFailure() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return failed_ > 0; });
  }

 private:
  const int first_failing_;
  std::mutex mu_;
  std::condition_variable cv_;
  int writes_ = 0;
  int failed_ = 0;
};

State Recorded(const std::vector<std::pair<std::string, Resource>>& volumes) {
  State state;
  state.lineage = "lineage-1";
  for (const auto& [id, r] : volumes) state.resources[r.address] = {id, r};
  return state;
}

// Deletes only (podform destroy): before the fix no write preceded the
// first request, so every delete was sent and none recorded.
TEST(UnwritableStateTest, NothingIsSentWhenTheStateCannotBeWritten) {
  FakeProvider provider;
  provider.AddVolume({"vol-a", {"a", 10, "EU-RO-1"}});
  State state = Recorded({{"vol-a", Volume("a", false)}});
  FailingStore store(/*first_failing=*/1);
  store.set_contents(SerializeState(state));
  Plan plan;
  plan.changes = {Delete("vol-a", Volume("a", false))};
  ApplyResult result = Apply(plan, Config(), SecretValues(), &state, &store,
                             &provider, ApplyOptions());
  EXPECT_THAT(provider.calls(), IsEmpty());
  EXPECT_THAT(result.steps, IsEmpty());
  EXPECT_FALSE(result.unrecorded);
  EXPECT_EQ(result.error.message(),
            "cannot create ./.podform.lock.tmp.1: Read-only file system; "
            "nothing was applied");
}

// Waits in deleteVolume of `blocked` until `store` has failed a write (and
// a little more: the recorder notes the failure once Write has returned).
class WaitingProvider : public FakeProvider {
 public:
  WaitingProvider(FailingStore* store, std::string blocked)
      : store_(store), blocked_(std::move(blocked)) {}
  absl::Status DeleteVolume(const std::string& id) override {
    absl::Status status = FakeProvider::DeleteVolume(id);
    if (id == blocked_) {
      store_->AwaitFailure();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return status;
  }

 private:
  FailingStore* const store_;
  const std::string blocked_;
};

// A write that fails mid-apply: no step starts after it, and what the
// store lacks is left in the state for the caller to save.
TEST(UnwritableStateTest, NoStepStartsAfterAFailedWrite) {
  FailingStore store(/*first_failing=*/2);  // the first: before any request
  WaitingProvider provider(&store, "vol-b");
  for (const char* name : {"a", "b", "c"}) {
    provider.AddVolume({absl::StrCat("vol-", name), {name, 10, "EU-RO-1"}});
  }
  State state = Recorded({{"vol-a", Volume("a", false)},
                          {"vol-b", Volume("b", false)},
                          {"vol-c", Volume("c", false)}});
  store.set_contents(SerializeState(state));
  Plan plan;
  plan.changes = {Delete("vol-a", Volume("a", false)),
                  Delete("vol-b", Volume("b", false)),
                  Delete("vol-c", Volume("c", false))};
  ApplyOptions options;
  options.parallelism = 1;
  ApplyResult result =
      Apply(plan, Config(), SecretValues(), &state, &store, &provider, options);
  EXPECT_THAT(provider.calls(),
              ElementsAre("deleteVolume vol-a", "deleteVolume vol-b"));
  ASSERT_EQ(result.steps.size(), 3u);
  EXPECT_EQ(result.steps[2].address.name, "c");
  EXPECT_EQ(result.steps[2].outcome, StepOutcome::kSkipped);
  EXPECT_EQ(result.steps[2].detail,
            "not started: the state could not be written (cannot create "
            "./.podform.lock.tmp.1: Read-only file system)");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(result.unrecorded);
  // The state in memory holds what happened; the store does not.
  EXPECT_EQ(state.resources.size(), 1u);
  EXPECT_EQ(state.resources.begin()->second.id, "vol-c");
  absl::StatusOr<State> stored = store.Read();
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->resources.size(), 3u);
}

// A store that a run killed right after its first write (the intents)
// leaves behind: later writes never reach it.
class KilledAfterIntents : public MemoryStateStore {
 public:
  absl::Status Write(State* state) override {
    if (++writes_ > 1) return absl::OkStatus();  // the run is dead
    return MemoryStateStore::Write(state);
  }

 private:
  std::atomic<int> writes_{0};
};

Resource FullPod(const std::string& key, const std::string& volume_key) {
  Resource r;
  r.address = {Kind::kPod, key};
  r.pod.name = "trainer-1";
  r.pod.image = "runpod/pytorch:2.4.0";
  r.pod.gpu_type = "NVIDIA RTX A6000";
  r.pod.gpu_count = 2;
  r.pod.cloud_type = "SECURE";
  r.pod.data_center = "EU-RO-1";
  r.pod.mount_path = "/data";
  r.pod.container_disk_gb = 40;
  r.pod.ports = {"8888/http", "22/tcp"};
  // A secret is recorded as a mark only (secret_env), never its value.
  r.pod.env = {{"MODE", "train"}};
  r.pod.docker_args = "sleep infinity";
  r.pod.running = false;
  r.volume_key = volume_key;
  r.secret_env = {"TOKEN"};
  return r;
}

// Every attribute the state keeps, changed in the config between the killed
// run and the next: what is adopted is what the killed run declared.
TEST(KilledBetweenIntentAndRecordTest, AdoptsWhatTheConfigDeclaredThen) {
  const Resource volume = Volume("models", /*protect=*/false);
  const Resource pod = FullPod("trainer", "models");
  // The config of the killed run, with the raw secret.
  Config then;
  DesiredVolume v;
  v.spec = volume.volume;
  v.protect = false;
  then.volumes["models"] = v;
  DesiredPod p;
  p.spec = pod.pod;
  p.volume = "models";
  p.secret_env = {"TOKEN"};
  then.pods["trainer"] = p;
  SecretValues secrets;
  secrets.env[{Kind::kPod, "trainer"}]["TOKEN"] = "s3cret";

  FakeProvider provider;
  KilledAfterIntents store;
  State state;
  state.lineage = "lineage-1";
  Plan plan;
  plan.lineage = "lineage-1";
  plan.changes = {Create(volume), Create(pod, {{Kind::kVolume, "models"}})};
  ApplyResult result =
      Apply(plan, then, secrets, &state, &store, &provider, ApplyOptions());
  ASSERT_TRUE(result.ok()) << result.error;

  // What the dead run left on disk: the intents only.
  absl::StatusOr<State> left = store.Read();
  ASSERT_TRUE(left.ok()) << left.status();
  ASSERT_EQ(left->intents.size(), 2u);
  EXPECT_THAT(left->resources, IsEmpty());
  const LiveState live = provider.live();
  ASSERT_EQ(live.volumes.size(), 1u);

  Resource want_pod = pod;
  want_pod.pod.network_volume_id = live.volumes[0].id;
  // Each way the config may have changed since: every attribute the state
  // keeps in turn, and the resources no longer declared at all.
  std::vector<std::pair<std::string, std::function<void(Config&)>>> edits = {
      {"volume.protect", [](Config& c) { c.volumes["models"].protect = true; }},
      {"volume.size", [](Config& c) { c.volumes["models"].spec.size_gb = 20; }},
      {"volume.name", [](Config& c) { c.volumes["models"].spec.name = "x"; }},
      {"pod.image", [](Config& c) { c.pods["trainer"].spec.image = "other"; }},
      {"pod.gpuType",
       [](Config& c) { c.pods["trainer"].spec.gpu_type = "NVIDIA A40"; }},
      {"pod.gpuCount", [](Config& c) { c.pods["trainer"].spec.gpu_count = 1; }},
      {"pod.cloudType",
       [](Config& c) { c.pods["trainer"].spec.cloud_type = "COMMUNITY"; }},
      {"pod.dataCenter",
       [](Config& c) { c.pods["trainer"].spec.data_center = "US-KS-2"; }},
      {"pod.mountPath",
       [](Config& c) { c.pods["trainer"].spec.mount_path = "/workspace"; }},
      {"pod.containerDiskGb",
       [](Config& c) { c.pods["trainer"].spec.container_disk_gb = 20; }},
      {"pod.ports", [](Config& c) { c.pods["trainer"].spec.ports = {}; }},
      {"pod.env", [](Config& c) { c.pods["trainer"].spec.env["MODE"] = "x"; }},
      {"pod.secret",
       [](Config& c) { c.pods["trainer"].spec.env["TOKEN"] = "y"; }},
      {"pod.secretEnv", [](Config& c) { c.pods["trainer"].secret_env = {}; }},
      {"pod.dockerArgs",
       [](Config& c) { c.pods["trainer"].spec.docker_args = ""; }},
      {"pod.status", [](Config& c) { c.pods["trainer"].spec.running = true; }},
      {"pod.volume", [](Config& c) { c.pods["trainer"].volume = ""; }},
      {"nothing declared", [](Config& c) { c = Config(); }},
  };
  for (const auto& [what, edit] : edits) {
    SCOPED_TRACE(what);
    Config now = then;
    edit(now);
    State next = *left;
    absl::StatusOr<std::vector<IntentOutcome>> outcomes =
        ResolveIntents(now, live, &next);
    ASSERT_TRUE(outcomes.ok()) << outcomes.status();
    ASSERT_EQ(next.resources.size(), 2u);
    EXPECT_EQ(next.resources.at(volume.address).resource, volume);
    EXPECT_FALSE(next.resources.at(volume.address).resource.protect);
    EXPECT_EQ(next.resources.at(pod.address).resource, want_pod);
  }
}

}  // namespace
}  // namespace podform
