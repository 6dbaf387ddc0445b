#ifndef PODFORM_RECONCILER_APPLY_RECORDER_H_
#define PODFORM_RECONCILER_APPLY_RECORDER_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>

#include "absl/status/status.h"
#include "reconciler/state/state.h"

namespace podform {

class StateStore;

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
    // Commit returns at once; the change goes out with the next write, and
    // Flush() writes it if nothing else does. For what a later run can
    // recover without it (a create's id: its intent, on disk, settles it).
    kLater,
  };

  // `store` may be null (nothing is persisted).
  StateRecorder(State* state, StateStore* store);

  // Applies `mutate`, which changes nothing but the resource and the intent
  // of `address`, to the state under the lock. With kNow, returns OK or the
  // error of the write that included it; with kLater, OK.
  absl::Status Commit(const Address& address,
                      const std::function<void(State&)>& mutate,
                      Durability durability = Durability::kNow);

  // Returns once every change committed so far is written: OK, or the
  // error of the write that failed to carry them (tried a second time).
  absl::Status Flush();

  // Reads the state under the lock.
  void Read(const std::function<void(const State&)>& read) const;

  // The first write error seen, if any.
  absl::Status write_error() const;

 private:
  // Returns once change `generation` is written (OK), or once a write that
  // carried it failed (its error), unless `retry`: then such a change is
  // written once more. REQUIRES: `lock` holds mu_.
  absl::Status WaitWritten(std::unique_lock<std::mutex>& lock,
                           uint64_t generation, bool retry);

  State* const state_;
  StateStore* const store_;
  mutable std::mutex mu_;
  std::condition_variable written_;
  State to_write_;            // what the writer hands the store; only the
                              // writer (writing_ set) touches it
  std::set<Address> dirty_;   // changed since to_write_ was last brought up
  uint64_t changed_ = 0;      // generation of the last change
  uint64_t stored_ = 0;       // generation the last successful write carried
  uint64_t tried_ = 0;        // generation the last write attempt carried
  bool writing_ = false;
  absl::Status last_error_;   // of the last failed write
  absl::Status first_error_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_RECORDER_H_
