#ifndef PODFORM_RECONCILER_STATE_FILE_STORE_H_
#define PODFORM_RECONCILER_STATE_FILE_STORE_H_

// The lock file on disk (podform.lock) and the OS lock that keeps two runs
// from using it at once.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "reconciler/state/serialize.h"
#include "reconciler/state/store.h"

namespace podform {

// Read: the file at `path`, parsed (NotFound when it does not exist).
// Write: the StateStore checks (the file on disk is re-read and validated
// first, so a file that became unreadable is never overwritten), then
// WriteFileAtomically with mode 0600. When stat() shows the very file this
// store wrote last (same device, inode, size, modification and change
// times: any other writer replaces or rewrites it, which changes one of
// them), it is known and not read again, so a write costs the same
// whatever the file held before. Writes from several threads are
// serialized.
// Lock: flock(LOCK_EX | LOCK_NB) on the sibling file "<path>.flock" (created
// with mode 0600 and kept). The holder writes LockInfo as JSON into it
// ({"command", "host", "pid", "since"}) and empties it on release; a loser
// reads it to name the holder. The kernel releases the lock when the holder
// dies, so what a dead holder left in the file never blocks anyone.
// What stat() says about a file, enough to know it has not been replaced or
// rewritten since.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = -1;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;

  bool operator==(const FileIdentity&) const = default;
};

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
  int64_t own_file_serial_ = -1;  // the serial in the file it wrote last
  FileIdentity own_file_;         // that file's stat() identity
  StateSerializer serializer_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_FILE_STORE_H_
