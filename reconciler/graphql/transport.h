#ifndef PODFORM_RECONCILER_GRAPHQL_TRANSPORT_H_
#define PODFORM_RECONCILER_GRAPHQL_TRANSPORT_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace podform {

// One HTTP exchange with a GraphQL endpoint.
struct HttpResponse {
  int status = 0;           // HTTP status code
  std::string body;         // response body (JSON for 200/400)
  std::string retry_after;  // Retry-After header, "" if absent
};

// Carries a GraphQL request body (JSON text: {"query", "variables",
// "operationName"}) to RunPod or the sandbox, with the API key, and returns
// whatever HTTP answered. Non-2xx HTTP statuses are returned, not errors.
// Errors:
//   Unavailable       nothing was sent or it certainly was not processed
//                     (connection refused, DNS failure).
//   DeadlineExceeded  sent, but no complete answer (timeout, connection
//                     reset): the outcome is unknown.
// Implementations are safe to call from several threads at once.
class Transport {
 public:
  // Whether carrying the request out twice is harmless. HTTP clients
  // (libcurl among them) silently send a request again when a kept-alive
  // connection closes without answering it; a request that must never run
  // twice (a mutation) has to be sent where that cannot happen.
  enum class Replay { kHarmless, kForbidden };

  virtual ~Transport() = default;
  virtual absl::StatusOr<HttpResponse> Post(std::string_view body,
                                            Replay replay) = 0;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_GRAPHQL_TRANSPORT_H_
