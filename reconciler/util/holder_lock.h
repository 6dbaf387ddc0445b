#ifndef PODFORM_RECONCILER_UTIL_HOLDER_LOCK_H_
#define PODFORM_RECONCILER_UTIL_HOLDER_LOCK_H_

// An exclusive lock on a file that says who holds it: flock on a lock file
// into which the holder writes its pid, host, command and since when. Used
// for the state (podform.lock.flock) and for the sandbox's data file
// (DATA.flock): a second owner fails at once, naming the first.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace podform {

// Who holds a lock, as shown to a process that wants it.
struct LockInfo {
  int64_t pid = 0;
  std::string host;
  std::string command;  // e.g. "podform apply"
  std::string since;    // RFC 3339 UTC, e.g. "2026-11-26T22:00:00Z"

  bool operator==(const LockInfo&) const = default;
};

// The holder described by this process: its pid, gethostname(), `command`
// and `now` formatted as RFC 3339 UTC (whole seconds).
LockInfo CurrentLockInfo(const std::string& command, absl::Time now);

// FailedPrecondition: `NAME is locked by pid P on host "H" running "C" since
// S`.
absl::Status LockedError(const std::string& name, const LockInfo& holder);

// Holds a lock taken by TakeHolderLock; destroying it empties the holder
// record and releases the lock.
class HolderLock {
 public:
  explicit HolderLock(int fd) : fd_(fd) {}
  ~HolderLock();
  HolderLock(const HolderLock&) = delete;
  HolderLock& operator=(const HolderLock&) = delete;

 private:
  const int fd_;
};

// Takes flock(LOCK_EX | LOCK_NB) on `lock_file` (created with mode 0600 and
// kept) and writes `holder` into it as JSON ({"command", "host", "pid",
// "since"}). When another open file description holds it, fails at once
// with LockedError(name, what the holder wrote) (FailedPrecondition), after
// waiting briefly only while the holder's record is unreadable (it is
// between taking the lock and writing it). The kernel releases the lock when
// the holder dies, so a dead holder's record never blocks anyone.
// Internal for I/O errors, naming the file.
absl::StatusOr<std::unique_ptr<HolderLock>> TakeHolderLock(
    const std::string& lock_file, const std::string& name,
    const LockInfo& holder);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_HOLDER_LOCK_H_
