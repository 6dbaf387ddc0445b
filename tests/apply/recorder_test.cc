#include "reconciler/apply/recorder.h"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "reconciler/state/memory_store.h"
#include "reconciler/state/serialize.h"

namespace podform {
namespace {

using Durability = StateRecorder::Durability;

// kLater changes wait for the next kNow write or Flush(): write counts are
// exact.
constexpr RecorderOptions kForeground{.write_in_background = false};

State NewState() {
  State state;
  state.lineage = "0b7c5f8e-2d41-4a3b-9c6e-5f1a2b3c4d5e";
  return state;
}

ResourceState Volume(const std::string& name, const std::string& id) {
  ResourceState recorded;
  recorded.id = id;
  recorded.resource.address = {Kind::kVolume, name};
  recorded.resource.volume = {name, 10, "EU-RO-1"};
  return recorded;
}

// Records volume `name` with `id` through `recorder`.
absl::Status RecordVolume(StateRecorder& recorder, const std::string& name,
                          const std::string& id,
                          Durability durability = Durability::kNow) {
  const Address address{Kind::kVolume, name};
  return recorder.Commit(
      address, [&](State& s) { s.resources[address] = Volume(name, id); },
      durability);
}

// What the store holds, parsed; the test fails when it holds nothing.
State Stored(MemoryStateStore& store) {
  absl::StatusOr<State> state = store.Read();
  EXPECT_TRUE(state.ok()) << state.status();
  return state.ok() ? *state : State();
}

// The store's state and the recorder's agree (serial included).
void ExpectStoredIs(MemoryStateStore& store, const State& state) {
  EXPECT_EQ(store.contents(), SerializeState(state));
}

TEST(StateRecorderTest, NowReturnsOnceTheChangeIsStored) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(&state, &store, kForeground);
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1").ok());
  EXPECT_EQ(store.writes(), 1);
  EXPECT_EQ(state.serial, 1);
  ExpectStoredIs(store, state);
}

TEST(StateRecorderTest, LaterGoesOutWithTheNextWriteOrFlush) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(&state, &store, kForeground);
  const Address a{Kind::kVolume, "a"}, b{Kind::kVolume, "b"};
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
  EXPECT_EQ(store.writes(), 0);
  EXPECT_EQ(store.contents(), std::nullopt);

  // The next write carries it along.
  CreateIntent intent{b, "b", "EU-RO-1", "2026-11-27T06:00:00Z"};
  ASSERT_TRUE(
      recorder.Commit(b, [&](State& s) { s.intents[b] = intent; }).ok());
  EXPECT_EQ(store.writes(), 1);
  ExpectStoredIs(store, state);
  EXPECT_EQ(Stored(store).resources.at(a).id, "v1");

  ASSERT_TRUE(recorder
                  .Commit(
                      b,
                      [&](State& s) {
                        s.intents.erase(b);
                        s.resources[b] = Volume("b", "v2");
                      },
                      Durability::kLater)
                  .ok());
  EXPECT_EQ(store.writes(), 1);
  EXPECT_TRUE(Stored(store).intents.count(b));
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(store.writes(), 2);
  ExpectStoredIs(store, state);
  EXPECT_TRUE(Stored(store).intents.empty());

  // Nothing pending: Flush writes nothing.
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(store.writes(), 2);
}

TEST(StateRecorderTest, EveryWriteHoldsTheWholeStateAsItWasChanged) {
  // Writes copy only the addresses changed since the last one: after adds,
  // changes and removals of resources and intents, what is stored is still
  // the whole in-memory state, entries recorded before the recorder started
  // included.
  State state = NewState();
  const Address kept{Kind::kVolume, "kept"};
  state.resources[kept] = Volume("kept", "v0");
  MemoryStateStore store;
  StateRecorder recorder(&state, &store, kForeground);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 5; ++i) {
      const Address address{Kind::kVolume, absl::StrCat("v", i)};
      const std::string id = absl::StrCat("id-", round, "-", i);
      ASSERT_TRUE(recorder
                      .Commit(address,
                              [&](State& s) {
                                if ((round + i) % 3 == 0) {
                                  s.resources.erase(address);
                                  s.intents[address] = {address, id, "EU-RO-1",
                                                        "2026-11-27T06:00:00Z"};
                                } else {
                                  s.intents.erase(address);
                                  s.resources[address] =
                                      Volume(address.name, id);
                                }
                              })
                      .ok());
      ExpectStoredIs(store, state);
    }
  }
  EXPECT_EQ(store.writes(), 20);
  EXPECT_EQ(Stored(store).resources.at(kept).id, "v0");
}

