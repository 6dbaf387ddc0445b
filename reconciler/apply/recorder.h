#ifndef PODFORM_RECONCILER_APPLY_RECORDER_H_
#define PODFORM_RECONCILER_APPLY_RECORDER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "absl/status/status.h"
#include "reconciler/state/state.h"

namespace podform {

class StateStore;

// Serializes changes to the in-memory State from concurrent steps and makes
// each durable before returning (group commit): while one thread writes the
// lock file, the changes of others accumulate and go out in the next write,
// so the number of writes adapts to how fast the disk is and the cost of
// bookkeeping stays proportional to the work, not quadratic in it.
class StateRecorder {
 public:
  // `store` may be null (nothing is persisted).
  StateRecorder(State* state, StateStore* store);

  // Applies `mutate` to the state under the lock, then returns once a write
  // that includes it has finished: OK, or the write's error.
  absl::Status Commit(const std::function<void(State&)>& mutate);

  // Reads the state under the lock.
  void Read(const std::function<void(const State&)>& read) const;

  // The first write error seen, if any.
  absl::Status write_error() const;

 private:
  State* const state_;
  StateStore* const store_;
  mutable std::mutex mu_;
  std::condition_variable written_;
  uint64_t changed_ = 0;   // generation of the last change
  uint64_t durable_ = 0;   // generation included in the last finished write
  bool writing_ = false;
  absl::Status last_write_;   // result of the last finished write
  absl::Status first_error_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_RECORDER_H_
