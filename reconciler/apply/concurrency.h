#ifndef PODFORM_RECONCILER_APPLY_CONCURRENCY_H_
#define PODFORM_RECONCILER_APPLY_CONCURRENCY_H_

#include <condition_variable>
#include <mutex>

#include "absl/time/time.h"

namespace podform {

// How many steps may talk to RunPod at once, adapted to RunPod's answers
// like TCP's congestion window (additive increase, multiplicative
// decrease): an HTTP 429 halves the limit (once per `cool_down`, however
// many requests were refused together); each finished step adds 1/limit, so
// the limit grows by one per round of successful steps, up to `max`.
// Thread-safe.
class ConcurrencyLimit {
 public:
  explicit ConcurrencyLimit(int max,
                            absl::Duration cool_down = absl::Seconds(1));

  // Blocks until fewer than limit() steps hold a slot, then takes one.
  void Acquire();
  // Returns a slot; `succeeded` steps grow the limit.
  void Release(bool succeeded);
  // RunPod answered 429.
  void OnThrottled();

  int limit() const;
  int max() const { return max_; }

 private:
  const int max_;
  const absl::Duration cool_down_;
  mutable std::mutex mu_;
  std::condition_variable freed_;
  double limit_;
  int in_use_ = 0;
  absl::Time last_decrease_ = absl::InfinitePast();
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_CONCURRENCY_H_