// A MemoryStateStore whose first write waits until Open() is called.
class GatedStore : public MemoryStateStore {
 public:
  absl::Status Write(State* state) override {
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!first_done_) {
        first_entered_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
        first_done_ = true;
      }
    }
    return MemoryStateStore::Write(state);
  }
  void WaitForFirstWrite() {
    std::unique_lock<std::mutex> lock(mu_);
    changed_.wait(lock, [&] { return first_entered_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    changed_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  bool first_entered_ = false, open_ = false, first_done_ = false;
};

TEST(StateRecorderTest, CommitsMadeDuringAWriteShareTheNextOne) {
  State state = NewState();
  GatedStore store;
  StateRecorder recorder(&state, &store, kForeground);
  auto commit = [&](const std::string& name) {
    absl::Status status = RecordVolume(recorder, name, name);
    EXPECT_TRUE(status.ok()) << status;
    // On disk when Commit returns.
    EXPECT_TRUE(Stored(store).resources.count({Kind::kVolume, name})) << name;
  };
  std::thread first(commit, "first");
  store.WaitForFirstWrite();  // and held there
  constexpr int kOthers = 7;
  std::vector<std::thread> others;
  for (int i = 0; i < kOthers; ++i) {
    others.emplace_back(commit, absl::StrCat("other", i));
  }
  // Every other change is made (and waiting) before the first write ends.
  for (size_t recorded = 0; recorded < 1 + kOthers;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    recorder.Read([&](const State& s) { recorded = s.resources.size(); });
  }
  store.Open();
  first.join();
  for (std::thread& t : others) t.join();
  EXPECT_EQ(store.writes(), 2);  // the first, then one for all the others
  ExpectStoredIs(store, state);
}

TEST(StateRecorderTest, AFailedWriteIsReportedAndTheNextOneCarriesTheChange) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(&state, &store, kForeground);
  store.set_contents("{");  // unreadable: the store refuses to overwrite it
  absl::Status failed = RecordVolume(recorder, "a", "v1");
  EXPECT_EQ(failed.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.contents(), "{");

  store.set_contents(std::nullopt);
  ASSERT_TRUE(RecordVolume(recorder, "b", "v2").ok());
  ExpectStoredIs(store, state);
  EXPECT_EQ(Stored(store).resources.size(), 2u);
}

TEST(StateRecorderTest, FlushTriesAFailedWriteOnceMore) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(&state, &store, kForeground);
  const Address a{Kind::kVolume, "a"};
  store.set_contents("{");  // unreadable: the store refuses to overwrite it
  absl::Status failed = RecordVolume(recorder, "a", "v1");
  EXPECT_EQ(failed.code(), absl::StatusCode::kInvalidArgument);
  // Still failing: Flush reports the error of its own attempt.
  EXPECT_EQ(recorder.Flush().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store.contents(), "{");
  store.set_contents(std::nullopt);
  ASSERT_TRUE(recorder.Flush().ok());
  ExpectStoredIs(store, state);
  EXPECT_EQ(Stored(store).resources.at(a).id, "v1");
}

// A MemoryStateStore whose writes take `delay` each.
class SlowStore : public MemoryStateStore {
 public:
  explicit SlowStore(absl::Duration delay) : delay_(delay) {}
  absl::Status Write(State* state) override {
    absl::SleepFor(delay_);
    return MemoryStateStore::Write(state);
  }

 private:
  const absl::Duration delay_;
};

TEST(StateRecorderTest, TheBackgroundWriterWritesLaterChangesWithoutAFlush) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(&state, &store,
                         {.min_interval = absl::ZeroDuration(), .spacing = 0});
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
  const absl::Time until = absl::Now() + absl::Seconds(30);
  while (store.writes() == 0 && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  ASSERT_EQ(store.writes(), 1);
  EXPECT_EQ(Stored(store).resources.at({Kind::kVolume, "a"}).id, "v1");
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(store.writes(), 1);  // nothing was left for Flush
}

