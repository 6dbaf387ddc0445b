#include "reconciler/apply/recorder.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// The real time a test waits for another thread to reach a point before it
// fails instead of hanging; the recorder gets there in microseconds.
constexpr std::chrono::seconds kStuck(10);

// A count other threads raise and a test waits for.
class Counter {
 public:
  void Add() {
    std::lock_guard<std::mutex> lock(mu_);
    ++count_;
    changed_.notify_all();
  }
  int count() {
    std::lock_guard<std::mutex> lock(mu_);
    return count_;
  }
  // True once the count is `n` or more; false if it is not within kStuck.
  bool AwaitAtLeast(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kStuck, [&] { return count_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  int count_ = 0;
};

using TimePoint = RecorderClock::TimePoint;
using std::chrono::milliseconds;

// Time that moves only when Advance is called (by the test, or by a store
// whose writes "take" time). A thread in WaitUntil is registered with its
// deadline until it returns: Advance wakes those whose deadline it reaches,
// taking the waiter's mutex first so that the wake-up cannot fall between
// the waiter's check of Now() and its wait; AwaitWaiter tells the test that
// a thread waits for a given deadline.
class FakeRecorderClock : public RecorderClock {
 public:
  // The time the clock starts at.
  static constexpr TimePoint kStart = TimePoint(std::chrono::hours(1));

  TimePoint Now() override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }

  void WaitUntil(std::unique_lock<std::mutex>& lock,
                 std::condition_variable& cv, TimePoint deadline) override {
    std::unique_lock<std::mutex> mine(mu_);
    if (now_ >= deadline) return;
    const int number = ++waits_;
    waiters_[number] = {lock.mutex(), &cv, deadline};
    changed_.notify_all();
    mine.unlock();
    cv.wait(lock);  // Advance cannot notify before: `lock` is held till now
    mine.lock();
    waiters_.erase(number);  // if Advance has not
  }

  // Moves time on by `by` and wakes every waiter whose deadline that
  // reaches. REQUIRES: what those waiters wait on outlives the call.
  void Advance(std::chrono::nanoseconds by) {
    std::vector<Waiter> due;
    {
      std::lock_guard<std::mutex> lock(mu_);
      now_ += by;
      for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->second.deadline <= now_) {
          due.push_back(it->second);
          it = waiters_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const Waiter& waiter : due) {
      std::lock_guard<std::mutex> lock(*waiter.mu);
      waiter.cv->notify_all();
    }
  }

  // Now(), in whole milliseconds after kStart.
  int64_t ms() { return (Now() - kStart) / milliseconds(1); }

  // True once a thread waits for exactly `deadline` in a WaitUntil call
  // that began after the first `after` calls (see waits()); false if none
  // does within kStuck.
  bool AwaitWaiter(TimePoint deadline, int after = 0) {
    std::unique_lock<std::mutex> lock(mu_);
    return changed_.wait_for(lock, kStuck, [&] {
      for (const auto& [number, waiter] : waiters_) {
        if (number > after && waiter.deadline == deadline) return true;
      }
      return false;
    });
  }

  // How many WaitUntil calls have waited so far.
  int waits() {
    std::lock_guard<std::mutex> lock(mu_);
    return waits_;
  }

  // The deadlines waited for now, as "+N ms" after kStart (for messages).
  std::string Waiters() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> deadlines;
    for (const auto& [number, waiter] : waiters_) {
      deadlines.push_back(absl::StrCat(
          "+", (waiter.deadline - kStart) / milliseconds(1), " ms"));
    }
    return absl::StrCat("waiting for [", absl::StrJoin(deadlines, ", "), "]");
  }

 private:
  struct Waiter {
    std::mutex* mu;
    std::condition_variable* cv;
    TimePoint deadline;
  };

  std::mutex mu_;
  std::condition_variable changed_;  // a waiter registered
  TimePoint now_ = kStart;
  int waits_ = 0;
  std::map<int, Waiter> waiters_;  // by call number
};

