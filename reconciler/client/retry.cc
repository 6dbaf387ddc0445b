#include "reconciler/client/retry.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace podform {
namespace {

std::string Attempts(int n) {
  return absl::StrCat(n, n == 1 ? " attempt" : " attempts");
}

// The result when retrying stops on a retryable answer.
absl::StatusOr<HttpResponse> GiveUp(const absl::StatusOr<HttpResponse>& last,
                                    int attempts) {
  if (!last.ok()) {
    return absl::Status(last.status().code(),
                        absl::StrCat(last.status().message(),
                                     "; gave up after ", Attempts(attempts)));
  }
  return absl::UnavailableError(
      absl::StrCat("HTTP ", last->status, " from RunPod",
                   last->status == 429 ? " (rate limited)" : "",
                   "; gave up after ", Attempts(attempts)));
}

}  // namespace

bool IsRetryableHttpStatus(int status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

std::optional<absl::Duration> ParseRetryAfter(std::string_view value,
                                              absl::Time now) {
  std::string text(absl::StripAsciiWhitespace(std::string(value)));
  if (text.empty()) return std::nullopt;
  bool all_digits = true;
  for (char c : text) all_digits = all_digits && absl::ascii_isdigit(c);
  if (all_digits) {
    int64_t seconds = 0;
    if (text.size() > 12 || !absl::SimpleAtoi(text, &seconds)) {
      return absl::InfiniteDuration();
    }
    return absl::Seconds(seconds);
  }
  absl::Time when;
  std::string error;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", text, absl::UTCTimeZone(),
                       &when, &error)) {
    return std::nullopt;
  }
  return when > now ? when - now : absl::ZeroDuration();
}

Retrier::Retrier(RetryOptions options) : options_(std::move(options)) {
  uint64_t seed = options_.seed;
  if (seed == 0) {
    std::random_device device;
    seed = (static_cast<uint64_t>(device()) << 32) | device();
  }
  rng_.seed(seed);
  if (options_.max_attempts < 1) options_.max_attempts = 1;
}

double Retrier::Uniform() {
  if (options_.uniform) return options_.uniform();
  std::lock_guard<std::mutex> lock(rng_mutex_);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

absl::Time Retrier::Now() const {
  return options_.now ? options_.now() : absl::Now();
}

absl::Duration Retrier::Backoff(int retry, std::string_view retry_after) {
  absl::Duration cap = options_.initial_backoff;
  for (int i = 0; i < retry && cap < options_.max_backoff; ++i) cap *= 2;
  if (cap > options_.max_backoff) cap = options_.max_backoff;
  absl::Duration wait = absl::Floor(cap * Uniform(), absl::Milliseconds(1));
  std::optional<absl::Duration> server = ParseRetryAfter(retry_after, Now());
  if (server.has_value() && *server > wait) wait = *server;
  return wait;
}

RetryResult Retrier::Send(Transport& transport, const HttpRequest& request) {
  const bool idempotent = request.replay == Replay::kHarmless;
  const absl::Time give_up_at = Now() + options_.deadline;
  for (int attempt = 1;; ++attempt) {
    absl::StatusOr<HttpResponse> response = transport.Send(request);
    bool retryable = false;
    std::string retry_after;
    if (!response.ok()) {
      absl::StatusCode code = response.status().code();
      retryable = code == absl::StatusCode::kUnavailable ||
                  (idempotent && code == absl::StatusCode::kDeadlineExceeded);
    } else {
      int status = response->status;
      if (status == 429 && options_.on_rate_limited) {
        options_.on_rate_limited();
      }
      retryable = IsRetryableHttpStatus(status) ||
                  (idempotent && status >= 500 && status <= 599);
      retry_after = response->retry_after;
    }
    if (!retryable) return {std::move(response), attempt};
    if (attempt < options_.max_attempts) {
      absl::Duration wait = Backoff(attempt - 1, retry_after);
      if (Now() + wait <= give_up_at) {
        if (options_.sleep) {
          options_.sleep(wait);
        } else {
          absl::SleepFor(wait);
        }
        continue;
      }
    }
    return {GiveUp(response, attempt), attempt};
  }
}

}  // namespace podform
