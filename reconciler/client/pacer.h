#ifndef PODFORM_RECONCILER_CLIENT_PACER_H_
#define PODFORM_RECONCILER_CLIENT_PACER_H_

// Pacing by RunPod's rate-limit headers (IETF ratelimit-headers draft, as
// RunPod's REST API v2 sends them on every authenticated answer):
//   RateLimit:        "minute";r=0;t=12, "hour";r=2800;t=1812
//                     (per window: requests remaining r, seconds to reset t)
//   RateLimit-Policy: "minute";q=60;w=60, "hour";q=3000;w=3600
//                     (per window: quota q, window length w seconds)
// A PacedTransport keeps, per window, how many requests are left and when
// the window resets, counts each request it sends against every window,
// and holds a request back while some window has none left, until that
// window resets. An apply larger than the quota then waits for the quota
// instead of being refused with 429. A 429's Retry-After holds back every
// request until it has passed. Answers without these headers change
// nothing: requests then go out at once.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reconciler/core/transport.h"

namespace podform {

// One member of a RateLimit header. Members that are not a name (quoted
// string or token) with integer parameters r and t are skipped.
struct RateLimitWindow {
  std::string name;
  int64_t remaining = 0;        // r
  absl::Duration reset_in;      // t
};
std::vector<RateLimitWindow> ParseRateLimit(std::string_view header);

// One member of a RateLimit-Policy header (q and w required).
struct RateLimitPolicy {
  std::string name;
  int64_t quota = 0;            // q
  absl::Duration window;        // w
};
std::vector<RateLimitPolicy> ParseRateLimitPolicy(std::string_view header);

struct PacerOptions {
  // Injectable for tests; default absl::Now / absl::SleepFor.
  std::function<absl::Time()> now;
  std::function<void(absl::Duration)> sleep;
};

// The pacing state above, shared by every transport that sends with one
// API key, so that requests sent by one (the account read) count against
// the windows the others see. Thread-safe.
class Pacer {
 public:
  explicit Pacer(PacerOptions options = {});

  // Blocks until every window has a request left, then counts one.
  void Admit();
  // Learns the windows and a 429's Retry-After from an answer.
  void Learn(const HttpResponse& response);

 private:
  struct Window {
    int64_t remaining = 0;
    absl::Time reset_at = absl::InfinitePast();  // never learned
    int64_t quota = -1;  // -1: unknown
    absl::Duration length;
  };

  absl::Time Now() const;

  PacerOptions options_;
  std::mutex mutex_;
  std::map<std::string, Window> windows_;  // guarded by mutex_
  absl::Time blocked_until_;               // guarded by mutex_ (429)
};

// Sends through `inner`, paced as above by `pacer`. Thread-safe if `inner`
// is.
class PacedTransport : public Transport {
 public:
  PacedTransport(std::unique_ptr<Transport> inner,
                 std::shared_ptr<Pacer> pacer);
  // With a pacer of its own.
  explicit PacedTransport(std::unique_ptr<Transport> inner,
                          PacerOptions options = {});

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

 private:
  std::unique_ptr<Transport> inner_;
  std::shared_ptr<Pacer> pacer_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_PACER_H_
