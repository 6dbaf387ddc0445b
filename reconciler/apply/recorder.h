#ifndef PODFORM_RECONCILER_APPLY_RECORDER_H_
#define PODFORM_RECONCILER_APPLY_RECORDER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "reconciler/state/state.h"

namespace podform {

class StateStore;

// The recorder's time: steady (a wall clock stepped back would hold writes
// off), and a wait on it that a change wakes at once. Injectable so that
// tests set the time instead of sleeping (RecorderOptions::clock).
// Implementations are thread-safe: the recorder calls both methods from
// several threads, with its mutex held.
class RecorderClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~RecorderClock() = default;

  virtual TimePoint Now() = 0;

  // Blocks with `lock` released until `cv` is notified or Now() reaches
  // `deadline`, then returns with `lock` held again. May also return early
  // (a spurious wake-up): the caller checks its condition and Now() again.
  // REQUIRES: `lock` holds the mutex under which whoever notifies `cv`
  // changes what the caller waits for.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock,
                         std::condition_variable& cv, TimePoint deadline) = 0;

  // std::chrono::steady_clock and std::condition_variable::wait_until.
  // Thread-safe; lives forever.
  static RecorderClock* Steady();
};

struct RecorderOptions {
  // Whether a background writer writes kLater changes (below) while apply
  // goes on. Off, they wait for the next kNow write or Flush().
  bool write_in_background = true;
  // The background writer starts a write no sooner than `min_interval`, and
  // no sooner than `spacing` times the last write's duration, after the
  // last write ended: writes take at most 1/(1 + spacing) of the time,
  // however long the lock file grows, so what they cost stays proportional
  // to how long apply runs.
  absl::Duration min_interval = absl::Milliseconds(100);
  int spacing = 9;
  // What "now" is, for the interval above and for how long a write took,
  // and how the background writer waits for its turn. Not owned; must
  // outlive the recorder. Null: RecorderClock::Steady().
  RecorderClock* clock = nullptr;
};

// Serializes changes to the in-memory State from concurrent steps and makes
// them durable (group commit): while one thread writes the lock file, the
// changes of others accumulate and go out in the next write, so the number
// of writes adapts to how fast the disk is.
//
// A write hands the store a second State that follows the first one entry
// by entry: only the addresses changed since the last write are copied into
// it, so preparing a write costs what changed, not the size of the state.
class StateRecorder {
 public:
  enum class Durability {
    // Commit returns once a write that includes the change has finished.
    // For what must be on disk before the next request (an intent).
    kNow,
    // Commit returns at once; the background writer writes the change
    // (RecorderOptions), and Flush() does if it has not yet. For what a
    // later run can recover without it (a create's id: its intent, on
    // disk, settles it).
    kLater,
  };

  // `store` may be null (nothing is persisted).
  StateRecorder(State* state, StateStore* store, RecorderOptions options = {});
  // Stops the background writer; what it has not written stays unwritten
  // (call Flush() first).
  ~StateRecorder();

  StateRecorder(const StateRecorder&) = delete;
  StateRecorder& operator=(const StateRecorder&) = delete;

  // Applies `mutate`, which changes nothing but the resources, the intents
  // and the deposed pods of `addresses`, to the state under the lock. With kNow, returns
  // OK or the error of the write that included it; with kLater, OK.
  absl::Status Commit(const std::vector<Address>& addresses,
                      const std::function<void(State&)>& mutate,
                      Durability durability = Durability::kNow);
  absl::Status Commit(const Address& address,
                      const std::function<void(State&)>& mutate,
                      Durability durability = Durability::kNow) {
    return Commit(std::vector<Address>{address}, mutate, durability);
  }

  // Returns once every change committed so far is written: OK, or the
  // error of the write that failed to carry them (tried a second time).
  absl::Status Flush();

  // Reads the state under the lock.
  void Read(const std::function<void(const State&)>& read) const;

  // The error of the first write that failed, OK while none has: from then
  // on the store may lack what happened, so the applier starts no new step
  // (even if a later write succeeds).
  absl::Status first_error() const;

 private:
  // Returns once change `generation` is written (OK), or once a write that
  // carried it failed (its error), unless `retry`: then such a change is
  // written once more. REQUIRES: `lock` holds mu_.
  absl::Status WaitWritten(std::unique_lock<std::mutex>& lock,
                           uint64_t generation, bool retry);
  // Writes every change made so far. REQUIRES: `lock` holds mu_; no write
  // under way.
  void WriteChanges(std::unique_lock<std::mutex>& lock);
  // The background writer's loop.
  void WriteInBackground();

  State* const state_;
  StateStore* const store_;
  const RecorderOptions options_;
  RecorderClock* const clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // a change was made, or a write ended
  State to_write_;            // what the writer hands the store; only the
                              // writer (writing_ set) touches it
  std::set<Address> dirty_;   // changed since to_write_ was last brought up
  uint64_t changed_ = 0;      // generation of the last change
  uint64_t stored_ = 0;       // generation the last successful write carried
  uint64_t tried_ = 0;        // generation the last write attempt carried
  bool writing_ = false;
  bool stopping_ = false;
  RecorderClock::TimePoint last_write_ended_;  // by clock_
  RecorderClock::TimePoint::duration last_write_took_{};
  absl::Status last_error_;   // of the last failed write
  absl::Status first_error_;  // of the first failed write
  std::thread background_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_RECORDER_H_
