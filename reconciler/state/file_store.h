#ifndef PODFORM_RECONCILER_STATE_FILE_STORE_H_
#define PODFORM_RECONCILER_STATE_FILE_STORE_H_

// The lock file on disk (podform.lock) and the OS lock that keeps two runs
// from using it at once.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "reconciler/state/serialize.h"
#include "reconciler/state/store.h"
#include "reconciler/util/file.h"

namespace podform {

// Read: the file at `path`, parsed (NotFound when it does not exist).
// Unchanged: whether the file's bytes are those of this store's last
// successful Read (a plan reads the file before probing the flock, and
// again after only when it changed).
// Write: the StateStore checks (the file on disk is re-read and validated
// first, so a file that became unreadable is never overwritten), then
// WriteFileAtomically with mode 0600. When `path` is a symbolic link, the
// file it resolves to is replaced and the link stays. When stat() shows the very file this
// store wrote last (FileIdentity: same inode, size and times; another run
// replaces the file, an editor rewrites it), it is known and not read
// again, so a write costs the same whatever the file held before. (A
// rewrite in place that keeps the size, within one tick of the file
// system's clock after this store's write, would go unseen; the flock
// keeps other podform runs out, and people are slower than that.) Writes
// from several threads are serialized.
// Lock: flock(LOCK_EX | LOCK_NB) on "<path>.flock" beside the file `path`
// resolves to (created with mode 0600 and kept; an existing one keeps its
// mode). The holder writes LockInfo as JSON into it
// ({"command", "host", "pid", "since"}) and empties it on release; a loser
// reads it to name the holder. The kernel releases the lock when the holder
// dies, so what a dead holder left in the file never blocks anyone.
class FileStateStore : public StateStore {
 public:
  explicit FileStateStore(std::string path, Clock now = absl::Now);

  absl::StatusOr<State> Read() override;
  bool Unchanged() override;
  absl::Status Write(State* state) override;
  absl::StatusOr<std::unique_ptr<StateLock>> Lock(
      const std::string& command) override;

  const std::string& path() const { return path_; }
  // "<path>.flock" beside the file `path` resolves to (ResolveSymlinks).
  std::string lock_path() const;

 private:
  const std::string path_;
  const Clock now_;
  std::mutex read_mu_;
  // The bytes of the last successful Read (guarded by read_mu_).
  std::optional<std::string> read_text_;
  std::mutex write_mu_;
  // What this store wrote last (guarded by write_mu_).
  int64_t own_serial_ = -1;
  std::string own_lineage_;
  int64_t own_file_serial_ = -1;  // the serial in the file it wrote last
  FileIdentity own_file_;         // that file's stat() identity
  StateSerializer serializer_;
};

// Saves `state` (what happened during an apply whose last write to the
// lock file at `state_path` failed) as a complete lock file, mode 0600, to
// "<state_path>.unrecorded-<YYYYMMDDTHHMMSSZ>.json" beside it or, when that
// cannot be written (a read-only directory, a full disk), to the same name
// in the system's temporary directory. Returns the path written, or an
// error naming every place tried.
absl::StatusOr<std::string> SaveUnrecorded(const std::string& state_path,
                                           const State& state, absl::Time now,
                                           const std::string& temp_dir = "");

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_FILE_STORE_H_
