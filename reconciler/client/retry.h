#ifndef PODFORM_RECONCILER_CLIENT_RETRY_H_
#define PODFORM_RECONCILER_CLIENT_RETRY_H_

// When to send a request again (GraphQL or REST alike), and how long to
// wait first. A request is a read when its replay is Replay::kHarmless
// (GET, the GraphQL Refresh query) and a mutation otherwise.
//
// Retried for every request (RunPod certainly did not process it):
//   - transport Unavailable (connection refused, DNS failure, connect
//     timeout: nothing was sent),
//   - HTTP 429, 502, 503, 504 (answered before RunPod processed anything).
// Retried only for reads (idempotent requests, e.g. the Refresh query):
//   - transport DeadlineExceeded (sent, outcome unknown),
//   - any other HTTP 5xx.
// A mutation whose outcome is unknown is never re-sent: its
// DeadlineExceeded goes to the caller, who re-reads live state.
//
// Waits use exponential backoff with full jitter: before retry n (0-based)
// the wait is uniform in [0, min(max_backoff, initial_backoff * 2^n)], and at
// least the server's Retry-After (delta-seconds or an HTTP-date). Retrying
// stops after max_attempts attempts, or when the next wait would end past
// `deadline` after the first attempt started.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reconciler/core/transport.h"

namespace podform {

struct RetryOptions {
  int max_attempts = 8;  // >= 1; 1 = never retry
  absl::Duration initial_backoff = absl::Milliseconds(250);
  absl::Duration max_backoff = absl::Seconds(16);
  absl::Duration deadline = absl::Seconds(60);  // for all attempts and waits

  // Injectable for tests; each defaults to the real thing when empty. They
  // are called from several threads at once when the client is.
  std::function<absl::Time()> now;            // default absl::Now
  std::function<void(absl::Duration)> sleep;  // default absl::SleepFor
  // A uniform draw in [0, 1). Default: a std::mt19937_64 seeded with `seed`
  // (random when 0), guarded by a mutex.
  std::function<double()> uniform;
  uint64_t seed = 0;

  // Called on every HTTP 429 answer (also the last one), before waiting, so
  // that the applier can lower its concurrency.
  std::function<void()> on_rate_limited;
};

// What Send ended with.
struct RetryResult {
  // The last transport error or HTTP response. When retrying stopped on a
  // retryable HTTP status, this is Unavailable ("HTTP 503 from RunPod; gave
  // up after N attempts"); a retryable transport error that was retried gets
  // "; gave up after N attempts" appended. Any other response (2xx, 4xx, a
  // mutation's 500) is returned as is.
  absl::StatusOr<HttpResponse> response;
  int attempts = 0;
};

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21
// Oct 2015 07:28:00 GMT", relative to `now`). nullopt if empty or invalid;
// a date in the past gives zero.
std::optional<absl::Duration> ParseRetryAfter(std::string_view value,
                                              absl::Time now);

// True if an HTTP status means the request was not processed (429, 502,
// 503, 504).
bool IsRetryableHttpStatus(int status);

// Thread-safe.
class Retrier {
 public:
  explicit Retrier(RetryOptions options);

  // Sends `request` through `transport`, retrying per the policy above.
  RetryResult Send(Transport& transport, const HttpRequest& request);

  // The wait before retry number `retry` (0-based) after an answer whose
  // Retry-After header was `retry_after` (may be empty). Draws one uniform
  // number.
  absl::Duration Backoff(int retry, std::string_view retry_after);

 private:
  double Uniform();
  absl::Time Now() const;

  RetryOptions options_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_RETRY_H_
