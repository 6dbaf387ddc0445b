#ifndef PODFORM_RECONCILER_STATE_STORE_H_
#define PODFORM_RECONCILER_STATE_STORE_H_

// Where the State lives between runs, behind a small interface so that plan
// and apply do not care whether it is a file (file_store.h), memory
// (memory_store.h) or, later, something remote. Every implementation must
// pass the shared suite in tests/state/store_suite.h.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reconciler/state/serialize.h"
#include "reconciler/state/state.h"
#include "reconciler/util/holder_lock.h"

namespace podform {

// LockInfo, CurrentLockInfo and LockedError: reconciler/util/holder_lock.h.

// Proof of holding a store's exclusive lock; destroying it releases the lock.
class StateLock {
 public:
  virtual ~StateLock() = default;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 protected:
  StateLock() = default;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // The stored state. NotFound when there is none yet (the caller starts a
  // new lineage with NewLineage() and serial 0). InvalidArgument or
  // FailedPrecondition (see ParseState) when what is stored cannot be read;
  // other codes for I/O failures.
  virtual absl::StatusOr<State> Read() = 0;

  // Whether what is stored is still what this store's last successful Read
  // returned, so that a caller holding that State need not read it again.
  // False when it changed, when nothing was read yet, and when the store
  // cannot tell without reading it whole (the default): read it again then.
  virtual bool Unchanged() { return false; }

  // Persists `*state` with its serial incremented, atomically: a reader sees
  // the previous state or the new one, never a mix. On success state->serial
  // is the stored serial; on failure `*state` is unchanged and so is what is
  // stored. Before writing, reads what is stored now and refuses to replace:
  //   - something it cannot read (the ParseState error, with "; refusing to
  //     overwrite it" appended): a human must look at it first;
  //   - a state of another lineage: FailedPrecondition;
  //   - a state with a higher serial than `*state`, written by another run
  //     since this one read it: Aborted.
  // InvalidArgument when state->lineage is empty, or when a pod holds a
  // value under a secret env key (the store never holds a secret, nor
  // anything derived from one).
  virtual absl::Status Write(State* state) = 0;

  // Takes the exclusive lock for a run of `command` ("podform apply"), or
  // fails at once with LockedError naming the holder when another holds it.
  // Released when the returned object is destroyed, or when the holding
  // process dies.
  virtual absl::StatusOr<std::unique_ptr<StateLock>> Lock(
      const std::string& command) = 0;
};

using Clock = std::function<absl::Time()>;

// For implementations of Write: checks that `stored` (what Read returns now)
// may be replaced by `state`, and returns the serial to store (normally
// state.serial + 1). `name` names the store in errors. `own_serial` is the
// serial of this store object's last write attempt (-1 if none): a stored
// state with that serial is this run's own, even when that attempt reported
// an error after the data had reached the store, and the new serial
// continues from it.
absl::StatusOr<int64_t> CheckWrite(const absl::StatusOr<State>& stored,
                                   const State& state, const std::string& name,
                                   int64_t own_serial);

// CheckWrite, and the bytes to store: the whole lock file, from
// `serializer`, which the store keeps from one write to the next.
struct PreparedWrite {
  int64_t serial = 0;
  std::string bytes;
};
absl::StatusOr<PreparedWrite> PrepareWrite(const absl::StatusOr<State>& stored,
                                           const State& state,
                                           const std::string& name,
                                           int64_t own_serial,
                                           StateSerializer& serializer);

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_STORE_H_