// Changes made every few milliseconds for a second: the background writer
// waits at least `min_interval`, and at least `spacing` times the last
// write's duration, after each write. Counts are bounded above; how many
// writes a loaded machine fits in is not the point.
// kLater changes to 20 volumes, one every 2 ms or so, for a second;
// returns how long that took.
absl::Duration CommitEvery2msForASecond(StateRecorder& recorder) {
  const absl::Time start = absl::Now();
  for (int i = 0; absl::Now() - start < absl::Seconds(1); ++i) {
    EXPECT_TRUE(RecordVolume(recorder, absl::StrCat("v", i % 20),
                             absl::StrCat("id", i), Durability::kLater)
                    .ok());
    absl::SleepFor(absl::Milliseconds(2));
  }
  return absl::Now() - start;
}

TEST(StateRecorderTest, BackgroundWritesAreSpacedByTheMinimumInterval) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(
      &state, &store, {.min_interval = absl::Milliseconds(250), .spacing = 0});
  const absl::Duration elapsed = CommitEvery2msForASecond(recorder);
  const int background = store.writes();
  // At most one write per 250 ms, the first 250 ms after the recorder began.
  EXPECT_LE(background, elapsed / absl::Milliseconds(250)) << elapsed;
  ASSERT_TRUE(recorder.Flush().ok());
  ExpectStoredIs(store, state);
}

TEST(StateRecorderTest, BackgroundWritesAreSpacedBySlowWrites) {
  State state = NewState();
  SlowStore store(absl::Milliseconds(50));
  // Writes of 50 ms, then at least 4 x 50 = 200 ms without one.
  StateRecorder recorder(&state, &store,
                         {.min_interval = absl::ZeroDuration(), .spacing = 4});
  const absl::Duration elapsed = CommitEvery2msForASecond(recorder);
  // The first write starts at once; each later one 250 ms (write + gap)
  // after the one before.
  EXPECT_LE(store.writes(), 1 + elapsed / absl::Milliseconds(250)) << elapsed;
  EXPECT_GE(store.writes(), 1);
  ASSERT_TRUE(recorder.Flush().ok());
  ExpectStoredIs(store, state);
}

TEST(StateRecorderTest, WithoutAStoreNothingIsWritten) {
  State state = NewState();
  StateRecorder recorder(&state, nullptr);
  const Address a{Kind::kVolume, "a"};
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1").ok());
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(state.resources.at(a).id, "v1");
  EXPECT_EQ(state.serial, 0);
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// A pod deposed and its successor recorded in one commit reach the store in
// one write, and the deposed pod's removal in the next.
TEST(StateRecorderTest, DeposedPodsAreWrittenWithTheirAddress) {
  State state = NewState();
  MemoryStateStore store;
  StateRecorder recorder(&state, &store, kForeground);
  const Address web{Kind::kPod, "web"};
  ResourceState pod;
  pod.resource.address = web;
  pod.resource.pod.name = "web";
  pod.id = "p-old";
  ASSERT_TRUE(
      recorder.Commit(web, [&](State& s) { s.resources[web] = pod; }).ok());
  ASSERT_TRUE(recorder
                  .Commit(web,
                          [&](State& s) {
                            s.Depose(web);
                            ResourceState successor = pod;
                            successor.id = "p-new";
                            s.resources[web] = successor;
                          })
                  .ok());
  ExpectStoredIs(store, state);
  State stored = Stored(store);
  ASSERT_EQ(stored.deposed.count(web), 1u);
  EXPECT_EQ(stored.deposed.at(web)[0].id, "p-old");
  EXPECT_EQ(stored.Find(web)->id, "p-new");
  ASSERT_TRUE(
      recorder.Commit(web, [&](State& s) { s.RemoveDeposed(web, "p-old"); })
          .ok());
  ExpectStoredIs(store, state);
  EXPECT_TRUE(Stored(store).deposed.empty());
}

}  // namespace
}  // namespace podform
