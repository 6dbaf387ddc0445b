#include "reconciler/sandbox/faults.h"

#include <algorithm>
#include <cmath>
#include <thread>

namespace podform::sandbox {

FaultInjector::FaultInjector(const FaultOptions& options, uint64_t seed,
                             SteadyClock now)
    : options_(options),
      now_(now ? std::move(now) : [] { return std::chrono::steady_clock::now(); }),
      random_(seed) {
  tokens_ = std::max(1.0, options_.rate_limit);  // the bucket starts full
  refilled_at_ = now_();
}

std::chrono::steady_clock::time_point FaultInjector::StartLatency() const {
  const auto start = std::chrono::steady_clock::now();
  if (options_.latency_ms <= 0) return start;
  const auto latency = std::chrono::milliseconds(options_.latency_ms);
  std::this_thread::sleep_until(start + latency / 2);
  return start + latency;
}

int FaultInjector::DrawFailure() {
  if (options_.fail_rate <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  if (!random_.Chance(options_.fail_rate)) return 0;
  return random_.Below(2) == 0 ? 502 : 503;
}

std::optional<int> FaultInjector::TakeToken() {
  if (options_.rate_limit <= 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = now_();
  double elapsed = std::chrono::duration<double>(now - refilled_at_).count();
  refilled_at_ = now;
  // A bucket holds at least one token, so rates below 1/s still admit one.
  double capacity = std::max(1.0, options_.rate_limit);
  tokens_ = std::min(capacity, tokens_ + elapsed * options_.rate_limit);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::nullopt;
  }
  double wait = (1 - tokens_) / options_.rate_limit;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

bool FaultInjector::DrawDrop() {
  if (options_.drop_after_commit <= 0) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  return random_.Chance(options_.drop_after_commit);
}

}  // namespace podform::sandbox
