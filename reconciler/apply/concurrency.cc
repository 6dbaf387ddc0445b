#include "reconciler/apply/concurrency.h"

#include <algorithm>

#include "absl/time/clock.h"

namespace podform {

ConcurrencyLimit::ConcurrencyLimit(int max, absl::Duration cool_down)
    : max_(std::max(1, max)), cool_down_(cool_down), limit_(max_) {}

void ConcurrencyLimit::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  freed_.wait(lock, [&] { return in_use_ < static_cast<int>(limit_); });
  ++in_use_;
}

void ConcurrencyLimit::Release(bool succeeded) {
  std::lock_guard<std::mutex> lock(mu_);
  --in_use_;
  if (succeeded) limit_ = std::min<double>(max_, limit_ + 1.0 / limit_);
  freed_.notify_all();
}

void ConcurrencyLimit::OnThrottled() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = absl::Now();
  if (now - last_decrease_ < cool_down_) return;
  last_decrease_ = now;
  limit_ = std::max(1.0, limit_ / 2);
}

int ConcurrencyLimit::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(limit_);
}

}  // namespace podform
