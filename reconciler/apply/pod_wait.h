#ifndef PODFORM_RECONCILER_APPLY_POD_WAIT_H_
#define PODFORM_RECONCILER_APPLY_POD_WAIT_H_

// Waiting for created and started pods to run. REST v2 answers a create or
// a start while the pod is still PROVISIONING; apply then waits, for each
// such pod, until RunPod reports it RUNNING, without holding one of its
// parallel slots: one thread polls the live state for every waiting pod at
// once (one listing per poll, however many pods wait), with backoff that
// restarts from the first interval whenever a pod starts waiting: a sleep
// already under way is not cut short (so a new pod is first seen within the
// longest interval, 8 s by default), but the polls after it are as quick
// as at the start, however long the others have waited. A pod added while
// a listing is under way is judged by the next listing (it may have been
// created after the listing was taken).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "reconciler/core/provider.h"

namespace podform {

struct PodWaitOptions {
  bool enabled = false;
  absl::Duration timeout = absl::Minutes(15);  // per pod, from Add()
  absl::Duration first_poll = absl::Seconds(1);
  absl::Duration max_poll = absl::Seconds(8);  // polls back off up to this
  absl::Duration progress_every = absl::Seconds(10);
  // Injectable for tests; default absl::Now / absl::SleepFor.
  std::function<absl::Time()> now;
  std::function<void(absl::Duration)> sleep;
  // When it becomes true, waiting stops: every pod still waited for is
  // settled as done (it was created or started; only its start is not
  // awaited) at the next poll.
  const std::atomic<bool>* interrupt = nullptr;
};

// Polls `provider` for the pods added to it; thread-safe.
class PodWaiter {
 public:
  // `done(status)`: OK once the pod is RUNNING (or when the provider does
  // not report a pod's phase: GraphQL); FailedPrecondition when it reaches
  // ERROR, stops or disappears; DeadlineExceeded after the timeout.
  // `progress(line)`: "still PHASE after N s", at least every
  // progress_every while it waits. Both are called from Run()'s thread.
  struct Waiting {
    std::string pod_id;
    std::function<void(const absl::Status&)> done;
    std::function<void(const std::string&)> progress;
  };

  PodWaiter(Provider* provider, PodWaitOptions options);

  void Add(Waiting waiting);
  // Polls until Close() was called and nothing waits any more.
  void Run();
  void Close();

 private:
  struct Entry {
    Waiting waiting;
    absl::Time since;
    absl::Time progress_due;
    std::string last_phase;
  };
  absl::Time Now() const;
  void Sleep(absl::Duration d) const;
  // One poll: settles the entries whose pods arrived (or failed).
  void Poll();

  Provider* provider_;
  PodWaitOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<int, Entry> entries_;  // guarded by mutex_
  int next_key_ = 0;              // guarded by mutex_
  bool closed_ = false;           // guarded by mutex_
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_POD_WAIT_H_
