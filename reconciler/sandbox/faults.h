#ifndef PODFORM_RECONCILER_SANDBOX_FAULTS_H_
#define PODFORM_RECONCILER_SANDBOX_FAULTS_H_

// Fault injection for the sandbox (DESIGN.md "The sandbox"): latency,
// transient failures, rate limiting and responses lost after a commit. All
// random decisions come from one generator seeded with `seed`, so a given
// seed and request sequence always injects the same faults.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "reconciler/sandbox/random.h"

namespace podform::sandbox {

// One REST v2 answer's view of its key's rate-limit window.
struct RateLimitState {
  bool allowed = true;
  int remaining = 0;      // requests left in the window after this one
  int reset_seconds = 0;  // whole seconds (>= 1) until the window resets
};

struct FaultOptions {
  int latency_ms = 0;             // --latency-ms: see StartLatency()
  double fail_rate = 0;           // --fail-rate: P(HTTP 502/503), 0..1
  // --rate-limit N[/s|/min]: `rate_limit` requests per `rate_window_seconds`
  // (1 or 60); 0 = none.
  double rate_limit = 0;
  int rate_window_seconds = 1;
  double drop_after_commit = 0;   // --drop-after-commit: P(drop), 0..1
  std::optional<uint64_t> seed;   // --seed; unset: from the OS
};

// Reads --rate-limit: "N" or "N/s" (N requests per second, N may be a
// fraction such as 0.25), "N/min" (per minute); N >= 0, 0 = no limit.
// InvalidArgument otherwise.
absl::Status ParseRateLimit(const std::string& text, FaultOptions* options);

class FaultInjector {
 public:
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;

  // `now` is the clock of the rate limiter (null: steady_clock::now).
  // `seed` feeds every random decision.
  FaultInjector(const FaultOptions& options, uint64_t seed,
                SteadyClock now = nullptr);

  const FaultOptions& options() const { return options_; }

  // The latency of one handled request, as a network adds it: sleeps the
  // request's half of options().latency_ms (its trip to the server) and
  // returns when the answer may leave, the other half later. The request
  // is carried out and persisted in between, so a data-file write that
  // takes less than that half adds nothing to the answer's time, as
  // RunPod's own commit is part of its latency. Returns at once, with now,
  // for 0.
  std::chrono::steady_clock::time_point StartLatency() const;

  // 502 or 503 (equally likely) with probability fail_rate, else 0. Draws
  // from the generator only when fail_rate > 0.
  int DrawFailure();

  // GraphQL's limit: takes a token from one bucket for all callers
  // (capacity max(1, rate_limit), full at start, refilled at rate_limit
  // tokens per rate_window_seconds). Returns nullopt when the request may
  // proceed, else the whole seconds (>= 1) until a token is available: the
  // Retry-After value.
  std::optional<int> TakeToken();

  // REST v2's limit (none when rate_limit is 0: nullopt): fixed windows
  // counted per API key, each of Quota() requests per WindowSeconds()
  // (rate_limit per window; a rate below one per window becomes one
  // request per the longer window it takes). Takes one request from
  // `key`'s window.
  std::optional<RateLimitState> TakeWindowRequest(const std::string& key);
  int Quota() const;
  int WindowSeconds() const;
  // The IETF draft headers: RateLimit-Policy `"minute";q=60;w=60` and
  // RateLimit `"minute";r=59;t=42` ("second" for 1 s windows, "window"
  // otherwise).
  std::string PolicyHeader() const;
  std::string StateHeader(const RateLimitState& state) const;

  // true with probability drop_after_commit (a committed mutation's answer
  // is then lost). Draws only when drop_after_commit > 0.
  bool DrawDrop();

 private:
  FaultOptions options_;
  SteadyClock now_;
  std::mutex mutex_;
  Random random_;
  double tokens_ = 0;
  std::chrono::steady_clock::time_point refilled_at_;
  struct Window {
    std::chrono::steady_clock::time_point start;
    int used = 0;
  };
  std::unordered_map<std::string, Window> windows_;  // by API key
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_FAULTS_H_
