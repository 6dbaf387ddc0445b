#ifndef PODFORM_RECONCILER_CORE_TRANSPORT_H_
#define PODFORM_RECONCILER_CORE_TRANSPORT_H_

// The HTTP seam between podform's RunPod clients (GraphQL, REST v2) and
// whatever carries their requests: libcurl to RunPod or `podform sandbox
// serve` (client/curl_transport.h), or the in-process sandbox
// (sandbox/in_process_transport.h). It knows nothing of either protocol.

#include <string>

#include "absl/status/statusor.h"

namespace podform {

// Whether carrying a request out twice is harmless. HTTP clients (libcurl
// among them) silently send a request again when a kept-alive connection
// closes without answering it; a request that must never run twice (a
// mutation) has to be sent where that cannot happen. Harmless requests are
// also the ones the retry policy may resend after an unknown outcome.
enum class Replay { kHarmless, kForbidden };

// One HTTP request, relative to the transport's base URL.
struct HttpRequest {
  std::string method = "POST";  // GET, POST, PATCH, PUT or DELETE
  // Appended to the base URL as is, query included: "" for the base URL
  // itself (GraphQL), "/pods?limit=1000" under a REST base ".../v2".
  // Callers escape what they put in it.
  std::string path;
  std::string body;  // JSON text; "" = no body (and no Content-Type)
  Replay replay = Replay::kForbidden;
};

// Whatever HTTP answered. Header values are "" when absent.
struct HttpResponse {
  int status = 0;                 // HTTP status code
  std::string body;               // response body
  std::string content_type;       // Content-Type
  std::string retry_after;        // Retry-After
  std::string rate_limit;         // RateLimit (IETF draft)
  std::string rate_limit_policy;  // RateLimit-Policy (IETF draft)
};

// Carries requests to RunPod or the sandbox, with the API key, and returns
// whatever HTTP answered. Non-2xx HTTP statuses are returned, not errors.
// Errors:
//   Unavailable       nothing was sent or it certainly was not processed
//                     (connection refused, DNS failure).
//   DeadlineExceeded  sent, but no complete answer (timeout, connection
//                     reset): the outcome is unknown.
// Implementations are safe to call from several threads at once.
class Transport {
 public:
  using Replay = ::podform::Replay;

  virtual ~Transport() = default;
  virtual absl::StatusOr<HttpResponse> Send(const HttpRequest& request) = 0;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_TRANSPORT_H_
