#ifndef PODFORM_RECONCILER_UTIL_GROUP_COMMIT_H_
#define PODFORM_RECONCILER_UTIL_GROUP_COMMIT_H_

// The writer's turn of a group commit, shared by the lock file's recorder
// (apply/recorder.cc) and the sandbox's data file (sandbox/store.cc): one
// thread at a time writes what all have changed, without the lock, while
// the others go on changing and wait for a write that carries their change.

#include <condition_variable>
#include <mutex>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"

namespace podform {

// Runs `write` with `lock` released and `writing` set. On any exit, a throw
// (out of memory) included, `lock` is held again, `writing` is cleared and
// `written` is notified, so that the next writer can go on.
// REQUIRES: `lock` held, `writing` false.
template <typename Write>
absl::Status WriteWithLockReleased(std::unique_lock<std::mutex>& lock,
                                   bool& writing,
                                   std::condition_variable& written,
                                   Write&& write) {
  writing = true;
  lock.unlock();
  absl::Cleanup relock = [&] {
    lock.lock();
    writing = false;
    written.notify_all();
  };
  return write();
}

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_GROUP_COMMIT_H_
