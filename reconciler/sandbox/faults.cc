#include "reconciler/sandbox/faults.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace podform::sandbox {

absl::Status ParseRateLimit(const std::string& text, FaultOptions* options) {
  absl::string_view rate = text;
  int window = 1;
  if (absl::ConsumeSuffix(&rate, "/min")) {
    window = 60;
  } else {
    absl::ConsumeSuffix(&rate, "/s");
  }
  double n = 0;
  if (!absl::SimpleAtod(rate, &n) || !std::isfinite(n) || n < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--rate-limit ", text,
        ": expected N, N/s or N/min with N >= 0 (e.g. 10/s, 60/min)"));
  }
  options->rate_limit = n;
  options->rate_window_seconds = window;
  return absl::OkStatus();
}

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
  double per_second =
      options_.rate_limit / std::max(1, options_.rate_window_seconds);
  tokens_ = std::min(capacity, tokens_ + elapsed * per_second);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return std::nullopt;
  }
  double wait = (1 - tokens_) / per_second;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

int FaultInjector::Quota() const {
  return std::max(1, static_cast<int>(std::floor(options_.rate_limit)));
}

int FaultInjector::WindowSeconds() const {
  int window = std::max(1, options_.rate_window_seconds);
  if (options_.rate_limit <= 0 || options_.rate_limit >= 1) return window;
  return static_cast<int>(std::ceil(window / options_.rate_limit));
}

std::optional<RateLimitState> FaultInjector::TakeWindowRequest(
    const std::string& key) {
  if (options_.rate_limit <= 0) return std::nullopt;
  const auto window = std::chrono::seconds(WindowSeconds());
  const int quota = Quota();
  std::lock_guard<std::mutex> lock(mutex_);
  const auto now = now_();
  // Forget expired windows now and then, so that many keys cannot grow the
  // map without bound.
  if (windows_.size() > 10000) {
    for (auto it = windows_.begin(); it != windows_.end();) {
      it = now - it->second.start >= window ? windows_.erase(it) : ++it;
    }
  }
  Window& w = windows_[key];
  if (w.used == 0 || now - w.start >= window) {
    w.start = now;
    w.used = 0;
  }
  RateLimitState state;
  auto left = w.start + window - now;
  state.reset_seconds = std::max<int>(
      1, static_cast<int>(std::ceil(
             std::chrono::duration<double>(left).count())));
  if (w.used >= quota) {
    state.allowed = false;
    state.remaining = 0;
    return state;
  }
  ++w.used;
  state.remaining = quota - w.used;
  return state;
}

namespace {
std::string WindowName(int seconds) {
  if (seconds == 1) return "second";
  if (seconds == 60) return "minute";
  if (seconds == 3600) return "hour";
  return "window";
}
}  // namespace

std::string FaultInjector::PolicyHeader() const {
  return absl::StrCat("\"", WindowName(WindowSeconds()), "\";q=", Quota(),
                      ";w=", WindowSeconds());
}

std::string FaultInjector::StateHeader(const RateLimitState& state) const {
  return absl::StrCat("\"", WindowName(WindowSeconds()), "\";r=",
                      state.remaining, ";t=", state.reset_seconds);
}

bool FaultInjector::DrawDrop() {
  if (options_.drop_after_commit <= 0) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  return random_.Chance(options_.drop_after_commit);
}

}  // namespace podform::sandbox