// A MemoryStateStore whose writes take `takes` of the fake clock each and
// are counted as they end, for a test to wait for the background writer.
class TimedStore : public MemoryStateStore {
 public:
  explicit TimedStore(FakeRecorderClock* clock) : clock_(clock) {}
  absl::Status Write(State* state) override {
    clock_->Advance(takes_);
    absl::Status status = MemoryStateStore::Write(state);
    ended_.Add();
    return status;
  }
  // REQUIRES: no write under way.
  void set_takes(milliseconds takes) { takes_ = takes; }
  // True once `n` writes have ended; false if they have not within kStuck.
  // The recorder may not have taken in the end of the last one yet (its
  // serial, when it ended): Flush() waits for that.
  bool AwaitWrites(int n) { return ended_.AwaitAtLeast(n); }

 private:
  FakeRecorderClock* const clock_;
  milliseconds takes_{0};
  Counter ended_;
};

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
  Counter made;  // changes made
  auto commit = [&](const std::string& name) {
    const Address address{Kind::kVolume, name};
    absl::Status status = recorder.Commit(address, [&](State& s) {
      s.resources[address] = Volume(name, name);
      made.Add();
    });
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
  EXPECT_TRUE(made.AwaitAtLeast(1 + kOthers)) << made.count();
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

TEST(StateRecorderTest, TheBackgroundWriterWritesLaterChangesWithoutAFlush) {
  State state = NewState();
  FakeRecorderClock clock;
  TimedStore store(&clock);
  StateRecorder recorder(
      &state, &store,
      {.min_interval = absl::ZeroDuration(), .spacing = 0, .clock = &clock});
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
  ASSERT_TRUE(store.AwaitWrites(1));  // no time has to pass
  EXPECT_EQ(store.writes(), 1);
  EXPECT_EQ(Stored(store).resources.at({Kind::kVolume, "a"}).id, "v1");
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(store.writes(), 1);  // nothing was left for Flush
  EXPECT_EQ(clock.waits(), 0);
}

// The background writer starts a write at the last write's end (the
// recorder's start before the first) + max(min_interval, spacing x the last
// write's duration): not before, and at once when that time comes.
TEST(StateRecorderTest, BackgroundWritesWaitTheMinimumIntervalAfterTheLast) {
  State state = NewState();
  FakeRecorderClock clock;
  TimedStore store(&clock);  // writes take no time
  StateRecorder recorder(
      &state, &store,
      {.min_interval = absl::Milliseconds(100), .spacing = 9, .clock = &clock});
  const TimePoint start = FakeRecorderClock::kStart;
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(100))) << clock.Waiters();

  // A change 1 ms before the turn wakes the writer, which waits again.
  clock.Advance(milliseconds(99));
  int waits = clock.waits();
  ASSERT_TRUE(RecordVolume(recorder, "b", "v2", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(100), waits))
      << clock.Waiters();
  EXPECT_EQ(store.writes(), 0);

  // The turn comes: one write, of both changes.
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(store.AwaitWrites(1));
  EXPECT_EQ(Stored(store).resources.size(), 2u);

  // 9 x 0 ms < 100 ms: the next write 100 ms after this one ended.
  ASSERT_TRUE(RecordVolume(recorder, "c", "v3", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(200))) << clock.Waiters();
  clock.Advance(milliseconds(99));
  waits = clock.waits();
  ASSERT_TRUE(RecordVolume(recorder, "d", "v4", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(200), waits))
      << clock.Waiters();
  EXPECT_EQ(store.writes(), 1);
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(store.AwaitWrites(2));
  EXPECT_EQ(clock.ms(), 200);
  // Flush returns once the writer is done with its write, which carried
  // everything.
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(store.writes(), 2);
  ExpectStoredIs(store, state);
}

