#ifndef PODFORM_RECONCILER_STATE_FILE_STORE_H_
#define PODFORM_RECONCILER_STATE_FILE_STORE_H_

// The lock file on disk (podform.lock) and the OS lock that keeps two runs
// from using it at once.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "reconciler/state/store.h"

namespace podform {

// Read: the file at `path`, parsed (NotFound when it does not exist).
// Write: the StateStore checks (the file on disk is re-read and validated
// first, so a file that became unreadable is never overwritten; when its
// bytes are exactly those this store wrote last, they are known and not
// parsed again), then WriteFileAtomically with mode 0600. Writes from
// several threads are serialized.
// Lock: flock(LOCK_EX | LOCK_NB) on the sibling file "<path>.flock" (created
// with mode 0600 and kept). The holder writes LockInfo as JSON into it
// ({"command", "host", "pid", "since"}) and empties it on release; a loser
// reads it to name the holder. The kernel releases the lock when the holder
// dies, so what a dead holder left in the file never blocks anyone.
class FileStateStore : public StateStore {
 public:
  explicit FileStateStore(std::string path, Clock now = absl::Now);

  absl::StatusOr<State> Read() override;
  absl::Status Write(State* state) override;
  absl::StatusOr<std::unique_ptr<StateLock>> Lock(
      const std::string& command) override;

  const std::string& path() const { return path_; }
  std::string lock_path() const { return path_ + ".flock"; }

 private:
  const std::string path_;
  const Clock now_;
  std::mutex write_mu_;
  // What this store wrote last (guarded by write_mu_).
  int64_t own_serial_ = -1;
  std::string own_lineage_;
  std::string own_bytes_;
  int64_t own_bytes_serial_ = -1;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_FILE_STORE_H_