TEST(StateRecorderTest, BackgroundWritesAreSpacedBySlowWrites) {
  State state = NewState();
  FakeRecorderClock clock;
  TimedStore store(&clock);
  StateRecorder recorder(
      &state, &store,
      {.min_interval = absl::Milliseconds(100), .spacing = 4, .clock = &clock});
  const TimePoint start = FakeRecorderClock::kStart;
  store.set_takes(milliseconds(50));
  // No write yet: min_interval after the recorder's start.
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(100))) << clock.Waiters();
  clock.Advance(milliseconds(100));
  ASSERT_TRUE(store.AwaitWrites(1));
  EXPECT_EQ(clock.ms(), 150);  // it took 50 ms

  // 4 x 50 ms > 100 ms: the next write 200 ms after the last one ended.
  ASSERT_TRUE(RecordVolume(recorder, "b", "v2", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(350))) << clock.Waiters();
  clock.Advance(milliseconds(199));
  const int waits = clock.waits();
  ASSERT_TRUE(RecordVolume(recorder, "c", "v3", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(350), waits))
      << clock.Waiters();
  EXPECT_EQ(store.writes(), 1);
  store.set_takes(milliseconds(20));
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(store.AwaitWrites(2));
  EXPECT_EQ(store.writes(), 2);
  EXPECT_EQ(clock.ms(), 370);

  // 4 x 20 ms < 100 ms: min_interval again.
  ASSERT_TRUE(RecordVolume(recorder, "d", "v4", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(470))) << clock.Waiters();
  clock.Advance(milliseconds(100));
  ASSERT_TRUE(store.AwaitWrites(3));
  EXPECT_EQ(clock.ms(), 490);
  ASSERT_TRUE(recorder.Flush().ok());  // the writer is done: nothing to write
  EXPECT_EQ(store.writes(), 3);
  ExpectStoredIs(store, state);
}

TEST(StateRecorderTest, FlushWritesAtOnceWhileTheWriterWaits) {
  State state = NewState();
  FakeRecorderClock clock;
  TimedStore store(&clock);
  StateRecorder recorder(
      &state, &store,
      {.min_interval = absl::Milliseconds(100), .spacing = 4, .clock = &clock});
  const TimePoint start = FakeRecorderClock::kStart;
  store.set_takes(milliseconds(50));
  ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(100))) << clock.Waiters();
  ASSERT_TRUE(recorder.Flush().ok());
  EXPECT_EQ(store.writes(), 1);
  ExpectStoredIs(store, state);
  EXPECT_EQ(clock.ms(), 50);

  // The next background write counts from the end of Flush's write.
  ASSERT_TRUE(RecordVolume(recorder, "b", "v2", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(250))) << clock.Waiters();
  EXPECT_EQ(store.writes(), 1);
  // So does the one after a kNow commit's write.
  ASSERT_TRUE(RecordVolume(recorder, "c", "v3").ok());
  EXPECT_EQ(store.writes(), 2);
  ExpectStoredIs(store, state);
  ASSERT_TRUE(RecordVolume(recorder, "d", "v4", Durability::kLater).ok());
  ASSERT_TRUE(clock.AwaitWaiter(start + milliseconds(300))) << clock.Waiters();
  EXPECT_EQ(store.writes(), 2);
}

TEST(StateRecorderTest, DestructionStopsAWaitingWriter) {
  State state = NewState();
  FakeRecorderClock clock;
  TimedStore store(&clock);
  {
    StateRecorder recorder(&state, &store,
                           {.min_interval = absl::Hours(1), .clock = &clock});
    ASSERT_TRUE(RecordVolume(recorder, "a", "v1", Durability::kLater).ok());
    ASSERT_TRUE(
        clock.AwaitWaiter(FakeRecorderClock::kStart + std::chrono::hours(1)))
        << clock.Waiters();
  }  // returns although the hour has not passed
  EXPECT_EQ(clock.Waiters(), "waiting for []");
  EXPECT_EQ(store.writes(), 0);  // what was not written stays unwritten
  EXPECT_EQ(clock.ms(), 0);
}

TEST(RecorderClockTest, TheSteadyClockWakesAWaiterBeforeItsDeadline) {
  RecorderClock* clock = RecorderClock::Steady();
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::unique_lock<std::mutex> lock(mu);
  // A deadline that has passed: returns at once.
  const TimePoint before = clock->Now();
  clock->WaitUntil(lock, cv, before - std::chrono::seconds(1));
  EXPECT_GE(clock->Now(), before);
  // A notification ends a wait for an hour.
  std::thread notifier([&] {
    std::lock_guard<std::mutex> held(mu);
    done = true;
    cv.notify_all();
  });
  const TimePoint deadline = clock->Now() + std::chrono::hours(1);
  while (!done) clock->WaitUntil(lock, cv, deadline);
  lock.unlock();
  notifier.join();
  EXPECT_LT(clock->Now(), deadline);
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
